'use client';

import { Alert, Anchor, Button, PasswordInput, Stack, Text } from '@mantine/core';
import Link from 'next/link';
import { useState } from 'react';
import { AuthCard } from '../../../components/auth-card';
import { PasswordField, visibilityToggleProps } from '../../../components/password-field';
import { useConfirmPasswordReset } from '../../../lib/account';
import { ApiError, errorMessage } from '../../../lib/api-client';

export function ResetPasswordForm({ token }: { token: string }) {
  const confirm = useConfirmPasswordReset();
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [passwordError, setPasswordError] = useState<string | null>(null);
  const [repeatError, setRepeatError] = useState<string | null>(null);
  const [deadLink, setDeadLink] = useState<string | null>(null);
  const [alert, setAlert] = useState<string | null>(null);
  const [done, setDone] = useState(false);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setAlert(null);
    setPasswordError(password ? null : 'Choose a new password');
    setRepeatError(repeat === password ? null : 'The two passwords are not the same');
    if (!password || repeat !== password) return;
    try {
      await confirm.mutateAsync({ token, password });
      setDone(true);
    } catch (err) {
      if (err instanceof ApiError && err.fieldErrors.token) setDeadLink(err.detail);
      else if (err instanceof ApiError && err.fieldErrors.password)
        setPasswordError(err.fieldErrors.password.join(' '));
      else setAlert(errorMessage(err));
    }
  };

  if (done) {
    return (
      <AuthCard title="Password changed">
        <Alert color="teal" variant="light" role="status">
          Your password was changed and every session of your account was ended. Log in with the new password.
        </Alert>
        <Button component={Link} href="/login">
          Log in
        </Button>
      </AuthCard>
    );
  }

  if (deadLink) {
    return (
      <AuthCard title="This link cannot be used">
        <Alert color="red" variant="light" role="alert">
          {deadLink}
        </Alert>
        <Button component={Link} href="/forgot-password" variant="light">
          Ask for a new link
        </Button>
      </AuthCard>
    );
  }

  return (
    <AuthCard title="Choose a new password" subtitle="The link works once, for one hour after it was sent.">
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          {alert && (
            <Alert color="red" variant="light" role="alert">
              {alert}
            </Alert>
          )}
          <PasswordField
            label="New password"
            autoComplete="new-password"
            autoFocus
            required
            value={password}
            onChange={setPassword}
            owner={{}}
            error={passwordError}
          />
          <PasswordInput
            {...visibilityToggleProps}
            label="Repeat the new password"
            autoComplete="new-password"
            required
            value={repeat}
            onChange={(e) => setRepeat(e.currentTarget.value)}
            error={repeatError}
          />
          <Button type="submit" loading={confirm.isPending} fullWidth>
            Set the new password
          </Button>
        </Stack>
      </form>
      <Text size="sm" ta="center">
        <Anchor component={Link} href="/login">
          Back to log in
        </Anchor>
      </Text>
    </AuthCard>
  );
}
