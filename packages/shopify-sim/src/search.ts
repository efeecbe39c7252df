// Shopify's search syntax, the subset our sync relies on: `field:value`, comparisons (`updated_at:>'…'`),
// negation (`-field:v`, `NOT field:v`), comma lists (`status:active,draft`), quoted values, implicit AND,
// and top-level `OR`. Unknown fields are ignored like Shopify does (it only warns).

export type Op = ':' | '>' | '>=' | '<' | '<=';

export interface Term {
  field: string | null;
  op: Op;
  value: string;
  negate: boolean;
}

/** A disjunction of conjunctions. An empty query matches everything. */
export type SearchQuery = Term[][];

export function parseSearch(input: string | null | undefined): SearchQuery {
  if (!input?.trim()) return [];
  const tokens = tokenize(input);
  const groups: Term[][] = [[]];
  let negateNext = false;
  for (const tok of tokens) {
    if (tok === 'OR') {
      groups.push([]);
      continue;
    }
    if (tok === 'AND') continue;
    if (tok === 'NOT') {
      negateNext = true;
      continue;
    }
    const term = parseTerm(tok);
    if (negateNext) term.negate = !term.negate;
    negateNext = false;
    groups[groups.length - 1]?.push(term);
  }
  return groups.filter((g) => g.length > 0);
}

function tokenize(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | null = null;
  for (const ch of s) {
    if (quote) {
      cur += ch;
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      cur += ch;
    } else if (/\s/.test(ch)) {
      if (cur) out.push(cur);
      cur = '';
    } else if ((ch === '(' || ch === ')') && !cur) {
      // Grouping parentheses are accepted and flattened; precedence is AND over OR.
    } else cur += ch;
  }
  if (cur) out.push(cur.replace(/\)+$/, ''));
  return out;
}

