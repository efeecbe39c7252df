// `npm run contract`: regenerate the web app's API types after a route's schema changed.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { API_SCHEMA_FILE, generateApiSchema } from '../http/openapi-types.ts';

const generated = await generateApiSchema();
const relative = path.relative(process.cwd(), API_SCHEMA_FILE);
let current: string | undefined;
try {
  current = readFileSync(API_SCHEMA_FILE, 'utf8');
} catch {
  current = undefined;
}
if (current === generated) {
  console.log(`${relative} is up to date.`);
} else {
  writeFileSync(API_SCHEMA_FILE, generated);
  console.log(`wrote ${relative}; commit it with the route change.`);
}
