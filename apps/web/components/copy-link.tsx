'use client';

import { Button, CopyButton } from '@mantine/core';

export function CopyLinkButton({ value, label = 'Copy link' }: { value: string; label?: string }) {
  return (
    <CopyButton value={value} timeout={2000}>
      {({ copied, copy }) => (
        <Button size="xs" variant="light" color={copied ? 'teal' : 'indigo'} onClick={copy} aria-live="polite">
          {copied ? 'Copied' : label}
        </Button>
      )}
    </CopyButton>
  );
}
