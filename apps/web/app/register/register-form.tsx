'use client';

import { Alert, Anchor, Button, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { AuthCard } from '../../components/auth-card';
import { PasswordField } from '../../components/password-field';
import { ErrorState, PageLoader } from '../../components/states';
import { applyApiErrors } from '../../lib/form-errors';
import { formatDate, isDeadInvitation, roleLabel, useInvitationPreview } from '../../lib/invitations';
import { HOME_PATH } from '../../lib/redirects';
import { type RegisterInput, useRegister, useSession } from '../../lib/session';

export function RegisterForm() {
  const router = useRouter();
  const invitationToken = useSearchParams().get('invitation');
  const invitation = useInvitationPreview(invitationToken);
  const session = useSession();
  const register = useRegister();
  const [alert, setAlert] = useState<string | null>(null);

  const form = useForm({
    // Controlled: the strength meter follows every keystroke, against the email and username typed.
    mode: 'controlled',
    initialValues: { email: '', username: '', password: '', organization: '' },
    validate: {
      email: (v) => (/^\S+@\S+\.\S+$/.test(v.trim()) ? null : 'Enter a valid email address'),
      username: (v) => (v.trim() ? null : 'Choose a username'),
      password: (v) => (v ? null : 'Choose a password'),
    },
  });

  // The invitation was sent to an address; start from it, once (the person may still change it).
  const invitedEmail = invitation.data?.email;
  const prefilled = useRef(false);
  useEffect(() => {
    if (!invitedEmail || prefilled.current) return;
    prefilled.current = true;
    if (!form.getValues().email) form.setFieldValue('email', invitedEmail);
  }, [invitedEmail, form]);

  // Someone already logged in accepts an invitation on its own page rather than registering again.
  const destination = invitationToken ? `/invite/${encodeURIComponent(invitationToken)}` : HOME_PATH;
  // Set while our own registration runs, whose new session must go to the dashboard instead.
  const registering = useRef(false);
  useEffect(() => {
    if (session.data && !registering.current) router.replace(destination);
  }, [session.data, destination, router]);

  if (session.data) return <PageLoader label="Opening your workspace…" fullScreen />;
  if (invitationToken && invitation.isPending) return <PageLoader label="Loading your invitation…" fullScreen />;

  if (invitationToken && invitation.isError) {
    return (
      <AuthCard title="Create an account">
        {isDeadInvitation(invitation.error) ? (
          <Alert color="red" variant="light" title="This invitation cannot be used" role="alert">
            It may have expired, been revoked or already been used. Ask for a new invitation, or create an account with
            your own organization.
          </Alert>
        ) : (
          <ErrorState
            error={invitation.error}
            title="Could not load your invitation"
            onRetry={() => void invitation.refetch()}
            retrying={invitation.isFetching}
          />
        )}
        <Button component={Link} href="/register" variant="light">
          Create an account without the invitation
        </Button>
      </AuthCard>
    );
  }

  const submit = form.onSubmit(async (values) => {
    setAlert(null);
    const body: RegisterInput = {
      email: values.email.trim(),
      username: values.username.trim(),
      password: values.password,
    };
    if (invitationToken) body.invitation = invitationToken;
    else if (values.organization.trim()) body.organization = values.organization.trim();
    registering.current = true;
    try {
      await register.mutateAsync(body);
      router.replace(HOME_PATH);
    } catch (err) {
      registering.current = false;
      setAlert(applyApiErrors(form, err));
    }
  });

  const joining = invitation.data;
  return (
    <AuthCard
      title="Create an account"
      subtitle={joining ? undefined : 'Start managing your Shopify inventory in minutes.'}
    >
      {joining && (
        <Alert color="indigo" variant="light" title={`Join ${joining.organization.name}`}>
          You were invited as {roleLabel[joining.role] ?? joining.role}. The invitation expires{' '}
          {formatDate(joining.expires_at)}.
        </Alert>
      )}
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
          <TextInput
            label="Username"
            autoComplete="username"
            required
            key={form.key('username')}
            {...form.getInputProps('username')}
          />
          <PasswordField
            label="Password"
            autoComplete="new-password"
            description="Pick a long, unique passphrase."
            required
            {...form.getInputProps('password')}
            value={form.values.password}
            onChange={(value) => form.setFieldValue('password', value)}
            owner={{ email: form.values.email, username: form.values.username }}
          />
          {!joining && (
            <TextInput
              label="Organization name"
              description="Optional. Usually your company or store name."
              autoComplete="organization"
              key={form.key('organization')}
              {...form.getInputProps('organization')}
            />
          )}
          <Button type="submit" loading={register.isPending} fullWidth>
            {joining ? `Create account and join ${joining.organization.name}` : 'Create account'}
          </Button>
        </Stack>
      </form>
      <Text size="sm" ta="center">
        Already have an account?{' '}
        <Anchor
          component={Link}
          href={invitationToken ? `/login?next=${encodeURIComponent(`/invite/${invitationToken}`)}` : '/login'}
        >
          Log in
        </Anchor>
      </Text>
    </AuthCard>
  );
}
