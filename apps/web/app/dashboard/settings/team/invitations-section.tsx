'use client';

import { Badge, Button, EmptyState, Group, Paper, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type ReactNode, useState } from 'react';
import { ConfirmModal } from '../../../../components/confirm-modal';
import { CopyLinkButton } from '../../../../components/copy-link';
import { QueryErrorState, RowsLoading } from '../../../../components/states';
import { errorMessage } from '../../../../lib/api-client';
import type { Invitation } from '../../../../lib/api-types';
import { formatDate, roleLabel } from '../../../../lib/invitations';
import { useInvitations, useRevokeInvitation } from '../../../../lib/team';

export function InvitationsSection({ orgId }: { orgId: string }) {
  const invitations = useInvitations(orgId);
  const revoke = useRevokeInvitation(orgId);
  const [toRevoke, setToRevoke] = useState<Invitation | null>(null);

  const onRevoke = () => {
    if (!toRevoke) return;
    const invitation = toRevoke;
    revoke.mutate(invitation.id, {
      onSuccess: () => {
        setToRevoke(null);
        notifications.show({ color: 'teal', message: `The invitation for ${invitation.email} was revoked.` });
      },
      onError: (err) =>
        notifications.show({ color: 'red', title: 'Could not revoke the invitation', message: errorMessage(err) }),
    });
  };

  let body: ReactNode;
  if (invitations.isPending) {
    body = <RowsLoading label="Loading invitations" rows={2} />;
  } else if (invitations.isError) {
    body = <QueryErrorState query={invitations} title="Could not load the invitations" />;
  } else if (invitations.data.results.length === 0) {
    body = <EmptyState title="No pending invitations" description="Invitations you create appear here until used." />;
  } else {
    body = (
      // No sideways scrolling on a phone: role and expiry move under the address there.
      <Table verticalSpacing="sm" aria-label="Pending invitations">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Email</Table.Th>
            <Table.Th visibleFrom="sm">Role</Table.Th>
            <Table.Th visibleFrom="sm">Expires</Table.Th>
            <Table.Th>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {invitations.data.results.map((invitation) => (
            <Table.Tr key={invitation.id}>
              <Table.Td>
                <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                  {invitation.email}
                </Text>
                <Text size="xs" c="dimmed" hiddenFrom="sm">
                  {roleLabel[invitation.role] ?? invitation.role} · expires {formatDate(invitation.expires_at)}
                </Text>
              </Table.Td>
              <Table.Td visibleFrom="sm">
                <Badge variant="light" color="gray">
                  {roleLabel[invitation.role] ?? invitation.role}
                </Badge>
              </Table.Td>
              <Table.Td visibleFrom="sm">
                <Text size="sm">{formatDate(invitation.expires_at)}</Text>
              </Table.Td>
              <Table.Td>
                <Group gap="xs" justify="flex-end" wrap="nowrap">
                  {invitation.invitation_url && <CopyLinkButton value={invitation.invitation_url} />}
                  <Button
                    size="xs"
                    variant="subtle"
                    color="red"
                    aria-label={`Revoke the invitation for ${invitation.email}`}
                    onClick={() => setToRevoke(invitation)}
                  >
                    Revoke
                  </Button>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    );
  }

  return (
    <Paper withBorder p="lg" component="section" aria-labelledby="invitations-title">
      <Title order={2} fz="h3" id="invitations-title" mb="md">
        Pending invitations
      </Title>
      {body}
      <ConfirmModal
        opened={toRevoke !== null}
        title="Revoke invitation"
        confirmLabel="Revoke"
        loading={revoke.isPending}
        onConfirm={onRevoke}
        onClose={() => setToRevoke(null)}
      >
        Revoke the invitation for <strong>{toRevoke?.email}</strong>? Its link stops working.
      </ConfirmModal>
    </Paper>
  );
}
