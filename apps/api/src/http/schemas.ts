import { z } from 'zod';
import { problem } from './errors.ts';

/**
 * Text a person typed: NUL cannot be stored in PostgreSQL text (it would fail as a 500), so it is
 * refused here with a message instead.
 */
export const text = (max: number, label = 'This field') =>
  z
    .string()
    .max(max, `${label} must be at most ${max} characters.`)
    .refine((v) => !v.includes('\u0000'), `${label} contains a NUL character.`);

export const email = z
  .string()
  .trim()
  .max(254, 'An email address has at most 254 characters.')
  .pipe(z.email('Enter a valid email address.'));

export const uuidParam = (name: string) =>
  z
    .string()
    .refine(
      (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
      `${name} must be a UUID.`,
    );

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.record(z.string(), z.array(z.string())).optional(),
  })
  .meta({ id: 'Problem' });

/** The error answers a route can give, documented once. */
export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, problemSchema.describe(problem(s, '').title)]));
