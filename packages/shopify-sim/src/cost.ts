import {
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  GraphQLIncludeDirective,
  type GraphQLNamedType,
  type GraphQLSchema,
  GraphQLSkipDirective,
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  typeFromAST,
} from 'graphql';

// Shopify's documented cost rule (docs/shopify.md §2): scalar/enum 0, object 1, connection
// 2 + first × (1 + the cost of one node's selections), mutation 10 + its payload objects.
// The requested cost is the worst case, computed from the query alone; the actual cost applies the same
// rule to what was returned, so a short page costs less.

export const MAX_QUERY_COST = 1000;
const MUTATION_BASE = 10;

interface Ctx {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

interface Selected {
  node: FieldNode;
  def: GraphQLField<unknown, unknown>;
  responseKey: string;
}

function included(ctx: Ctx, node: { directives?: readonly unknown[] }): boolean {
  const n = node as Parameters<typeof getDirectiveValues>[1];
  const skip = getDirectiveValues(GraphQLSkipDirective, n, ctx.variables);
  if (skip?.if === true) return false;
  const include = getDirectiveValues(GraphQLIncludeDirective, n, ctx.variables);
  return include?.if !== false;
}

/** Fields of a selection set, fragments flattened, @skip/@include applied. Fragments on any type count. */
function collect(ctx: Ctx, parent: GraphQLCompositeType, set: SelectionSetNode, out: Selected[] = []): Selected[] {
  for (const sel of set.selections) {
    if (!included(ctx, sel)) continue;
    if (sel.kind === Kind.FIELD) {
      if (sel.name.value.startsWith('__')) continue;
      if (!isObjectType(parent) && !isInterfaceType(parent)) continue;
      const def = parent.getFields()[sel.name.value];
      if (def) out.push({ node: sel, def, responseKey: sel.alias?.value ?? sel.name.value });
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      const t = sel.typeCondition ? typeFromAST(ctx.schema, sel.typeCondition) : parent;
      if (t && isCompositeType(t)) collect(ctx, t, sel.selectionSet, out);
    } else {
      const frag = ctx.fragments[sel.name.value];
      const t = frag && typeFromAST(ctx.schema, frag.typeCondition);
      if (frag && t && isCompositeType(t)) collect(ctx, t, frag.selectionSet, out);
    }
  }
  return out;
}

export function isConnectionType(t: GraphQLNamedType): boolean {
  return isObjectType(t) && t.name.endsWith('Connection') && 'pageInfo' in t.getFields();
}

function args(ctx: Ctx, s: Selected): Record<string, unknown> {
  try {
    return getArgumentValues(s.def, s.node, ctx.variables);
  } catch {
    return {};
  }
}

function pageSize(ctx: Ctx, s: Selected): number {
  const a = args(ctx, s);
  const n = (a.first ?? a.last ?? 0) as number;
  return typeof n === 'number' && n > 0 ? n : 0;
}

/** The node selections of a connection field: `nodes { … }` and `edges { node { … } }`, costliest wins. */
function nodeSelections(
  ctx: Ctx,
  connType: GraphQLCompositeType,
  s: Selected,
): Array<{ path: string[]; set: Selected[] }> {
  const out: Array<{ path: string[]; set: Selected[] }> = [];
  if (!s.node.selectionSet) return out;
  for (const child of collect(ctx, connType, s.node.selectionSet)) {
    const childType = getNamedType(child.def.type);
    if (child.def.name === 'nodes' && child.node.selectionSet && isCompositeType(childType)) {
      out.push({ path: [child.responseKey], set: collect(ctx, childType, child.node.selectionSet) });
    } else if (child.def.name === 'edges' && child.node.selectionSet && isCompositeType(childType)) {
      for (const edgeField of collect(ctx, childType, child.node.selectionSet)) {
        const nodeType = getNamedType(edgeField.def.type);
        if (edgeField.def.name === 'node' && edgeField.node.selectionSet && isCompositeType(nodeType)) {
          out.push({
            path: [child.responseKey, edgeField.responseKey],
            set: collect(ctx, nodeType, edgeField.node.selectionSet),
          });
        }
      }
    }
  }
  return out;
}

function requestedSet(ctx: Ctx, set: Selected[]): number {
  let total = 0;
  for (const s of set) total += requestedField(ctx, s);
  return total;
}

function requestedField(ctx: Ctx, s: Selected): number {
  const t = getNamedType(s.def.type);
  if (!isCompositeType(t)) return 0;
  if (isConnectionType(t)) {
    const perNode = Math.max(0, ...nodeSelections(ctx, t, s).map((n) => requestedSet(ctx, n.set)));
    return 2 + pageSize(ctx, s) * (1 + perNode);
  }
  if (!s.node.selectionSet) return 1;
  return 1 + requestedSet(ctx, collect(ctx, t, s.node.selectionSet));
}

function rootSet(ctx: Ctx, op: OperationDefinitionNode): { root: Selected[]; mutation: boolean } {
  const rootType = op.operation === 'mutation' ? ctx.schema.getMutationType() : ctx.schema.getQueryType();
  if (!rootType) return { root: [], mutation: false };
  return { root: collect(ctx, rootType, op.selectionSet), mutation: op.operation === 'mutation' };
}

function payloadChildren(ctx: Ctx, s: Selected): Selected[] {
  const t = getNamedType(s.def.type);
  return s.node.selectionSet && isCompositeType(t) ? collect(ctx, t, s.node.selectionSet) : [];
}

export function requestedQueryCost(
  schema: GraphQLSchema,
  op: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
): number {
  const ctx: Ctx = { schema, fragments, variables };
  const { root, mutation } = rootSet(ctx, op);
  if (!mutation) return requestedSet(ctx, root);
  // A mutation field costs 10, plus its payload's objects; the payload object itself is free.
  let total = 0;
  for (const s of root) total += MUTATION_BASE + requestedSet(ctx, payloadChildren(ctx, s));
  return total;
}

// ---- actual cost: the same rule over the returned data ----

type Json = unknown;

function actualSet(ctx: Ctx, set: Selected[], data: Json): number {
  if (data === null || typeof data !== 'object') return 0;
  if (Array.isArray(data)) return Math.max(0, ...data.map((d) => actualSet(ctx, set, d)));
  let total = 0;
  const obj = data as Record<string, Json>;
  const seen = new Set<string>();
  for (const s of set) {
    // Fragments for other concrete types select keys absent from this object; and a key selected twice counts once.
    if (seen.has(s.responseKey) || !(s.responseKey in obj)) continue;
    seen.add(s.responseKey);
    total += actualField(ctx, s, obj[s.responseKey]);
  }
  return total;
}

function actualField(ctx: Ctx, s: Selected, value: Json): number {
  const t = getNamedType(s.def.type);
  if (!isCompositeType(t) || value === null || value === undefined) return 0;
  if (isConnectionType(t)) {
    let best = 0;
    for (const { path, set } of nodeSelections(ctx, t, s)) {
      const list = (value as Record<string, Json>)[path[0] as string];
      if (!Array.isArray(list)) continue;
      let sum = 0;
      for (const entry of list) {
        const node = path.length === 2 ? (entry as Record<string, Json> | null)?.[path[1] as string] : entry;
        sum += 1 + actualSet(ctx, set, node);
      }
      best = Math.max(best, sum);
    }
    return 2 + best;
  }
  if (!s.node.selectionSet) return 1;
  return 1 + actualSet(ctx, collect(ctx, t, s.node.selectionSet), value);
}

export function actualQueryCost(
  schema: GraphQLSchema,
  op: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  data: Record<string, unknown> | null | undefined,
): number {
  const ctx: Ctx = { schema, fragments, variables };
  const { root, mutation } = rootSet(ctx, op);
  if (!data) return mutation ? MUTATION_BASE * root.length : 0;
  if (!mutation) return actualSet(ctx, root, data);
  let total = 0;
  for (const s of root) {
    total += MUTATION_BASE;
    const v = data[s.responseKey];
    if (v !== null && v !== undefined) total += actualSet(ctx, payloadChildren(ctx, s), v);
  }
  return total;
}

export function fragmentsOf(doc: { definitions: readonly { kind: string }[] }): Record<string, FragmentDefinitionNode> {
  const out: Record<string, FragmentDefinitionNode> = {};
  for (const d of doc.definitions) {
    if (d.kind === Kind.FRAGMENT_DEFINITION) {
      const f = d as FragmentDefinitionNode;
      out[f.name.value] = f;
    }
  }
  return out;
}
