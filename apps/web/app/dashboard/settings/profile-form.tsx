'use client';

import { Alert, Button, Group, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { visibilityToggleProps } from '../../../components/password-field';
import type { User } from '../../../lib/api-types';
import { applyApiErrors } from '../../../lib/form-errors';
import { useUpdateProfile } from '../../../lib/profile';

export function ProfileForm({ user }: { user: User }) {
  const update = useUpdateProfile();
  const [alert, setAlert] = useState<string | null>(null);
  const form = useForm({
    mode: 'uncontrolled',
    initialValues: { email: user.email, username: user.username, current_password: '' },
    validate: {
      email: (v) => (/^\S+@\S+\.\S+$/.test(v.trim()) ? null : 'Enter a valid email address'),
      username: (v) => (v.trim().length >= 3 ? null : 'A username has at least 3 characters'),
      current_password: (v) => (v ? null : 'Enter your current password to save the change'),
    },
  });

  const submit = form.onSubmit(async (values) => {
    setAlert(null);
    const email = values.email.trim();
    const username = values.username.trim();
    // Only what changed is sent: the API refuses a request that changes nothing.
    const change = {
      ...(email !== user.email ? { email } : {}),
      ...(username !== user.username ? { username } : {}),
    };
    if (Object.keys(change).length === 0) {
      setAlert('Nothing to save: change your email or username first.');
      return;
    }
    try {
      const saved = await update.mutateAsync({ ...change, current_password: values.current_password });
      form.setInitialValues({ email: saved.email, username: saved.username, current_password: '' });
      form.reset();
      notifications.show({ color: 'teal', message: 'Your profile is saved.' });
    } catch (err) {
      form.setFieldValue('current_password', '');
      setAlert(applyApiErrors(form, err));
    }
  });

  return (
    <Paper withBorder p="lg" component="section" aria-labelledby="profile-title">
      <Title order={2} fz="h3" id="profile-title" mb={4}>
        Profile
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        How you log in and how your teammates see you. Saving a change needs your current password.
      </Text>
      <form onSubmit={submit} noValidate>
        <Stack gap="md" maw={480}>
          {alert && (
            <Alert color="red" variant="light" role="alert">
              {alert}
            </Alert>
          )}
          <TextInput
            label="Email"
            type="email"
            autoComplete="email"
            required
            key={form.key('email')}
            {...form.getInputProps('email')}
          />
          <TextInput
            label="Username"
            autoComplete="username"
            required
            key={form.key('username')}
            {...form.getInputProps('username')}
          />
          <PasswordInput
            {...visibilityToggleProps}
            label="Current password"
            autoComplete="current-password"
            required
            key={form.key('current_password')}
            {...form.getInputProps('current_password')}
          />
          <Group>
            <Button type="submit" loading={update.isPending}>
              Save profile
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
