/**
 * `lantai media …`: the offline media library (离线介质, 光盘/蓝光) — plan volume
 * sets of the configured capacity, write a volume as a self-describing folder (and
 * an ISO image), keep the register (list, locate) and verify a volume read back.
 * plan, write, locate and verify sign an archivist in like `export bag` (--as and the
 * password on standard input in scripts) and are audited under their name; list
 * only reads the register.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
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
import { preservationErrors } from './errors.js';
import { parseCapacity } from './media-capacity.js';
import { mediaErrors } from './media-errors.js';
import { requireXorriso } from './media-iso.js';
import { createMediaPlanner, MEDIA_PLAN_ACTION, type MediaScope } from './media-plan.js';
import { createMediaRegister, MEDIA_LOCATE_ACTION, type MediaVolume } from './media-register.js';
import { createMediaVerifier, MEDIA_VERIFY_ACTION, type FindingKind, type MediaVerification } from './media-verify.js';
import { createMediaWriter, MEDIA_WRITE_ACTION, type WrittenVolume } from './media-write.js';
import type { PreservationService } from './service.js';

interface MediaCliApp {
  database: { db: Db };
  stores: { primary: Pick<BlobStore, 'get'> };
  services: { audit: AuditSink; auth: Pick<Auth, 'commandViewer'>; catalog: CatalogService; preservation: PreservationService };
}

export interface MediaCliContext {
  config(): { mediaCapacity: string };
  output(): Output;
  withApp<T>(fn: (app: MediaCliApp) => Promise<T>): Promise<T>;
  withSignedIn<T>(command: RoleCommand, fn: (app: MediaCliApp, actor: Actor) => Promise<T>): Promise<T>;
}

type CredentialFlags = { as?: string; totp?: string };

const KIND_LABELS: Record<FindingKind, { zh: string; en: string }> = {
  changed: { zh: '改变', en: 'changed' },
  missing: { zh: '缺失', en: 'missing' },
  extra: { zh: '多出', en: 'extra' },
  unlisted: { zh: '清单不符', en: 'unlisted' },
  tag: { zh: '标签文件', en: 'tag file' },
};

/** `2024` or `2020-2024`. */
function yearsOf(text: string | undefined): Pick<MediaScope, 'yearFrom' | 'yearTo'> {
  if (text === undefined) return {};
  const match = /^(\d{4})(?:-(\d{4}))?$/.exec(text.trim());
  const [from, to] = match ? [Number(match[1]), Number(match[2] ?? match[1])] : [Number.NaN, Number.NaN];
  if (!(from <= to && to - from < 200)) throw mediaErrors.MEDIA_YEARS_INVALID({ from: match?.[1] ?? text, to: match?.[2] ?? match?.[1] ?? text });
  return { yearFrom: from, yearTo: to };
}

/** Refuses, before anyone signs in, an --out that exists and is not an empty folder. */
async function refuseUsedOut(dir: string): Promise<void> {
  const names = await fs.readdir(dir).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? [] : null));
  if (names === null || names.length > 0) throw preservationErrors.PRESERVATION_BAG_OUT_NOT_EMPTY({ dir: path.resolve(dir) });
}

const STATUS_LABELS: Record<MediaVolume['status'], string> = { planned: '已规划', written: '已写出' };

function printVolume(v: MediaVolume): void {
  const written = v.writtenAt ? `${STATUS_LABELS.written} ${v.writtenAt.slice(0, 16).replace('T', ' ')}${v.writtenBy ? ` ${v.writtenBy}` : ''}` : STATUS_LABELS.planned;
  const verified = v.lastVerifiedAt ? `最近校验 ${v.lastVerifiedAt.slice(0, 16).replace('T', ' ')} ${v.lastVerifyResult === 'ok' ? '通过' : '未通过'}` : '未校验';
  process.stdout.write(`${v.label}\t${v.set} 第 ${v.position} 卷\t${written}\t${v.records} 件 ${v.files} 个文件 ${formatBytes(v.bytes)}\t存放位置：${v.location ?? '未登记'}\t${verified}\n`);
}

