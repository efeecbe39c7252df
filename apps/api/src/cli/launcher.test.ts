import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../db/embedded.ts';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), 'invpro.ts');
const dataDir = mkdtempSync(path.join(tmpdir(), 'invpro-launcher-'));
const started: ChildProcess[] = [];

/** PIDs of postgres servers whose data directory is ours. */
function postgresOf(dir: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', `postgres -D ${dir}`], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

async function start(port: number) {
  const child = spawn(process.execPath, [CLI, 'start', '--no-web'], {
    env: { ...process.env, DATA_DIR: dataDir, API_PORT: String(port), DATABASE_URL: '', LOG_LEVEL: 'warn' },
    stdio: 'ignore',
    detached: true,
  });
  started.push(child);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/health/`);
      if (res.ok) return child;
    } catch {}
    if (child.exitCode !== null) throw new Error(`launcher exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('API did not become healthy');
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('condition not met in time');
}

const exited = (child: ChildProcess) =>
  new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));

afterAll(async () => {
  const kill = (pid: number) => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  for (const child of started) kill(-child.pid!);
  for (const pid of postgresOf(dataDir)) kill(pid);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('invpro start (the launcher behind npm start)', () => {
  it('starts the embedded database, migrates, serves, reuses data, stops cleanly and survives kill -9', async () => {
    const port = await freePort();
    const account = { email: 'launch@example.com', username: 'launcher', password: 'violet-harbour-tractor-91' };

    const first = await start(port);
    expect(existsSync(path.join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
    const reg = await fetch(`http://127.0.0.1:${port}/api/auth/register/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(account),
    });
    expect(reg.status).toBe(201);

    // SIGTERM stops every child and the database: no orphan postgres.
    process.kill(first.pid!, 'SIGTERM');
    await exited(first);
    await new Promise((r) => setTimeout(r, 500));
    expect(postgresOf(dataDir)).toEqual([]);

    // A second start reuses the data.
    const second = await start(port);
    const login = await fetch(`http://127.0.0.1:${port}/api/auth/login/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: account.username, password: account.password }),
    });
    expect(login.status).toBe(200);

    // kill -9 of the launcher: api and worker notice and exit; PostgreSQL keeps running…
    process.kill(second.pid!, 'SIGKILL');
    await exited(second);
    await waitFor(
      async () =>
        !(await fetch(`http://127.0.0.1:${port}/api/health/`).then(
          () => true,
          () => false,
        )),
    );
    expect(postgresOf(dataDir).length).toBeGreaterThan(0);
    // …and the next start stops that leftover server and recovers.
    const third = await start(port);
    // kill -9 of everything (database included) leaves a stale postmaster.pid; the next start recovers too.
    process.kill(-third.pid!, 'SIGKILL');
    await exited(third);
    await waitFor(async () => postgresOf(dataDir).length === 0);
    expect(existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).toBe(true);
    const fourth = await start(port);
    const health = await fetch(`http://127.0.0.1:${port}/api/health/`);
    expect(await health.json()).toEqual({ status: 'ok' });
    process.kill(fourth.pid!, 'SIGINT');
    await exited(fourth);
    await new Promise((r) => setTimeout(r, 500));
    expect(postgresOf(dataDir)).toEqual([]);
  }, 180_000);
});
