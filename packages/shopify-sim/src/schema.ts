import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import {
  buildClientSchema,
  type GraphQLNamedType,
  type GraphQLSchema,
  getNamedType,
  isInterfaceType,
  isObjectType,
  isUnionType,
} from 'graphql';

export const API_VERSION = '2026-10';

interface ScopeItem {
  type: 'type' | 'field';
  typeName: string;
  fieldName?: string;
  requiredAccess: string;
  offlineScopes: string[];
}

export interface AccessRequirement {
  /** Any one of these satisfies the requirement. */
  anyOf: string[];
  /** Shopify's own wording, used in ACCESS_DENIED messages. */
  text: string;
}

export interface AdminSchema {
  schema: GraphQLSchema;
  /** Scope needed to select `field` on `type`, or null when the token's scopes don't matter. */
  requirement(typeName: string, fieldName: string): AccessRequirement | null;
}

let loaded: AdminSchema | undefined;

/** The vendored 2026-10 Admin schema (see docs/shopify.md §2), parsed once per process (~0.3 s). */
export function adminSchema(): AdminSchema {
  if (loaded) return loaded;
  const file = new URL('../schema/admin_2026-10.json.gz', import.meta.url);
  const raw = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as {
    data: Parameters<typeof buildClientSchema>[0];
    offline_scopes: { items: ScopeItem[] };
  };
  const schema = buildClientSchema(raw.data);
  const typeScopes = new Map<string, AccessRequirement>();
  const fieldScopes = new Map<string, AccessRequirement>();
  for (const item of raw.offline_scopes.items) {
    if (item.offlineScopes.length === 0) continue;
    const req = { anyOf: [...new Set(item.offlineScopes)], text: firstSentence(item.requiredAccess) };
    if (item.type === 'type') typeScopes.set(item.typeName, req);
    else fieldScopes.set(`${item.typeName}.${item.fieldName}`, req);
  }
  const cache = new Map<string, AccessRequirement | null>();

  const typeRequirement = (type: GraphQLNamedType): AccessRequirement | null => {
    const own = typeScopes.get(type.name);
    if (own) return own;
    // A connection is guarded by the type of its nodes: `products` needs what `Product` needs.
    if (isObjectType(type) && type.name.endsWith('Connection')) {
      const nodes = type.getFields().nodes;
      if (nodes) return typeRequirement(getNamedType(nodes.type));
    }
    return null;
  };

  const requirement = (typeName: string, fieldName: string): AccessRequirement | null => {
    const key = `${typeName}.${fieldName}`;
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    let req = fieldScopes.get(key) ?? null;
    if (!req) {
      const parent = schema.getType(typeName);
      if (isObjectType(parent) || isInterfaceType(parent)) {
        const field = parent.getFields()[fieldName];
        const named = field && getNamedType(field.type);
        if (named && (isObjectType(named) || isInterfaceType(named) || isUnionType(named))) {
          req = typeRequirement(named);
        }
      }
    }
    cache.set(key, req);
    return req;
  };

  loaded = { schema, requirement };
  return loaded;
}

function firstSentence(text: string): string {
  const cut = text.indexOf(' Also:');
  return (cut >= 0 ? text.slice(0, cut) : text).trim();
}

/** write_x implies read_x, as on Shopify. */
export function expandScopes(scopes: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const s of scopes) {
    out.add(s);
    const m = /^(unauthenticated_)?write_(.+)$/.exec(s);
    if (m) out.add(`${m[1] ?? ''}read_${m[2]}`);
  }
  return out;
}

/** Shopify's token endpoint omits a read scope that a granted write scope implies. */
export function compressScopes(scopes: readonly string[]): string[] {
  const set = new Set(scopes);
  return [...set].filter((s) => {
    const m = /^(unauthenticated_)?read_(.+)$/.exec(s);
    return !(m && set.has(`${m[1] ?? ''}write_${m[2]}`));
  });
}
