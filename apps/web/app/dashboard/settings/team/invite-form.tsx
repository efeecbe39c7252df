'use client';

import { Alert, Button, Group, Paper, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { CopyLinkButton } from '../../../../components/copy-link';
import type { Invitation, Role, User } from '../../../../lib/api-types';
import { applyApiErrors } from '../../../../lib/form-errors';
import { formatDate, roleLabel } from '../../../../lib/invitations';
import { useCreateInvitation } from '../../../../lib/team';

export function InviteForm({ user }: { user: User }) {
  const createInvitation = useCreateInvitation(user.organization.id);
  const [alert, setAlert] = useState<string | null>(null);
  const [created, setCreated] = useState<Invitation | null>(null);
  const roles: Role[] = user.role === 'owner' ? ['member', 'admin', 'owner'] : ['member', 'admin'];

  // The API sends the full link; the token alone is enough to rebuild it on this origin.
  const createdLink =
    created?.invitation_url ??
    (created?.token ? `${window.location.origin}/invite/${encodeURIComponent(created.token)}` : null);

  const form = useForm({
    mode: 'uncontrolled',
    initialValues: { email: '', role: 'member' as Role },
    validate: {
      email: (v) => (/^\S+@\S+\.\S+$/.test(v.trim()) ? null : 'Enter a valid email address'),
      role: (v) => (v ? null : 'Choose a role'),
    },
  });

  const submit = form.onSubmit(async (values) => {
    setAlert(null);
    setCreated(null);
    try {
      const invitation = await createInvitation.mutateAsync({ email: values.email.trim(), role: values.role });
      setCreated(invitation);
      form.reset();
    } catch (err) {
      setAlert(applyApiErrors(form, err));
    }
  });

  return (
    <Paper withBorder p="lg" component="section" aria-labelledby="invite-title">
      <Title order={2} fz="h3" id="invite-title" mb={4}>
        Invite someone
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        Create an invitation link and send it to them. It works once and expires.
      </Text>
      <Stack gap="md">
        {alert && (
          <Alert color="red" variant="light" role="alert">
            {alert}
          </Alert>
        )}
        <form onSubmit={submit} noValidate>
          <Group align="flex-start" gap="sm" wrap="wrap">
            <TextInput
              label="Email"
              type="email"
              autoComplete="off"
              required
              style={{ flex: '1 1 260px' }}
              key={form.key('email')}
              {...form.getInputProps('email')}
            />
            <Select
              label="Role"
              data={roles.map((r) => ({ value: r, label: roleLabel[r] ?? r }))}
              allowDeselect={false}
              w={150}
              key={form.key('role')}
              {...form.getInputProps('role')}
            />
            <Button type="submit" loading={createInvitation.isPending} mt={{ base: 0, sm: 25 }}>
              Create invitation
            </Button>
          </Group>
        </form>
        {created && createdLink && (
          <Alert color="teal" variant="light" title={`Invitation created for ${created.email}`}>
            <Stack gap="xs">
              <Text size="sm">Send them this link. It expires {formatDate(created.expires_at)}.</Text>
              <Group gap="xs" wrap="nowrap">
                <TextInput
                  aria-label="Invitation link"
                  value={createdLink}
                  readOnly
                  style={{ flex: 1 }}
                  onFocus={(e) => e.currentTarget.select()}
                  data-testid="invitation-link"
                />
                <CopyLinkButton value={createdLink} />
              </Group>
            </Stack>
          </Alert>
        )}
      </Stack>
    </Paper>
  );
}
