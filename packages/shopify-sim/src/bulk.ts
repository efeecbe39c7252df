import { createHmac, timingSafeEqual } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import {
  type DocumentNode,
  execute,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLResolveInfo,
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  parse,
  type SelectionSetNode,
  typeFromAST,
  validate,
} from 'graphql';
import type { BulkPaging } from './connection.ts';
import { isConnectionType } from './cost.ts';
import { bulkView, type ExecContext, fieldResolver, parseGid, queryRoot } from './resolvers.ts';
import type { Sim } from './sim.ts';
import { type BulkOperationRecord, type Installation, nextId, type ShopState } from './state.ts';
import { bulkFinishPayload } from './webhooks.ts';

// Bulk query operations: the query text is validated like Shopify does (1–5 connections, nested at most
// 2 deep, parents of nested connections select `id`, not rooted at node/nodes), then run in the background
// in chunks of root objects. Each connection node becomes one JSONL line; children carry `__parentId` and,
// unless groupObjects is set, come before their parents within each chunk of root objects.

const MAX_CONCURRENT = 5;
const CHUNK = 250;
const ACTIVE: ReadonlySet<string> = new Set(['CREATED', 'RUNNING', 'CANCELING']);

interface Shape {
  /** Response key → how to treat that key in a result object. */
  fields: Map<string, { connection: boolean; nodePath: string[] | null; child: Shape | null }>;
  selectsId: boolean;
}

interface Analysis {
  shape: Shape;
  connections: number;
  maxDepth: number;
  problems: string[];
}

function collectInto(
  schemaCtx: { fragments: Record<string, FragmentDefinitionNode>; sim: Sim },
  parent: GraphQLCompositeType,
  set: SelectionSetNode,
  out: Array<{ node: FieldNode; type: GraphQLCompositeType | null; connection: boolean; key: string; name: string }>,
): void {
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      if (!isObjectType(parent) && !isInterfaceType(parent)) continue;
      const def = parent.getFields()[sel.name.value];
      const named = def ? getNamedType(def.type) : null;
      out.push({
        node: sel,
        type: named && isCompositeType(named) ? named : null,
        connection: !!named && isConnectionType(named),
        key: sel.alias?.value ?? sel.name.value,
        name: sel.name.value,
      });
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      const t = sel.typeCondition ? typeFromAST(schemaCtx.sim.schema.schema, sel.typeCondition) : parent;
      if (t && isCompositeType(t)) collectInto(schemaCtx, t, sel.selectionSet, out);
    } else {
      const frag = schemaCtx.fragments[sel.name.value];
      const t = frag && typeFromAST(schemaCtx.sim.schema.schema, frag.typeCondition);
      if (frag && t && isCompositeType(t)) collectInto(schemaCtx, t, frag.selectionSet, out);
    }
  }
}

function analyze(sim: Sim, doc: DocumentNode, op: OperationDefinitionNode): Analysis {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  const ctx = { fragments, sim };
  const problems: string[] = [];
  let connections = 0;
  let maxDepth = 0;

  // nodeHasId: whether the nearest enclosing connection node selects `id` (it becomes the children's __parentId).
  const walk = (
    parent: GraphQLCompositeType,
    set: SelectionSetNode,
    depth: number,
    path: string,
    nodeHasId: boolean,
  ): Shape => {
    const fields: Shape['fields'] = new Map();
    const items: Parameters<typeof collectInto>[3] = [];
    collectInto(ctx, parent, set, items);
    let selectsId = false;
    for (const f of items) {
      if (f.name === 'id') selectsId = true;
      if (!f.type || !f.node.selectionSet) continue;
      if (f.connection) {
        connections++;
        maxDepth = Math.max(maxDepth, depth);
        // Find the node selection inside edges { node } or nodes.
        const inner: Parameters<typeof collectInto>[3] = [];
        collectInto(ctx, f.type, f.node.selectionSet, inner);
        let nodePath: string[] | null = null;
        let child: Shape | null = null;
        for (const c of inner) {
          if (c.name === 'nodes' && c.type && c.node.selectionSet) {
            nodePath = [c.key];
            child = walk(
              c.type,
              c.node.selectionSet,
              depth + 1,
              `${path}.${f.key}`,
              selectsIdOf(ctx, c.type, c.node.selectionSet),
            );
          } else if (c.name === 'edges' && c.type && c.node.selectionSet) {
            const edge: Parameters<typeof collectInto>[3] = [];
            collectInto(ctx, c.type, c.node.selectionSet, edge);
            const n = edge.find((e) => e.name === 'node');
            if (n?.type && n.node.selectionSet) {
              nodePath = [c.key, n.key];
              child = walk(
                n.type,
                n.node.selectionSet,
                depth + 1,
                `${path}.${f.key}`,
                selectsIdOf(ctx, n.type, n.node.selectionSet),
              );
            }
          }
        }
        if (child && depth > 0 && !nodeHasId) {
          problems.push(
            `The parent 'node' field for a nested connection must select the 'id' field. Connection fields without 'id': ${path}.`,
          );
        }
        fields.set(f.key, { connection: true, nodePath, child });
      } else {
        fields.set(f.key, {
          connection: false,
          nodePath: null,
          child: walk(f.type, f.node.selectionSet, depth, `${path}.${f.key}`, nodeHasId),
        });
      }
    }
    return { fields, selectsId };
  };

  const root = sim.schema.schema.getQueryType();
  const shape = root ? walk(root, op.selectionSet, 0, 'root', false) : { fields: new Map(), selectsId: false };
  return { shape, connections, maxDepth, problems };
}

