'use client';

import {
  Badge,
  Button,
  EmptyState,
  Group,
  Pagination,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type ReactNode, useState } from 'react';
import { ConfirmModal } from '../../../../components/confirm-modal';
import { QueryErrorState, RowsLoading } from '../../../../components/states';
import { errorMessage } from '../../../../lib/api-client';
import type { Member, Role, User } from '../../../../lib/api-types';
import { formatDate, roleLabel } from '../../../../lib/invitations';
import { MEMBERS_PAGE_SIZE, useChangeRole, useMembers, useRemoveMember } from '../../../../lib/team';

/** Roles this user may hand out: only an owner can make another owner. */
function assignableRoles(user: User): Role[] {
  return user.role === 'owner' ? ['owner', 'admin', 'member'] : ['admin', 'member'];
}

/**
 * Whether this user may change or remove that member. The API enforces the real rules; this only
 * avoids offering what it would refuse (and editing yourself, which could lock you out).
 */
function canEdit(user: User, member: Member): boolean {
  if (member.user_id === user.id) return false;
  if (user.role === 'owner') return true;
  return user.role === 'admin' && member.role !== 'owner';
}

export function MembersSection({ user, manager }: { user: User; manager: boolean }) {
  const orgId = user.organization.id;
  const [page, setPage] = useState(1);
  const members = useMembers(orgId, page);
  const changeRole = useChangeRole(orgId);
  const removeMember = useRemoveMember(orgId);
  const [toRemove, setToRemove] = useState<Member | null>(null);
  const roleOptions = assignableRoles(user).map((r) => ({ value: r, label: roleLabel[r] ?? r }));

  const onRoleChange = (member: Member, role: Role) => {
    if (role === member.role) return;
    changeRole.mutate(
      { userId: member.user_id, role },
      {
        onSuccess: () =>
          notifications.show({ color: 'teal', message: `${member.username} is now ${roleLabel[role] ?? role}.` }),
        onError: (err) =>
          notifications.show({ color: 'red', title: 'Could not change the role', message: errorMessage(err) }),
      },
    );
  };

  const onRemove = () => {
    if (!toRemove) return;
    const member = toRemove;
    removeMember.mutate(member.user_id, {
      onSuccess: () => {
        setToRemove(null);
        notifications.show({ color: 'teal', message: `${member.username} was removed from the team.` });
      },
      onError: (err) =>
        notifications.show({ color: 'red', title: 'Could not remove the member', message: errorMessage(err) }),
    });
  };

  let body: ReactNode;
  if (members.isPending) {
    body = <RowsLoading label="Loading members" rows={3} />;
  } else if (members.isError && !members.data) {
    body = <QueryErrorState query={members} title="Could not load the team" />;
  } else if (members.data.results.length === 0) {
    body = <EmptyState title="No members yet" description="Invite someone to start working together." />;
  } else {
    const pages = Math.max(1, Math.ceil(members.data.count / MEMBERS_PAGE_SIZE));
    body = (
      <Stack gap="md">
        {/* No sideways scrolling on a phone: the join date moves under the member's name there. */}
        <Table verticalSpacing="sm" highlightOnHover aria-label="Team members">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Member</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th visibleFrom="sm">Joined</Table.Th>
              {manager && (
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              )}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {members.data.results.map((member) => {
              const editable = manager && canEdit(user, member);
              const saving = changeRole.isPending && changeRole.variables?.userId === member.user_id;
              return (
                <Table.Tr key={member.user_id}>
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {member.username}
                      {member.user_id === user.id && (
                        <Text span c="dimmed" size="sm">
                          {' '}
                          (you)
                        </Text>
                      )}
                    </Text>
                    <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
                      {member.email}
                    </Text>
                    <Text size="xs" c="dimmed" hiddenFrom="sm">
                      Joined {formatDate(member.joined_at)}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {editable ? (
                      <Select
                        aria-label={`Role of ${member.username}`}
                        data={roleOptions}
                        value={member.role}
                        allowDeselect={false}
                        disabled={saving}
                        size="xs"
                        w={130}
                        onChange={(value) => value && onRoleChange(member, value as Role)}
                      />
                    ) : (
                      // A phone's narrow column would otherwise cut the word to "Own…".
                      <Badge
                        variant="light"
                        color={member.role === 'owner' ? 'indigo' : 'gray'}
                        style={{ minWidth: 'max-content' }}
                      >
                        {roleLabel[member.role] ?? member.role}
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td visibleFrom="sm">
                    <Text size="sm">{formatDate(member.joined_at)}</Text>
                  </Table.Td>
                  {manager && (
                    <Table.Td ta="right">
                      {editable && (
                        <Button
                          size="xs"
                          variant="subtle"
                          color="red"
                          aria-label={`Remove ${member.username}`}
                          onClick={() => setToRemove(member)}
                        >
                          Remove
                        </Button>
                      )}
                    </Table.Td>
                  )}
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
        {pages > 1 && (
          <Group justify="center">
            <Pagination total={pages} value={page} onChange={setPage} aria-label="Members pages" />
          </Group>
        )}
      </Stack>
    );
  }

  return (
    <Paper withBorder p="lg" component="section" aria-labelledby="members-title">
      <Group justify="space-between" mb="md">
        <Title order={2} fz="h3" id="members-title">
          Members
        </Title>
        {members.data && (
          <Text size="sm" c="dimmed">
            {members.data.count} {members.data.count === 1 ? 'member' : 'members'}
          </Text>
        )}
      </Group>
      {body}
      <ConfirmModal
        opened={toRemove !== null}
        title="Remove member"
        confirmLabel="Remove"
        loading={removeMember.isPending}
        onConfirm={onRemove}
        onClose={() => setToRemove(null)}
      >
        Remove <strong>{toRemove?.username}</strong> from {user.organization.name}? They lose access right away.
      </ConfirmModal>
    </Paper>
  );
}
