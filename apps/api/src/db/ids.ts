import { v7 } from 'uuid';

/** UUID v7: time-ordered, so primary-key inserts stay at the right edge of the index. */
export const newId = (): string => v7();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID.test(value);

/** PostgreSQL's unique_violation, with the constraint that raised it. */
export function uniqueViolation(err: unknown): string | undefined {
  const e = (err as { cause?: unknown })?.cause ?? err;
  const pgErr = e as { code?: string; constraint?: string };
  return pgErr?.code === '23505' ? (pgErr.constraint ?? '') : undefined;
}