function selectsIdOf(
  ctx: { fragments: Record<string, FragmentDefinitionNode>; sim: Sim },
  parent: GraphQLCompositeType,
  set: SelectionSetNode,
): boolean {
  const items: Parameters<typeof collectInto>[3] = [];
  collectInto(ctx, parent, set, items);
  return items.some((i) => i.name === 'id');
}

interface UserError {
  field: string[] | null;
  message: string;
  code: 'INVALID' | 'LIMIT_REACHED' | 'OPERATION_IN_PROGRESS' | null;
}

function invalid(message: string): { bulkOperation: null; userErrors: UserError[] } {
  return { bulkOperation: null, userErrors: [{ field: ['query'], message, code: 'INVALID' }] };
}

export function bulkOperationRunQuery(args: Record<string, unknown>, ctx: ExecContext, _info: GraphQLResolveInfo) {
  const text = args.query as string;
  let doc: DocumentNode;
  try {
    doc = parse(text);
  } catch (err) {
    return invalid(`Invalid bulk query: ${(err as Error).message}`);
  }
  const ops = doc.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const op = ops[0];
  if (!op || ops.length !== 1) return invalid('Bulk queries must contain exactly one operation.');
  if (op.operation !== 'query')
    return invalid('Bulk queries must be query operations; use bulkOperationRunMutation for mutations.');
  const errors = validate(ctx.sim.schema.schema, doc);
  if (errors.length) return invalid(`Invalid bulk query: ${errors.map((e) => e.message).join(' ')}`);
  const tops = op.selectionSet.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD);
  if (tops.length !== 1 || op.selectionSet.selections.length !== 1) {
    return invalid('Bulk queries must have exactly one top-level field.');
  }
  if (tops.some((t) => t.name.value === 'node' || t.name.value === 'nodes')) {
    return invalid("Bulk queries cannot use 'node' or 'nodes' as the top-level field.");
  }
  const a = analyze(ctx.sim, doc, op);
  if (a.connections === 0) return invalid('Bulk queries must contain at least one connection.');
  if (a.connections > 5) return invalid('Queries that contain more than 5 connections are not allowed.');
  if (a.maxDepth > 2)
    return invalid('Queries containing connections that are nested more than 2 levels deep are not allowed.');
  if (a.problems.length) return invalid(a.problems[0] as string);
  const running = ctx.inst.bulkOps.filter((o) => o.type === 'QUERY' && ACTIVE.has(o.status)).length;
  if (running >= MAX_CONCURRENT) {
    return {
      bulkOperation: null,
      userErrors: [
        {
          field: null,
          message: 'Bulk operations limit reached. Please try again later.',
          code: 'LIMIT_REACHED' as const,
        },
      ],
    };
  }
  const record: BulkOperationRecord = {
    id: nextId(4_100_000_000),
    status: 'CREATED',
    type: 'QUERY',
    query: text,
    groupObjects: args.groupObjects === true,
    errorCode: null,
    createdAt: ctx.sim.now(),
    completedAt: null,
    objectCount: 0,
    rootObjectCount: 0,
    fileSize: null,
    url: null,
    partialDataUrl: null,
    cancelRequested: false,
  };
  ctx.inst.bulkOps.push(record);
  ctx.shop.stats.bulkOperations++;
  ctx.sim.bulk.start(ctx.shop, ctx.inst, ctx.scopes, record, doc, a.shape);
  return { bulkOperation: bulkView(record), userErrors: [] };
}

