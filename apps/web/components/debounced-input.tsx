'use client';

import { TextInput, type TextInputProps } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { useEffect, useRef, useState } from 'react';

/**
 * A text input whose value lives elsewhere (the URL): typing commits after a pause, Enter commits at
 * once, and a value that changes from outside (back/forward) replaces what is shown, unless it is
 * only the echo of what this input committed itself while the user kept typing.
 */
export function DebouncedTextInput({
  value,
  onCommit,
  delay = 300,
  ...props
}: Omit<TextInputProps, 'value' | 'onChange'> & { value: string; onCommit: (value: string) => void; delay?: number }) {
  const [draft, setDraft] = useState(value);
  const committed = useRef(value);
  const commit = useDebouncedCallback((next: string) => {
    const trimmed = next.trim();
    if (trimmed === committed.current) return;
    committed.current = trimmed;
    onCommit(trimmed);
  }, delay);

  useEffect(() => {
    if (value === committed.current) return;
    committed.current = value;
    setDraft(value);
  }, [value]);

  return (
    <TextInput
      {...props}
      value={draft}
      onChange={(event) => {
        setDraft(event.currentTarget.value);
        commit(event.currentTarget.value);
      }}
      onKeyDown={(event) => {
        if (event.key === 'Enter') commit.flush();
        props.onKeyDown?.(event);
      }}
    />
  );
}
