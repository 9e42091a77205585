/**
 * Every query of the format risk registry. A kept file's format key is its PUID, else
 * its MIME type, else 'unidentified' (FORMAT_KEY). The counts by fonds read the catalog's
 * records and fonds for their fonds only (no record is returned); the holdings list
 * starts from the catalog's Viewer-scoped items, so it holds only what the viewer may see.
 */
import { sql, type Expression, type Selectable, type SqlBool } from 'kysely';
import type { Executor, Tx } from '../../platform/db/database.js';
import type { ScopedItems } from '../catalog/repo.js';
import { UNIDENTIFIED_FORMAT } from './format-risk-model.js';
import type { FormatRisksTable } from './format-risk-tables.js';
import './format-risk-tables.js';
import './tables.js';

/**
 * The format key of `pf` (a preservation_files alias). The fallback is a literal, not a
 * parameter: PostgreSQL sees two parameters in SELECT and GROUP BY as two expressions.
 */
export const FORMAT_KEY = sql<string>`coalesce(pf.puid, pf.mime, ${sql.lit(UNIDENTIFIED_FORMAT)})`;

export type FormatRiskRow = Selectable<FormatRisksTable>;

export interface HeldFormat {
  format: string;
  puid: string | null;
  mime: string | null;
  name: string | null;
  version: string | null;
  files: number;
  bytes: number;
}

/** Every format held: its files and bytes, most bytes first. */
export async function formatsHeld(db: Executor): Promise<HeldFormat[]> {
  const rows = await db
    .selectFrom('preservation_files as pf')
    .select((eb) => [
      FORMAT_KEY.as('format'),
      eb.fn.max('pf.puid').as('puid'),
      eb.fn.max('pf.mime').as('mime'),
      eb.fn.max('pf.format_name').as('name'),
      eb.fn.max('pf.format_version').as('version'),
      eb.fn.countAll<number>().as('files'),
      eb.fn.sum<number>('pf.size').as('bytes'),
    ])
    .groupBy(FORMAT_KEY)
    .execute();
  return rows
    .map((r) => ({ format: r.format, puid: r.puid, mime: r.mime, name: r.name, version: r.version, files: Number(r.files), bytes: Number(r.bytes ?? 0) }))
    .sort((a, b) => b.bytes - a.bytes || b.files - a.files || (a.format < b.format ? -1 : 1));
}

/** Files and bytes of each format in each fonds. */
export async function formatsByFonds(db: Executor) {
  const rows = await db
    .selectFrom('preservation_files as pf')
    .innerJoin('records as r', 'r.id', 'pf.record_id')
    .innerJoin('fonds as f', 'f.id', 'r.fonds_id')
    .select((eb) => [FORMAT_KEY.as('format'), 'f.id as fondsId', 'f.code as fondsCode', 'f.name as fondsName', eb.fn.countAll<number>().as('files'), eb.fn.sum<number>('pf.size').as('bytes')])
    .groupBy([FORMAT_KEY, 'f.id', 'f.code', 'f.name'])
    .orderBy('f.code')
    .execute();
  return rows.map((r) => ({ ...r, files: Number(r.files), bytes: Number(r.bytes ?? 0) }));
}

export async function risks(db: Executor): Promise<FormatRiskRow[]> {
  return db.selectFrom('format_risks').selectAll().orderBy('format_key').execute();
}

export async function risk(db: Executor, format: string): Promise<FormatRiskRow | undefined> {
  return db.selectFrom('format_risks').selectAll().where('format_key', '=', format).executeTakeFirst();
}

export async function saveRisk(tx: Tx, row: FormatRiskRow): Promise<void> {
  await tx
    .insertInto('format_risks')
    .values(row)
    .onConflict((oc) => oc.column('format_key').doUpdateSet({ status: row.status, note: row.note, set_by: row.set_by, set_at: row.set_at }))
    .execute();
}

/** The formats judged to be of these statuses (optionally just `format`). */
export async function formatsWithStatus(db: Executor, statuses: readonly string[], format?: string): Promise<FormatRiskRow[]> {
  let q = db.selectFrom('format_risks').selectAll().where('status', 'in', statuses);
  if (format !== undefined) q = q.where('format_key', '=', format);
  return q.orderBy('format_key').execute();
}

/**
 * Whether `pf` is in one of these formats, written so that the PUID and MIME indexes
 * serve it: a file has a MIME key only when it has no PUID.
 */
function inFormats(formats: readonly string[]): Expression<SqlBool> {
  const list = sql.join(formats);
  const terms = [sql`pf.puid in (${list})`, sql`(pf.puid is null and pf.mime in (${list}))`];
  if (formats.includes(UNIDENTIFIED_FORMAT)) terms.push(sql`(pf.puid is null and pf.mime is null)`);
  return sql<SqlBool>`(${sql.join(terms, sql` or `)})`;
}

/** Narrows the viewer's scoped items to records with a file in one of `formats` (never empty). */
export function withFilesIn(scoped: ScopedItems, formats: readonly string[]) {
  return scoped.where(({ exists, selectFrom }) =>
    exists(
      selectFrom('preservation_files as pf')
        .select('pf.id')
        .whereRef('pf.record_id', '=', 'r.id')
        .where(() => inFormats(formats)),
    ),
  );
}

/** One page of the narrowed items, in 档号 order (uncoded last), and how many there are. */
export async function holdingsPage(narrowed: ReturnType<typeof withFilesIn>, page: { offset: number; limit: number }) {
  const rows = await narrowed
    .orderBy(sql`r.archival_code is null`)
    .orderBy('r.archival_code')
    .orderBy('r.id')
    .offset(page.offset)
    .limit(page.limit)
    .execute();
  const counted = await narrowed.clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { rows, total: Number(counted.n) };
}

/** Files and bytes of each of `formats` in each of these records. */
export async function recordFormats(db: Executor, recordIds: readonly string[], formats: readonly string[]) {
  if (recordIds.length === 0) return [];
  const rows = await db
    .selectFrom('preservation_files as pf')
    .select((eb) => ['pf.record_id as recordId', FORMAT_KEY.as('format'), eb.fn.max('pf.format_name').as('name'), eb.fn.countAll<number>().as('files'), eb.fn.sum<number>('pf.size').as('bytes')])
    .where('pf.record_id', 'in', recordIds)
    .where(() => inFormats(formats))
    .groupBy(['pf.record_id', FORMAT_KEY])
    .execute();
  return rows.map((r) => ({ ...r, files: Number(r.files), bytes: Number(r.bytes ?? 0) }));
}
