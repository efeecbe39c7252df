'use client';

import { Anchor, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import Link from 'next/link';
import { useCurrentUser } from '../../../components/current-user';
import { SHOPIFY_SETTINGS } from '../../../lib/shopify';
import { OrganizationForm } from './organization-form';
import { ProfileForm } from './profile-form';

const MORE = [
  { href: '/dashboard/settings/team', label: 'Team', description: 'Members, roles and invitations.' },
  { href: SHOPIFY_SETTINGS, label: 'Stores', description: 'Connect Shopify stores and sync their catalogs.' },
  {
    href: '/dashboard/settings/security',
    label: 'Password and security',
    description: 'Change your password and end your other sessions.',
  },
  {
    href: '/dashboard/settings/outbox',
    label: 'Email outbox',
    description: 'The emails InvPro360 has sent on your behalf.',
  },
] as const;

/** Every setting in one place: the ones that fit on a line here, links to the screens of the rest. */
export function SettingsHub() {
  const user = useCurrentUser();
  return (
    <Stack gap="xl">
      <div>
        <Title order={1}>Settings</Title>
        <Text c="dimmed">Your account, {user.organization.name} and where to manage the rest.</Text>
      </div>
      <ProfileForm user={user} />
      <OrganizationForm user={user} />
      <Paper withBorder p="lg" component="section" aria-labelledby="more-settings-title">
        <Title order={2} fz="h3" id="more-settings-title" mb="md">
          More settings
        </Title>
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
          {MORE.map((item) => (
            <div key={item.href}>
              <Anchor component={Link} href={item.href} fw={600}>
                {item.label}
              </Anchor>
              <Text size="sm" c="dimmed">
                {item.description}
              </Text>
            </div>
          ))}
        </SimpleGrid>
      </Paper>
    </Stack>
  );
}
