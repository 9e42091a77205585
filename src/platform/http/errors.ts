/**
 * The one error catalog and the one mapper (DESIGN.md "Errors").
 *
 * Each module declares its codes with `defineErrors` in its own errors.ts; all
 * definitions land in one registry, so a test can check that every code is
 * unique and has Chinese and English text. The reply body is always
 * `{ code, message, details, requestId }`, the message chosen by Accept-Language
 * (zh-CN unless the client prefers English).
 */

export interface ErrorDefinition {
  status: number;
  zh: string;
  en: string;
}

const registry = new Map<string, ErrorDefinition & { owner: string }>();

/** Every registered code, for the catalog test and the API docs. */
export function errorCatalog(): ReadonlyMap<string, ErrorDefinition & { owner: string }> {
  return registry;
}

/**
 * An expected failure with a stable code. Messages may hold `{name}` placeholders
 * filled from `params`.
 */
export class LantaiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly zh: string,
    readonly en: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(en);
    this.name = 'LantaiError';
  }

  /** The message in the language the client asked for. */
  messageFor(language: 'zh-CN' | 'en'): string {
    return language === 'en' ? this.en : this.zh;
  }
}

type Factory = (params?: Record<string, string | number>, details?: Record<string, unknown>) => LantaiError;

function fill(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in params ? String(params[key]) : whole));
}

/**
 * Declares a module's error codes and returns a factory per code.
 * @example
 * export const transferErrors = defineErrors('transfer', {
 *   TRANSFER_DIGEST_MISMATCH: { status: 422, zh: '文件 {name} 的摘要不符', en: 'digest of {name} does not match' },
 * });
 * throw transferErrors.TRANSFER_DIGEST_MISMATCH({ name: 'a.pdf' });
 */
export function defineErrors<K extends string>(owner: string, defs: Record<K, ErrorDefinition>): Record<K, Factory> {
  const factories = {} as Record<K, Factory>;
  for (const code of Object.keys(defs) as K[]) {
    const def = defs[code];
    const existing = registry.get(code);
    if (existing && existing.owner !== owner) {
      throw new Error(`error code ${code} is defined by both ${existing.owner} and ${owner}`);
    }
    registry.set(code, { ...def, owner });
    factories[code] = (params = {}, details = {}) =>
      new LantaiError(code, def.status, fill(def.zh, params), fill(def.en, params), { ...params, ...details });
  }
  return factories;
}

/** Picks zh-CN unless the Accept-Language header prefers English. */
export function preferredLanguage(acceptLanguage: string | undefined): 'zh-CN' | 'en' {
  if (!acceptLanguage) return 'zh-CN';
  const ranked = acceptLanguage
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { tag: tag.toLowerCase(), q: q ? Number(q.slice(2)) || 0 : 1 };
    })
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return 'zh-CN';
}

/** Errors of the platform itself (HTTP layer, database, storage, jobs). */
export const platformErrors = defineErrors('platform', {
  VALIDATION_FAILED: { status: 400, zh: '请求内容不符合要求：{summary}', en: 'The request is not valid: {summary}' },
  MALFORMED_BODY: { status: 400, zh: '请求体无法解析，请发送正确的 JSON。', en: 'The request body could not be parsed; send valid JSON.' },
  BODY_TOO_LARGE: { status: 413, zh: '请求体过大。大文件请使用分块上传。', en: 'The request body is too large; upload big files in chunks.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, zh: '不支持的内容类型 {type}。', en: 'Unsupported content type {type}.' },
  NOT_FOUND: { status: 404, zh: '找不到 {what}。', en: '{what} was not found.' },
  ROUTE_NOT_FOUND: { status: 404, zh: '没有这个接口：{method} {url}', en: 'No such endpoint: {method} {url}' },
  RATE_LIMITED: { status: 429, zh: '请求过于频繁，请稍后再试。', en: 'Too many requests; try again later.' },
  INTERNAL: { status: 500, zh: '服务器内部错误，请把请求编号 {requestId} 告知管理员。', en: 'Internal server error; give the request id {requestId} to the administrator.' },
  DATABASE_UNAVAILABLE: { status: 503, zh: '无法连接数据库（{reason}）。请检查 LANTAI_DATABASE_URL 和数据库服务。', en: 'The database cannot be reached ({reason}). Check LANTAI_DATABASE_URL and the database server.' },
  STORAGE_FULL: { status: 507, zh: '存储库 {store} 空间不足，文件未保存。请释放空间后重试。', en: 'Store {store} is out of space; nothing was saved. Free some space and retry.' },
  STORAGE_UNAVAILABLE: { status: 503, zh: '存储库 {store} 不可用：{reason}', en: 'Store {store} is unavailable: {reason}' },
  BLOB_NOT_FOUND: { status: 404, zh: '存储库 {store} 中没有摘要为 {sha256} 的文件。', en: 'Store {store} holds no blob with SHA-256 {sha256}.' },
  BLOB_DIGEST_MISMATCH: { status: 422, zh: '文件摘要不符：期望 {expected}，实际 {actual}。文件未保存。', en: 'Digest mismatch: expected {expected}, got {actual}. Nothing was saved.' },
  BLOB_SIZE_MISMATCH: { status: 422, zh: '文件大小不符：期望 {expected} 字节，实际 {actual} 字节。文件未保存。', en: 'Size mismatch: expected {expected} bytes, got {actual}. Nothing was saved.' },
  BLOB_RANGE_INVALID: { status: 416, zh: '请求的字节范围无效。', en: 'The requested byte range is not satisfiable.' },
  INSTALLATION_NOT_SET_UP: { status: 409, zh: '这个数据库还没有初始化。正式部署请先运行 lantai setup 创建三员账号；试用请运行 npm start（演示环境）。', en: 'This database has not been set up. For a real installation run lantai setup first (it creates the three admin accounts); to try Lantai run npm start (demo).' },
  INSTALLATION_IS_DEMO: { status: 409, zh: '这是演示环境的数据库，不能用于正式服务。请为正式部署另配 LANTAI_DATABASE_URL 和 LANTAI_STORES。', en: 'This is a demo database and cannot be served as a real installation. Configure a separate LANTAI_DATABASE_URL and LANTAI_STORES for production.' },
  INSTALLATION_IS_REAL: { status: 409, zh: '这是正式部署的数据库，不能以演示模式启动，以免演示数据混入真实档案。', en: 'This is a production database; it cannot be started in demo mode, so demo data never mixes with real records.' },
  JOB_NOT_FOUND: { status: 404, zh: '找不到作业 {id}。', en: 'Job {id} was not found.' },
  JOB_TYPE_UNKNOWN: { status: 400, zh: '未定义的作业类型 {type}。', en: 'Job type {type} is not defined.' },
});
