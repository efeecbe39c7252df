import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { packagedBinaries, startEmbeddedPostgres } from './embedded.ts';

// As root, PostgreSQL runs as the `postgres` user, who cannot enter a folder only root may enter
// (a checkout under /root or a `mktemp -d` folder). These tests put the binaries and the data in
// such folders and check that the server still starts, from copies in a root-owned shared folder,
// without any change to the private folders' modes.
const asRoot = process.getuid?.() === 0;
const cleanup: string[] = [];
afterAll(() => {
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
});

function privateFolder(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix)); // mode 0700, like /root
  cleanup.push(dir);
  return dir;
}

function sharedFolder(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'invpro-shared-'));
  chmodSync(dir, 0o755); // ours; stands in for /var/lib/invpro360
  cleanup.push(dir);
  return dir;
}

const mode = (dir: string) => statSync(dir).mode & 0o777;

async function query(url: string, text: string) {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

describe.skipIf(!asRoot)('embedded PostgreSQL as root, from folders only root may enter', () => {
  it('copies the binaries and moves the cluster to the shared folder, and says so', async () => {
    // The checkout's node_modules, inside a private folder.
    const checkout = privateFolder('invpro-checkout-');
    const binaries = path.join(checkout, 'node_modules', 'native');
    cpSync(packagedBinaries(), binaries, { recursive: true, verbatimSymlinks: true });
    const dataDir = path.join(privateFolder('invpro-home-'), '.data');
    const shared = sharedFolder();
    const notices: string[] = [];

    const server = await startEmbeddedPostgres(dataDir, {
      binariesDir: binaries,
      sharedDir: shared,
      ephemeral: true,
      notice: (m) => notices.push(m),
    });
    try {
      expect(await query(server.url, 'select 1 as ok')).toEqual([{ ok: 1 }]);
      expect(notices.join('\n')).toMatch(/cannot reach .*native.*runs from a copy in/);
      expect(notices.join('\n')).toMatch(/cannot reach .*\.data.*database lives in/);
      expect(server.clusterDir.startsWith(path.join(shared, 'clusters'))).toBe(true);
      expect(readFileSync(path.join(dataDir, 'postgres-location'), 'utf8').trim()).toBe(server.clusterDir);
    } finally {
      await server.stop();
    }
    // Nothing we did not create changed mode; the ephemeral cluster went with the server.
    expect(mode(checkout)).toBe(0o700);
    expect(mode(path.dirname(dataDir))).toBe(0o700);
    expect(existsSync(server.clusterDir)).toBe(false);
  }, 120_000);

  it('finds a persistent cluster again in the same place on the next start', async () => {
    const dataDir = path.join(privateFolder('invpro-home-'), '.data');
    const shared = sharedFolder();
    const first = await startEmbeddedPostgres(dataDir, { sharedDir: shared });
    await query(first.url, "create table kept (v text); insert into kept values ('still here')");
    await first.stop();
    const second = await startEmbeddedPostgres(dataDir, { sharedDir: shared });
    try {
      expect(second.clusterDir).toBe(first.clusterDir);
      expect(await query(second.url, 'select v from kept')).toEqual([{ v: 'still here' }]);
    } finally {
      await second.stop();
    }
  }, 120_000);

  it('refuses a shared folder that others could write to', async () => {
    const shared = sharedFolder();
    chmodSync(shared, 0o777);
    const dataDir = path.join(privateFolder('invpro-home-'), '.data');
    await expect(startEmbeddedPostgres(dataDir, { sharedDir: shared, ephemeral: true })).rejects.toThrow(
      /must be owned by root and writable only by it/,
    );
  });
});

describe('embedded PostgreSQL', () => {
  it('notices when the server dies', async () => {
    const dataDir = privateFolder('invpro-death-');
    chmodSync(dataDir, 0o755);
    const server = await startEmbeddedPostgres(dataDir, { ephemeral: true });
    process.kill(server.pid, 'SIGKILL');
    expect(await server.exited).toMatchObject({ signal: 'SIGKILL' });
    await server.stop(); // stopping a dead server is harmless
  }, 60_000);
});
