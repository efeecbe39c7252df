import { BackupError, describeDatabase, runBackup, runRestore } from '../backups/backup.ts';
import { loadConfig } from '../config.ts';
import { stopOnSignals } from '../db/embedded.ts';
import { resolveDatabase, say } from './launcher.ts';

// `invpro backup [--dir DIR] [--keep N]` and `invpro restore FILE [--into URL] [--force]`.

function usage(message: string): never {
  throw new BackupError(
    `${message}\nUsage: invpro backup [--dir DIR] [--keep N]\n       invpro restore FILE [--into URL] [--force]`,
    2,
  );
}

/** `--name value` or `--name=value`; the rest are positional. */
function parseArgs(args: string[], valued: string[], flags: string[]) {
  const options: Record<string, string | true> = {};
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (flags.includes(name)) options[name] = true;
    else if (valued.includes(name)) {
      const value = inline ?? args[++i];
      if (value === undefined || value === '') usage(`--${name} needs a value.`);
      options[name] = value;
    } else usage(`Unknown option --${name}.`);
  }
  return { options, positional };
}

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 2 : 1)} MB`;

/** Exits 2 for a refused command (usage, a non-empty target), 1 for a failure. */
async function reportingFailures(step: () => Promise<void>) {
  try {
    await step();
  } catch (err) {
    if (!(err instanceof BackupError)) throw err;
    console.error(`[invpro] ${err.message}`);
    process.exitCode = err.exitCode;
  }
}

export async function commandBackup(args: string[]) {
  await reportingFailures(async () => {
    const { options, positional } = parseArgs(args, ['dir', 'keep'], []);
    if (positional.length) usage(`Unexpected argument "${positional[0]}".`);
    const config = loadConfig();
    const keep = options.keep === undefined ? config.backup.keep : Number(options.keep);
    if (!Number.isInteger(keep) || keep < 1) usage('--keep must be a whole number of backups, 1 or more.');
    const dir = typeof options.dir === 'string' ? options.dir : config.backup.dir;
    const { url, embedded } = await resolveDatabase();
    if (embedded) stopOnSignals(embedded);
    try {
      say(`backing up ${describeDatabase(url)}…`);
      const result = await runBackup({ databaseUrl: url, dir, keep, pgBinDir: config.backup.pgBinDir });
      say(`backup written: ${result.file} (${megabytes(result.bytes)}) in ${(result.ms / 1000).toFixed(1)} s`);
      for (const file of result.deleted) say(`retention (keep ${keep}): deleted ${file}`);
    } finally {
      await embedded?.stop();
    }
  });
}

export async function commandRestore(args: string[]) {
  await reportingFailures(async () => {
    const { options, positional } = parseArgs(args, ['into'], ['force']);
    if (positional.length !== 1) usage('restore needs exactly one backup file.');
    const config = loadConfig();
    const into = typeof options.into === 'string' ? options.into : undefined;
    if (into && !/^postgres(ql)?:\/\//.test(into)) usage('--into must be a postgres:// URL.');
    const { url, embedded } = into ? { url: into, embedded: undefined } : await resolveDatabase();
    if (embedded) stopOnSignals(embedded);
    try {
      say(`restoring ${positional[0]} into ${describeDatabase(url)}…`);
      const result = await runRestore({
        file: positional[0]!,
        targetUrl: url,
        force: options.force === true,
        pgBinDir: config.backup.pgBinDir,
      });
      say(`restored and migrated in ${(result.ms / 1000).toFixed(1)} s`);
    } finally {
      await embedded?.stop();
    }
  });
}
