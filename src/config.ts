/**
 * Lantai's one configuration: every environment variable is read here, once,
 * validated, typed and frozen. Nothing else in the code base reads process.env.
 *
 * A wrong value raises a ConfigError whose message names the variable, says
 * what is wrong in Chinese and English, and how to fix it. main.ts prints that
 * message alone (no stack trace) and exits with status 78 (EX_CONFIG).
 */
import path from 'node:path';

export type Zone = 'lan' | 'gov' | 'internet';

export type DatabaseConfig =
  | { kind: 'sqlite'; file: string; url: string }
  | { kind: 'postgres'; url: string };

export type StoreConfig =
  | { name: string; kind: 'folder'; root: string }
  | { name: string; kind: 's3'; bucket: string; prefix: string };

export interface S3Config {
  endpoint: string | undefined;
  region: string;
  forcePathStyle: boolean;
}

export interface Config {
  database: DatabaseConfig;
  stores: readonly StoreConfig[];
  /** Staging area for uploads and temporary files; sits beside the primary folder store when there is one. */
  dataDir: string;
  port: number;
  host: string;
  baseUrl: string;
  zone: Zone;
  classified: boolean;
  demo: boolean;
  s3: S3Config;
  sessionIdleMinutes: number;
  require2fa: boolean;
  clamdSocket: string | undefined;
  /** clamd's DatabaseDirectory, where `lantai av import-signatures` installs signatures. */
  clamavDbDir: string;
  /** Fixity audit schedule per store name (every store has one). */
  fixityCron: Readonly<Record<string, string>>;
  /** Digests a fixity audit recomputes. */
  fixityAlgorithms: ReadonlyArray<'sha256' | 'sm3'>;
  /** Read rate cap of a fixity audit in MB/s (0: none), so the reading room stays fast. */
  fixityMaxMbps: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Outside the database: the key that signs audit checkpoints, and the checkpoint file (DESIGN.md, accounts). */
  auditKeyFile: string;
  auditCheckpointFile: string;
  /** Outside the database: the key sealing TOTP secrets at rest (AES-256-GCM). */
  totpKeyFile: string;
  /** Characters in a fonds code (全宗号) by this archive's convention. */
  fondsCodeWidth: number;
  /** Lowest resolution of scanned images in hand-overs (DA/T 31). */
  scanMinDpi: number;
  /** The security admin's public key that backups are encrypted for. */
  backupPublicKeyFile: string;
  /** Where the scheduled backup writes (a folder per backup), and when; no schedule without a folder. */
  backupDir: string | null;
  backupCron: string;
  /** Capacity of one offline volume (25G, 50G, 100G; decimal units). */
  mediaCapacity: string;
  /** Pages rendered as access copies (previews) of one file. */
  previewMaxPages: number;
  /** Searches per minute one anonymous address may make (LANTAI_SEARCH_RATE_LIMIT); signed-in users are not limited. */
  searchRateLimit: number;
  /** Where carriers of offline hand-overs are mounted (discs, disks); archivists read only below it. */
  carrierRoot: string;
  /** Run job workers inside `lantai serve` (default on; turn off when dedicated `lantai worker` nodes run them). */
  inProcessWorkers: boolean;
}

