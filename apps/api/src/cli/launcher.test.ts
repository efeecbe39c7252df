import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../db/embedded.ts';
import { errorLines, killQuietly, postgresOf, startLauncher, waitFor } from './launcher-harness.ts';

const dataDir = mkdtempSync(path.join(tmpdir(), 'invpro-launcher-'));
// The test's own folder, opened so the postgres user can reach it (the private case has its own test).
chmodSync(dataDir, 0o755);
const clusterDir = path.join(dataDir, 'postgres');
const started: ChildProcess[] = [];
const privateHome = mkdtempSync(path.join(tmpdir(), 'invpro-private-')); // mode 0700, like /root
const movedClusters: string[] = [];

afterAll(async () => {
  for (const child of started) killQuietly(-child.pid!);
  for (const dir of [clusterDir, ...movedClusters]) for (const pid of postgresOf(dir)) killQuietly(pid);
  for (const dir of [dataDir, privateHome, ...movedClusters]) rmSync(dir, { recursive: true, force: true });
});

const apiAnswers = (port: number) =>
  fetch(`http://127.0.0.1:${port}/api/health/`).then(
    () => true,
    () => false,
  );

describe('invpro start (the launcher behind npm start)', () => {
  it('starts the embedded database, migrates, serves, reuses data, stops cleanly and survives kill -9', async () => {
    const port = await freePort();
    const env = { DATA_DIR: dataDir, API_PORT: String(port) };
    const account = { email: 'launch@example.com', username: 'launcher', password: 'violet-harbour-tractor-91' };

    const first = await startLauncher(env, started);
    expect(existsSync(path.join(clusterDir, 'PG_VERSION'))).toBe(true);
    const reg = await fetch(`http://127.0.0.1:${port}/api/auth/register/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(account),
    });
    expect(reg.status).toBe(201);

    // SIGTERM stops every child and then the database: exit 0, no orphan postgres, no error logged.
    process.kill(first.child.pid!, 'SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(postgresOf(clusterDir)).toEqual([]);
    expect(errorLines(first.output())).toEqual([]);
    expect(first.output()).toMatch(/database stopped/);

    // A second start reuses the data.
    const second = await startLauncher(env, started);
    const login = await fetch(`http://127.0.0.1:${port}/api/auth/login/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: account.username, password: account.password }),
    });
    expect(login.status).toBe(200);

    // PostgreSQL dies under us: the launcher notices, stops the rest and exits non-zero.
    const [postmaster] = postgresOf(clusterDir);
    killQuietly(postmaster!, 'SIGKILL');
    const afterDeath = await second.exited;
    expect(afterDeath.code).not.toBe(0);
    expect(second.output()).toMatch(/PostgreSQL stopped unexpectedly/);
    await waitFor(async () => !(await apiAnswers(port)), 15_000, 'API gone after the database died');

    // kill -9 of the launcher: api and worker notice and exit; PostgreSQL (its own process group) keeps running…
    const third = await startLauncher(env, started);
    process.kill(third.child.pid!, 'SIGKILL');
    await third.exited;
    await waitFor(async () => !(await apiAnswers(port)), 15_000, 'API gone after kill -9 of the launcher');
    expect(postgresOf(clusterDir).length).toBeGreaterThan(0);
    // …and the next start stops that leftover server and recovers.
    const fourth = await startLauncher(env, started);
    // kill -9 of everything (database included) leaves a stale postmaster.pid; the next start recovers too.
    killQuietly(-fourth.child.pid!);
    for (const pid of postgresOf(clusterDir)) killQuietly(pid);
    await fourth.exited;
    await waitFor(() => postgresOf(clusterDir).length === 0, 15_000, 'postgres gone');
    expect(existsSync(path.join(clusterDir, 'postmaster.pid'))).toBe(true);
    const fifth = await startLauncher(env, started);
    const health = await fetch(`http://127.0.0.1:${port}/api/health/`);
    expect(await health.json()).toEqual({ status: 'ok' });
    // Ctrl-C in a terminal reaches the whole foreground process group, but not the database.
    killQuietly(-fifth.child.pid!, 'SIGINT');
    expect(await fifth.exited).toEqual({ code: 0, signal: null });
    expect(postgresOf(clusterDir)).toEqual([]);
    expect(errorLines(fifth.output())).toEqual([]);
  }, 240_000);
});

describe.skipIf(process.getuid?.() !== 0)('invpro start as root in a folder only root may enter', () => {
  it('keeps the database where the postgres user can reach it, says where, and changes no folder mode', async () => {
    const port = await freePort();
    const privateData = path.join(privateHome, '.data');
    const launcher = await startLauncher({ DATA_DIR: privateData, API_PORT: String(port) }, started);
    const moved = readFileSync(path.join(privateData, 'postgres-location'), 'utf8').trim();
    movedClusters.push(moved);
    expect(launcher.output()).toContain(`the database lives in ${moved}`);
    expect(existsSync(path.join(moved, 'PG_VERSION'))).toBe(true);
    const reg = await fetch(`http://127.0.0.1:${port}/api/auth/register/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'root@example.com', username: 'rooted', password: 'violet-harbour-tractor-91' }),
    });
    expect(reg.status).toBe(201);
    expect(statSync(privateHome).mode & 0o777).toBe(0o700);
    killQuietly(-launcher.child.pid!, 'SIGINT');
    expect(await launcher.exited).toEqual({ code: 0, signal: null });
    expect(postgresOf(moved)).toEqual([]);
    expect(errorLines(launcher.output())).toEqual([]);
  }, 120_000);
});
