import { createHash } from 'node:crypto';
import { GraphQLError, type GraphQLResolveInfo, getDirectiveValues } from 'graphql';
import type { LevelRef } from './catalog.ts';
import { gid, iso, type QuantityName } from './records.ts';
import { type ExecContext, itemView, locationView, parseGid } from './resolvers.ts';
import { nextId } from './state.ts';
import { inventoryLevelPayload } from './webhooks.ts';

// inventorySetQuantities / inventoryAdjustQuantities with Shopify's 2026-04+ rules: a mandatory
// @idempotent(key:) directive (same key + same input replays the first answer), a mandatory
// changeFromQuantity compare-and-swap per quantity, all-or-nothing application, and inventory_levels/update
// webhooks for what changed.

export const INVENTORY_REASONS = new Set([
  'correction',
  'cycle_count_available',
  'damaged',
  'movement_created',
  'movement_updated',
  'movement_received',
  'movement_canceled',
  'other',
  'promotion',
  'quality_control',
  'received',
  'reservation_created',
  'reservation_deleted',
  'reservation_updated',
  'restock',
  'safety_stock',
  'shrinkage',
]);

const MAX_QUANTITY = 1_000_000_000;
const MAX_INPUT_ITEMS = 250;

/** Shopify refuses input arrays over 250 items before running the mutation. */
function assertInputSize(items: unknown[]): void {
  if (items.length > MAX_INPUT_ITEMS) {
    throw new GraphQLError(
      `The input array size of ${items.length} is greater than the maximum allowed of ${MAX_INPUT_ITEMS}.`,
      { extensions: { code: 'MAX_INPUT_SIZE_EXCEEDED' } },
    );
  }
}

interface UserError {
  code: string | null;
  field: string[] | null;
  message: string;
}

interface ChangeRow {
  name: QuantityName;
  delta: number;
  after: number;
  itemId: number;
  locationId: number;
}

function idempotencyKey(ctx: ExecContext, info: GraphQLResolveInfo): string {
  const directive = ctx.sim.schema.schema.getDirective('idempotent');
  const node = info.fieldNodes[0];
  const values = directive && node ? getDirectiveValues(directive, node, info.variableValues) : undefined;
  const key = values?.key;
  if (typeof key !== 'string') {
    throw new GraphQLError(
      `The @idempotent directive is required for the ${info.fieldName} mutation. Pass a unique key with @idempotent(key: "...").`,
      { extensions: { code: 'BAD_REQUEST' } },
    );
  }
  if (key.length === 0 || key.length > 255) {
    throw new GraphQLError('The idempotency key must be between 1 and 255 characters.', {
      extensions: { code: 'BAD_REQUEST' },
    });
  }
  return key;
}

function validReference(uri: unknown): boolean {
  if (uri === null || uri === undefined) return true;
  if (typeof uri !== 'string') return false;
  if (uri.startsWith('gid://')) return /^gid:\/\/[^/\s]+\/[^/\s]+\/[^/\s]+$/.test(uri);
  return /^[a-z][a-z0-9+.-]*:\S+$/i.test(uri);
}

function groupPayload(
  ctx: ExecContext,
  input: Record<string, unknown>,
  rows: ChangeRow[],
  createdAt: number,
): Record<string, unknown> {
  const id = nextId(90_000_000_000);
  const changeView = (r: ChangeRow) => ({
    name: r.name,
    delta: r.delta,
    quantityAfterChange: r.after,
    ledgerDocumentUri: null,
    item: () => {
      const ref = ctx.shop.catalog.item(r.itemId);
      return ref ? itemView(ctx, ref.product, ref.variant) : null;
    },
    location: () => {
      const loc = ctx.shop.catalog.location(r.locationId);
      return loc ? locationView(ctx, loc) : null;
    },
  });
  return {
    inventoryAdjustmentGroup: {
      __typename: 'InventoryAdjustmentGroup',
      id: gid('InventoryAdjustmentGroup', id),
      createdAt: iso(createdAt),
      reason: input.reason,
      referenceDocumentUri: (input.referenceDocumentUri as string | undefined) ?? null,
      staffMember: null,
      app: { __typename: 'App', id: gid('App', ctx.inst.appId), title: ctx.inst.appTitle, apiKey: ctx.inst.apiKey },
      changes: (args: Record<string, unknown>) => {
        const items = args.inventoryItemIds as string[] | undefined;
        const locs = args.locationIds as string[] | undefined;
        const names = args.quantityNames as string[] | undefined;
        return rows
          .filter(
            (r) =>
              (!items || items.includes(gid('InventoryItem', r.itemId))) &&
              (!locs || locs.includes(gid('Location', r.locationId))) &&
              (!names || names.includes(r.name)),
          )
          .map(changeView);
      },
    },
    userErrors: [],
  };
}