function unquote(v: string): string {
  const m = /^(['"])(.*)\1$/.exec(v);
  return m ? (m[2] ?? '') : v;
}

function parseTerm(tok: string): Term {
  let negate = false;
  let t = tok;
  if (t.startsWith('-') && t.length > 1) {
    negate = true;
    t = t.slice(1);
  }
  const colon = t.indexOf(':');
  if (colon <= 0 || /^['"]/.test(t)) return { field: null, op: ':', value: unquote(t), negate };
  const field = t.slice(0, colon).toLowerCase();
  let rest = t.slice(colon + 1);
  let op: Op = ':';
  for (const candidate of ['>=', '<=', '>', '<'] as const) {
    if (rest.startsWith(candidate)) {
      op = candidate;
      rest = rest.slice(candidate.length);
      break;
    }
  }
  return { field, op, value: unquote(rest), negate };
}

/** Parses a date value the way Shopify accepts them: ISO 8601 timestamps or plain dates (UTC). */
export function parseDateValue(v: string): number | null {
  const s = v.trim();
  if (!s) return null;
  const normalized = /^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s;
  const t = Date.parse(normalized);
  return Number.isNaN(t) ? null : t;
}

export type FieldGetter = (field: string) => string | number | readonly string[] | null | undefined;

const DATE_FIELDS = new Set(['updated_at', 'created_at', 'published_at']);
const NUMERIC_FIELDS = new Set(['id', 'product_id', 'inventory_item_id', 'location_id', 'variant_id']);

/**
 * Tests one record. `get` returns the record's value for a search field, or undefined when the field is
 * not searchable on this resource (then the term is ignored, as Shopify ignores invalid fields).
 */
export function matches(query: SearchQuery, get: FieldGetter): boolean {
  if (query.length === 0) return true;
  return query.some((group) => group.every((term) => matchTerm(term, get)));
}

function matchTerm(term: Term, get: FieldGetter): boolean {
  const field = term.field ?? 'default';
  const actual = get(field);
  if (actual === undefined) return true;
  const result = compare(term, field, actual);
  return term.negate ? !result : result;
}

function compare(term: Term, field: string, actual: string | number | readonly string[] | null): boolean {
  if (actual === null) return false;
  if (field === 'default') {
    // A bare word searches the resource's text fields by substring, close enough to Shopify's tokenized search.
    const needle = term.value.toLowerCase().replace(/\*$/, '');
    const hay = Array.isArray(actual) ? actual : [String(actual)];
    return hay.some((h) => h.toLowerCase().includes(needle));
  }
  const values = term.op === ':' ? term.value.split(',') : [term.value];
  return values.some((raw) => {
    const v = raw.trim();
    if (Array.isArray(actual)) return actual.some((a) => textMatch(a, v));
    if (DATE_FIELDS.has(field) && typeof actual === 'number') {
      const t = parseDateValue(v);
      if (t === null) return false;
      return numCompare(actual, term.op, t);
    }
    if ((NUMERIC_FIELDS.has(field) || typeof actual === 'number') && /^-?\d+(\.\d+)?$/.test(v)) {
      return numCompare(Number(actual), term.op, Number(v));
    }
    if (term.op !== ':') {
      const a = String(actual);
      return term.op === '>' ? a > v : term.op === '>=' ? a >= v : term.op === '<' ? a < v : a <= v;
    }
    return textMatch(String(actual), v);
  });
}

function numCompare(a: number, op: Op, b: number): boolean {
  switch (op) {
    case ':':
      return a === b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
  }
}

function textMatch(actual: string, pattern: string): boolean {
  const a = actual.toLowerCase();
  const p = pattern.toLowerCase();
  if (p.endsWith('*')) return a.startsWith(p.slice(0, -1));
  return a === p;
}

/** Bounds implied by a single conjunction, used to skip straight to the interesting part of a catalog. */
export interface Bounds {
  /** Inclusive lower and exclusive upper bounds in epoch ms, or undefined when unbounded. */
  updatedFrom?: number;
  updatedTo?: number;
  ids?: { from?: number; to?: number };
}

export function boundsFor(query: SearchQuery, field: 'updated_at', idField: string): Bounds {
  const out: Bounds = {};
  if (query.length !== 1) return out;
  for (const term of query[0] ?? []) {
    if (term.negate) continue;
    if (term.field === field) {
      const t = parseDateValue(term.value);
      if (t === null || term.value.includes(',')) continue;
      // Shopify timestamps have whole seconds, so `> t` starts at the next second.
      const next = Math.floor(t / 1000) * 1000 + 1000;
      if (term.op === '>') out.updatedFrom = Math.max(out.updatedFrom ?? -Infinity, next);
      if (term.op === '>=') out.updatedFrom = Math.max(out.updatedFrom ?? -Infinity, t);
      if (term.op === '<') out.updatedTo = Math.min(out.updatedTo ?? Infinity, t);
      if (term.op === '<=') out.updatedTo = Math.min(out.updatedTo ?? Infinity, t + 1);
      if (term.op === ':') {
        out.updatedFrom = Math.max(out.updatedFrom ?? -Infinity, t);
        out.updatedTo = Math.min(out.updatedTo ?? Infinity, t + 1);
      }
    } else if (term.field === idField && /^\d+$/.test(term.value)) {
      const n = Number(term.value);
      out.ids = out.ids ?? {};
      const ids = out.ids;
      if (term.op === ':') {
        ids.from = Math.max(ids.from ?? -Infinity, n);
        ids.to = Math.min(ids.to ?? Infinity, n + 1);
      } else if (term.op === '>') ids.from = Math.max(ids.from ?? -Infinity, n + 1);
      else if (term.op === '>=') ids.from = Math.max(ids.from ?? -Infinity, n);
      else if (term.op === '<') ids.to = Math.min(ids.to ?? Infinity, n);
      else if (term.op === '<=') ids.to = Math.min(ids.to ?? Infinity, n + 1);
    }
  }
  return out;
}
