import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES, startBoss } from '../../jobs/boss.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { shopifyContext } from './connections.service.ts';
import { registerTokenRefreshJob } from './token-refresh.job.ts';

let t: TestApp;
let boss: PgBoss;
beforeAll(async () => {
  t = await createTestApp();
  boss = await startBoss(t.database.url);
  await registerTokenRefreshJob(boss, shopifyContext(t.database.db, t.config));
});
afterAll(async () => {
  await boss?.stop({ graceful: false, timeout: 5000 });
  await t.close();
});

describe('the token-refresh job', () => {
  it('is scheduled every five minutes and runs in the worker', async () => {
    const [schedule] = await boss.getSchedules(QUEUES.shopifyTokenRefresh.name);
    expect(schedule?.cron).toBe('*/5 * * * *');
    const id = await boss.send(QUEUES.shopifyTokenRefresh.name, {});
    const deadline = Date.now() + 20_000;
    let job = await boss.getJobById(QUEUES.shopifyTokenRefresh.name, id!);
    while (job?.state !== 'completed' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      job = await boss.getJobById(QUEUES.shopifyTokenRefresh.name, id!);
    }
    expect(job?.state).toBe('completed');
    expect(job?.output).toEqual({ checked: 0, refreshed: 0, failed: 0 });
  });
});
