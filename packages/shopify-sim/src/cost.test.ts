import {
  type DocumentNode,
  getNamedType,
  getOperationAST,
  getVariableValues,
  isInputObjectType,
  Kind,
  parse,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { fragmentsOf, requestedQueryCost } from './cost.ts';
import { loadOperations } from './operations.ts';
import { adminSchema } from './schema.ts';

const { schema } = adminSchema();
const ops = loadOperations();

function cost(name: string, variables: Record<string, unknown> = {}): number {
  const doc = parse(ops[name] as string);
  const op = getOperationAST(doc, name);
  if (!op) throw new Error(`no operation ${name}`);
  const coerced = getVariableValues(schema, op.variableDefinitions ?? [], variables);
  if (coerced.errors) throw coerced.errors[0];
  return requestedQueryCost(schema, op, fragmentsOf(doc), coerced.coerced);
}

/** Fields, arguments and enum values the operation uses that the schema marks deprecated. */
function deprecatedUses(doc: DocumentNode): string[] {
  const found: string[] = [];
  const typeInfo = new TypeInfo(schema);
  visit(
    doc,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const def = typeInfo.getFieldDef();
        if (def?.deprecationReason != null) found.push(`${typeInfo.getParentType()?.name}.${node.name.value}`);
      },
      Argument(node) {
        const arg = typeInfo.getArgument();
        if (arg?.deprecationReason != null) found.push(`argument ${node.name.value}`);
      },
      EnumValue(node) {
        const value = typeInfo.getEnumValue();
        if (value?.deprecationReason != null) found.push(`enum ${node.value}`);
      },
      ObjectField(node) {
        const parent = typeInfo.getParentInputType();
        const named = parent && getNamedType(parent);
        const field = named && isInputObjectType(named) ? named.getFields()[node.name.value] : undefined;
        if (field?.deprecationReason != null) found.push(`input ${node.name.value}`);
      },
    }),
  );
  return found;
}

describe('the operations our API sends', () => {
  it('are the validated operations and all load', () => {
    expect(Object.keys(ops).sort()).toEqual(
      [
        'BulkOperationCancel',
        'BulkOperationStatus',
        'BulkProductsExport',
        'BulkRunQuery',
        'ConnectionTest',
        'InventorySetQuantities',
        'LocationInventoryLevels',
        'Locations',
        'ProductIds',
        'ProductsPage',
        'RecentBulkOperations',
        'VariantsPage',
        'WebhookSubscriptionCreate',
        'WebhookSubscriptionDelete',
        'WebhookSubscriptions',
      ].sort(),
    );
  });

  it('the deprecation check catches a deprecated field', () => {
    expect(deprecatedUses(parse('{ products(first: 1) { nodes { bodyHtml } } }'))).toEqual(['Product.bodyHtml']);
  });

  it.each(Object.entries(ops))('%s validates against the 2026-10 schema', (_name, text) => {
    const doc = parse(text);
    expect(validate(schema, doc)).toEqual([]);
    expect(doc.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION)).toHaveLength(1);
    expect(deprecatedUses(doc)).toEqual([]);
  });

  it('rejects what 2026-04 removed (compareQuantity) when variables are coerced', () => {
    const doc = parse(ops.InventorySetQuantities as string);
    const op = getOperationAST(doc);
    const res = getVariableValues(schema, op?.variableDefinitions ?? [], {
      idempotencyKey: 'k',
      input: {
        name: 'available',
        reason: 'correction',
        quantities: [
          {
            inventoryItemId: 'gid://shopify/InventoryItem/1',
            locationId: 'gid://shopify/Location/1',
            quantity: 1,
            compareQuantity: 0,
          },
        ],
      },
    });
    expect(res.errors?.[0]?.message).toMatch(/compareQuantity/);
  });
});