/** One documented row per variable: the README's configuration table is generated from this list. */
export const VARIABLES = [
  ['LANTAI_DATABASE_URL', 'sqlite:./data/lantai.db', '数据库：sqlite:<文件> 或 postgres://user:pass@host:5432/db / database: sqlite:<file> or a PostgreSQL URL'],
  ['LANTAI_STORES', 'primary=./data/blobs', '存储库列表 name=folder 或 name=s3://bucket/prefix，逗号分隔，必须有 primary / named blob stores, comma-separated; one must be called primary'],
  ['LANTAI_DATA_DIR', './data', '暂存与临时文件目录 / staging and temporary files'],
  ['LANTAI_PORT', '3000', 'HTTP 端口 / HTTP port'],
  ['LANTAI_HOST', '127.0.0.1', '监听地址（0.0.0.0 对外） / listen address'],
  ['LANTAI_BASE_URL', 'http://localhost:<port>', '对外访问地址 / public URL of this node'],
  ['LANTAI_ZONE', 'lan', '部署网络 lan | gov | internet / which network this node serves'],
  ['LANTAI_CLASSIFIED', '0', '涉密部署（仅限隔离局域网）/ classified installation (isolated LAN only)'],
  ['LANTAI_DEMO', '0', '演示环境 / demo mode (npm start sets it)'],
  ['LANTAI_S3_ENDPOINT', '', 'S3 兼容服务地址 / S3-compatible endpoint (credentials from AWS_* variables)'],
  ['LANTAI_S3_REGION', 'us-east-1', 'S3 区域 / S3 region'],
  ['LANTAI_S3_FORCE_PATH_STYLE', '1', '路径风格访问（MinIO、Ceph 需要）/ path-style addressing'],
  ['LANTAI_SESSION_IDLE_MINUTES', '30', '会话空闲超时（分钟）/ session idle timeout in minutes'],
  ['LANTAI_REQUIRE_2FA', '1', '要求双因素认证（演示环境默认 0）/ require two-factor sign-in'],
  ['LANTAI_CLAMD_SOCKET', '', 'ClamAV clamd 套接字 / clamd socket for virus checks'],
  ['LANTAI_CLAMAV_DB_DIR', '/var/lib/clamav', 'clamd 的特征库目录（离线导入特征库写入此处）/ clamd\'s signature folder (offline imports go here)'],
  ['LANTAI_FIXITY_CRON', '0 1 * * *', '固定性审计计划（cron；可按存储库分别设定：primary=0 1 * * *;replica1=0 3 * * 0）/ fixity audit schedule (cron), optionally per store'],
  ['LANTAI_FIXITY_ALGORITHMS', 'sha256,sm3', '审计重算的摘要算法 / digests a fixity audit recomputes'],
  ['LANTAI_FIXITY_MAX_MBPS', '0', '审计读取速率上限（MB/s，0 为不限）/ read rate cap of a fixity audit (0 = none)'],
  ['LANTAI_LOG_LEVEL', 'info', '日志级别 / log level'],
  ['LANTAI_AUDIT_KEY_FILE', '<LANTAI_DATA_DIR>/audit/checkpoint.key', '审计检查点签名密钥文件（库外保存）/ key signing audit checkpoints, kept outside the database'],
  ['LANTAI_AUDIT_CHECKPOINT_FILE', '<LANTAI_DATA_DIR>/audit/checkpoints.jsonl', '审计检查点文件（库外保存）/ audit checkpoint file, outside the database'],
  ['LANTAI_TOTP_KEY_FILE', '<LANTAI_DATA_DIR>/keys/totp.key', '动态口令密钥的加密密钥文件（库外保存，多节点须相同）/ key sealing TOTP secrets in the database; kept outside it, the same on every node'],
  ['LANTAI_SCAN_MIN_DPI', '200', '数字化图像最低分辨率（DA/T 31）/ lowest dpi of scanned images'],
  ['LANTAI_BACKUP_PUBLIC_KEY_FILE', '<LANTAI_DATA_DIR>/keys/backup.pub', '备份加密公钥（安全保密管理员生成）/ the public key backups are encrypted for (made by the security admin)'],
  ['LANTAI_BACKUP_DIR', '', '定时备份的目录（每次一个子目录；不设则不定时备份）/ folder for scheduled backups (none when unset)'],
  ['LANTAI_BACKUP_CRON', '30 2 * * *', '定时备份计划 / scheduled backup (cron)'],
  ['LANTAI_MEDIA_CAPACITY', '25G', '离线介质每卷容量 25G/50G/100G（按 1000 进位）/ capacity of one offline volume (decimal)'],
  ['LANTAI_PREVIEW_MAX_PAGES', '100', '每个文件生成页面预览的最多页数 / most pages rendered as previews per file'],
  ['LANTAI_CARRIER_ROOT', '/media', '离线移交载体的挂载目录（只读取其下的文件）/ where offline hand-over carriers are mounted'],
  ['LANTAI_FONDS_CODE_WIDTH', '4', '全宗号位数（本馆约定）/ characters in a fonds code'],
  ['LANTAI_IN_PROCESS_WORKERS', '1', '在 serve 进程内运行作业 / run jobs inside serve'],
] as const;

