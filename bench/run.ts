// `npm run bench -- NAME [args]`: runs the default export of bench/NAME.ts.
// Written without type syntax so that a run on Node < 24 (no type stripping) reaches the version check
// below and says so, instead of failing with a syntax error.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const controller = new AbortController();

/** Benchmarks are the .ts files directly in bench/ (helpers live in bench/lib/). */
function available() {
  return readdirSync(here, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && e.name !== 'run.ts')
    .filter((e) => !e.name.endsWith('.d.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => e.name.slice(0, -'.ts'.length))
    .sort();
}

function usage(problem = '') {
  if (problem) console.error(problem);
  console.error('Usage: npm run bench -- NAME [args]\nAvailable benchmarks:');
  for (const name of available()) console.error(`  ${name}`);
  process.exitCode = 2;
}

async function main() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 24) {
    console.error(
      `Node ${process.versions.node} is too old: run through npm (\`npm run bench -- NAME\`), which uses Node 24.`,
    );
    process.exitCode = 1;
    return;
  }
  const [name, ...args] = process.argv.slice(2);
  if (!name) return usage();
  if (!available().includes(name)) return usage(`Unknown benchmark "${name}".`);

  // Ctrl-C / SIGTERM: ask the benchmark to stop, so it can shut down what it started; a second one forces.
  const onSignal = (sig = 'signal') => {
    if (controller.signal.aborted) process.exit(130);
    console.error(`\n${sig}: stopping (again to force)…`);
    process.exitCode = 130;
    // Whatever is torn down from here on may make connections still checked out of a pool die with an
    // 'error' event: expected now, not worth a stack trace.
    process.on('uncaughtException', (err) => {
      console.error(`after ${sig}: ${err.message}`);
      process.exit(130);
    });
    controller.abort(new Error(`interrupted by ${sig}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const mod = await import(pathToFileURL(path.join(here, `${name}.ts`)).href);
  if (typeof mod.default !== 'function') throw new Error(`bench/${name}.ts has no default export function.`);
  const started = performance.now();
  try {
    await mod.default({ args, signal: controller.signal });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  console.log(`\n${name} finished in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (controller.signal.aborted) process.exitCode = 130;
}

main().catch((err) => {
  if (controller.signal.aborted && err === controller.signal.reason) {
    console.error(err.message);
    process.exitCode = 130;
    return;
  }
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
