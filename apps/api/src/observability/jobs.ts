import type { PgBoss } from 'pg-boss';
import { QUEUES } from '../jobs/boss.ts';
import { jobMetrics } from './metrics.ts';
import { reporter } from './sentry.ts';

type AnyHandler = (jobs: { id: string; createdOn?: Date }[]) => Promise<unknown>;

/**
 * Every job handler of the worker, observed in one place rather than in each module: a handler
 * that throws is counted and reported (pg-boss retries it as before), and a webhook event's lag is
 * the age of its job, which the API created in the transaction that recorded the delivery.
 */
export function observeJobs(boss: PgBoss): PgBoss {
  const work = boss.work.bind(boss) as (...args: unknown[]) => Promise<string>;
  const observed = (name: string, handler: AnyHandler): AnyHandler =>
    async function observedHandler(jobs) {
      try {
        const result = await handler(jobs);
        if (name === QUEUES.shopifyWebhook.name) {
          const outcomes = Array.isArray(result) ? (result as unknown[]) : [];
          jobs.forEach((job, i) => {
            if (!job.createdOn) return;
            const outcome = typeof outcomes[i] === 'string' ? (outcomes[i] as string) : 'processed';
            jobMetrics.webhookLag.observe({ outcome }, Math.max(0, (Date.now() - job.createdOn.getTime()) / 1000));
          });
        }
        return result;
      } catch (err) {
        jobMetrics.jobFailures.inc({ queue: name });
        reporter().capture(err, { queue: name, job_id: jobs[0]?.id });
        throw err;
      }
    };
  (boss as { work: unknown }).work = (name: string, ...rest: unknown[]) => {
    const handler = rest.pop() as AnyHandler;
    return work(name, ...rest, observed(name, handler));
  };
  return boss;
}
