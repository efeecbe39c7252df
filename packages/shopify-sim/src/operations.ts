import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type DefinitionNode, type DocumentNode, Kind, parse, print, visit } from 'graphql';

// The Admin operations our API sends (Shopify's validated operations, docs/shopify.md §2). Each named operation is
// returned as a self-contained document: the operation plus the fragments it uses.

export const operationsDir = fileURLToPath(new URL('../operations/', import.meta.url));

export function loadOperations(dir: string = operationsDir): Record<string, string> {
  const definitions: DefinitionNode[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()) {
    definitions.push(...parse(readFileSync(`${dir}/${file}`, 'utf8')).definitions);
  }
  const fragments = new Map<string, DefinitionNode>();
  for (const d of definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const out: Record<string, string> = {};
  for (const d of definitions) {
    if (d.kind !== Kind.OPERATION_DEFINITION || !d.name) continue;
    const used = new Set<string>();
    const queue: DefinitionNode[] = [d];
    while (queue.length) {
      visit(queue.pop() as DefinitionNode, {
        FragmentSpread(node) {
          if (!used.has(node.name.value)) {
            used.add(node.name.value);
            const f = fragments.get(node.name.value);
            if (f) queue.push(f);
          }
        },
      });
    }
    const doc: DocumentNode = {
      kind: Kind.DOCUMENT,
      definitions: [d, ...[...used].map((n) => fragments.get(n)).filter((f): f is DefinitionNode => !!f)],
    };
    out[d.name.value] = print(doc);
  }
  return out;
}
