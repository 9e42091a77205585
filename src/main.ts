/**
 * The `lantai` command line: parses arguments and calls into the app. Nothing else.
 *
 * Modules add their commands (DESIGN.md "CLI") by exporting `registerCli(program,
 * context)` from `src/modules/<name>/cli.ts` and being listed in MODULE_CLIS below.
 */
import { Command, Option } from 'commander';
import { buildApp, createLogger, migrate, VERSION, type App } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { openDatabase } from './platform/db/database.js';
import { assertInstallation, installationMode, markInstallation } from './platform/db/installation.js';
import { LantaiError } from './platform/http/errors.js';
import { createOutput, type Output } from './platform/cli/output.js';
import { seedDemoAccounts, setupInstallation } from './modules/accounts/setup.js';
import { registerAccountsCli, signInAtTerminal, type RoleCommand } from './modules/accounts/cli.js';
import type { Actor } from './modules/accounts/service.js';
import { registerAuditCli } from './modules/audit/cli.js';
import { seedDemoCatalog } from './modules/catalog/demo.js';
import { registerAvCli } from './modules/transfer/av-cli.js';
import { registerTransferCli } from './modules/transfer/cli.js';
import { registerPreservationCli } from './modules/preservation/cli.js';
import { registerMediaCli } from './modules/preservation/media-cli.js';
import { registerFixityCli } from './modules/preservation/fixity-cli.js';
import { registerBackupCli } from './modules/preservation/backup-cli.js';
import { registerSearchCli } from './modules/search/cli.js';
import type { Tx } from './platform/db/database.js';

export interface CliContext {
  config(overrides?: Record<string, string>): Readonly<Config>;
  output(): Output;
  /** Builds the app for a one-shot command and closes it afterwards. */
  withApp<T>(fn: (app: App) => Promise<T>, overrides?: Record<string, string>): Promise<T>;
  /** Like withApp, for a command that acts for an admin role: asks for that role's credentials and runs as the signed-in admin. */
  withSignedIn<T>(command: RoleCommand, fn: (app: App, actor: Actor) => Promise<T>): Promise<T>;
}

/** Commands contributed by modules (user, audit-log; transfer, preservation… add theirs here). */
const MODULE_CLIS: Array<(program: Command, context: CliContext) => void> = [registerAccountsCli, registerAuditCli, registerTransferCli, registerAvCli, registerPreservationCli, registerFixityCli, registerMediaCli, registerBackupCli, registerSearchCli];

/** The demo fonds, described and arranged by the demo archivist. */
async function seedDemoCatalogAs(tx: Tx, app: App): Promise<void> {
  const archivist = await tx.selectFrom('users').select(['id', 'organisation_id']).where('username', '=', 'archivist').executeTakeFirstOrThrow();
  const agency = await tx.selectFrom('organisations').select(['id', 'name']).where('code', '=', 'J001').executeTakeFirstOrThrow();
  const actor = { userId: archivist.id, username: 'archivist', roles: ['archivist'] as const, organisationId: archivist.organisation_id, address: null };
  const viewer = { userId: archivist.id, roles: ['archivist'] as const, clearance: '非密' as const, organisationId: archivist.organisation_id, zone: app.config.zone, grants: [] };
  await seedDemoCatalog(tx, { catalog: app.services.catalog, codes: app.services.archivalCodes }, { actor, viewer }, agency);
}

/** Marks an empty database as the demo's and gives it one account per role and a fonds. */
async function claimDemo(app: App): Promise<void> {
  await app.database.db.transaction().execute(async (tx) => {
    await markInstallation(tx, 'demo');
    await seedDemoAccounts(tx, app.services.accounts);
    await seedDemoCatalogAs(tx, app);
  });
}

function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

