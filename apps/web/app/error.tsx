'use client';

import { Button, Center, Stack, Text, Title } from '@mantine/core';

// Last line of defence for a rendering bug: say so plainly and offer a way out.
export default function ErrorPage({ retry }: { error: unknown; retry: () => void }) {
  return (
    <Center mih="60vh" p="md">
      <Stack align="center" gap="sm" role="alert">
        <Title order={1}>Something went wrong</Title>
        <Text c="dimmed">This screen hit an unexpected error. Try again, or reload the page.</Text>
        <Button onClick={() => retry()} variant="light">
          Try again
        </Button>
      </Stack>
    </Center>
  );
}
