import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import {
  type GqlLevel,
  type GqlMedia,
  type GqlProduct,
  type GqlVariant,
  type ImageRecord,
  imageRecords,
  type LevelRecord,
  levelRecord,
  type ProductRecord,
  productRecord,
  type VariantRecord,
  variantRecord,
} from './records.ts';

// A bulk export's JSONL (docs/shopify.md §5): one line per connection node, children carrying
// `__parentId`, in no order we may rely on (a child may come before its parent). Lines are read as
// a stream, never the whole file in memory, and each becomes a record on its own, keyed by GID:
// a child names its parent by GID, so nothing waits for the parent's line.

export type BulkRecord =
  | { kind: 'product'; record: ProductRecord }
  | { kind: 'variant'; record: VariantRecord }
  | { kind: 'image'; record: ImageRecord }
  | { kind: 'level'; record: LevelRecord; variantGid: string | null };

/** `gid://shopify/<Type>/<id>` → `<Type>`. */
export const gidType = (gid: unknown) =>
  typeof gid === 'string' ? /^gid:\/\/shopify\/([A-Za-z0-9]+)\//.exec(gid)?.[1] : undefined;

const MEDIA_TYPES = new Set(['MediaImage', 'Video', 'ExternalVideo', 'Model3d']);

/**
 * Turns lines into records. Image positions follow the order of a product's image lines, so the
 * parser keeps one counter per product (a number per product: small even at 100,000 products).
 */
export class BulkLineParser {
  private readonly imagesSeen = new Map<string, number>();

  parse(line: Record<string, unknown>): BulkRecord | undefined {
    const type = gidType(line.id);
    const parent = typeof line.__parentId === 'string' ? line.__parentId : null;
    if (type === 'Product') return { kind: 'product', record: productRecord(line as unknown as GqlProduct) };
    if (type === 'ProductVariant' && parent) {
      return { kind: 'variant', record: variantRecord(parent, line as unknown as GqlVariant) };
    }
    if (type && MEDIA_TYPES.has(type) && parent) {
      const [image] = imageRecords(parent, [line as unknown as GqlMedia]);
      if (!image) return undefined; // a video or 3D model is no image
      return { kind: 'image', record: { ...image, position: this.imagePosition(parent) } };
    }
    if (type === 'InventoryLevel') {
      const record = levelRecord(line as unknown as GqlLevel);
      if (record) return { kind: 'level', record, variantGid: parent };
    }
    return undefined;
  }

  private imagePosition(product: string): number {
    const next = (this.imagesSeen.get(product) ?? 0) + 1;
    this.imagesSeen.set(product, next);
    return next;
  }
}

/** The lines of a JSONL body, one parsed object at a time (blank lines skipped). */
export async function* jsonlLines(
  body: ReadableStream<Uint8Array> | NodeJS.ReadableStream,
): AsyncGenerator<Record<string, unknown>> {
  const input =
    body instanceof ReadableStream ? Readable.fromWeb(body as import('node:stream/web').ReadableStream) : body;
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  for await (const text of lines) {
    n++;
    if (!text.trim()) continue;
    try {
      yield JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new Error(`Line ${n} of the bulk export is not JSON.`);
    }
  }
}