/** A configuration error: what is wrong with which variable, and how to fix it, in Chinese and English. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly zh: string,
    readonly en: string,
  ) {
    super(`配置错误 ${variable}: ${zh}\nConfiguration error in ${variable}: ${en}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const value = text(env, name);
  if (value === undefined) return fallback;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new ConfigError(name, `“${value}”不是布尔值，请写 1 或 0。`, `"${value}" is not a boolean; write 1 or 0.`);
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = text(env, name);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(name, `“${value}”无效，请写 ${min} 到 ${max} 之间的整数。`, `"${value}" is invalid; write a whole number from ${min} to ${max}.`);
  }
  return n;
}

function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const value = text(env, name);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(name, `“${value}”无效，可选值：${allowed.join('、')}。`, `"${value}" is invalid; use one of: ${allowed.join(', ')}.`);
  }
  return value as T;
}

export function parseDatabaseUrl(value: string, cwd: string): DatabaseConfig {
  if (value.startsWith('sqlite:')) {
    const file = value.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (file === '') {
      throw new ConfigError('LANTAI_DATABASE_URL', '缺少 SQLite 文件路径，例如 sqlite:./data/lantai.db。', 'the SQLite file path is missing, e.g. sqlite:./data/lantai.db.');
    }
    return { kind: 'sqlite', file: file === ':memory:' ? file : path.resolve(cwd, file), url: value };
  }
  if (/^postgres(ql)?:\/\//.test(value)) {
    try {
      new URL(value);
    } catch {
      throw new ConfigError('LANTAI_DATABASE_URL', 'PostgreSQL 地址格式不正确，例如 postgres://lantai:密码@127.0.0.1:5432/lantai。', 'malformed PostgreSQL URL; e.g. postgres://lantai:secret@127.0.0.1:5432/lantai.');
    }
    return { kind: 'postgres', url: value };
  }
  throw new ConfigError('LANTAI_DATABASE_URL', `不支持“${value}”，请写 sqlite:<文件> 或 postgres://…。`, `"${value}" is not supported; write sqlite:<file> or postgres://….`);
}

export function backupCronOf(value: string): string {
  const fields = value.trim().split(/\s+/).length;
  if (fields < 5 || fields > 6) throw new ConfigError('LANTAI_BACKUP_CRON', `“${value}”不是 cron 表达式，例如 "30 2 * * *"（每天 2:30）。`, `"${value}" is not a cron expression, e.g. "30 2 * * *" (02:30 daily).`);
  return value.trim();
}

function mediaCapacityOf(value: string): string {
  if (!/^\d+(\.\d+)?\s*[KMGT]?B?$/i.test(value.trim())) {
    throw new ConfigError('LANTAI_MEDIA_CAPACITY', `“${value}”应写成 25G、50G 或 100G 这样的容量。`, `"${value}" must be a capacity such as 25G, 50G or 100G.`);
  }
  return value.trim();
}

function checkCron(expression: string): void {
  const fields = expression.trim().split(/\s+/).length;
  if (fields < 5 || fields > 6) {
    throw new ConfigError('LANTAI_FIXITY_CRON', `“${expression}”不是 cron 表达式，例如 "0 1 * * *"（每天 1 点）。`, `"${expression}" is not a cron expression, e.g. "0 1 * * *" (01:00 daily).`);
  }
}

/** One cron for every store, or `name=cron;name=cron` (stores not named get the primary's, else 01:00 daily). */
function parseFixityCron(value: string, stores: readonly StoreConfig[]): Record<string, string> {
  if (!value.includes('=')) {
    checkCron(value);
    return Object.fromEntries(stores.map((s) => [s.name, value.trim()]));
  }
  const named: Record<string, string> = {};
  for (const part of value.split(';').map((p) => p.trim()).filter(Boolean)) {
    const at = part.indexOf('=');
    const name = part.slice(0, at).trim();
    const cron = part.slice(at + 1).trim();
    if (!stores.some((s) => s.name === name)) {
      throw new ConfigError('LANTAI_FIXITY_CRON', `“${name}”不是 LANTAI_STORES 中的存储库。`, `"${name}" is not a store of LANTAI_STORES.`);
    }
    checkCron(cron);
    named[name] = cron;
  }
  const fallback = named.primary ?? '0 1 * * *';
  return Object.fromEntries(stores.map((s) => [s.name, named[s.name] ?? fallback]));
}

