import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShopHandle, SimVariant } from './control.ts';
import { type ShopifySim, startShopifySim } from './index.ts';
import { loadOperations } from './operations.ts';
import { adminClient } from './testing.ts';

const PUSH = loadOperations().InventorySetQuantities as string;
let sim: ShopifySim;
let shop: ShopHandle;
let gql: ReturnType<typeof adminClient>;
let variants: SimVariant[];
let loc: string;

beforeAll(async () => {
  sim = await startShopifySim({ seed: 9 });
  shop = sim.addShop({ domain: 'inventory.myshopify.com', products: 20, locations: 2, plan: 'plus' });
  gql = adminClient(sim.origin, shop);
  loc = shop.locations()[0]?.id as string;
  variants = shop.catalog().flatMap((p) => p.variants);
});
afterAll(() => sim.close());

function level(v: SimVariant, location = loc) {
  const product = shop.catalog().find((p) => p.variants.some((x) => x.id === v.id));
  const fresh = product?.variants.find((x) => x.id === v.id);
  return fresh?.inventoryItem.inventoryLevels.find((l) => l.location.id === location)?.quantities;
}

function push(key: string, quantities: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}) {
  return gql(PUSH, {
    idempotencyKey: key,
    input: {
      name: 'available',
      reason: 'correction',
      referenceDocumentUri: 'gid://invpro360/InventoryAdjustment/1',
      quantities,
      ...extra,
    },
  });
}

const row = (v: SimVariant, quantity: number, changeFromQuantity: number | null | undefined, location = loc) => {
  const r: Record<string, unknown> = { inventoryItemId: v.inventoryItem.id, locationId: location, quantity };
  if (changeFromQuantity !== undefined) r.changeFromQuantity = changeFromQuantity;
  return r;
};

describe('compare-and-swap', () => {
  it('applies nothing when any changeFromQuantity is stale', async () => {
    const [a, b] = variants as [SimVariant, SimVariant];
    const qa = level(a)?.available as number;
    const qb = level(b)?.available as number;
    const r = await push('cas-1', [row(a, qa + 1, qa), row(b, 5, qb + 100)]);
    const payload = r.body.data.inventorySetQuantities;
    expect(payload.inventoryAdjustmentGroup).toBeNull();
    expect(payload.userErrors).toEqual([
      {
        code: 'CHANGE_FROM_QUANTITY_STALE',
        field: ['input', 'quantities', '1', 'changeFromQuantity'],
        message: expect.any(String),
      },
    ]);
    expect(level(a)?.available).toBe(qa);
    expect(level(b)?.available).toBe(qb);
  });

  it('skips the check for an explicit null and insists on the field being present', async () => {
    const v = variants[2] as SimVariant;
    const ok = await push('cas-null', [row(v, 12, null)]);
    expect(ok.body.data.inventorySetQuantities.userErrors).toEqual([]);
    expect(level(v)?.available).toBe(12);
    const missing = await push('cas-missing', [row(v, 13, undefined)]);
    expect(missing.body.data.inventorySetQuantities.inventoryAdjustmentGroup).toBeNull();
    expect(missing.body.data.inventorySetQuantities.userErrors[0].field).toEqual([
      'input',
      'quantities',
      '0',
      'changeFromQuantity',
    ]);
    expect(level(v)?.available).toBe(12);
  });

  it('setting on_hand moves available by the same delta', async () => {
    const v = variants[3] as SimVariant;
    const before = level(v);
    if (!before) throw new Error('fixture');
    const r = await push('on-hand-1', [row(v, before.on_hand + 4, before.on_hand)], { name: 'on_hand' });
    expect(r.body.data.inventorySetQuantities.userErrors).toEqual([]);
    expect(level(v)).toMatchObject({
      on_hand: before.on_hand + 4,
      available: before.available + 4,
      committed: before.committed,
    });
    const negative = await push('on-hand-2', [row(v, -1, null)], { name: 'on_hand' });
    expect(negative.body.data.inventorySetQuantities.userErrors[0].code).toBe('INVALID_QUANTITY_NEGATIVE');
  });
});

