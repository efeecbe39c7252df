'use client';

import { Alert, Button, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import type { ReactNode } from 'react';
import { AuthCard } from '../../../components/auth-card';
import { ErrorState, PageLoader } from '../../../components/states';
import { errorMessage } from '../../../lib/api-client';
import { formatDate, isDeadInvitation, roleLabel, useInvitationPreview } from '../../../lib/invitations';
import { HOME_PATH } from '../../../lib/redirects';
import { useAcceptInvitation, useSession, useSwitchOrganization } from '../../../lib/session';

export function InvitationView({ token }: { token: string }) {
  const router = useRouter();
  const invitation = useInvitationPreview(token);
  const session = useSession();
  const accept = useAcceptInvitation();
  const switchOrg = useSwitchOrganization();
  const here = `/invite/${encodeURIComponent(token)}`;

  if (invitation.isPending) return <PageLoader label="Loading your invitation…" fullScreen />;

  if (invitation.isError) {
    return (
      <AuthCard title="Invitation">
        {isDeadInvitation(invitation.error) ? (
          <Alert color="red" variant="light" title="This invitation cannot be used" role="alert">
            It may have expired, been revoked or already been used. Ask the person who invited you for a new link.
          </Alert>
        ) : (
          <ErrorState
            error={invitation.error}
            title="Could not load the invitation"
            onRetry={() => void invitation.refetch()}
            retrying={invitation.isFetching}
          />
        )}
        <Button component={Link} href="/" variant="light">
          Go to InvPro360
        </Button>
      </AuthCard>
    );
  }

  const { organization, role, email, expires_at: expiresAt } = invitation.data;
  const user = session.data;
  const alreadyMember = user?.organizations.some((o) => o.id === organization.id) ?? false;

  let actions: ReactNode;
  if (session.isPending) {
    actions = <PageLoader label="Checking your session…" />;
  } else if (user && alreadyMember) {
    actions = (
      <>
        <Alert variant="light" color="teal">
          You are already a member of {organization.name}.
        </Alert>
        <Button
          loading={switchOrg.isPending}
          onClick={() => {
            if (user.organization.id === organization.id) return router.push(HOME_PATH);
            switchOrg.mutate(organization.id, {
              onSuccess: () => router.push(HOME_PATH),
              onError: (err) => notifications.show({ color: 'red', message: errorMessage(err) }),
            });
          }}
        >
          Open {organization.name}
        </Button>
      </>
    );
  } else if (user) {
    const otherAddress = user.email.toLowerCase() !== email.toLowerCase();
    actions = (
      <>
        <Text size="sm">
          You are logged in as <strong>{user.username}</strong> ({user.email}).
        </Text>
        {otherAddress && (
          <Alert variant="light" color="yellow">
            This invitation was sent to {email}. Accepting adds your current account to {organization.name}.
          </Alert>
        )}
        {accept.isError && (
          <Alert color="red" variant="light" role="alert">
            {errorMessage(accept.error)}
          </Alert>
        )}
        <Button
          loading={accept.isPending}
          onClick={() =>
            accept.mutate(token, {
              onSuccess: (res) => {
                notifications.show({ color: 'teal', message: `Welcome to ${res.user.organization.name}!` });
                router.push(HOME_PATH);
              },
            })
          }
        >
          Accept invitation
        </Button>
      </>
    );
  } else {
    actions = (
      <>
        {session.isError && (
          <Alert variant="light" color="yellow">
            {errorMessage(session.error)}
          </Alert>
        )}
        <Button component={Link} href={`/register?invitation=${encodeURIComponent(token)}`}>
          Create an account to join
        </Button>
        <Button component={Link} href={`/login?next=${encodeURIComponent(here)}`} variant="default">
          I already have an account
        </Button>
      </>
    );
  }

  return (
    <AuthCard title={`Join ${organization.name}`} subtitle="You have been invited to work together on InvPro360.">
      <Stack gap={4}>
        <Text size="sm">
          Role: <strong>{roleLabel[role] ?? role}</strong>
        </Text>
        <Text size="sm">
          Sent to: <strong>{email}</strong>
        </Text>
        <Text size="sm" c="dimmed">
          Expires {formatDate(expiresAt)}
        </Text>
      </Stack>
      <Stack gap="sm">{actions}</Stack>
    </AuthCard>
  );
}
