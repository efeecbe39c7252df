import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../db/embedded.ts';
import { DEMO_STORE } from './demo.ts';
import { errorLines, killQuietly, postgresOf, startLauncher, waitFor } from './launcher-harness.ts';

const dataDir = mkdtempSync(path.join(tmpdir(), 'invpro-demo-'));
chmodSync(dataDir, 0o755); // the test's own folder, opened for the postgres user
const started: ChildProcess[] = [];

afterAll(async () => {
  for (const child of started) killQuietly(-child.pid!);
  for (const pid of postgresOf(path.join(dataDir, 'postgres'))) killQuietly(pid);
  rmSync(dataDir, { recursive: true, force: true });
});

const answers = (url: string) =>
  fetch(url).then(
    () => true,
    () => false,
  );

describe('invpro demo (npm run demo)', () => {
  it('serves a synced 2,000-product store, prints a login that works, delivers its edits, stops cleanly, and runs again', async () => {
    const apiPort = await freePort();
    const api = `http://127.0.0.1:${apiPort}`;
    // The web app's build and server add nothing the launcher's own tests do not cover.
    const env = { DATA_DIR: dataDir, API_PORT: String(apiPort), WEB_PORT: String(await freePort()) };
    const demo = await startLauncher(env, started, ['demo', '--no-web']);
    const login = /Log in\s+username (\S+)\s+password (\S+)/;
    await waitFor(() => login.test(demo.output()), 90_000, 'the demo login printed');
    const [, username, password] = login.exec(demo.output())!;
    const simOrigin = /Simulator\s+(http:\/\/\S+)\/_sim/.exec(demo.output())![1]!;

    // The printed login works, through the same API the web app calls.
    const session = await fetch(`${api}/api/auth/login/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    expect(session.status).toBe(200);
    let { access } = (await session.json()) as { access: string };
    const get = async (route: string) => {
      const res = await fetch(`${api}${route}`, { headers: { authorization: `Bearer ${access}` } });
      expect(res.status).toBe(200);
      return (await res.json()) as { count: number; results: Array<{ title: string }> };
    };
    expect((await get('/api/shopify/products/?page_size=1')).count).toBe(DEMO_STORE.products);

    // The demo's first change is a product edit: it arrives as a webhook and is in the copy.
    const renamed = /renamed product \d+ to "(.+)"/;
    await waitFor(() => renamed.test(demo.output()), 30_000, 'the first edit of the store');
    const title = renamed.exec(demo.output())![1]!;
    await waitFor(
      async () =>
        (await get(`/api/shopify/products/?search=${encodeURIComponent(title)}`)).results.some(
          (p) => p.title === title,
        ),
      20_000,
      `"${title}" in the copy`,
    );

    // Ctrl-C reaches the whole foreground process group: everything stops, status 0, ports free.
    killQuietly(-demo.child.pid!, 'SIGINT');
    expect(await demo.exited).toEqual({ code: 0, signal: null });
    expect(demo.output()).toMatch(/database stopped[\s\S]*simulator stopped/);
    expect(postgresOf(path.join(dataDir, 'postgres'))).toEqual([]);
    expect(await answers(`${api}/api/health/`)).toBe(false);
    expect(await answers(`${simOrigin}/_sim`)).toBe(false);
    expect(errorLines(demo.output())).toEqual([]);

    // A second run logs in to the same account and starts the store over, like the new simulator.
    const again = await startLauncher(env, started, ['demo', '--no-web']);
    await waitFor(() => login.test(again.output()), 90_000, 'the demo login printed again');
    expect(again.output()).toMatch(/logged in as "demo" \(kept from an earlier run\)/);
    expect(again.output()).toMatch(/removed the last run's copy/);
    const relogin = await fetch(`${api}/api/auth/login/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    ({ access } = (await relogin.json()) as { access: string });
    expect((await get('/api/shopify/products/?page_size=1')).count).toBe(DEMO_STORE.products);
    expect(
      (await get(`/api/shopify/products/?search=${encodeURIComponent(title)}`)).results.map((p) => p.title),
    ).not.toContain(title);
    killQuietly(-again.child.pid!, 'SIGINT');
    expect(await again.exited).toEqual({ code: 0, signal: null });
    expect(errorLines(again.output())).toEqual([]);
  }, 200_000);
});
