import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** Newest modification time of any source file of the web app (not build output or deps). */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === '.next' || entry.name === 'node_modules' || entry.name === 'tests') continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * `next start` needs a build: make one when there is none or the sources changed since. The web
 * app also bundles workspace packages (`sharedDirs`, e.g. packages/contract): a change there is a
 * change to the web app too.
 */
export function webBuildIsCurrent(webDir: string, sharedDirs: string[] = []): boolean {
  const buildId = path.join(webDir, '.next', 'BUILD_ID');
  if (!existsSync(buildId)) return false;
  const newest = Math.max(...[webDir, ...sharedDirs].map(newestSource));
  return statSync(buildId).mtimeMs >= newest;
}

export function nextBin(webDir: string): string {
  // Resolved through the workspace root's node_modules (npm hoists next there).
  const local = path.join(webDir, 'node_modules', 'next', 'dist', 'bin', 'next');
  return existsSync(local) ? local : path.join(webDir, '..', '..', 'node_modules', 'next', 'dist', 'bin', 'next');
}

export interface WebBuild {
  /** Settles when the build ends: a failure is a value, and a cancelled build is not a failure. */
  done: Promise<{ ok: true } | { ok: false; reason: string; interrupted: boolean }>;
  /** Stop the build (it is of no use once we are stopping) and wait until it has exited. */
  cancel(): Promise<void>;
}

export function startWebBuild(webDir: string, env: NodeJS.ProcessEnv): WebBuild {
  const child = spawn(process.execPath, [nextBin(webDir), 'build'], { cwd: webDir, env, stdio: 'inherit' });
  let cancelled = false;
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  return {
    done: exited.then(({ code, signal }) => {
      if (code === 0 || cancelled) return { ok: true as const };
      // A terminal's Ctrl-C reaches the build too: interrupted is not failed.
      const interrupted = signal !== null || code === 130 || code === 143;
      return { ok: false as const, reason: `next build failed (${signal ?? `exit ${code}`})`, interrupted };
    }),
    async cancel() {
      cancelled = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
