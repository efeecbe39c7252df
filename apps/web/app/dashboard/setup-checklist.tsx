'use client';

import { Badge, Button, Card, Group, List, Progress, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import Link from 'next/link';
import { canManageTeam } from '../../components/current-user';
import type { User } from '../../lib/api-types';
import { SHOPIFY_SETTINGS, useShopifyStatus } from '../../lib/shopify';
import { useInvitations, useMembers } from '../../lib/team';

interface Step {
  id: string;
  title: string;
  detail: string;
  done: boolean;
  action: { href: string; label: string };
}

/**
 * The three things that make InvPro360 useful, until they are done: a store, its catalog, the team.
 * Read from what the dashboard loads anyway; it shows nothing while loading or when a read fails
 * (the cards below say what failed), and disappears for good once every step is done.
 */
export function SetupChecklist({ user }: { user: User }) {
  const orgId = user.organization.id;
  const status = useShopifyStatus(orgId);
  const members = useMembers(orgId, 1);
  const alone = members.data !== undefined && members.data.count < 2;
  // Only managers may list invitations, and only they can be alone: a member joined someone.
  const invitations = useInvitations(orgId, { enabled: alone && canManageTeam(user) });

  if (!status.data || !members.data) return null;
  if (alone && canManageTeam(user) && !invitations.data) return null;

  const stores = status.data.stores;
  const steps: Step[] = [
    {
      id: 'connect',
      title: 'Connect a store',
      detail: 'Link your Shopify store so InvPro360 can read its catalog.',
      done: stores.some((s) => s.state === 'connected'),
      action: { href: SHOPIFY_SETTINGS, label: 'Connect a store' },
    },
    {
      id: 'sync',
      title: 'Finish the first sync',
      detail: 'Bring in the products, locations and stock levels.',
      done: stores.some((s) => s.sync.fresh_at !== null),
      action: { href: SHOPIFY_SETTINGS, label: 'Sync products' },
    },
    {
      id: 'team',
      title: 'Invite your team',
      detail: 'Add the people who work on your inventory.',
      done: !alone || (invitations.data?.count ?? 0) > 0,
      action: { href: '/dashboard/settings/team', label: 'Invite your team' },
    },
  ];
  const finished = steps.filter((s) => s.done).length;
  if (finished === steps.length) return null;

  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="setup-title" data-testid="setup-checklist">
      <Stack gap="sm">
        <Group justify="space-between" gap="xs">
          <Title order={2} fz="h4" id="setup-title">
            Get set up
          </Title>
          <Text size="sm" c="dimmed">
            {finished} of {steps.length} done
          </Text>
        </Group>
        <Progress value={(finished / steps.length) * 100} aria-hidden size="sm" />
        <List spacing="sm" listStyleType="none" aria-label="Setup steps">
          {steps.map((step, index) => (
            <List.Item key={step.id} data-testid={`setup-step-${step.id}`} data-done={step.done}>
              <Group justify="space-between" wrap="wrap" gap="xs">
                <Group gap="sm" wrap="nowrap" align="flex-start">
                  <ThemeIcon variant="light" color={step.done ? 'teal' : 'gray'} radius="xl" aria-hidden>
                    {step.done ? '✓' : index + 1}
                  </ThemeIcon>
                  <div>
                    <Text fw={600}>
                      {step.title}{' '}
                      <Badge size="sm" variant="light" color={step.done ? 'teal' : 'gray'}>
                        {step.done ? 'Done' : 'To do'}
                      </Badge>
                    </Text>
                    <Text size="sm" c="dimmed">
                      {step.detail}
                    </Text>
                  </div>
                </Group>
                {!step.done && (
                  <Button component={Link} href={step.action.href} variant="light" size="xs">
                    {step.action.label}
                  </Button>
                )}
              </Group>
            </List.Item>
          ))}
        </List>
      </Stack>
    </Card>
  );
}
