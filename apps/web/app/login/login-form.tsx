'use client';

import { Alert, Anchor, Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useState } from 'react';
import { AuthCard } from '../../components/auth-card';
import { visibilityToggleProps } from '../../components/password-field';
import { PageLoader } from '../../components/states';
import { applyApiErrors } from '../../lib/form-errors';
import { safeNextPath } from '../../lib/redirects';
import { useLogin, useSession } from '../../lib/session';

export function LoginForm() {
  const router = useRouter();
  const searchParams = useSearchParams();
  const next = safeNextPath(searchParams.get('next'));
  const session = useSession();
  const login = useLogin();
  const [alert, setAlert] = useState<string | null>(null);

  const form = useForm({
    mode: 'uncontrolled',
    initialValues: { identifier: '', password: '' },
    validate: {
      identifier: (v) => (v.trim() ? null : 'Enter your email or username'),
      password: (v) => (v ? null : 'Enter your password'),
    },
  });

  // Whoever has a session (just logged in, or came back with a live cookie) goes on to `next`.
  useEffect(() => {
    if (session.data) router.replace(next);
  }, [session.data, next, router]);

  if (session.isPending || session.data) return <PageLoader label="Checking your session…" fullScreen />;

  const submit = form.onSubmit(async (values) => {
    setAlert(null);
    try {
      await login.mutateAsync(values);
    } catch (err) {
      // The API answers with `email` or `username` depending on what was sent; both are this field.
      setAlert(applyApiErrors(form, err, { email: 'identifier', username: 'identifier' }));
    }
  });

  return (
    <AuthCard title="Log in" subtitle="Welcome back. Log in to manage your inventory.">
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          {alert && (
            <Alert color="red" variant="light" role="alert">
              {alert}
            </Alert>
          )}
          <TextInput
            label="Email or username"
            autoComplete="username"
            autoFocus
            required
            key={form.key('identifier')}
            {...form.getInputProps('identifier')}
          />
          <PasswordInput
            {...visibilityToggleProps}
            label="Password"
            autoComplete="current-password"
            required
            key={form.key('password')}
            {...form.getInputProps('password')}
          />
          <Anchor component={Link} href="/forgot-password" size="sm" ta="right" mt={-8}>
            Forgot password?
          </Anchor>
          <Button type="submit" loading={login.isPending} fullWidth>
            Log in
          </Button>
        </Stack>
      </form>
      <Text size="sm" ta="center">
        No account yet?{' '}
        <Anchor component={Link} href="/register">
          Create one
        </Anchor>
      </Text>
    </AuthCard>
  );
}
