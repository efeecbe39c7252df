import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ENCRYPTION_KEY, TEST_SECRET_KEY } from '../test/config.ts';
import { createTestDatabase, type TestDatabase } from '../test/database.ts';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../main.ts');

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

describe('the worker process', () => {
  it('serves its metrics on WORKER_METRICS_PORT (loopback in DEBUG) and stops cleanly', async () => {
    const port = 30_000 + (process.pid % 20_000);
    const worker = spawn(process.execPath, [MAIN, 'worker'], {
      env: {
        ...process.env,
        DEBUG: 'true',
        DATABASE_URL: database.url,
        SECRET_KEY: TEST_SECRET_KEY,
        ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
        WORKER_METRICS_PORT: String(port),
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    worker.stdout.on('data', (c) => {
      output += c;
    });
    worker.stderr.on('data', (c) => {
      output += c;
    });
    const exited = new Promise<number | null>((resolve) => worker.on('exit', resolve));
    try {
      const deadline = Date.now() + 30_000;
      while (!output.includes('worker ready')) {
        if (Date.now() > deadline || worker.exitCode !== null) throw new Error(`worker did not start:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      const text = await res.text();
      for (const name of [
        'invpro_sync_run_duration_seconds',
        'invpro_shopify_points_used_total',
        'invpro_shopify_throttle_wait_seconds_total',
        'invpro_webhook_lag_seconds',
        'invpro_job_failures_total',
        'invpro_db_pool_connections',
        'process_cpu_seconds_total',
      ])
        expect(text).toContain(`# TYPE ${name} `);
      expect(text).toMatch(/invpro_db_pool_connections\{state="total",role="worker"\} \d+/);
    } finally {
      worker.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