function printVerification(out: Output, v: MediaVerification): void {
  const what = `${v.files} 个文件（${formatBytes(v.bytes)}）`;
  const source = v.source.kind === 'iso' ? `ISO 镜像 ${v.source.path}` : `目录 ${v.source.path}`;
  if (v.outcome === 'ok') {
    out.say(`卷 ${v.label} 校验通过：${source} 中 ${what}的 SHA-256 和 SM3 摘要与清单、登记簿一致，没有缺失、多出或改变的文件。`, `volume ${v.label} verified: all ${v.files} files match the manifests and the register`);
  } else {
    const counts = (Object.keys(KIND_LABELS) as FindingKind[]).filter((k) => v.counts[k] > 0);
    out.say(
      `卷 ${v.label} 校验未通过：${source} 中发现 ${v.findings.length} 处问题（${counts.map((k) => `${KIND_LABELS[k].zh} ${v.counts[k]}`).join('，')}）：`,
      `volume ${v.label} FAILED verification: ${v.findings.length} findings (${counts.map((k) => `${v.counts[k]} ${KIND_LABELS[k].en}`).join(', ')})`,
    );
    for (const f of v.findings) process.stdout.write(`  [${KIND_LABELS[f.kind].zh}] ${f.path}：${f.zh} / ${f.en}\n`);
  }
  if (v.isoMatches !== null) out.say(v.isoMatches ? '镜像与写出时登记的 SHA-256 相同。' : '镜像与写出时登记的 SHA-256 不同（文件校验结果见上）。', v.isoMatches ? 'the image is the one registered when written' : 'the image differs from the one registered when written (see the file results above)');
  out.say(`结果已记入登记簿（${v.at}）。`, `result recorded in the register (${v.at})`);
}