export function bulkOperationCancel(args: Record<string, unknown>, ctx: ExecContext) {
  const g = parseGid(args.id);
  const op = g?.type === 'BulkOperation' ? ctx.inst.bulkOps.find((o) => o.id === g.id) : undefined;
  if (!op) return { bulkOperation: null, userErrors: [{ field: ['id'], message: 'Bulk operation does not exist' }] };
  if (!ACTIVE.has(op.status)) {
    return {
      bulkOperation: bulkView(op),
      userErrors: [
        { field: null, message: `A bulk operation cannot be canceled when it is ${op.status.toLowerCase()}` },
      ],
    };
  }
  op.cancelRequested = true;
  op.status = 'CANCELING';
  return { bulkOperation: bulkView(op), userErrors: [] };
}

// ---- JSONL ----

type Obj = Record<string, unknown>;

/** Nesting depth of each emitted line (0 for root objects), for the ungrouped ordering. */
const depths = new WeakMap<Obj, number>();

/**
 * Ungrouped output (groupObjects: false, the default since 2026-01): deepest children first, then their
 * parents, siblings keeping their order. So a consumer that expects a parent before its children breaks,
 * as it can on Shopify.
 */
function ungrouped(lines: Obj[]): Obj[] {
  return lines
    .map((line, i) => ({ line, i, d: depths.get(line) ?? 0 }))
    .sort((a, b) => b.d - a.d || a.i - b.i)
    .map((x) => x.line);
}

function nodesOf(value: unknown, nodePath: string[] | null): Obj[] {
  if (!value || typeof value !== 'object' || !nodePath) return [];
  const list = (value as Obj)[nodePath[0] as string];
  if (!Array.isArray(list)) return [];
  return (nodePath.length === 2 ? list.map((e) => (e as Obj | null)?.[nodePath[1] as string]) : list).filter(
    (n): n is Obj => !!n && typeof n === 'object',
  );
}

/** Turns one connection node into lines: its own line, then (recursively) one per child node. */
function emit(node: Obj, shape: Shape, parentId: string | null, out: Obj[], depth = 0): void {
  const line: Obj = {};
  depths.set(line, depth);
  out.push(line);
  const ownId = typeof node.id === 'string' ? node.id : parentId;
  const strip = (value: unknown, s: Shape): unknown => {
    if (Array.isArray(value)) return value.map((v) => strip(v, s));
    if (!value || typeof value !== 'object') return value;
    const copy: Obj = {};
    for (const [k, v] of Object.entries(value as Obj)) {
      const f = s.fields.get(k);
      if (f?.connection) {
        for (const child of nodesOf(v, f.nodePath)) emit(child, f.child as Shape, ownId, out, depth + 1);
      } else copy[k] = f?.child ? strip(v, f.child) : v;
    }
    return copy;
  };
  Object.assign(line, strip(node, shape) as Obj);
  if (parentId !== null) line.__parentId = parentId;
}

export class BulkRunner {
  private readonly sim: Sim;
  readonly dir: string;
  private readonly secret: string;
  private readonly running = new Set<Promise<void>>();
  private closed = false;

  constructor(sim: Sim, dir: string, secret: string) {
    this.sim = sim;
    this.dir = dir;
    this.secret = secret;
  }

  signature(file: string, expires: number): string {
    return createHmac('sha256', this.secret).update(`${file}:${expires}`).digest('hex');
  }

