import { adminSchema } from '@invpro/shopify-sim';
import { parse, TypeInfo, validate, visit, visitWithTypeInfo } from 'graphql';
import { describe, expect, it } from 'vitest';
import * as ops from './operations.ts';

describe('the catalog sync operations', () => {
  const { schema } = adminSchema();
  const texts: [string, string][] = [
    ...Object.entries(ops as Record<string, unknown>).filter(
      (e): e is [string, string] => typeof e[1] === 'string' && /^\s*(query|mutation)/.test(e[1]),
    ),
    ['BULK_CATALOG_QUERY (full)', ops.BULK_CATALOG_QUERY(null)],
    ['BULK_CATALOG_QUERY (incremental)', ops.BULK_CATALOG_QUERY("updated_at:>'2026-11-01T00:00:00Z'")],
  ];
  for (const [name, text] of texts) {
    it(`${name} validates against the 2026-10 schema and uses nothing deprecated`, () => {
      const document = parse(text);
      expect(validate(schema, document)).toEqual([]);
      const deprecated: string[] = [];
      // Walk the selections against the schema's types, collecting deprecated fields.
      const info = new TypeInfo(schema);
      visit(
        document,
        visitWithTypeInfo(info, {
          Field() {
            const def = info.getFieldDef();
            if (def?.deprecationReason) deprecated.push(`${info.getParentType()?.name}.${def.name}`);
          },
        }),
      );
      expect(deprecated).toEqual([]);
    });
  }
});