describe('requested cost (docs/shopify.md §2 table)', () => {
  const products = (first: number, variantsFirst: number, mediaFirst: number, levelsFirst: number | null) =>
    cost('ProductsPage', {
      first,
      variantsFirst,
      mediaFirst,
      withInventory: levelsFirst !== null,
      levelsFirst: levelsFirst ?? 0,
      quantityNames: ['available', 'on_hand', 'committed', 'incoming'],
    });

  it.each([
    [10, 20, 5, null, 762],
    [20, 10, 3, null, 842],
    [40, 5, 1, null, 922],
    [25, 10, 3, null, 1052],
    [50, 5, 1, null, 1152],
    [1, 45, 10, 5, 928],
    [2, 20, 5, 5, 834],
    [5, 10, 5, 3, 782],
    [10, 5, 5, 3, 862],
    [5, 10, 5, 5, 1082],
    [10, 10, 5, 5, 2162],
  ])('ProductsPage(%i, %i, %i, levels %s) = %i', (first, v, m, l, expected) => {
    expect(products(first, v, m, l)).toBe(expected);
    // The documented closed form agrees.
    const per = l === null ? 3 : 5 + 3 * l;
    expect(expected).toBe(2 + first * (6 + 2 * m + v * per));
  });

  it('VariantsPage: 200 without inventory = 802, 249 = 998, 45 with 5 levels = 947', () => {
    const base = { quantityNames: ['available'], levelsFirst: 5 };
    expect(cost('VariantsPage', { ...base, first: 200, withInventory: false })).toBe(802);
    expect(cost('VariantsPage', { ...base, first: 249, withInventory: false })).toBe(998);
    expect(cost('VariantsPage', { ...base, first: 45, withInventory: true })).toBe(947);
  });

  it('ProductIds 252, Locations 502, LocationInventoryLevels 250 = 753, ConnectionTest 5', () => {
    expect(cost('ProductIds')).toBe(252);
    expect(cost('Locations')).toBe(502);
    expect(
      cost('LocationInventoryLevels', {
        locationId: 'gid://shopify/Location/1',
        first: 250,
        quantityNames: ['available'],
      }),
    ).toBe(753);
    expect(cost('ConnectionTest')).toBe(5);
  });

  it('bulk run/poll/list/cancel 12/1/12/12, webhooks 13/52/11, inventory push 15', () => {
    expect(cost('BulkRunQuery', { query: 'x' })).toBe(12);
    expect(cost('BulkOperationStatus', { id: 'gid://shopify/BulkOperation/1' })).toBe(1);
    expect(cost('RecentBulkOperations')).toBe(12);
    expect(cost('BulkOperationCancel', { id: 'gid://shopify/BulkOperation/1' })).toBe(12);
    expect(cost('WebhookSubscriptionCreate', { topic: 'PRODUCTS_UPDATE', uri: 'https://x.test' })).toBe(13);
    expect(cost('WebhookSubscriptions')).toBe(52);
    expect(cost('WebhookSubscriptionDelete', { id: 'gid://shopify/WebhookSubscription/1' })).toBe(11);
    expect(
      cost('InventorySetQuantities', {
        idempotencyKey: 'k',
        input: { name: 'available', reason: 'correction', quantities: [] },
      }),
    ).toBe(15);
  });

  it('aliases, fragments and @skip count like the rule says', () => {
    const doc = parse(`query Q($skip: Boolean!) {
      a: products(first: 3) { nodes { id ...F } }
      b: shop { id plan @skip(if: $skip) { shopifyPlus } }
    }
    fragment F on Product { options { name } variants(first: 2) { edges { cursor node { id } } } }`);
    const op = getOperationAST(doc);
    if (!op) throw new Error('no op');
    // products: 2 + 3 × (1 + options 1 + variants (2 + 2 × 1)) = 20; shop: 1 (+1 for plan unless skipped)
    expect(requestedQueryCost(schema, op, fragmentsOf(doc), { skip: true })).toBe(21);
    expect(requestedQueryCost(schema, op, fragmentsOf(doc), { skip: false })).toBe(22);
  });
});
