/**
 * Offline import of ClamAV signature databases (the archive's LAN has no path to
 * ClamAV's mirrors): files carried in on media — official `.cvd`/`.cld`/`.cud`
 * databases and custom signature files — are checked, installed into clamd's
 * database folder and clamd is told to reload.
 *
 * Nothing is installed unless ClamAV's own engine loads the whole resulting set:
 * `clamscan --database=<staging copy>` (which also verifies the digital signature
 * of official databases) must succeed first, because clamd drops every signature
 * when a reload meets a broken database. An official database older than the one
 * installed is refused (a downgrade) unless forced. Each file lands by rename, so
 * clamd never reads half a file. What was imported, and when, is recorded in
 * `lantai-import.json` beside the databases, which the hand-over report shows.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Official databases (signed by Cisco Talos) and ClamAV's custom signature formats. */
const OFFICIAL = ['.cvd', '.cld', '.cud'];
const CUSTOM = ['.hdb', '.hsb', '.hdu', '.hsu', '.mdb', '.msb', '.mdu', '.msu', '.ndb', '.ndu', '.ldb', '.ldu', '.idb', '.cdb', '.cat', '.crb', '.fp', '.sfp', '.ign', '.ign2', '.pdb', '.gdb', '.wdb', '.ftm', '.cbc', '.yar', '.yara'];
export const RECORD_FILE = 'lantai-import.json';

export interface DatabaseHeader {
  /** e.g. daily, main, bytecode. */
  name: string;
  version: number;
  builtAt: string | null;
  signatures: number;
}

export interface ImportedFile {
  file: string;
  kind: 'official' | 'custom';
  version: number | null;
  builtAt: string | null;
  signatures: number | null;
}

export interface ImportRecord {
  importedAt: string;
  files: ImportedFile[];
}

export class SignatureImportError extends Error {
  constructor(
    readonly zh: string,
    readonly en: string,
  ) {
    super(`${zh} / ${en}`);
  }
}

/** The 512-byte header of a .cvd/.cld/.cud: `ClamAV-VDB:<built>:<version>:<signatures>:<level>:<md5>:<dsig>:<builder>:<time>`. */
export async function readDatabaseHeader(file: string): Promise<DatabaseHeader | null> {
  const handle = await fs.open(file, 'r');
  try {
    const head = Buffer.alloc(512);
    const { bytesRead } = await handle.read(head, 0, 512, 0);
    const text = head.subarray(0, bytesRead).toString('latin1');
    if (!text.startsWith('ClamAV-VDB:')) return null;
    const fields = text.split(':');
    const version = Number(fields[2]);
    const signatures = Number(fields[3]);
    if (!Number.isInteger(version) || !Number.isInteger(signatures)) return null;
    // The build time is the last field, seconds since the epoch (older headers carry only the text date).
    const seconds = Number(fields[8]?.trim());
    const builtAt = Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000).toISOString() : null;
    return { name: path.basename(file, path.extname(file)), version, builtAt, signatures };
  } finally {
    await handle.close();
  }
}

const extensionOf = (name: string) => path.extname(name).toLowerCase();

async function installedOfficial(dbDir: string): Promise<Map<string, { file: string; header: DatabaseHeader }>> {
  const found = new Map<string, { file: string; header: DatabaseHeader }>();
  for (const name of await fs.readdir(dbDir).catch(() => [] as string[])) {
    if (!OFFICIAL.includes(extensionOf(name))) continue;
    const header = await readDatabaseHeader(path.join(dbDir, name)).catch(() => null);
    if (header) found.set(header.name, { file: name, header });
  }
  return found;
}

