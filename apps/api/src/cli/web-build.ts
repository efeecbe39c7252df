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

/** `next start` needs a build: make one when there is none or the sources changed since. */
export function webBuildIsCurrent(webDir: string): boolean {
  const buildId = path.join(webDir, '.next', 'BUILD_ID');
  return existsSync(buildId) && statSync(buildId).mtimeMs >= newestSource(webDir);
}

export function nextBin(webDir: string): string {
  // Resolved through the workspace root's node_modules (npm hoists next there).
  const local = path.join(webDir, 'node_modules', 'next', 'dist', 'bin', 'next');
  return existsSync(local) ? local : path.join(webDir, '..', '..', 'node_modules', 'next', 'dist', 'bin', 'next');
}

export function buildWeb(webDir: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [nextBin(webDir), 'build'], { cwd: webDir, env, stdio: 'inherit' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`next build failed (exit ${code})`))));
    child.on('error', reject);
  });
}
