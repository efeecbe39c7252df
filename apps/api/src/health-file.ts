import { writeFile } from 'node:fs/promises';
import { sql } from 'drizzle-orm';
import type { Database } from './db/client.ts';

/** What a process writes to INVPRO_HEALTH_FILE, and `invpro healthcheck` reads. */
export interface HealthBeat {
  role: string;
  pid: number;
  at: number;
}

export const HEALTH_BEAT_MS = 10_000;
/** Three missed beats: a busy event loop may delay one, not three. */
export const HEALTH_STALE_MS = 3 * HEALTH_BEAT_MS;

/**
 * A container's health check cannot ask the worker anything (it serves no HTTP), so each
 * process proves itself: every few seconds, once the database has answered, it records the time.
 * A stuck event loop or a database it can no longer reach stops the beats.
 */
export function startHealthBeats(file: string, role: string, db: Database): () => void {
  const beat = async () => {
    try {
      await db.execute(sql`select 1`);
      const record: HealthBeat = { role, pid: process.pid, at: Date.now() };
      await writeFile(file, JSON.stringify(record));
    } catch {
      // No beat: the health check turns unhealthy after HEALTH_STALE_MS and says why it thinks so.
    }
  };
  void beat();
  const timer = setInterval(() => void beat(), HEALTH_BEAT_MS);
  timer.unref();
  return () => clearInterval(timer);
}
