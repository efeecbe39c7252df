import {
  type DocumentNode,
  execute,
  type FragmentDefinitionNode,
  type GraphQLError,
  getOperationAST,
  getVariableValues,
  Kind,
  type OperationDefinitionNode,
  parse,
  validate,
} from 'graphql';
import { bulkOperationCancel, bulkOperationRunQuery } from './bulk.ts';
import { actualQueryCost, fragmentsOf, MAX_QUERY_COST, requestedQueryCost } from './cost.ts';
import { inventoryAdjustQuantities, inventorySetQuantities } from './inventory.ts';
import { type ExecContext, fieldResolver, queryRoot } from './resolvers.ts';
import { expandScopes } from './schema.ts';
import type { Sim } from './sim.ts';
import type { Installation, ShopState } from './state.ts';
import { webhookSubscriptionCreate, webhookSubscriptionDelete, webhookSubscriptionUpdate } from './webhooks.ts';

// One Admin GraphQL request: parse → validate against the real schema → coerce variables → requested
// cost (MAX_COST_EXCEEDED over 1000) → leaky bucket (THROTTLED) → execute → actual cost and refund.
// Every answer carries extensions.cost like Shopify's.

export interface GraphQLAnswer {
  status: number;
  body: unknown;
}

interface Prepared {
  doc?: DocumentNode;
  errors?: readonly GraphQLError[];
}

const cache = new Map<string, Prepared>();
const CACHE_SIZE = 500;

function prepare(sim: Sim, query: string): Prepared {
  const hit = cache.get(query);
  if (hit) return hit;
  let prepared: Prepared;
  try {
    const doc = parse(query);
    const errors = validate(sim.schema.schema, doc);
    prepared = errors.length ? { errors } : { doc };
  } catch (err) {
    prepared = { errors: [err as GraphQLError] };
  }
  if (cache.size >= CACHE_SIZE) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(query, prepared);
  return prepared;
}

function mutationRoot(): Record<string, unknown> {
  return {
    inventorySetQuantities,
    inventoryAdjustQuantities,
    webhookSubscriptionCreate,
    webhookSubscriptionUpdate,
    webhookSubscriptionDelete,
    bulkOperationRunQuery,
    bulkOperationCancel,
  };
}

function costExtension(inst: Installation, requested: number, actual: number | null) {
  return { cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: inst.bucket.status() } };
}

export function operationName(body: { query?: unknown; operationName?: unknown }): string {
  if (typeof body.operationName === 'string' && body.operationName) return body.operationName;
  const m = typeof body.query === 'string' ? /\b(?:query|mutation)\s+([_A-Za-z][_0-9A-Za-z]*)/.exec(body.query) : null;
  return m?.[1] ?? 'anonymous';
}

export async function runGraphQL(sim: Sim, shop: ShopState, inst: Installation, body: unknown): Promise<GraphQLAnswer> {
  const b = (body && typeof body === 'object' ? body : {}) as {
    query?: unknown;
    variables?: unknown;
    operationName?: unknown;
  };
  if (typeof b.query !== 'string' || !b.query.trim()) {
    return { status: 400, body: { errors: { query: 'Required parameter missing or invalid' } } };
  }
  const name = operationName(b);
  shop.stats.operations[name] = (shop.stats.operations[name] ?? 0) + 1;

  const prepared = prepare(sim, b.query);
  if (!prepared.doc) {
    return {
      status: 200,
      body: { errors: prepared.errors?.map((e) => e.toJSON()), extensions: costExtension(inst, 0, null) },
    };
  }
  const doc = prepared.doc;
  const opName = typeof b.operationName === 'string' ? b.operationName : undefined;
  const op = getOperationAST(doc, opName) as OperationDefinitionNode | null;
  if (!op) {
    const message = opName
      ? `No operation named "${opName}"`
      : 'An operation name is required when sending multiple operations.';
    return { status: 200, body: { errors: [{ message }], extensions: costExtension(inst, 0, null) } };
  }
  if (op.operation === 'subscription') {
    return { status: 200, body: { errors: [{ message: 'Subscriptions are not supported.' }] } };
  }
  const coerced = getVariableValues(
    sim.schema.schema,
    op.variableDefinitions ?? [],
    (b.variables && typeof b.variables === 'object' ? b.variables : {}) as Record<string, unknown>,
  );
  if (coerced.errors) {
    return {
      status: 200,
      body: { errors: coerced.errors.map((e) => e.toJSON()), extensions: costExtension(inst, 0, null) },
    };
  }
  const variables = coerced.coerced;
  const fragments: Record<string, FragmentDefinitionNode> = fragmentsOf(doc);
  const requested = requestedQueryCost(sim.schema.schema, op, fragments, variables);

  if (requested > MAX_QUERY_COST) {
    shop.stats.maxCostExceeded++;
    return {
      status: 200,
      body: {
        errors: [
          {
            message: `Query cost is ${requested}, which exceeds the single query max cost limit (${MAX_QUERY_COST}).\n\nSee https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\ncost of a query is calculated.\n\nTo query larger amounts of data with fewer limits, bulk operations should be used instead.\nSee https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n`,
            extensions: {
              code: 'MAX_COST_EXCEEDED',
              cost: requested,
              maxCost: MAX_QUERY_COST,
              documentation: 'https://shopify.dev/api/usage/rate-limits',
            },
          },
        ],
        extensions: costExtension(inst, requested, null),
      },
    };
  }

  if (!inst.bucket.take(requested)) {
    shop.stats.throttled++;
    return {
      status: 200,
      body: {
        errors: [
          {
            message: 'Throttled',
            extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' },
          },
        ],
        extensions: costExtension(inst, requested, null),
      },
    };
  }

  const ctx: ExecContext = { sim, shop, inst, scopes: expandScopes(inst.scopes), accessDenied: 0 };
  const result = await execute({
    schema: sim.schema.schema,
    document: { kind: Kind.DOCUMENT, definitions: [op, ...Object.values(fragments)] },
    rootValue: op.operation === 'mutation' ? mutationRoot() : queryRoot(),
    contextValue: ctx,
    // execute coerces again from the raw input; that keeps "explicit null" distinct from "absent".
    variableValues: (b.variables && typeof b.variables === 'object' ? b.variables : {}) as Record<string, unknown>,
    fieldResolver,
  });
  shop.stats.accessDenied += ctx.accessDenied;
  const data = (result.data ?? null) as Record<string, unknown> | null;
  const actual = Math.min(requested, actualQueryCost(sim.schema.schema, op, fragments, variables, data));
  inst.bucket.refund(requested - actual);
  shop.stats.pointsUsed += actual;
  const out: Record<string, unknown> = {};
  if (result.errors?.length) out.errors = result.errors.map((e) => e.toJSON());
  out.data = data;
  out.extensions = costExtension(inst, requested, actual);
  return { status: 200, body: out };
}
