import type { PgBoss } from 'pg-boss';
import type { Config } from '../config.ts';
import { QUEUES } from '../jobs/boss.ts';
import { runBackup } from './backup.ts';

/**
 * Scheduled backups when BACKUP_SCHEDULE is set; off by default. Containers run `invpro backup`
 * from a service of their own instead, which has the client tools and the backup volume.
 */
export async function registerBackupJob(boss: PgBoss, config: Config) {
  const queue = QUEUES.backupsRun.name;
  if (!config.backup.schedule || !config.databaseUrl) {
    // pg-boss keeps schedules in the database: unsetting the variable must stop them too.
    await boss.unschedule(queue);
    return;
  }
  const databaseUrl = config.databaseUrl;
  await boss.work(queue, async () => {
    const result = await runBackup({
      databaseUrl,
      dir: config.backup.dir,
      keep: config.backup.keep,
      pgBinDir: config.backup.pgBinDir,
    });
    return { file: result.file, bytes: result.bytes, ms: result.ms, deleted: result.deleted.length };
  });
  await boss.schedule(queue, config.backup.schedule, undefined, { tz: 'UTC' });
}