export function createProgram(): Command {
  const program = new Command();
  program
    .name('lantai')
    .description('兰台数字档案馆系统 / Lantai digital archive system')
    .version(VERSION)
    .option('--json', '以 JSON 输出结果 / print results as JSON for scripts', false)
    .showHelpAfterError();

  const context: CliContext = {
    config: (overrides = {}) => loadConfig({ ...process.env, ...overrides }),
    output: () => createOutput(Boolean(program.opts<{ json: boolean }>().json)),
    async withApp(fn, overrides) {
      const app = await buildApp(context.config(overrides), { log: createLogger({ logLevel: 'warn' }) });
      try {
        return await fn(app);
      } finally {
        await app.close();
      }
    },
    withSignedIn: (command, fn) => context.withApp(async (app) => fn(app, await signInAtTerminal(app, command))),
  };

  program
    .command('serve')
    .description('启动 Web 服务（并在本进程运行作业）/ start the web server (and run jobs in-process)')
    .addOption(new Option('--demo', '演示环境：演示数据与演示账号 / demo data and accounts').default(false))
    .option('--port <port>', '端口（覆盖 LANTAI_PORT）/ port, overrides LANTAI_PORT')
    .action(async (opts: { demo: boolean; port?: string }) => {
      const overrides: Record<string, string> = {};
      if (opts.demo) overrides.LANTAI_DEMO = '1';
      if (opts.port) overrides.LANTAI_PORT = opts.port;
      const config = context.config(overrides);
      const app = await buildApp(config);
      try {
        const outcome = await assertInstallation(app.database.db, config.demo ? 'demo' : 'production');
        if (outcome === 'claimed') await claimDemo(app);
        if (config.inProcessWorkers) app.startWorkers();
        const address = await app.http.listen({ port: config.port, host: config.host });
        const port = new URL(address).port;
        const url = config.port === 0 ? `http://localhost:${port}/` : new URL('/', config.baseUrl).toString();
        const demoNote = config.demo ? '（演示环境 demo）' : '';
        process.stdout.write(`兰台已启动${demoNote}，请在浏览器打开 / Lantai is running: ${url}\n`);
        process.stdout.write(`工作台 / workbench: ${new URL('admin', url).toString()}  接口文档 / API docs: ${new URL('api/docs', url).toString()}\n`);
        const signal = await waitForSignal();
        app.log.info({ signal }, 'shutting down');
      } finally {
        await app.close();
      }
    });

  program
    .command('worker')
    .description('只运行作业（可在多台节点上运行）/ run jobs only (any number of nodes)')
    .option('--types <types>', '只运行这些作业类型，逗号分隔 / only these job types')
    .action(async (opts: { types?: string }) => {
      const app = await buildApp(context.config());
      try {
        app.startWorkers({ types: opts.types?.split(',').map((t) => t.trim()).filter(Boolean) });
        process.stdout.write(`兰台作业进程已启动 / Lantai worker started (${app.database.describe})\n`);
        await waitForSignal();
      } finally {
        await app.close();
      }
    });

  program
    .command('migrate')
    .description('把数据库结构升级到最新 / bring the database schema up to date')
    .action(async () => {
      const out = context.output();
      const config = context.config();
      const database = await openDatabase(config.database);
      try {
        const report = await migrate(database, config);
        out.result(report, () =>
          out.say(
            report.applied.length ? `已执行 ${report.applied.length} 个迁移：${report.applied.join('、')}` : '数据库已是最新',
            report.applied.length ? `applied ${report.applied.length} migrations` : 'database already up to date',
          ),
        );
      } finally {
        await database.close();
      }
    });

  program
    .command('setup')
    .description('初始化正式部署：创建档案馆和三员账号 / set up a real installation: the archive and the three admin accounts')
    .option('--archive-name <name>', '档案馆名称 / name of the archive', '档案馆')
    .option('--system-admin <username>', '系统管理员用户名 / system admin username', 'sysadmin')
    .option('--security-admin <username>', '安全保密管理员用户名 / security admin username', 'secadmin')
    .option('--auditor <username>', '安全审计员用户名 / auditor username', 'auditor')
    .action(async (opts: { archiveName: string; systemAdmin: string; securityAdmin: string; auditor: string }) => {
      const out = context.output();
      await context.withApp(async (app) => {
        const mode = await installationMode(app.database.db);
        if (mode === 'demo') await assertInstallation(app.database.db, 'production');
        if (mode === 'production') {
          out.say('已经初始化过，未做任何改动。', 'already set up; nothing changed.');
          return;
        }
        const created = await app.database.db.transaction().execute(async (tx) => {
          await markInstallation(tx, 'production');
          return setupInstallation(tx, app.services.accounts, { archiveName: opts.archiveName, admins: { systemAdmin: opts.systemAdmin, securityAdmin: opts.securityAdmin, auditor: opts.auditor } });
        });
        // The one-time passwords go to the terminal only, never to a log.
        out.result({ mode: 'production', database: app.database.describe, accounts: created }, () => {
          out.say(`正式部署已初始化：${app.database.describe}`, `installation set up: ${app.database.describe}`);
          out.say('三员账号的一次性密码如下，首次登录须修改密码并绑定动态口令：', 'one-time passwords of the three admins; change them and enrol TOTP at first sign-in:');
          for (const c of created) process.stdout.write(`  ${c.role}\t${c.username}\t${c.password}\n`);
        });
      });
    });

  program
    .command('demo')
    .description('准备演示环境数据库 / prepare the demo database')
    .action(async () => {
      const out = context.output();
      await context.withApp(async (app) => {
        const outcome = await assertInstallation(app.database.db, 'demo');
        if (outcome === 'claimed') await claimDemo(app);
        out.result({ mode: 'demo', database: app.database.describe }, () =>
          out.say(`演示环境已就绪：${app.database.describe}`, `demo installation ready: ${app.database.describe}`),
        );
      }, { LANTAI_DEMO: '1' });
    });

  for (const register of MODULE_CLIS) register(program, context);
  return program;
}

/** Prints an expected failure as one clear message (no stack trace) and sets the exit code. */
export function reportFailure(err: unknown, stream: NodeJS.WriteStream = process.stderr): number {
  if (err instanceof ConfigError) {
    stream.write(`${err.message}\n`);
    return 78;
  }
  if (err instanceof LantaiError) {
    stream.write(`错误 ${err.code}：${err.zh}\nError ${err.code}: ${err.en}\n`);
    return 1;
  }
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'EADDRINUSE') {
    stream.write(`端口已被占用，请用 LANTAI_PORT 换一个端口。\nThe port is already in use; choose another with LANTAI_PORT.\n(${e.message})\n`);
    return 1;
  }
  stream.write(`${e?.stack ?? String(err)}\n`);
  return 1;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await createProgram().parseAsync(argv);
  } catch (err) {
    process.exitCode = reportFailure(err);
  }
}
