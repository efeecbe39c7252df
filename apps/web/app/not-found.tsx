'use client';

// Client side because Mantine's polymorphic `component={Link}` passes a function as a prop.
import { Button, Center, Stack, Text, Title } from '@mantine/core';
import Link from 'next/link';

export default function NotFound() {
  return (
    <Center mih="100vh" p="md" component="main">
      <Stack align="center" gap="sm">
        <Title order={1}>Page not found</Title>
        <Text c="dimmed">The page you are looking for does not exist or has moved.</Text>
        <Button component={Link} href="/dashboard" variant="light">
          Go to the dashboard
        </Button>
      </Stack>
    </Center>
  );
}