/** Loads a whole database folder with ClamAV's engine; throws with clamscan's words when it cannot. */
async function validateWithEngine(dir: string, clamscan: string): Promise<void> {
  const probe = path.join(dir, '..', 'probe.txt');
  await fs.writeFile(probe, 'lantai signature probe\n');
  try {
    await run(clamscan, ['--no-summary', `--database=${dir}`, probe], { timeout: 600_000, maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const e = err as { code?: number | string; stderr?: string; stdout?: string };
    if (e.code === 'ENOENT') throw new SignatureImportError('未安装 clamscan（Debian 软件包 clamav），无法校验特征库', 'clamscan is missing (Debian package clamav); cannot validate the signatures');
    // Exit 1 means "a virus was found" in the probe: the databases loaded.
    if (e.code === 1) return;
    const said = `${e.stderr ?? ''}${e.stdout ?? ''}`.trim().split('\n').filter((l) => /error|malformed|can't|failed|invalid/i.test(l)).slice(0, 3).join(' ');
    throw new SignatureImportError(`ClamAV 无法加载导入后的特征库，未做任何更改：${said || '未知原因'}`, `ClamAV could not load the signatures; nothing was changed: ${said || 'unknown reason'}`);
  }
}

export interface ImportOptions {
  /** Folder holding the files carried in. */
  from: string;
  /** clamd's DatabaseDirectory. */
  dbDir: string;
  /** Allow an official database older than the installed one. */
  force?: boolean;
  clamscan?: string;
  now?: Date;
}

export interface ImportOutcome {
  imported: ImportedFile[];
  /** Files left out, with the reason. */
  skipped: Array<{ file: string; zh: string; en: string }>;
  record: ImportRecord;
}

export async function importSignatures(options: ImportOptions): Promise<ImportOutcome> {
  const names = (await fs.readdir(options.from).catch(() => {
    throw new SignatureImportError(`找不到文件夹 ${options.from}`, `no such folder: ${options.from}`);
  })).sort();
  const candidates = names.filter((n) => OFFICIAL.includes(extensionOf(n)) || CUSTOM.includes(extensionOf(n)));
  const skipped: ImportOutcome['skipped'] = names.filter((n) => !candidates.includes(n)).map((file) => ({ file, zh: '不是 ClamAV 特征库文件', en: 'not a ClamAV signature file' }));
  if (candidates.length === 0) throw new SignatureImportError(`${options.from} 中没有 ClamAV 特征库文件（.cvd .cld .cud .hdb .ndb .ldb …）`, `no ClamAV signature files (.cvd .cld .cud .hdb .ndb .ldb …) in ${options.from}`);

  const installed = await installedOfficial(options.dbDir);
  const chosen: Array<{ name: string; info: ImportedFile; replaces: string | null }> = [];
  for (const name of candidates) {
    const file = path.join(options.from, name);
    if (OFFICIAL.includes(extensionOf(name))) {
      const header = await readDatabaseHeader(file);
      if (!header) {
        skipped.push({ file: name, zh: '文件头不是 ClamAV 官方特征库格式', en: 'not a ClamAV database header' });
        continue;
      }
      const current = installed.get(header.name);
      if (current && current.header.version >= header.version && !options.force) {
        skipped.push({ file: name, zh: `已安装的 ${header.name} 版本 ${current.header.version} 不比它旧`, en: `installed ${header.name} version ${current.header.version} is not older` });
        continue;
      }
      chosen.push({ name, info: { file: name, kind: 'official', version: header.version, builtAt: header.builtAt, signatures: header.signatures }, replaces: current && current.file !== name ? current.file : null });
    } else chosen.push({ name, info: { file: name, kind: 'custom', version: null, builtAt: null, signatures: null }, replaces: null });
  }
  if (chosen.length === 0) throw new SignatureImportError('没有需要导入的特征库（均已是最新或无法识别）', 'nothing to import (all up to date or unrecognised)');

  // The set clamd would load after the import, in a staging copy, through ClamAV's engine first.
  const staging = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-clamav-'));
  try {
    const db = path.join(staging, 'db');
    await fs.mkdir(db);
    const replaced = new Set(chosen.map((c) => c.replaces).filter((r): r is string => r !== null));
    for (const name of await fs.readdir(options.dbDir).catch(() => [] as string[])) {
      const ext = extensionOf(name);
      if ((OFFICIAL.includes(ext) || CUSTOM.includes(ext)) && !replaced.has(name) && !chosen.some((c) => c.name === name)) await fs.copyFile(path.join(options.dbDir, name), path.join(db, name));
    }
    for (const c of chosen) await fs.copyFile(path.join(options.from, c.name), path.join(db, c.name));
    await validateWithEngine(db, options.clamscan ?? 'clamscan');
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }

  // Install: each file whole, by rename; then the database it supersedes (a .cld replaced by a .cvd).
  await fs.mkdir(options.dbDir, { recursive: true });
  for (const c of chosen) {
    const temporary = path.join(options.dbDir, `.lantai-${c.name}.tmp`);
    await fs.copyFile(path.join(options.from, c.name), temporary);
    const handle = await fs.open(temporary, 'r');
    await handle.sync();
    await handle.close();
    await fs.rename(temporary, path.join(options.dbDir, c.name));
    if (c.replaces) await fs.rm(path.join(options.dbDir, c.replaces), { force: true });
  }
  const record: ImportRecord = { importedAt: (options.now ?? new Date()).toISOString(), files: chosen.map((c) => c.info) };
  await fs.writeFile(path.join(options.dbDir, RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`);
  return { imported: record.files, skipped, record };
}

/** The last import recorded in clamd's database folder, or null. */
export async function lastImport(dbDir: string): Promise<ImportRecord | null> {
  try {
    return JSON.parse(await fs.readFile(path.join(dbDir, RECORD_FILE), 'utf8')) as ImportRecord;
  } catch {
    return null;
  }
}

export interface VirusDatabaseFacts {
  /** What clamd says of itself, e.g. `ClamAV 1.4.6/27460/Tue Nov 26 08:00:00 2026`. */
  engine: string | null;
  /** The daily database's version and date, when clamd reports them (official databases do). */
  version: number | null;
  builtAt: string | null;
  /** When `lantai av import-signatures` last installed signatures. */
  importedAt: string | null;
  /** Whole days from the newest of those dates to `now`. */
  ageDays: number | null;
  zh: string;
  en: string;
}

/** The scanner and the age of its signatures, for the report (DA/T 70 security: the report says how current the check was). */
export function describeVirusDatabase(version: { text: string; database: number | null; databaseDate: string | null } | null, record: ImportRecord | null, now = new Date()): VirusDatabaseFacts {
  const parsed = version?.databaseDate ? new Date(version.databaseDate) : null;
  const builtAt = parsed && !Number.isNaN(parsed.getTime()) ? parsed.toISOString() : null;
  const importedAt = record?.importedAt ?? null;
  const newest = builtAt ?? importedAt;
  const ageDays = newest ? Math.max(0, Math.floor((now.getTime() - new Date(newest).getTime()) / 86_400_000)) : null;
  if (!version) return { engine: null, version: null, builtAt, importedAt, ageDays, zh: '病毒检测服务无应答，未能取得特征库版本', en: 'clamd did not answer; signature version unknown' };
  const engine = version.text.split('/')[0] ?? version.text;
  const zhParts = [engine];
  const enParts = [engine];
  if (version.database !== null) {
    zhParts.push(`特征库版本 ${version.database}${builtAt ? `，发布于 ${builtAt.slice(0, 10)}` : ''}`);
    enParts.push(`signature database ${version.database}${builtAt ? ` of ${builtAt.slice(0, 10)}` : ''}`);
  } else {
    zhParts.push('特征库版本未知（仅自定义特征库）');
    enParts.push('signature version unknown (custom signatures only)');
  }
  if (importedAt) {
    zhParts.push(`最近一次离线导入于 ${importedAt.slice(0, 10)}`);
    enParts.push(`last imported on ${importedAt.slice(0, 10)}`);
  }
  if (ageDays !== null) {
    zhParts.push(`距今 ${ageDays} 天`);
    enParts.push(`${ageDays} days old`);
  }
  return { engine: version.text, version: version.database, builtAt, importedAt, ageDays, zh: zhParts.join('，'), en: enParts.join(', ') };
}
