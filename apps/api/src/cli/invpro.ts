// The `invpro` command: start (the launcher, in launcher.ts), demo, migrate, rotate-keys, backup,
// restore, healthcheck.

import { ConfigError, loadConfig } from '../config.ts';
import { closeDatabase, createDatabase } from '../db/client.ts';
import { stopOnSignals } from '../db/embedded.ts';
import { resealSecrets } from '../modules/shopify/key-rotation.ts';
import { commandBackup, commandRestore } from './backup.ts';
import { commandDemo } from './demo.ts';
import { commandHealthcheck } from './healthcheck.ts';
import { migrate, resolveDatabase, runSystem, say } from './launcher.ts';

async function commandMigrate() {
  const { url, embedded } = await resolveDatabase();
  if (embedded) stopOnSignals(embedded);
  try {
    await migrate(url);
    say('migrations applied');
  } finally {
    await embedded?.stop();
  }
}

/** Re-seal every stored Shopify secret under the first ENCRYPTION_KEY, so older keys can be dropped. */
async function commandRotateKeys() {
  const config = loadConfig();
  const { url, embedded } = await resolveDatabase();
  if (embedded) stopOnSignals(embedded);
  let db: ReturnType<typeof createDatabase> | undefined;
  try {
    await migrate(url);
    db = createDatabase(url, { max: 2 });
    const report = await resealSecrets(db, config.encryptionKeys);
    say(
      `re-sealed ${report.secrets} secret(s) of ${report.connections} connection(s) in ${report.organizations} organization(s) under key "${config.encryptionKeys[0]!.id}"`,
    );
  } finally {
    if (db) await closeDatabase(db);
    await embedded?.stop();
  }
}

const commands: Record<string, (args: string[]) => Promise<void>> = {
  start: (args) => runSystem(args),
  demo: commandDemo,
  migrate: commandMigrate,
  'rotate-keys': commandRotateKeys,
  backup: commandBackup,
  restore: commandRestore,
  healthcheck: commandHealthcheck,
};

const name = process.argv[2] ?? 'start';
const command = commands[name];
if (!command) {
  console.error(`Usage: invpro <${Object.keys(commands).join('|')}>`);
  process.exit(2);
}
command(process.argv.slice(3)).catch((err) => {
  console.error(err instanceof ConfigError ? `Configuration error: ${err.message}` : err);
  process.exit(1);
});