function failed(userErrors: UserError[]) {
  return { inventoryAdjustmentGroup: null, userErrors };
}

/** Shared shell: idempotency bookkeeping around a validate-then-apply body. */
function idempotent(
  ctx: ExecContext,
  info: GraphQLResolveInfo,
  input: Record<string, unknown>,
  body: () => { errors: UserError[]; apply?: () => Record<string, unknown> },
): unknown {
  const key = idempotencyKey(ctx, info);
  const fingerprint = createHash('sha256')
    .update(`${info.fieldName}:${JSON.stringify(input)}`)
    .digest('hex');
  const store = ctx.inst.idempotency;
  const seen = store.get(key);
  if (seen) {
    if (seen.fingerprint !== fingerprint) {
      return failed([
        {
          code: 'IDEMPOTENCY_KEY_PARAMETER_MISMATCH',
          field: null,
          message: 'The same idempotency key cannot be used with different operation parameters.',
        },
      ]);
    }
    if (seen.state === 'succeeded') return seen.payload;
    if (seen.state === 'in_flight') {
      return failed([
        {
          code: 'IDEMPOTENCY_CONCURRENT_REQUEST',
          field: null,
          message: 'This request is currently in progress, please try again.',
        },
      ]);
    }
    return failed([
      {
        code: 'IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED',
        field: null,
        message: 'A previous request with this idempotency key failed. Retry with a new idempotency key.',
      },
    ]);
  }
  store.set(key, { fingerprint, state: 'in_flight', payload: null });
  const { errors, apply } = body();
  if (errors.length || !apply) {
    const payload = failed(errors);
    store.set(key, { fingerprint, state: 'failed', payload });
    return payload;
  }
  const payload = apply();
  store.set(key, { fingerprint, state: 'succeeded', payload });
  return payload;
}

interface Target {
  index: number;
  ref: LevelRef;
  itemId: number;
  locationId: number;
  value: number;
}

function checkCommon(input: Record<string, unknown>, names: readonly string[], nameCode: string): UserError[] {
  const errors: UserError[] = [];
  if (!names.includes(input.name as string)) {
    errors.push({
      code: nameCode,
      field: ['input', 'name'],
      message: `The quantity name must be one of: ${names.join(', ')}.`,
    });
  }
  if (!INVENTORY_REASONS.has(input.reason as string)) {
    errors.push({ code: 'INVALID_REASON', field: ['input', 'reason'], message: 'The specified reason is invalid.' });
  }
  if (!validReference(input.referenceDocumentUri)) {
    errors.push({
      code: 'INVALID_REFERENCE_DOCUMENT',
      field: ['input', 'referenceDocumentUri'],
      message: 'The specified reference document is invalid.',
    });
  }
  return errors;
}

function resolveTarget(
  ctx: ExecContext,
  row: Record<string, unknown>,
  path: string[],
  errors: UserError[],
  seen: Set<string>,
): LevelRef | null {
  const item = parseGid(row.inventoryItemId);
  const loc = parseGid(row.locationId);
  const found = item?.type === 'InventoryItem' ? ctx.shop.catalog.item(item.id) : undefined;
  if (!found) {
    errors.push({
      code: 'INVALID_INVENTORY_ITEM',
      field: [...path, 'inventoryItemId'],
      message: 'The specified inventory item could not be found.',
    });
    return null;
  }
  const location = loc?.type === 'Location' ? ctx.shop.catalog.location(loc.id) : undefined;
  if (!location?.isActive) {
    errors.push({
      code: 'INVALID_LOCATION',
      field: [...path, 'locationId'],
      message: 'The specified location could not be found.',
    });
    return null;
  }
  const pair = `${found.variant.item.id}:${location.id}`;
  if (seen.has(pair)) {
    errors.push({
      code: 'NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR',
      field: [...path, 'locationId'],
      message: 'The combination of inventoryItemId and locationId must be unique.',
    });
    return null;
  }
  seen.add(pair);
  const level = found.variant.item.levels.find((l) => l.locationId === location.id);
  if (!level) {
    errors.push({
      code: 'INVALID_LOCATION',
      field: [...path, 'locationId'],
      message: 'The inventory item is not stocked at the specified location.',
    });
    return null;
  }
  return { ...found, level };
}

function checkChangeFrom(row: Record<string, unknown>, current: number, path: string[], errors: UserError[]): void {
  if (!('changeFromQuantity' in row)) {
    errors.push({
      code: null,
      field: [...path, 'changeFromQuantity'],
      message:
        'changeFromQuantity is required. Pass the quantity you expect, or null to skip the compare-and-swap check.',
    });
  } else if (row.changeFromQuantity !== null && row.changeFromQuantity !== current) {
    errors.push({
      code: 'CHANGE_FROM_QUANTITY_STALE',
      field: [...path, 'changeFromQuantity'],
      message: 'The changeFromQuantity value does not match persisted value.',
    });
  }
}

