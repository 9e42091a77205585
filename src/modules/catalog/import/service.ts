/**
 * Spreadsheet catalog import (归档文件目录导入): check (dry run) → fix → apply.
 *
 * The check reads the file, maps its columns, converts and checks every row, and
 * stages the rows (with their problems) in small transactions, so a 100,000-row
 * file never holds the write lock for long. Rows can be corrected one by one
 * (re-checked on the server). Apply refuses while any row has an error; otherwise
 * one transaction copies the staged rows into the catalog with `insert … select`,
 * records the codes that came with them, writes one audit entry and marks the
 * import applied: all rows or none.
 */
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Capabilities, Db, Executor, Tx } from '../../../platform/db/database.js';
import { jsonField, type JsonFieldType } from '../../../platform/db/json-field.js';
import type { Actor, AuditSink } from '../../accounts/service.js';
import type { Viewer } from '../../accounts/viewer.js';
import { catalogErrors } from '../errors.js';
import { requireArchivist, type CatalogService } from '../service.js';
import type { RecordsTable } from '../tables.js';
import { convertRow, type ConvertContext, type RowProblem } from './convert-row.js';
import { fieldForHeader, headerTest, type HeaderMapping, type ImportField } from './mapping.js';
import { readSheet } from './read-sheet.js';

const STAGE_CHUNK = 2000;
const REPORT_LIMIT = 2000;
const REQUIRED_FIELDS: Array<[ImportField, string]> = [['title', '题名'], ['responsible', '责任者'], ['date', '日期'], ['retention', '保管期限']];

export interface ImportSummary {
  id: string;
  status: 'checking' | 'checked' | 'applied' | 'failed';
  fileName: string;
  sheet: string | null;
  totalRows: number;
  errorRows: number;
  columns: Array<{ header: string; field: string | null }>;
  /** Errors and warnings, first REPORT_LIMIT of them, in row order. */
  problems: RowProblem[];
}

export interface ImportRequest {
  fondsId: string;
  categoryId: string;
  fileName: string;
  bytes: Buffer;
  /** Header → field overrides; saved for the agency and category when given. */
  mapping?: HeaderMapping;
  onProgress?: (done: number, total: number) => void;
}

const RECORD_COLUMNS: Array<[keyof RecordsTable, JsonFieldType]> = [
  ['id', 'text'], ['fonds_id', 'text'], ['category_id', 'text'], ['agency_id', 'text'], ['volume_id', 'text'], ['archival_code', 'text'], ['class_key', 'text'],
  ['item_no', 'integer'], ['aggregation_level', 'text'], ['year', 'integer'], ['retention', 'text'], ['org_code', 'text'], ['title', 'text'], ['responsible', 'text'],
  ['date', 'text'], ['classification', 'text'], ['secrecy_term', 'text'], ['control', 'text'], ['openness', 'text'], ['openness_due_year', 'integer'],
  ['openness_reviewed_at', 'timestamp'], ['agency_openness_opinion', 'text'], ['combination_type', 'text'], ['doc_number', 'text'], ['doc_type', 'text'], ['urgency', 'text'],
  ['main_recipients', 'text'], ['copy_recipients', 'text'], ['page_count', 'integer'], ['subject_terms', 'text'], ['keywords', 'text'], ['abstract', 'text'],
  ['remarks', 'text'], ['extensions', 'json'], ['created_by', 'text'],
];

/** A staged row: the record row, and the id its code-history entry will have. */
function stagedRow(row: RecordsTable): string {
  return JSON.stringify(row.archival_code === null ? row : { ...row, change_id: uuidv7() });
}

