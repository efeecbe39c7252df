// Compiles an app into plain JavaScript for a container image: Node refuses to strip types from
// files under node_modules, and an image's workspace packages end up there. The app's own code and
// @invpro/contract (TypeScript source with no build of its own) are bundled; every other package
// stays an import, installed by npm in the image.
//
//   node deploy/bundle.ts <app dir> <out dir> name=entry.ts… [--copy from:to…]
//
// Paths are relative to the app dir. --copy puts files the code reads beside itself
// (import.meta.url) where the bundle will look for them.
import { cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { copy: { type: 'string', multiple: true, default: [] } },
});
const [appArg, outArg, ...entries] = positionals;
if (!appArg || !outArg || entries.length === 0) {
  console.error('usage: node deploy/bundle.ts <app dir> <out dir> name=entry.ts… [--copy from:to]');
  process.exit(2);
}
const appDir = path.resolve(appArg);
const outdir = path.resolve(appDir, outArg);
const entryPoints = Object.fromEntries(entries.map((e) => e.split('=') as [string, string]));

const ownPackage = (id: string) => id === '@invpro/contract' || id.startsWith('@invpro/contract/');

await build({
  absWorkingDir: appDir,
  entryPoints,
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  sourcemap: true,
  logLevel: 'warning',
  plugins: [
    {
      name: 'npm-packages-stay-external',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) =>
          ownPackage(args.path) ? undefined : { path: args.path, external: true },
        );
      },
    },
  ],
});
for (const pair of values.copy) {
  const [from, to] = pair.split(':') as [string, string];
  const target = path.join(outdir, to);
  rmSync(target, { recursive: true, force: true });
  cpSync(path.join(appDir, from), target, { recursive: true });
}
console.log(`bundled ${Object.keys(entryPoints).join(', ')} into ${outdir}`);
