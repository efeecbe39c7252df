import type { UseFormReturnType } from '@mantine/form';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../lib/api-client';
import { applyApiErrors } from '../lib/form-errors';
import { formatRelative } from '../lib/shopify';

describe('formatRelative', () => {
  const now = Date.parse('2026-01-10T12:00:00Z');
  it('speaks in the nearest unit', () => {
    expect(formatRelative('2026-01-10T11:59:30Z', now)).toBe('just now');
    expect(formatRelative('2026-01-10T11:57:00Z', now)).toMatch(/3 minutes ago/);
    expect(formatRelative('2026-01-10T09:00:00Z', now)).toMatch(/3 hours ago/);
    expect(formatRelative('2026-01-11T12:00:00Z', now)).toMatch(/tomorrow|in 1 day/);
    expect(formatRelative('not a date', now)).toBe('not a date');
  });
});

describe('applyApiErrors with keepDetail', () => {
  function fakeForm(values: Record<string, string>) {
    let errors: Record<string, string> = {};
    const form = {
      getValues: () => values,
      setErrors: (e: Record<string, string>) => {
        errors = e;
      },
    } as unknown as UseFormReturnType<Record<string, string>>;
    return { form, errors: () => errors };
  }

  it('places field messages and still shows the detail, which says more', () => {
    const { form, errors } = fakeForm({ store_url: '', access_token: '' });
    const err = new ApiError({
      status: 400,
      detail: 'Shopify rejected these credentials for acme.myshopify.com.',
      fieldErrors: { access_token: ['Shopify rejected this token.'] },
    });
    expect(applyApiErrors(form, err, {}, { keepDetail: true })).toBe(
      'Shopify rejected these credentials for acme.myshopify.com.',
    );
    expect(errors()).toEqual({ access_token: 'Shopify rejected this token.' });
    // Without the option the fields say it all, as on the other forms.
    expect(applyApiErrors(form, err)).toBeNull();
  });

  it('does not repeat a detail that is the field message itself', () => {
    const { form, errors } = fakeForm({ store_url: '' });
    const reason = '"evil.com" is not a Shopify store address.';
    const err = new ApiError({ status: 400, detail: reason, fieldErrors: { store_url: [reason] } });
    expect(applyApiErrors(form, err, {}, { keepDetail: true })).toBeNull();
    expect(errors()).toEqual({ store_url: reason });
  });
});