describe('idempotency', () => {
  it('replays the first answer for the same key and input, applying the change once', async () => {
    const v = variants[4] as SimVariant;
    const q = level(v)?.available as number;
    const first = await push('same-key', [row(v, q + 10, q)]);
    const again = await push('same-key', [row(v, q + 10, q)]);
    expect(first.body.data.inventorySetQuantities.userErrors).toEqual([]);
    expect(again.body.data).toEqual(first.body.data);
    expect(level(v)?.available).toBe(q + 10);
  });

  it('rejects a key reused with different input, and a key whose attempt failed', async () => {
    const v = variants[5] as SimVariant;
    const q = level(v)?.available as number;
    await push('reuse', [row(v, q + 1, q)]);
    const mismatch = await push('reuse', [row(v, q + 2, q + 1)]);
    expect(mismatch.body.data.inventorySetQuantities.userErrors[0].code).toBe('IDEMPOTENCY_KEY_PARAMETER_MISMATCH');
    const stale = await push('failed-once', [row(v, 99, 12345)]);
    expect(stale.body.data.inventorySetQuantities.userErrors[0].code).toBe('CHANGE_FROM_QUANTITY_STALE');
    const retry = await push('failed-once', [row(v, 99, 12345)]);
    expect(retry.body.data.inventorySetQuantities.userErrors[0].code).toBe('IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED');
    expect(level(v)?.available).toBe(q + 1);
  });

  it('requires the @idempotent directive', async () => {
    const r = await gql(
      `mutation($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) { userErrors { code } } }`,
      { input: { name: 'available', reason: 'correction', quantities: [] } },
    );
    expect(r.body.errors[0].message).toMatch(/@idempotent/);
    expect(r.body.data).toEqual({ inventorySetQuantities: null });
  });
});

describe('input validation', () => {
  it('reports Shopify’s user error codes', async () => {
    const v = variants[6] as SimVariant;
    const codes = async (
      key: string,
      quantities: Array<Record<string, unknown>>,
      extra: Record<string, unknown> = {},
    ) =>
      (await push(key, quantities, extra)).body.data.inventorySetQuantities.userErrors.map(
        (e: { code: string }) => e.code,
      );
    expect(await codes('v1', [row(v, 1, null)], { name: 'committed' })).toEqual(['INVALID_NAME']);
    expect(await codes('v2', [row(v, 1, null)], { reason: 'because' })).toEqual(['INVALID_REASON']);
    expect(await codes('v3', [row(v, 1, null)], { referenceDocumentUri: 'gid://only-two' })).toEqual([
      'INVALID_REFERENCE_DOCUMENT',
    ]);
    expect(await codes('v4', [{ ...row(v, 1, null), inventoryItemId: 'gid://shopify/InventoryItem/1' }])).toEqual([
      'INVALID_INVENTORY_ITEM',
    ]);
    expect(await codes('v5', [{ ...row(v, 1, null), locationId: 'gid://shopify/Location/1' }])).toEqual([
      'INVALID_LOCATION',
    ]);
    expect(await codes('v6', [row(v, 1, null), row(v, 2, null)])).toEqual([
      'NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR',
    ]);
    expect(await codes('v7', [row(v, 2_000_000_000, null)])).toEqual(['INVALID_QUANTITY_TOO_HIGH']);
  });

  it('refuses more than 250 quantities in one call', async () => {
    const many = Array.from({ length: 251 }, (_, i) => row(variants[i % variants.length] as SimVariant, 1, null));
    const r = await push('too-many', many);
    expect(r.body.errors[0].extensions.code).toBe('MAX_INPUT_SIZE_EXCEEDED');
  });
});

describe('inventoryAdjustQuantities', () => {
  it('applies deltas with the same idempotency and CAS rules', async () => {
    const v = variants[7] as SimVariant;
    const q = level(v)?.available as number;
    const mutation = `mutation($input: InventoryAdjustQuantitiesInput!, $key: String!) {
      inventoryAdjustQuantities(input: $input) @idempotent(key: $key) {
        inventoryAdjustmentGroup { changes { name delta quantityAfterChange } }
        userErrors { code field message }
      }
    }`;
    const input = {
      name: 'available',
      reason: 'received',
      changes: [{ inventoryItemId: v.inventoryItem.id, locationId: loc, delta: -3, changeFromQuantity: q }],
    };
    const r = await gql(mutation, { input, key: 'adjust-1' });
    expect(r.body.data.inventoryAdjustQuantities.userErrors).toEqual([]);
    expect(r.body.data.inventoryAdjustQuantities.inventoryAdjustmentGroup.changes[0]).toEqual({
      name: 'available',
      delta: -3,
      quantityAfterChange: q - 3,
    });
    const replay = await gql(mutation, { input, key: 'adjust-1' });
    expect(replay.body.data).toEqual(r.body.data);
    expect(level(v)?.available).toBe(q - 3);
  });
});
