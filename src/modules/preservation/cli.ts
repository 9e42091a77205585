/**
 * `lantai export bag`: an archivist exports a record, a volume (案卷), a hand-over
 * (移交批次) or a fonds (全宗) as a BagIt bag on this machine — a folder by default
 * (every file fsync'd, every digest verified on the way against the ones kept at
 * accession), or one zip or tar file. Signs the archivist in like the admin
 * commands (--as and the password on standard input in scripts); what goes in is
 * what that archivist may see with content, as on the web, and the export is
 * audited under their name (bag-export.ts). A refusal for the wrong role is audited too.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import { withCredentialOptions } from '../../platform/cli/credentials.js';
import type { Output } from '../../platform/cli/output.js';
import type { Db } from '../../platform/db/database.js';
import type { BlobStore } from '../../platform/storage/blob-store.js';
import type { Auth } from '../accounts/auth.js';
import type { RoleCommand } from '../accounts/cli.js';
import type { Actor, AuditSink } from '../accounts/service.js';
import type { CatalogService } from '../catalog/service.js';
import { createTransferProgress, formatBytes } from '../transfer/cli-progress.js';
import type { BagProgress, BagTotals } from './bag.js';
import { BAG_EXPORT_ACTION, BAG_FORMATS, createBagExport, type BagExportDeps, type BagFormat, type BagSubject } from './bag-export.js';
import { emptyOutFolder, folderBag } from './bag-folder.js';
import { tarBag, zipBag } from './bag-sinks.js';
import { preservationErrors } from './errors.js';
import type { PreservationService } from './service.js';

interface BagCliApp {
  database: { db: Db };
  stores: { primary: Pick<BlobStore, 'get'> };
  services: { audit: AuditSink; auth: Pick<Auth, 'commandViewer'>; catalog: CatalogService; preservation: PreservationService; transfers: BagExportDeps['transfers'] };
}

export interface PreservationCliContext {
  output(): Output;
  withSignedIn<T>(command: RoleCommand, fn: (app: BagCliApp, actor: Actor) => Promise<T>): Promise<T>;
}

interface BagOptions {
  record?: string;
  volume?: string;
  transfer?: string;
  fonds?: string;
  out: string;
  format: string;
  as?: string;
  totp?: string;
}

function subjectOf(opts: BagOptions): BagSubject {
  const given = (['record', 'volume', 'transfer', 'fonds'] as const).flatMap((type) => (opts[type] ? [{ type, id: opts[type] }] : []));
  if (given.length !== 1 || !given[0]) throw preservationErrors.PRESERVATION_BAG_SUBJECT();
  return given[0];
}

function formatOf(format: string): BagFormat {
  if (!(BAG_FORMATS as readonly string[]).includes(format)) throw preservationErrors.PRESERVATION_BAG_FORMAT({ format });
  return format as BagFormat;
}

/** Refuses, before anyone signs in, a --out that exists and is not an empty folder. */
async function refuseUsedOut(dir: string): Promise<void> {
  const names = await fs.readdir(dir).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? [] : null));
  if (names === null || names.length > 0) throw preservationErrors.PRESERVATION_BAG_OUT_NOT_EMPTY({ dir: path.resolve(dir) });
}

/** A streamed bag into a new file, fsync'd; removed again when the bag fails. */
async function saveStream(stream: Readable, file: string): Promise<void> {
  const handle = await fs.open(file, 'wx');
  try {
    for await (const chunk of stream) {
      const bytes = chunk as Buffer;
      for (let offset = 0; offset < bytes.length; ) offset += (await handle.write(bytes, offset)).bytesWritten;
    }
    await handle.sync();
  } catch (err) {
    await handle.close();
    await fs.rm(file, { force: true });
    throw err;
  }
  await handle.close();
}

export function registerPreservationCli(program: Command, context: PreservationCliContext): void {
  const exportCommand = program.command('export').description('导出（档案馆业务人员）/ exports (archivists)');
  withCredentialOptions(
    exportCommand
      .command('bag')
      .description('把档案、案卷、移交批次或全宗导出为 BagIt 包（RFC 8493；SHA-256 与 SM3 清单、DA/T 46 著录、PREMIS），只含您可查看内容的档案 / export a record, volume, hand-over or fonds as a BagIt bag, with the records whose content you may see')
      .option('--record <id|档号>', '一件档案 / one record')
      .option('--volume <id|档号>', '一个案卷 / one volume')
      .option('--transfer <id>', '一个移交批次接收入库的档案 / the records accepted from one hand-over')
      .option('--fonds <id|全宗号>', '一个全宗 / one fonds')
      .requiredOption('--out <dir>', '输出目录（须为新目录或空目录）/ output folder (new or empty)')
      .option('--format <format>', '目录 folder（默认）、zip 或 tar / folder (default), zip or tar', 'folder'),
  ).action(async (opts: BagOptions) => {
    const out = context.output();
    const subject = subjectOf(opts);
    const format = formatOf(opts.format);
    await refuseUsedOut(opts.out);
    const version = program.version() ?? '0.0.0';
    const done = await context.withSignedIn({ role: 'archivist', action: BAG_EXPORT_ACTION, label: '导出 BagIt 包 / export a BagIt bag', as: opts.as, totp: opts.totp }, async (app, actor) => {
      const { audit, auth, catalog, preservation, transfers } = app.services;
      const bags = createBagExport({ db: app.database.db, audit, catalog, preservation, transfers, files: app.stores.primary, version });
      const plan = await bags.plan(actor, await auth.commandViewer(actor), subject, format);
      const dir = await emptyOutFolder(opts.out);
      const bar = createTransferProgress(!out.json);
      bar.phase(`导出 / exporting ${plan.root}`, plan.bytes);
      const progress: BagProgress = {
        payload(name, size, doneBytes, total) {
          bar.overall(total);
          bar.file(name, size, doneBytes);
        },
      };
      try {
        if (format === 'folder') return { ...(await bags.write(plan, folderBag(dir), progress)), out: dir, subject: plan.target, format };
        const file = path.join(dir, `${plan.root}.${format}`);
        const { stream, sink } = format === 'zip' ? zipBag(plan.root) : tarBag(plan.root);
        const [written, saved] = await Promise.allSettled([bags.write(plan, sink, progress), saveStream(stream, file)]);
        // Saving fails first when the disk does; the writer then only hears that its reader went away.
        if (saved.status === 'rejected') throw saved.reason;
        if (written.status === 'rejected') throw written.reason;
        return { ...(written.value satisfies BagTotals), out: file, subject: plan.target, format };
      } finally {
        bar.stop();
      }
    });
    out.result(done, () =>
      out.say(`已导出 ${done.records} 件档案、${done.files} 个文件（${formatBytes(done.bytes)}）：${done.out}`, `exported ${done.records} records, ${done.files} files (${formatBytes(done.bytes)}) to ${done.out}`),
    );
  });
}
