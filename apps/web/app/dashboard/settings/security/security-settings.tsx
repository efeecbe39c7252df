'use client';

import { Alert, Button, Group, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ConfirmModal } from '../../../../components/confirm-modal';
import { useCurrentUser } from '../../../../components/current-user';
import { PasswordField, visibilityToggleProps } from '../../../../components/password-field';
import { useChangePassword } from '../../../../lib/account';
import { ApiError, errorMessage } from '../../../../lib/api-client';
import { useLogoutEverywhere } from '../../../../lib/session';

function ChangePasswordForm() {
  const user = useCurrentUser();
  const change = useChangePassword();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [errors, setErrors] = useState<{ current?: string; next?: string }>({});
  const [alert, setAlert] = useState<string | null>(null);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setAlert(null);
    const missing = {
      current: current ? undefined : 'Enter your current password',
      next: next ? undefined : 'Choose a new password',
    };
    setErrors(missing);
    if (missing.current || missing.next) return;
    try {
      await change.mutateAsync({ current_password: current, new_password: next });
      setCurrent('');
      setNext('');
      notifications.show({
        color: 'teal',
        message: 'Your password was changed. Every other session was logged out; this one stays.',
      });
    } catch (err) {
      if (err instanceof ApiError && (err.fieldErrors.current_password || err.fieldErrors.new_password)) {
        setErrors({
          current: err.fieldErrors.current_password?.join(' '),
          next: err.fieldErrors.new_password?.join(' '),
        });
      } else setAlert(errorMessage(err));
    }
  };

  return (
    <Paper withBorder p="lg" component="section" aria-labelledby="password-title">
      <Title order={2} fz="h3" id="password-title" mb="xs">
        Change password
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        Changing it logs out every other session of your account.
      </Text>
      <form onSubmit={submit} noValidate>
        <Stack gap="md" maw={420}>
          {alert && (
            <Alert color="red" variant="light" role="alert">
              {alert}
            </Alert>
          )}
          <PasswordInput
            {...visibilityToggleProps}
            label="Current password"
            autoComplete="current-password"
            required
            value={current}
            onChange={(e) => setCurrent(e.currentTarget.value)}
            error={errors.current}
          />
          <PasswordField
            label="New password"
            autoComplete="new-password"
            required
            value={next}
            onChange={setNext}
            owner={{ email: user.email, username: user.username }}
            error={errors.next}
          />
          <Group>
            <Button type="submit" loading={change.isPending}>
              Change password
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

function LogoutEverywhere() {
  const router = useRouter();
  const logoutAll = useLogoutEverywhere();
  const [confirming, setConfirming] = useState(false);
  return (
    <Paper withBorder p="lg" component="section" aria-labelledby="sessions-title">
      <Title order={2} fz="h3" id="sessions-title" mb="xs">
        Sessions
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        Lost a device, or logged in on a shared computer? End every session of your account, this one included.
      </Text>
      <Button color="red" variant="light" onClick={() => setConfirming(true)}>
        Log out everywhere
      </Button>
      <ConfirmModal
        opened={confirming}
        title="Log out everywhere"
        confirmLabel="Log out everywhere"
        loading={logoutAll.isPending}
        onClose={() => setConfirming(false)}
        onConfirm={() =>
          logoutAll.mutate(undefined, {
            onSuccess: () => router.replace('/login'),
            onError: (err) =>
              notifications.show({ color: 'red', title: 'Could not log out everywhere', message: errorMessage(err) }),
          })
        }
      >
        Every session of your account ends, on every device, including this one.
      </ConfirmModal>
    </Paper>
  );
}

export function SecuritySettings() {
  return (
    <Stack gap="xl">
      <div>
        <Title order={1}>Security</Title>
        <Text c="dimmed">Your password and your sessions.</Text>
      </div>
      <ChangePasswordForm />
      <LogoutEverywhere />
    </Stack>
  );
}