function parseStores(value: string, cwd: string): StoreConfig[] {
  const stores: StoreConfig[] = [];
  for (const part of value.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    const name = eq > 0 ? part.slice(0, eq).trim() : '';
    const target = eq > 0 ? part.slice(eq + 1).trim() : '';
    if (!/^[a-z][a-z0-9_-]{0,31}$/.test(name) || target === '') {
      throw new ConfigError('LANTAI_STORES', `“${part}”应写成 名称=目录 或 名称=s3://桶/前缀（名称为小写字母开头）。`, `"${part}" must read name=folder or name=s3://bucket/prefix (name in lower case).`);
    }
    if (stores.some((s) => s.name === name)) {
      throw new ConfigError('LANTAI_STORES', `存储库名称“${name}”重复。`, `store name "${name}" appears twice.`);
    }
    if (target.startsWith('s3://')) {
      const [bucket = '', ...rest] = target.slice(5).split('/');
      if (!/^[a-z0-9][a-z0-9.-]{1,62}$/.test(bucket)) {
        throw new ConfigError('LANTAI_STORES', `“${target}”中的桶名无效。`, `invalid bucket name in "${target}".`);
      }
      stores.push({ name, kind: 's3', bucket, prefix: rest.filter(Boolean).join('/') });
    } else {
      stores.push({ name, kind: 'folder', root: path.resolve(cwd, target) });
    }
  }
  if (!stores.some((s) => s.name === 'primary')) {
    throw new ConfigError('LANTAI_STORES', '必须有一个名为 primary 的存储库，例如 primary=./data/blobs。', 'one store must be named primary, e.g. primary=./data/blobs.');
  }
  return stores;
}