export function createCatalogImport(deps: { db: Db; caps: Capabilities; catalog: CatalogService; audit: AuditSink }) {
  const { db, caps, catalog, audit } = deps;

  async function savedMapping(executor: Executor, agencyId: string, categoryId: string): Promise<HeaderMapping> {
    const row = await executor.selectFrom('catalog_import_mappings').select('mapping').where('agency_id', '=', agencyId).where('category_id', '=', categoryId).executeTakeFirst();
    return row ? (JSON.parse(row.mapping) as HeaderMapping) : {};
  }

  async function summary(executor: Executor, id: string): Promise<ImportSummary> {
    const imp = await executor.selectFrom('catalog_imports').selectAll().where('id', '=', id).executeTakeFirst();
    if (!imp) throw catalogErrors.CATALOG_IMPORT_NOT_FOUND({ id });
    const rows = await executor.selectFrom('catalog_import_rows').select(['problems']).where('import_id', '=', id).where('problems', 'is not', null).orderBy('row_no').limit(REPORT_LIMIT).execute();
    const problems = rows.flatMap((r) => JSON.parse(r.problems as string) as RowProblem[]).slice(0, REPORT_LIMIT);
    return { id, status: imp.status as ImportSummary['status'], fileName: imp.file_name, sheet: imp.sheet, totalRows: imp.total_rows, errorRows: imp.error_rows, columns: JSON.parse(imp.columns) as ImportSummary['columns'], problems };
  }

  async function contextOf(executor: Executor, viewer: Viewer, fondsId: string, categoryId: string, columns: ImportSummary['columns']): Promise<ConvertContext> {
    const base = await catalog.contextFor(executor, viewer, { fondsId, categoryId, volumeId: null });
    return { ...base, columnOf: (field) => columns.find((c) => c.field === field)?.header ?? field };
  }

  /**
   * Codes used twice in the file or already in the catalog: problems for the rows
   * that carry them. `seen` carries the codes of earlier chunks of the same file.
   */
  async function duplicateCodes(executor: Executor, staged: Array<{ row: number; code: string | null }>, column: string, seen: Map<string, number>): Promise<Map<number, RowProblem>> {
    const out = new Map<number, RowProblem>();
    const fresh = new Map<string, number>();
    for (const s of staged) {
      if (s.code === null) continue;
      const first = seen.get(s.code);
      if (first !== undefined) out.set(s.row, { row: s.row, column, field: 'archivalCode', value: s.code, severity: 'error', problem: `档号与第 ${first} 行重复`, problemEn: `duplicate of row ${first}`, suggestion: '核对件号' });
      else {
        seen.set(s.code, s.row);
        fresh.set(s.code, s.row);
      }
    }
    const codes = [...fresh.keys()];
    for (let i = 0; i < codes.length; i += 1000) {
      const taken = await executor.selectFrom('records').select('archival_code').where('archival_code', 'in', codes.slice(i, i + 1000)).execute();
      for (const t of taken) {
        const row = fresh.get(t.archival_code as string) as number;
        out.set(row, { row, column, field: 'archivalCode', value: t.archival_code as string, severity: 'error', problem: '档号已被馆内其他档案使用', problemEn: 'code already used in the catalog', suggestion: '核对档号，或留空在整理时生成' });
      }
    }
    return out;
  }

  return {
    summary,

    /** Reads, checks and stages a file; returns the report. Nothing enters the catalog. */
    async check(actor: Actor, viewer: Viewer, request: ImportRequest): Promise<ImportSummary> {
      requireArchivist(actor, { zh: '导入目录', en: 'import catalogs' });
      const fonds = await db.selectFrom('fonds').select(['id', 'agency_id']).where('id', '=', request.fondsId).executeTakeFirst();
      if (!fonds) throw catalogErrors.CATALOG_FONDS_NOT_FOUND({ id: request.fondsId });
      const category = await catalog.getCategory(db, request.categoryId);
      const saved = { ...(await savedMapping(db, fonds.agency_id, category.id)), ...(request.mapping ?? {}) };
      const sheet = await readSheet(request.bytes, headerTest(category, saved));
      const columns = sheet.headers.map((header) => ({ header, field: header === '' ? null : fieldForHeader(header, category, saved) }));
      const ctx = await contextOf(db, viewer, fonds.id, category.id, columns);
      const fileProblems: RowProblem[] = [];
      for (const [field, label] of REQUIRED_FIELDS) {
        if (!columns.some((c) => c.field === field)) fileProblems.push({ row: sheet.headerRow, column: label, field, value: '', severity: 'error', problem: `缺少“${label}”列`, problemEn: `no ${field} column`, suggestion: '使用本门类的目录模板，或在列对应中指定' });
      }
      for (const c of columns) {
        if (c.header !== '' && c.field === null) fileProblems.push({ row: sheet.headerRow, column: c.header, field: '', value: c.header, severity: 'warning', problem: '未识别的列，已忽略', problemEn: 'unknown column, ignored', suggestion: '如需导入，请在列对应中指定字段' });
      }
      const noticesByRow = new Map<number, RowProblem[]>();
      for (const n of sheet.notices) {
        const list = noticesByRow.get(n.row) ?? [];
        list.push({ row: n.row, column: n.column, field: '', value: '', severity: n.severity, problem: n.zh, problemEn: n.en, suggestion: n.suggestion });
        noticesByRow.set(n.row, list);
      }

      const importId = uuidv7();
      const at = new Date().toISOString();
      await db.transaction().execute(async (tx) => {
        await tx.insertInto('catalog_imports').values({ id: importId, fonds_id: fonds.id, category_id: category.id, file_name: request.fileName.slice(0, 200), sheet: sheet.sheet, columns: JSON.stringify(columns), status: 'checking', total_rows: sheet.rows.length, error_rows: 0, created_by: actor.userId, created_at: at, applied_at: null }).execute();
        if (request.mapping && Object.keys(request.mapping).length > 0) {
          const mapping = JSON.stringify(saved);
          await tx.insertInto('catalog_import_mappings').values({ agency_id: fonds.agency_id, category_id: category.id, mapping, updated_at: at }).onConflict((oc) => oc.columns(['agency_id', 'category_id']).doUpdateSet({ mapping, updated_at: at })).execute();
        }
      });

      // Chunk by chunk — convert, find duplicates, stage — so memory stays flat for 100,000 rows.
      let errorRows = fileProblems.some((p) => p.severity === 'error') ? 1 : 0;
      const seenCodes = new Map<string, number>();
      const codeColumn = ctx.columnOf('archivalCode');
      for (let i = 0; i < sheet.rows.length; i += STAGE_CHUNK) {
        const converted = sheet.rows.slice(i, i + STAGE_CHUNK).map(({ row, cells }) => {
          const byField = new Map<ImportField, string>();
          columns.forEach((c, j) => {
            if (c.field !== null && !byField.get(c.field)) byField.set(c.field as ImportField, cells[j] ?? '');
          });
          const result = convertRow(row, byField, ctx);
          return { row, raw: byField, result, code: result.checked?.ok ? result.checked.item.archivalCode : null };
        });
        const duplicates = await duplicateCodes(db, converted, codeColumn, seenCodes);
        const chunk = converted.map((c) => {
          const problems = [...(noticesByRow.get(c.row) ?? []), ...c.result.problems];
          const dup = duplicates.get(c.row);
          if (dup) problems.push(dup);
          const hasError = problems.some((p) => p.severity === 'error');
          if (hasError) errorRows += 1;
          const data = !hasError && c.result.checked?.ok ? stagedRow(catalog.rowOf(uuidv7(), c.result.checked.item, ctx, actor, at)) : null;
          return { import_id: importId, row_no: c.row, raw: JSON.stringify(Object.fromEntries(c.raw)), data, problems: problems.length > 0 ? JSON.stringify(problems) : null };
        });
        await db.transaction().execute((tx) => tx.insertInto('catalog_import_rows').values(chunk).execute());
        request.onProgress?.(Math.min(i + STAGE_CHUNK, sheet.rows.length), sheet.rows.length);
      }
      if (fileProblems.length > 0) {
        await db.insertInto('catalog_import_rows').values({ import_id: importId, row_no: 0, raw: '{}', data: null, problems: JSON.stringify(fileProblems) }).execute();
      }
      await db.transaction().execute(async (tx) => {
        await tx.updateTable('catalog_imports').set({ status: 'checked', error_rows: errorRows }).where('id', '=', importId).execute();
        await audit.append(tx, { actor: { ...actor, roles: [...actor.roles] }, action: 'catalog.import.check', target: { type: 'import', id: importId, label: request.fileName.slice(0, 80) }, result: 'ok', details: { rows: sheet.rows.length, errorRows, encoding: sheet.encoding, sheet: sheet.sheet } });
      });
      return summary(db, importId);
    },

    /** Corrects cells of one row and checks it again. */
    async fixRow(actor: Actor, viewer: Viewer, importId: string, rowNo: number, values: Record<string, string>): Promise<ImportSummary> {
      requireArchivist(actor, { zh: '导入目录', en: 'import catalogs' });
      return db.transaction().execute(async (tx) => {
        const imp = await tx.selectFrom('catalog_imports').selectAll().where('id', '=', importId).executeTakeFirst();
        if (!imp) throw catalogErrors.CATALOG_IMPORT_NOT_FOUND({ id: importId });
        if (imp.status !== 'checked') throw catalogErrors.CATALOG_IMPORT_STATE({ id: importId, state: '应用', stateEn: imp.status });
        const staged = await tx.selectFrom('catalog_import_rows').selectAll().where('import_id', '=', importId).where('row_no', '=', rowNo).executeTakeFirst();
        if (!staged || rowNo === 0) throw catalogErrors.CATALOG_IMPORT_NOT_FOUND({ id: `${importId}#${rowNo}` });
        const columns = JSON.parse(imp.columns) as ImportSummary['columns'];
        const raw = { ...(JSON.parse(staged.raw) as Record<string, string>), ...values };
        const ctx = await contextOf(tx, viewer, imp.fonds_id, imp.category_id, columns);
        const result = convertRow(rowNo, new Map(Object.entries(raw) as Array<[ImportField, string]>), ctx);
        const problems = [...result.problems];
        const code = result.checked?.ok ? result.checked.item.archivalCode : null;
        if (code !== null) {
          const others = await tx.selectFrom('catalog_import_rows').select('row_no').where('import_id', '=', importId).where('row_no', '<>', rowNo).where(() => sql<boolean>`${jsonField(caps, 'data', 'archival_code')} = ${code}`).executeTakeFirst();
          if (others) problems.push({ row: rowNo, column: ctx.columnOf('archivalCode'), field: 'archivalCode', value: code, severity: 'error', problem: `档号与第 ${others.row_no} 行重复`, problemEn: 'duplicate code in file', suggestion: '核对件号' });
          const dup = (await duplicateCodes(tx, [{ row: rowNo, code }], ctx.columnOf('archivalCode'), new Map())).get(rowNo);
          if (dup) problems.push(dup);
        }
        const previous = staged.problems ? (JSON.parse(staged.problems) as RowProblem[]) : [];
        problems.unshift(...previous.filter((p) => p.severity === 'warning' && p.field === ''));
        const hasError = problems.some((p) => p.severity === 'error');
        const hadError = previous.some((p) => p.severity === 'error');
        const data = !hasError && result.checked?.ok ? stagedRow(catalog.rowOf(uuidv7(), result.checked.item, ctx, actor, new Date().toISOString())) : null;
        await tx.updateTable('catalog_import_rows').set({ raw: JSON.stringify(raw), data, problems: problems.length > 0 ? JSON.stringify(problems) : null }).where('import_id', '=', importId).where('row_no', '=', rowNo).execute();
        if (hadError !== hasError) await tx.updateTable('catalog_imports').set({ error_rows: imp.error_rows + (hasError ? 1 : -1) }).where('id', '=', importId).execute();
        return summary(tx, importId);
      });
    },

    /** Copies every staged row into the catalog in one transaction; refuses while any row has an error. */
    async apply(tx: Tx, actor: Actor, importId: string): Promise<{ imported: number }> {
      requireArchivist(actor, { zh: '导入目录', en: 'import catalogs' });
      const imp = await tx.selectFrom('catalog_imports').selectAll().where('id', '=', importId).executeTakeFirst();
      if (!imp) throw catalogErrors.CATALOG_IMPORT_NOT_FOUND({ id: importId });
      if (imp.status !== 'checked') throw catalogErrors.CATALOG_IMPORT_STATE({ id: importId, state: imp.status === 'applied' ? '应用' : '失效', stateEn: imp.status });
      if (imp.error_rows > 0) throw catalogErrors.CATALOG_IMPORT_HAS_ERRORS({ count: imp.error_rows });
      // Codes may have been taken since the check.
      const taken = await tx
        .selectFrom('catalog_import_rows as i')
        .innerJoin('records as r', (join) => join.on(() => sql<boolean>`r.archival_code = ${jsonField(caps, 'i.data', 'archival_code')}`))
        .select(['i.row_no', 'r.archival_code'])
        .where('i.import_id', '=', importId)
        .limit(20)
        .execute();
      if (taken.length > 0) throw catalogErrors.CATALOG_CODE_DUPLICATE({ code: taken.map((t) => `${t.archival_code}（第 ${t.row_no} 行）`).join('、') }, { rows: taken });
      const at = new Date().toISOString();
      const select = RECORD_COLUMNS.map(([column, type]) => sql`${jsonField(caps, 'data', column, type)}`);
      const names = RECORD_COLUMNS.map(([column]) => sql.ref(column));
      await sql`insert into records (${sql.join(names)}, created_at, updated_at, version)
        select ${sql.join(select)}, cast(${at} as ${sql.raw(caps.timestampType)}), cast(${at} as ${sql.raw(caps.timestampType)}), 1 from catalog_import_rows where import_id = ${importId} and data is not null order by row_no`.execute(tx);
      // The codes that came with the rows go into the code history in the same set-based way.
      const hasCode = sql<boolean>`${jsonField(caps, 'data', 'archival_code')} is not null`;
      await sql`insert into archival_code_changes (id, entity_type, entity_id, old_code, new_code, reason, batch_id, changed_by, changed_at)
        select ${jsonField(caps, 'data', 'change_id')}, 'record', ${jsonField(caps, 'data', 'id')}, null, ${jsonField(caps, 'data', 'archival_code')},
               ${`目录导入：${imp.file_name}`}, ${importId}, ${actor.userId}, cast(${at} as ${sql.raw(caps.timestampType)})
        from catalog_import_rows where import_id = ${importId} and data is not null and ${hasCode}`.execute(tx);
      let coded = 0;
      if (catalog.hasCodeListeners()) {
        const rows = await tx.selectFrom('catalog_import_rows').select([jsonField(caps, 'data', 'id').as('id'), jsonField(caps, 'data', 'archival_code').as('code')]).where('import_id', '=', importId).where('data', 'is not', null).where(() => hasCode).execute();
        coded = rows.length;
        await catalog.notifyCodeChanges(tx, rows.map((c) => ({ entityType: 'record', id: String(c.id), oldCode: null, newCode: String(c.code) })));
      }
      const count = await tx.selectFrom('catalog_import_rows').select((eb) => eb.fn.countAll<number>().as('n')).where('import_id', '=', importId).where('data', 'is not', null).executeTakeFirstOrThrow();
      await tx.deleteFrom('catalog_import_rows').where('import_id', '=', importId).execute();
      await tx.updateTable('catalog_imports').set({ status: 'applied', applied_at: at }).where('id', '=', importId).execute();
      await audit.append(tx, { actor: { ...actor, roles: [...actor.roles] }, action: 'catalog.import.apply', target: { type: 'import', id: importId, label: imp.file_name.slice(0, 80) }, result: 'ok', details: { imported: Number(count.n), codesNotified: coded } });
      return { imported: Number(count.n) };
    },
  };
}

export type CatalogImport = ReturnType<typeof createCatalogImport>;