export function registerMediaCli(program: Command, context: MediaCliContext): void {
  const media = program.command('media').description('离线介质（光盘/蓝光）：规划、写出、登记、校验 / offline media (optical discs): plan, write, register, verify');

  withCredentialOptions(
    media
      .command('plan')
      .description('把尚未写入离线介质的已接收档案按档号顺序整件装入容量为 LANTAI_MEDIA_CAPACITY（默认 25G）的若干卷并登记 / pack accepted records not yet on media, whole and in 档号 order, onto volumes of LANTAI_MEDIA_CAPACITY (default 25G) and register them')
      .option('--fonds <id|全宗号>', '只规划一个全宗 / one fonds only')
      .option('--years <年度|起-止>', '只规划这些年度，如 2024 或 2020-2024 / these years only, e.g. 2024 or 2020-2024'),
  ).action(async (opts: CredentialFlags & { fonds?: string; years?: string }) => {
    const out = context.output();
    const capacity = parseCapacity(context.config().mediaCapacity);
    const scope: MediaScope = { ...(opts.fonds ? { fonds: opts.fonds } : {}), ...yearsOf(opts.years) };
    const planned = await context.withSignedIn({ role: 'archivist', action: MEDIA_PLAN_ACTION, label: '规划离线介质 / plan offline media', as: opts.as, totp: opts.totp }, async (app, actor) => {
      const { audit, auth, catalog, preservation } = app.services;
      return createMediaPlanner({ db: app.database.db, audit, catalog, preservation }).plan(actor, await auth.commandViewer(actor), scope, capacity);
    });
    out.result(planned, () => {
      out.say(
        `已规划套 ${planned.set}：${planned.volumes.length} 卷（每卷 ${capacity.label}），${planned.records} 件档案、${planned.files} 个文件，共 ${formatBytes(planned.bytes)}`,
        `planned set ${planned.set}: ${planned.volumes.length} volumes of ${capacity.label}, ${planned.records} records, ${planned.files} files`,
      );
      for (const v of planned.volumes) process.stdout.write(`  ${v.label}\t${v.records} 件 ${v.files} 个文件 ${formatBytes(v.bytes)}\t${v.first} 至 ${v.last}\n`);
      out.say(`写盘：lantai media write ${planned.set} --out <目录> [--iso]`, `write them with lantai media write ${planned.set} --out <dir> [--iso]`);
    });
  });

  withCredentialOptions(
    media
      .command('write <label>')
      .description('把一卷（卷标）或一套（套号）写成自描述的目录（BagIt 包、目录 xlsx/xml、说明.txt），可同时制作 ISO 镜像 / write a volume (by label) or a set as self-describing folders, and ISO images with --iso')
      .requiredOption('--out <dir>', '输出目录（须为新目录或空目录）；每卷写入 <dir>/<卷标>/ 和 <dir>/<卷标>.iso / output folder (new or empty): <dir>/<label>/ and <dir>/<label>.iso per volume')
      .option('--iso', '同时用 xorriso 制作 ISO 镜像 / also make an ISO image with xorriso', false),
  ).action(async (label: string, opts: CredentialFlags & { out: string; iso: boolean }) => {
    const out = context.output();
    await refuseUsedOut(opts.out);
    if (opts.iso) await requireXorriso();
    const version = program.version() ?? '0.0.0';
    const written = await context.withSignedIn({ role: 'archivist', action: MEDIA_WRITE_ACTION, label: '写出离线介质 / write offline media', as: opts.as, totp: opts.totp }, async (app, actor) => {
      const { audit, auth, catalog, preservation } = app.services;
      const writer = createMediaWriter({ db: app.database.db, audit, catalog, preservation, files: app.stores.primary, version });
      const volumes = await writer.volumes(label);
      const viewer = await auth.commandViewer(actor);
      const dir = path.resolve(opts.out);
      const done: WrittenVolume[] = [];
      for (const volume of volumes) {
        const bar = createTransferProgress(!out.json);
        bar.phase(`写出 / writing ${volume.label}`, Number(volume.bytes));
        try {
          done.push(await writer.writeVolume(actor, viewer, volume, dir, { iso: opts.iso, progress: { payload: (name, size, fileDone, total) => (bar.overall(total), bar.file(name, size, fileDone)) } }));
        } finally {
          bar.stop();
        }
      }
      return { out: dir, volumes: done };
    });
    out.result(written, () => {
      for (const v of written.volumes) {
        out.say(`已写出卷 ${v.label}：${v.records} 件档案、${v.files} 个文件（${formatBytes(v.bytes)}）→ ${v.folder}`, `wrote volume ${v.label}: ${v.records} records, ${v.files} files to ${v.folder}`);
        if (v.iso) out.say(`  ISO 镜像 ${v.iso.path}（${formatBytes(v.iso.size)}，SHA-256 ${v.iso.sha256}）`, `ISO image ${v.iso.path}`);
      }
      out.say('刻录后请用 lantai media locate <卷标> --location "<存放位置>" 登记存放位置。', 'once burnt, record where each disc is kept with lantai media locate');
    });
  });

  media
    .command('list')
    .description('离线介质登记簿：卷标、所属套、写入时间与人员、存放位置、最近一次校验 / the register of offline volumes')
    .option('--set <label>', '只列一套 / one set only')
    .option('--status <status>', 'planned（已规划）或 written（已写出）/ planned or written')
    .action(async (opts: { set?: string; status?: string }) => {
      const out = context.output();
      const volumes = await context.withApp((app) => createMediaRegister({ db: app.database.db, audit: app.services.audit }).list(app.database.db, opts));
      out.result(volumes, () => {
        if (volumes.length === 0) out.say('登记簿中还没有离线介质。', 'the register holds no volume yet');
        for (const v of volumes) printVolume(v);
      });
    });

  withCredentialOptions(
    media
      .command('locate <label>')
      .description('登记一卷光盘的存放位置 / record where a volume is kept')
      .requiredOption('--location <text>', '存放位置，如“档案库房 3 号柜” / where, e.g. a strongroom cabinet'),
  ).action(async (label: string, opts: CredentialFlags & { location: string }) => {
    const out = context.output();
    const volume = await context.withSignedIn({ role: 'archivist', action: MEDIA_LOCATE_ACTION, label: '登记离线介质存放位置 / record where offline media are kept', as: opts.as, totp: opts.totp }, (app, actor) =>
      createMediaRegister({ db: app.database.db, audit: app.services.audit }).locate(actor, label, opts.location),
    );
    out.result(volume, () => out.say(`卷 ${volume.label} 的存放位置：${volume.location ?? ''}`, `volume ${volume.label} is kept at: ${volume.location ?? ''}`));
  });

  withCredentialOptions(
    media
      .command('verify <where>')
      .description('校验读回的一卷（光盘挂载点、卷目录或 ISO 镜像）：重算每个文件的 SHA-256 和 SM3，与清单和登记簿核对，结果记入登记簿 / verify a volume read back (mounted disc, folder or ISO image) against its manifests and the register, and record the result')
      .option('--tmp <dir>', 'ISO 镜像解出到此目录校验（需有一卷大小的空间；默认系统临时目录）/ where an ISO image is extracted meanwhile (room for one volume; default: the system temporary folder)'),
  ).action(async (where: string, opts: CredentialFlags & { tmp?: string }) => {
    const out = context.output();
    const verification = await context.withSignedIn({ role: 'archivist', action: MEDIA_VERIFY_ACTION, label: '校验离线介质 / verify offline media', as: opts.as, totp: opts.totp }, async (app, actor) => {
      const bar = createTransferProgress(!out.json);
      const progress = { begin: (total: number) => bar.phase(`校验 / verifying ${where}`, total), advance: (_name: string, done: number) => bar.overall(done) };
      try {
        return await createMediaVerifier({ db: app.database.db, audit: app.services.audit }).verify(actor, where, { tmpDir: opts.tmp, progress });
      } finally {
        bar.stop();
      }
    });
    out.result(verification, () => printVerification(out, verification));
    if (verification.outcome !== 'ok') process.exitCode = 1;
  });
}