/** Reads and validates the configuration. Pass an explicit env in tests. */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Readonly<Config> {
  const port = integer(env, 'LANTAI_PORT', 3000, 0, 65535);
  const host = text(env, 'LANTAI_HOST') ?? '127.0.0.1';
  const baseUrl = text(env, 'LANTAI_BASE_URL') ?? `http://localhost:${port}`;
  try {
    new URL(baseUrl);
  } catch {
    throw new ConfigError('LANTAI_BASE_URL', `“${baseUrl}”不是完整网址，例如 https://archive.example.gov.cn。`, `"${baseUrl}" is not an absolute URL, e.g. https://archive.example.gov.cn.`);
  }
  const zone = oneOf<Zone>(env, 'LANTAI_ZONE', 'lan', ['lan', 'gov', 'internet']);
  const classified = bool(env, 'LANTAI_CLASSIFIED', false);
  if (classified && zone !== 'lan') {
    throw new ConfigError('LANTAI_CLASSIFIED', '涉密部署只能运行在隔离的局域网（LANTAI_ZONE=lan）。', 'a classified installation runs only on the isolated LAN (LANTAI_ZONE=lan).');
  }
  const demo = bool(env, 'LANTAI_DEMO', false);
  const fixityCronText = text(env, 'LANTAI_FIXITY_CRON') ?? '0 1 * * *';
  const dataDir = path.resolve(cwd, text(env, 'LANTAI_DATA_DIR') ?? './data');
  const stores = parseStores(text(env, 'LANTAI_STORES') ?? 'primary=./data/blobs', cwd);
  const fixityCron = parseFixityCron(fixityCronText, stores);
  const fixityAlgorithms = text(env, 'LANTAI_FIXITY_ALGORITHMS') ?? 'sha256,sm3';
  if (!['sha256,sm3', 'sm3,sha256', 'sha256', 'sm3'].includes(fixityAlgorithms.replace(/\s+/g, ''))) {
    throw new ConfigError('LANTAI_FIXITY_ALGORITHMS', `“${fixityAlgorithms}”应为 sha256、sm3 或 sha256,sm3。`, `"${fixityAlgorithms}" must be sha256, sm3 or sha256,sm3.`);
  }
  const config: Config = {
    database: parseDatabaseUrl(text(env, 'LANTAI_DATABASE_URL') ?? 'sqlite:./data/lantai.db', cwd),
    stores,
    dataDir,
    auditKeyFile: path.resolve(cwd, text(env, 'LANTAI_AUDIT_KEY_FILE') ?? path.join(dataDir, 'audit', 'checkpoint.key')),
    auditCheckpointFile: path.resolve(cwd, text(env, 'LANTAI_AUDIT_CHECKPOINT_FILE') ?? path.join(dataDir, 'audit', 'checkpoints.jsonl')),
    totpKeyFile: path.resolve(cwd, text(env, 'LANTAI_TOTP_KEY_FILE') ?? path.join(dataDir, 'keys', 'totp.key')),
    port,
    host,
    baseUrl,
    zone,
    classified,
    demo,
    s3: {
      endpoint: text(env, 'LANTAI_S3_ENDPOINT'),
      region: text(env, 'LANTAI_S3_REGION') ?? 'us-east-1',
      forcePathStyle: bool(env, 'LANTAI_S3_FORCE_PATH_STYLE', true),
    },
    sessionIdleMinutes: integer(env, 'LANTAI_SESSION_IDLE_MINUTES', 30, 1, 24 * 60),
    require2fa: bool(env, 'LANTAI_REQUIRE_2FA', !demo),
    clamdSocket: text(env, 'LANTAI_CLAMD_SOCKET'),
    clamavDbDir: path.resolve(cwd, text(env, 'LANTAI_CLAMAV_DB_DIR') ?? '/var/lib/clamav'),
    fixityCron,
    fixityAlgorithms: fixityAlgorithms.replace(/\s+/g, '').split(',') as Array<'sha256' | 'sm3'>,
    fixityMaxMbps: integer(env, 'LANTAI_FIXITY_MAX_MBPS', 0, 0, 100_000),
    logLevel: oneOf(env, 'LANTAI_LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    inProcessWorkers: bool(env, 'LANTAI_IN_PROCESS_WORKERS', true),
    fondsCodeWidth: integer(env, 'LANTAI_FONDS_CODE_WIDTH', 4, 1, 12),
    scanMinDpi: integer(env, 'LANTAI_SCAN_MIN_DPI', 200, 72, 2400),
    previewMaxPages: integer(env, 'LANTAI_PREVIEW_MAX_PAGES', 100, 1, 10_000),
    searchRateLimit: integer(env, 'LANTAI_SEARCH_RATE_LIMIT', 120, 1, 1_000_000),
    backupPublicKeyFile: path.resolve(cwd, text(env, 'LANTAI_BACKUP_PUBLIC_KEY_FILE') ?? path.join(dataDir, 'keys', 'backup.pub')),
    backupDir: text(env, 'LANTAI_BACKUP_DIR') ? path.resolve(cwd, text(env, 'LANTAI_BACKUP_DIR') as string) : null,
    backupCron: backupCronOf(text(env, 'LANTAI_BACKUP_CRON') ?? '30 2 * * *'),
    mediaCapacity: mediaCapacityOf(text(env, 'LANTAI_MEDIA_CAPACITY') ?? '25G'),
    carrierRoot: path.resolve(cwd, text(env, 'LANTAI_CARRIER_ROOT') ?? '/media'),
  };
  return Object.freeze({ ...config, stores: Object.freeze(stores.map((s) => Object.freeze(s))), s3: Object.freeze(config.s3) });
}

/** The PostgreSQL server the test suite creates its databases on (set by scripts/setup.sh's defaults). */
export function testPostgresUrl(env: Env = process.env): string {
  return text(env, 'LANTAI_TEST_PG_URL') ?? 'postgres://postgres:lantai-test@127.0.0.1:5432/postgres';
}
