/**
 * Reading the audit log, split between the two reviewing admins (三员分立): the
 * security admin reads ordinary users' entries, the auditor the system admin's and
 * the security admin's (REVIEW_SCOPE in model.ts). The split is applied here, in
 * the query, so no caller can forget it.
 */
import type { Executor } from '../../platform/db/database.js';
import { auditErrors } from './errors.js';
import { toAuditEntry } from './hash-chain.js';
import { REVIEW_SCOPE, reviewerClassSchema, type AuditEntry, type ReviewFilters, type ReviewPage, type ReviewerClass } from './model.js';
import { reviewAll, reviewPage } from './repo.js';

function scopeOf(reviewer: ReviewerClass) {
  // The type says it already; callers pass a role from a session, so check it at run time too.
  if (!reviewerClassSchema.safeParse(reviewer).success) throw auditErrors.AUDIT_REVIEW_FORBIDDEN();
  return REVIEW_SCOPE[reviewer];
}

/** A page of entries the reviewer may read, newest first; `nextBefore` continues the list. */
export async function reviewEntries(db: Executor, reviewer: ReviewerClass, filters: ReviewFilters, page: ReviewPage): Promise<{ entries: AuditEntry[]; nextBefore: number | null }> {
  const rows = await reviewPage(db, scopeOf(reviewer), filters, page);
  const last = rows.at(-1);
  return { entries: rows.map(toAuditEntry), nextBefore: rows.length === page.limit && last ? last.seq : null };
}

const CSV_COLUMNS: Array<[string, (e: AuditEntry) => unknown]> = [
  ['序号 seq', (e) => e.seq],
  ['编号 id', (e) => e.id],
  ['时间 at', (e) => e.at],
  ['用户 user', (e) => e.actorUsername],
  ['用户编号 user id', (e) => e.actorUserId],
  ['单位 organisation', (e) => e.actorOrganisationId],
  ['角色 roles', (e) => e.actorRoles.join(' ')],
  ['类别 class', (e) => e.actorClass],
  ['地址 address', (e) => e.actorAddress],
  ['操作 action', (e) => e.action],
  ['对象类型 target type', (e) => e.targetType],
  ['对象 target', (e) => e.targetId],
  ['名称 label', (e) => e.targetLabel],
  ['结果 result', (e) => e.result],
  ['原因 reason', (e) => e.reason],
  ['详情 details', (e) => JSON.stringify(e.details)],
];

/** Always quoted; a leading = + - @ is defused so a spreadsheet does not run it as a formula (CSV injection). */
export function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return `"${safe.replace(/"/g, '""')}"`;
}

/**
 * Every entry the reviewer may read that matches, oldest first, as CSV lines (CRLF,
 * with a byte-order mark so spreadsheet programs read the Chinese correctly).
 */
export async function* entriesCsv(db: Executor, reviewer: ReviewerClass, filters: ReviewFilters): AsyncGenerator<string> {
  const scope = scopeOf(reviewer);
  yield `\uFEFF${CSV_COLUMNS.map(([title]) => csvCell(title)).join(',')}\r\n`;
  for await (const row of reviewAll(db, scope, filters)) {
    const entry = toAuditEntry(row);
    yield `${CSV_COLUMNS.map(([, value]) => csvCell(value(entry))).join(',')}\r\n`;
  }
}
