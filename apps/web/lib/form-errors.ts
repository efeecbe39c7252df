import type { UseFormReturnType } from '@mantine/form';
import { ApiError, errorMessage } from './api-client';

/**
 * Shows an API error on a form: each message in the problem's `errors` goes under its field
 * (`fieldMap` renames API fields, e.g. login's `email`/`username` to the single `identifier`
 * input). Returns the text for the form-level alert: the `detail`, when no field took a message,
 * plus any message whose field the form does not have; null when the fields say it all.
 * With `keepDetail`, the `detail` is always part of the alert (it says more than the field
 * messages, e.g. why Shopify refused), unless it only repeats one of them.
 */
export function applyApiErrors<Values extends Record<string, unknown>>(
  form: UseFormReturnType<Values>,
  error: unknown,
  fieldMap: Record<string, string> = {},
  options: { keepDetail?: boolean } = {},
): string | null {
  if (!(error instanceof ApiError)) return errorMessage(error);
  const fields = new Set(Object.keys(form.getValues()));
  const placed: Record<string, string> = {};
  const leftovers: string[] = [];
  for (const [apiField, messages] of Object.entries(error.fieldErrors)) {
    const field = fieldMap[apiField] ?? apiField;
    const text = messages.join(' ');
    if (fields.has(field)) placed[field] = placed[field] ? `${placed[field]} ${text}` : text;
    else leftovers.push(text);
  }
  if (Object.keys(placed).length > 0) form.setErrors(placed);
  if (Object.keys(placed).length === 0) return [error.detail, ...leftovers].join(' ');
  if (options.keepDetail && !Object.values(placed).includes(error.detail)) {
    return [error.detail, ...leftovers].join(' ');
  }
  return leftovers.length > 0 ? leftovers.join(' ') : null;
}
