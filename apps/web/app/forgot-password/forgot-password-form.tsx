'use client';

import { Alert, Anchor, Button, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import Link from 'next/link';
import { useState } from 'react';
import { AuthCard } from '../../components/auth-card';
import { useRequestPasswordReset } from '../../lib/account';
import { applyApiErrors } from '../../lib/form-errors';

export function ForgotPasswordForm() {
  const request = useRequestPasswordReset();
  const [alert, setAlert] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const form = useForm({
    mode: 'uncontrolled',
    initialValues: { email: '' },
    validate: { email: (v) => (/^\S+@\S+\.\S+$/.test(v.trim()) ? null : 'Enter a valid email address') },
  });

  const submit = form.onSubmit(async ({ email }) => {
    setAlert(null);
    try {
      const answer = await request.mutateAsync(email.trim());
      setSent(answer.detail);
    } catch (err) {
      setAlert(applyApiErrors(form, err));
    }
  });

  return (
    <AuthCard title="Forgot your password?" subtitle="Enter the email of your account and we will send it a link.">
      {sent ? (
        <Alert color="teal" variant="light" title="Check your email" role="status">
          {sent}
        </Alert>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack gap="md">
            {alert && (
              <Alert color="red" variant="light" role="alert">
                {alert}
              </Alert>
            )}
            <TextInput
              label="Email"
              type="email"
              autoComplete="email"
              autoFocus
              required
              key={form.key('email')}
              {...form.getInputProps('email')}
            />
            <Button type="submit" loading={request.isPending} fullWidth>
              Send the reset link
            </Button>
          </Stack>
        </form>
      )}
      <Text size="sm" ta="center">
        Remembered it?{' '}
        <Anchor component={Link} href="/login">
          Log in
        </Anchor>
      </Text>
    </AuthCard>
  );
}