  /** Checks a result URL's signature (they are handed out like signed storage URLs and need no token). */
  verify(file: string, expires: number, signature: string): boolean {
    const expected = Buffer.from(this.signature(file, expires));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given) && expires * 1000 > this.sim.now();
  }

  private url(file: string): string {
    const expires = Math.floor(this.sim.now() / 1000) + 7 * 86_400;
    return `${this.sim.origin}/_sim/bulk/${file}?expires=${expires}&signature=${this.signature(file, expires)}`;
  }

  start(
    shop: ShopState,
    inst: Installation,
    scopes: Set<string>,
    op: BulkOperationRecord,
    doc: DocumentNode,
    shape: Shape,
  ): void {
    const p = this.run(shop, inst, scopes, op, doc, shape).catch((err: unknown) => {
      op.status = 'FAILED';
      op.errorCode = 'INTERNAL_SERVER_ERROR';
      op.completedAt = this.sim.now();
      if (process.env.SHOPIFY_SIM_DEBUG) console.error('bulk operation failed', err);
    });
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
  }

  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  close(): void {
    this.closed = true;
  }

  private async run(
    shop: ShopState,
    inst: Installation,
    scopes: Set<string>,
    op: BulkOperationRecord,
    doc: DocumentNode,
    shape: Shape,
  ): Promise<void> {
    await this.wait(shop.bulk.startDelayMs, op);
    if (this.closed) return;
    if (op.cancelRequested) return this.finish(shop, inst, op, 'CANCELED');
    op.status = 'RUNNING';
    const file = `${shop.domain}-${op.id}.jsonl`;
    const out = createWriteStream(join(this.dir, file));
    let bytes = 0;
    const write = async (lines: Obj[]) => {
      for (const l of lines) {
        const text = `${JSON.stringify(l)}\n`;
        bytes += Buffer.byteLength(text);
        if (!out.write(text)) await new Promise<void>((r) => out.once('drain', () => r()));
      }
    };
    const bulk: BulkPaging = { pageSize: CHUNK, endCursor: null, hasNext: false };
    let failure: BulkOperationRecord['errorCode'] = null;
    let chunks = 0;
    for (;;) {
      const ctx: ExecContext = { sim: this.sim, shop, inst, scopes, bulk, accessDenied: 0 };
      bulk.hasNext = false;
      const result = await execute({
        schema: this.sim.schema.schema,
        document: doc,
        rootValue: queryRoot(),
        contextValue: ctx,
        fieldResolver,
      });
      if (result.errors?.length) {
        failure = result.errors.some((e) => e.extensions?.code === 'ACCESS_DENIED')
          ? 'ACCESS_DENIED'
          : 'INTERNAL_SERVER_ERROR';
        break;
      }
      const lines: Obj[] = [];
      for (const [key, f] of shape.fields) {
        const value = (result.data as Obj | null)?.[key];
        if (f.connection) {
          const roots = nodesOf(value, f.nodePath);
          op.rootObjectCount += roots.length;
          for (const n of roots) emit(n, f.child as Shape, null, lines);
        } else if (value && typeof value === 'object' && f.child) {
          emit(value as Obj, f.child, null, lines);
          op.rootObjectCount += 1;
        }
      }
      op.objectCount += lines.length;
      await write(op.groupObjects ? lines : ungrouped(lines));
      chunks++;
      if (!bulk.hasNext || !bulk.endCursor) break;
      bulk.after = bulk.endCursor;
      if (shop.bulk.failWith) {
        failure = shop.bulk.failWith;
        break;
      }
      await this.wait(shop.bulk.chunkDelayMs, op);
      if (this.closed) break;
      if (op.cancelRequested) break;
    }
    await new Promise<void>((resolve) => (out as WriteStream).end(resolve));
    if (this.closed) return;
    op.fileSize = bytes;
    if (op.cancelRequested) return this.finish(shop, inst, op, 'CANCELED');
    if (failure || (shop.bulk.failWith && chunks > 0)) {
      op.errorCode = failure ?? shop.bulk.failWith;
      op.partialDataUrl = bytes > 0 ? this.url(file) : null;
      return this.finish(shop, inst, op, 'FAILED');
    }
    op.url = op.objectCount > 0 ? this.url(file) : null;
    if (op.objectCount === 0) op.fileSize = null;
    return this.finish(shop, inst, op, 'COMPLETED');
  }

  /** Sleeps, but wakes up early for a cancel or for close() so no timer outlives the sim. */
  private async wait(ms: number, op: BulkOperationRecord): Promise<void> {
    const until = Date.now() + ms;
    do {
      await sleep(Math.min(25, until - Date.now()));
    } while (Date.now() < until && !this.closed && !op.cancelRequested);
  }

  private finish(
    shop: ShopState,
    inst: Installation,
    op: BulkOperationRecord,
    status: BulkOperationRecord['status'],
  ): void {
    op.status = status;
    op.completedAt = this.sim.now();
    this.sim.webhooks.emit(shop, 'BULK_OPERATIONS_FINISH', bulkFinishPayload(op), { only: inst });
  }
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : new Promise((r) => setImmediate(r));
}
