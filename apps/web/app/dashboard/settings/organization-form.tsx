'use client';

import { Alert, Button, Group, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { canManageTeam } from '../../../components/current-user';
import type { User } from '../../../lib/api-types';
import { applyApiErrors } from '../../../lib/form-errors';
import { useRenameOrganization } from '../../../lib/profile';

const MAX_NAME = 100;

export function OrganizationForm({ user }: { user: User }) {
  const editable = canManageTeam(user);
  return (
    <Paper withBorder p="lg" component="section" aria-labelledby="organization-title">
      <Title order={2} fz="h3" id="organization-title" mb={4}>
        Organization
      </Title>
      {editable ? (
        <RenameForm user={user} />
      ) : (
        <Stack gap={4}>
          <Text fw={600} size="lg" data-testid="organization-name">
            {user.organization.name}
          </Text>
          <Text size="sm" c="dimmed">
            Only owners and admins can change the organization’s name.
          </Text>
        </Stack>
      )}
    </Paper>
  );
}

function RenameForm({ user }: { user: User }) {
  const rename = useRenameOrganization();
  const [alert, setAlert] = useState<string | null>(null);
  const form = useForm({
    mode: 'uncontrolled',
    initialValues: { name: user.organization.name },
    validate: {
      name: (v) =>
        v.trim().length === 0
          ? 'Enter a name'
          : v.trim().length > MAX_NAME
            ? `A name has at most ${MAX_NAME} characters`
            : null,
    },
  });

  const submit = form.onSubmit(async (values) => {
    setAlert(null);
    try {
      const saved = await rename.mutateAsync(values.name.trim());
      form.setInitialValues({ name: saved.name });
      form.reset();
      notifications.show({ color: 'teal', message: `The organization is now called ${saved.name}.` });
    } catch (err) {
      setAlert(applyApiErrors(form, err));
    }
  });

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md" maw={480}>
        <Text size="sm" c="dimmed">
          The name everyone in {user.organization.name} sees, in the organization switcher and on invitations.
        </Text>
        {alert && (
          <Alert color="red" variant="light" role="alert">
            {alert}
          </Alert>
        )}
        <TextInput
          label="Organization name"
          required
          maxLength={MAX_NAME + 20}
          key={form.key('name')}
          {...form.getInputProps('name')}
        />
        <Group>
          <Button type="submit" loading={rename.isPending}>
            Save name
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
