/**
 * The audit-log commands on a Command of their own, against the database and files
 * the environment configures (through loadConfig, as `lantai` would): lets tests run
 * them as a real process before and independently of main.ts's MODULE_CLIS. Like
 * buildApp, it brings the schema up to date first. Signing in is the accounts
 * module's (tested there, through the real `lantai`): here the auditor named by
 * `--as` (default `aud`) is taken as signed in.
 */
import { Command } from 'commander';
import { loadConfig } from '../../../config.js';
import { reportFailure } from '../../../main.js';
import { createOutput } from '../../../platform/cli/output.js';
import { openDatabase } from '../../../platform/db/database.js';
import { migrateToLatest } from '../../../platform/db/migrations.js';
import { platformMigrations } from '../../../platform/db/migrations/platform.js';
import { createCheckpointSink } from '../checkpoints.js';
import { registerAuditCli } from '../cli.js';
import { auditMigrations } from '../migrations.js';
import { createAuditLog } from '../service.js';

export async function runAuditCli(argv: string[]): Promise<void> {
  const program = new Command().name('lantai').option('--json', 'JSON output', false);
  registerAuditCli(program, {
    output: () => createOutput(Boolean(program.opts<{ json: boolean }>().json)),
    async withSignedIn(command, fn) {
      const config = loadConfig();
      const database = await openDatabase(config.database);
      try {
        await migrateToLatest(database, [...platformMigrations, ...auditMigrations]);
        const audit = createAuditLog({ caps: database.caps, checkpoints: createCheckpointSink({ file: config.auditCheckpointFile, keyFile: config.auditKeyFile }) });
        return await fn({ database, services: { audit } }, { userId: 'u-aud', username: command.as ?? 'aud', organisationId: 'o-archive', roles: [command.role], address: 'cli:test' });
      } finally {
        await database.close();
      }
    },
  });
  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = reportFailure(err);
  }
}