function applyTargets(ctx: ExecContext, name: QuantityName, targets: Target[]): ChangeRow[] {
  const rows: ChangeRow[] = [];
  const events: Array<ReturnType<typeof inventoryLevelPayload>> = [];
  for (const t of targets) {
    const res = ctx.shop.catalog.setQuantity(t.itemId, t.locationId, name, t.value);
    if (!res) continue;
    for (const c of res.changes) rows.push({ ...c, itemId: t.itemId, locationId: t.locationId });
    if (res.changes.some((c) => c.delta !== 0)) events.push(inventoryLevelPayload(t.itemId, res.ref.level));
  }
  for (const payload of events) ctx.sim.webhooks.emit(ctx.shop, 'INVENTORY_LEVELS_UPDATE', payload);
  return rows;
}

export function inventorySetQuantities(
  args: Record<string, unknown>,
  ctx: ExecContext,
  info: GraphQLResolveInfo,
): unknown {
  const input = args.input as Record<string, unknown>;
  const quantities = (input.quantities ?? []) as Array<Record<string, unknown>>;
  assertInputSize(quantities);
  return idempotent(ctx, info, input, () => {
    const errors = checkCommon(input, ['available', 'on_hand'], 'INVALID_NAME');
    if (errors.some((e) => e.field?.[1] === 'name')) return { errors };
    const name = input.name as QuantityName;
    const targets: Target[] = [];
    const seen = new Set<string>();
    quantities.forEach((row, index) => {
      const path = ['input', 'quantities', String(index)];
      const value = row.quantity as number;
      if (value > MAX_QUANTITY) {
        errors.push({
          code: 'INVALID_QUANTITY_TOO_HIGH',
          field: [...path, 'quantity'],
          message: "The total quantity can't be higher than 1,000,000,000.",
        });
      } else if (value < -MAX_QUANTITY) {
        errors.push({
          code: 'INVALID_QUANTITY_TOO_LOW',
          field: [...path, 'quantity'],
          message: "The total quantity can't be lower than -1,000,000,000.",
        });
      } else if (name === 'on_hand' && value < 0) {
        errors.push({
          code: 'INVALID_QUANTITY_NEGATIVE',
          field: [...path, 'quantity'],
          message: "The quantity can't be negative.",
        });
      }
      const ref = resolveTarget(ctx, row, path, errors, seen);
      if (!ref) return;
      checkChangeFrom(row, ref.level.quantities[name], path, errors);
      targets.push({ index, ref, itemId: ref.variant.item.id, locationId: ref.level.locationId, value });
    });
    if (errors.length) return { errors };
    return {
      errors,
      apply: () => {
        const at = ctx.shop.catalog.stamp();
        return groupPayload(ctx, input, applyTargets(ctx, name, targets), at);
      },
    };
  });
}

export function inventoryAdjustQuantities(
  args: Record<string, unknown>,
  ctx: ExecContext,
  info: GraphQLResolveInfo,
): unknown {
  const input = args.input as Record<string, unknown>;
  const changes = (input.changes ?? []) as Array<Record<string, unknown>>;
  assertInputSize(changes);
  return idempotent(ctx, info, input, () => {
    const adjustable = ['available', 'damaged', 'incoming', 'quality_control', 'reserved', 'safety_stock'];
    const errors = checkCommon(input, adjustable, 'INVALID_QUANTITY_NAME');
    if (errors.some((e) => e.field?.[1] === 'name')) return { errors };
    const name = input.name as QuantityName;
    const targets: Target[] = [];
    const seen = new Set<string>();
    changes.forEach((row, index) => {
      const path = ['input', 'changes', String(index)];
      const ref = resolveTarget(ctx, row, path, errors, seen);
      if (!ref) return;
      const current = ref.level.quantities[name];
      checkChangeFrom(row, current, path, errors);
      const value = current + (row.delta as number);
      if (value > MAX_QUANTITY) {
        errors.push({
          code: 'INVALID_QUANTITY_TOO_HIGH',
          field: [...path, 'delta'],
          message: "The total quantity can't be higher than 1,000,000,000.",
        });
      }
      if (value < -MAX_QUANTITY) {
        errors.push({
          code: 'INVALID_QUANTITY_TOO_LOW',
          field: [...path, 'delta'],
          message: "The total quantity can't be lower than -1,000,000,000.",
        });
      }
      targets.push({ index, ref, itemId: ref.variant.item.id, locationId: ref.level.locationId, value });
    });
    if (errors.length) return { errors };
    return {
      errors,
      apply: () => {
        const at = ctx.shop.catalog.stamp();
        return groupPayload(ctx, input, applyTargets(ctx, name, targets), at);
      },
    };
  });
}
