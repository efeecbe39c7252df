import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_SCHEMA_FILE, generateApiSchema } from './openapi-types.ts';

/** Where two texts first differ, as a line number and both lines, so the message says what changed. */
function firstDifference(committed: string, generated: string): string {
  const a = committed.split('\n');
  const b = generated.split('\n');
  const line = a.findIndex((text, i) => text !== b[i]);
  const at = line === -1 ? a.length : line;
  return `line ${at + 1}: committed ${JSON.stringify(a[at] ?? '(end of file)')}, routes say ${JSON.stringify(b[at] ?? '(end of file)')}`;
}

describe("the web app's API types", () => {
  it('are what the routes generate now', async () => {
    const committed = readFileSync(API_SCHEMA_FILE, 'utf8');
    const generated = await generateApiSchema();
    if (committed !== generated) {
      expect.fail(
        `apps/web/lib/api-schema.ts is stale: the API's routes no longer describe what it says (${firstDifference(committed, generated)}). Run npm run contract and commit the result.`,
      );
    }
  });
});
