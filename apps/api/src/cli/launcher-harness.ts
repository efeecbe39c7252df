import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Starting and watching `invpro start` (the launcher behind `npm start`) and `invpro demo` from tests.

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), 'invpro.ts');

/** PIDs of postgres servers whose data directory is `clusterDir`. */
export function postgresOf(clusterDir: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', `postgres -D ${clusterDir}`], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** The port of the cluster's running postmaster (line 4 of postmaster.pid). */
export function postmasterPort(clusterDir: string): number {
  return Number(readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[3]);
}

export interface Launcher {
  child: ChildProcess;
  /** Everything the launcher and its children printed so far. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export const killQuietly = (pid: number, signal: NodeJS.Signals = 'SIGKILL') => {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
};

/**
 * Starts the launcher (API and worker, no web; or another command built on it, such as the demo) in a
 * process group of its own and waits until the API answers.
 */
export async function startLauncher(
  env: Record<string, string>,
  started: ChildProcess[],
  args = ['start', '--no-web'],
): Promise<Launcher> {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, DATABASE_URL: '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  started.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const port = env.API_PORT;
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/health/`);
      if (res.ok) return { child, output: () => output, exited };
    } catch {}
    if (child.exitCode !== null) throw new Error(`launcher exited with ${child.exitCode}:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`API did not become healthy:\n${output}`);
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 15_000, what = 'condition') {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} not met within ${timeoutMs} ms`);
}

/** Log lines that report a failure: pino error/fatal, PostgreSQL FATAL/PANIC, stack traces, a failed build. */
export function errorLines(output: string): string[] {
  return output
    .split('\n')
    .filter(
      (line) =>
        /"level":(50|60)/.test(line) ||
        /\b(FATAL|PANIC|57P01)\b/.test(line) ||
        /^\s+at /.test(line) ||
        /next build failed|unexpectedly/.test(line),
    );
}
