'use client';

import {
  Alert,
  Anchor,
  Badge,
  Button,
  EmptyState,
  Group,
  Modal,
  Pagination,
  Paper,
  Skeleton,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { Fragment, type ReactNode, useState } from 'react';
import { canManageTeam, useCurrentUser } from '../../../../components/current-user';
import { QueryErrorState, RowsLoading } from '../../../../components/states';
import { OUTBOX_PAGE_SIZE, useOutbox, useOutboxMessage } from '../../../../lib/account';
import type { OutboxMessageSummary } from '../../../../lib/api-types';
import { formatDate } from '../../../../lib/invitations';

const KIND_LABEL: Record<OutboxMessageSummary['kind'], string> = {
  password_reset: 'Password reset',
  invitation: 'Invitation',
};

/** Plain text with its http(s) links made clickable; nothing else of it is interpreted. */
function LinkifiedText({ text }: { text: string }) {
  // Keyed by where each piece starts in the text: stable, and unique.
  let offset = 0;
  const pieces = text.split(/(https?:\/\/[^\s<>"]+)/g).map((part) => {
    const start = offset;
    offset += part.length;
    return { start, part };
  });
  return (
    <Text component="div" size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
      {pieces.map(({ start, part }) =>
        /^https?:\/\//.test(part) ? (
          <Anchor key={start} href={part} rel="noreferrer noopener">
            {part}
          </Anchor>
        ) : (
          <Fragment key={start}>{part}</Fragment>
        ),
      )}
    </Text>
  );
}

function MessageModal({ orgId, id, onClose }: { orgId: string; id: string | null; onClose: () => void }) {
  const message = useOutboxMessage(orgId, id);
  let body: ReactNode;
  if (message.isPending) body = <Skeleton h={120} role="status" aria-label="Loading the message" />;
  else if (message.isError) body = <QueryErrorState query={message} title="Could not load the message" />;
  else
    body = (
      <Stack gap="sm">
        <Text size="sm">
          <strong>To:</strong> {message.data.to}
        </Text>
        <Text size="sm" c="dimmed">
          {formatDate(message.data.created_at)}
        </Text>
        <Paper withBorder p="md" bg="var(--mantine-color-gray-0)">
          <LinkifiedText text={message.data.text} />
        </Paper>
      </Stack>
    );
  return (
    <Modal opened={id !== null} onClose={onClose} title={message.data?.subject ?? 'Message'} size="lg" centered>
      {body}
    </Modal>
  );
}

export function OutboxView() {
  const user = useCurrentUser();
  const manager = canManageTeam(user);
  const [page, setPage] = useState(1);
  const [openId, setOpenId] = useState<string | null>(null);
  const outbox = useOutbox(user.organization.id, page);

  let body: ReactNode;
  if (!manager) {
    body = (
      <Alert variant="light" color="gray">
        Only owners and admins can read the organization’s outbox.
      </Alert>
    );
  } else if (outbox.isPending) {
    body = <RowsLoading label="Loading the outbox" rows={2} />;
  } else if (outbox.isError) {
    body = <QueryErrorState query={outbox} title="Could not load the outbox" />;
  } else if (outbox.data.delivery === 'smtp') {
    body = (
      <Alert variant="light" color="indigo" title="Mail is sent by SMTP">
        This server sends its mail through an SMTP server, so nothing is kept here.
      </Alert>
    );
  } else if (outbox.data.results.length === 0) {
    body = (
      <EmptyState
        title="No messages yet"
        description="Invitations and password-reset messages for your organization appear here."
      />
    );
  } else {
    const pages = Math.max(1, Math.ceil(outbox.data.count / OUTBOX_PAGE_SIZE));
    body = (
      <Stack gap="md">
        <Table.ScrollContainer minWidth={560}>
          <Table verticalSpacing="sm" highlightOnHover aria-label="Outbox messages">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Subject</Table.Th>
                <Table.Th>To</Table.Th>
                <Table.Th>Sent</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {outbox.data.results.map((m) => (
                <Table.Tr key={m.id}>
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      <Badge variant="light" color={m.kind === 'password_reset' ? 'orange' : 'indigo'}>
                        {KIND_LABEL[m.kind]}
                      </Badge>
                      <Anchor component="button" type="button" size="sm" onClick={() => setOpenId(m.id)}>
                        {m.subject}
                      </Anchor>
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{m.to}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatDate(m.created_at)}</Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {pages > 1 && <Pagination total={pages} value={page} onChange={setPage} />}
      </Stack>
    );
  }

  return (
    <Stack gap="xl">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1}>Outbox</Title>
          <Text c="dimmed">
            Without an SMTP server, the mail InvPro360 would send to people of {user.organization.name} is kept here:
            pass the links on yourself.
          </Text>
        </div>
        {manager && (
          <Button variant="default" onClick={() => void outbox.refetch()} loading={outbox.isFetching}>
            Refresh
          </Button>
        )}
      </Group>
      <Paper withBorder p="lg" component="section" aria-label="Messages">
        {body}
      </Paper>
      <MessageModal orgId={user.organization.id} id={openId} onClose={() => setOpenId(null)} />
    </Stack>
  );
}
