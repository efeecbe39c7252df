'use client';

import { Alert, Stack, Text, Title } from '@mantine/core';
import { canManageTeam, useCurrentUser } from '../../../../components/current-user';
import { InvitationsSection } from './invitations-section';
import { InviteForm } from './invite-form';
import { MembersSection } from './members-section';

export function TeamSettings() {
  const user = useCurrentUser();
  const manager = canManageTeam(user);

  return (
    <Stack gap="xl">
      <div>
        <Title order={1}>Team</Title>
        <Text c="dimmed">People who can work in {user.organization.name}.</Text>
      </div>
      {!manager && (
        <Alert variant="light" color="gray">
          Only owners and admins can invite people or change roles.
        </Alert>
      )}
      <MembersSection user={user} manager={manager} />
      {manager && (
        <>
          <InviteForm user={user} />
          <InvitationsSection orgId={user.organization.id} />
        </>
      )}
    </Stack>
  );
}
