import { adminSchema } from '@invpro/shopify-sim';
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import * as ops from './operations.ts';

describe('the Admin API operations we send', () => {
  const { schema } = adminSchema();
  for (const [name, text] of Object.entries(ops)) {
    if (typeof text !== 'string' || !/^\s*(query|mutation)/.test(text)) continue;
    it(`${name} validates against the 2026-10 schema`, () => {
      expect(validate(schema, parse(text))).toEqual([]);
    });
  }
});
