/**
 * The `transfer.check` job: gathers what the checks need, runs the item, file and
 * package checks (files several at a time: reading and qpdf are I/O and child
 * processes, the job runner keeps the web server responsive), stores one result
 * per check and subject, and moves the hand-over to `checked` — or, for a self-
 * check of a draft (自检), leaves it a draft with the results attached.
 */
import os from 'node:os';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../../../platform/db/database.js';
import type { JobContext } from '../../../platform/jobs/model.js';
import { describeVirusDatabase, lastImport, type VirusDatabaseFacts } from '../../../platform/scan/signatures.js';
import { findUserNames } from '../../accounts/organisations.js';
import type { Viewer } from '../../accounts/viewer.js';
import { classKeyOf, parseArchivalCode } from '../../catalog/archival-code.js';
import type { CatalogService } from '../../catalog/service.js';
import { CHECK_RESULTS, PROPERTIES, type CheckResult } from '../model.js';
import { checkFile, type FileCheckSettings, type SubjectFile } from './file-checks.js';
import { checkItems, type Finding, type SubjectItem } from './item-checks.js';
import { checkPackage } from './package-checks.js';
import { CHECK_BY_ID } from './registry.js';

// An item is as good as its worst judged check: 未检测 (no scanner configured, say) does not spoil a pass.
const WORST: Record<CheckResult, number> = { 未检测: 0, 通过: 1, 警告: 2, 不通过: 3 };

export interface CheckSummary {
  checkedAt: string;
  draft: boolean;
  items: number;
  files: number;
  bytes: number;
  /** Items with no 不通过. */
  passedItems: number;
  passRate: number;
  counts: Record<CheckResult, number>;
  byProperty: Record<string, Record<CheckResult, number>>;
  /** The virus scanner and the age of its signatures; null when no scanner is configured. */
  virusDatabase?: VirusDatabaseFacts | null;
  /** Package-level findings (counts, continuity, completeness, process). */
  package: Array<{ checkId: string; result: CheckResult; message: string }>;
}

export function worst(results: Iterable<CheckResult>): CheckResult {
  let w: CheckResult = '未检测';
  for (const r of results) if (WORST[r] > WORST[w]) w = r;
  return w;
}

export function createCheckRunner(deps: { db: Db; catalog: CatalogService; settings: FileCheckSettings; classified: boolean }) {
  const { db, catalog } = deps;
  const baseSettings = deps.settings;

  return async function runChecks(payload: { transferId: string; draft: boolean }, ctx: JobContext): Promise<CheckSummary> {
    try {
      return await check(payload, ctx);
    } catch (err) {
      // A failed attempt leaves the hand-over submitted (the job retries), never stuck in `checking`.
      if (!payload.draft) await db.updateTable('transfers').set({ status: 'submitted' }).where('id', '=', payload.transferId).where('status', '=', 'checking').execute();
      throw err;
    }
  };

  async function check(payload: { transferId: string; draft: boolean }, ctx: JobContext): Promise<CheckSummary> {
    const startedAt = performance.now();
    const transfer = await db.selectFrom('transfers').selectAll().where('id', '=', payload.transferId).executeTakeFirstOrThrow();
    if (!payload.draft) await db.updateTable('transfers').set({ status: 'checking', updated_at: new Date().toISOString() }).where('id', '=', transfer.id).execute();
    const itemRows = await db.selectFrom('transfer_items').selectAll().where('transfer_id', '=', transfer.id).orderBy('position').execute();
    const fileRows = await db.selectFrom('transfer_files').selectAll().where('transfer_id', '=', transfer.id).orderBy('path').execute();

    // Match the files each item names to the files received, by path.
    const byPath = new Map(fileRows.map((f) => [f.path, f]));
    const referenced = new Set<string>();
    const missingFiles: string[] = [];
    const fileItem = new Map<string, string>();
    const declared = new Map<string, { sha256?: string; sm3?: string; size?: number }>();
    const items: SubjectItem[] = itemRows.map((row) => {
      const files = JSON.parse(row.declared_files) as Array<{ path: string; sha256?: string; sm3?: string; size?: number }>;
      const fileIds: string[] = [];
      for (const f of files) {
        const got = byPath.get(f.path);
        if (!got) {
          missingFiles.push(f.path);
          continue;
        }
        referenced.add(f.path);
        fileIds.push(got.id);
        fileItem.set(got.id, row.id);
        declared.set(got.id, f);
      }
      return { id: row.id, position: row.position, metadata: JSON.parse(row.metadata) as Record<string, unknown>, fileIds };
    });
    const unreferencedFiles = fileRows.filter((f) => !referenced.has(f.path)).map((f) => f.path);

    // The archive's rules for this fonds and category, as the catalog applies them.
    const checker: Viewer = { userId: null, roles: ['archivist'], clearance: deps.classified ? '绝密' : '非密', organisationId: null, zone: 'lan', grants: [] };
    const itemContext = await catalog.contextFor(db, checker, { fondsId: transfer.fonds_id, categoryId: transfer.category_id, volumeId: null });
    const codes = itemRows.map((r) => r.archival_code).filter((c): c is string => c !== null);
    const taken = new Set<string>();
    for (let i = 0; i < codes.length; i += 500) {
      for (const r of await db.selectFrom('records').select('archival_code').where('archival_code', 'in', codes.slice(i, i + 500)).execute()) if (r.archival_code) taken.add(r.archival_code);
    }
    // Findings are kept with their evidence already serialised, and the same evidence as the same
    // string: ten thousand items and files give some two hundred thousand findings, most of them
    // "符合要求", and shared strings hold far less memory than as many object graphs.
    const findings: StoredFinding[] = [];
    const evidenceText = new Map<string, string>();
    const keep = (f: Finding) => {
      let evidence = JSON.stringify(f.evidence);
      if (evidence.length < 200) {
        const known = evidenceText.get(evidence);
        if (known === undefined) {
          if (evidenceText.size < 10_000) evidenceText.set(evidence, evidence);
        } else evidence = known;
      }
      findings.push({ checkId: f.checkId, itemId: f.itemId, fileId: f.fileId, result: f.result, evidence, message: f.itemId === null && f.fileId === null ? f.evidence.message : '' });
    };
    const { valid } = checkItems(items, itemContext, taken, keep);
    const itemsChecked = performance.now();
    // The scanner's engine and signature version go into every virus finding's evidence.
    const scanner = baseSettings.virusScanner ? await baseSettings.virusScanner.version() : null;
    const settings: FileCheckSettings = baseSettings.virusScanner ? { ...baseSettings, scannerVersion: scanner?.text ?? null } : baseSettings;
    // How current the virus check was: the signatures' date and their last offline import.
    const virusDatabase = baseSettings.virusScanner ? describeVirusDatabase(scanner, baseSettings.clamavDbDir ? await lastImport(baseSettings.clamavDbDir) : null) : null;

    const files: SubjectFile[] = fileRows.map((f) => {
      const d = declared.get(f.id);
      return {
        id: f.id, itemId: fileItem.get(f.id) ?? null, path: f.path, stagedPath: f.staged_path, size: Number(f.size), sha256: f.sha256, sm3: f.sm3,
        declaredSize: f.declared_size ?? d?.size ?? null, declaredSha256: f.declared_sha256 ?? d?.sha256 ?? null, declaredSm3: f.declared_sm3 ?? d?.sm3 ?? null,
      };
    });
    const mimes = new Map<string, string | null>();
    const pagesOf = new Map<string, number | null>();
    const wantsPages = new Set(items.filter((i) => typeof i.metadata.pageCount === 'number' || /^\d+$/.test(String(i.metadata.pageCount ?? ''))).flatMap((i) => i.fileIds));
    let done = 0;
    let reported = performance.now();
    const queue = [...files];
    const worker = async () => {
      for (let f = queue.shift(); f; f = queue.shift()) {
        ctx.signal.throwIfAborted();
        const checked = await checkFile(f, settings, wantsPages.has(f.id));
        checked.findings.forEach(keep);
        mimes.set(f.id, checked.format.mime);
        pagesOf.set(f.id, checked.pages);
        done += 1;
        // Progress at most four times a second: with ten thousand small files a write per file would cost more than the checks.
        if (done === files.length || performance.now() - reported >= 250) {
          reported = performance.now();
          await ctx.progress({ done, total: files.length, unit: 'files', message: '检测文件' });
        }
      }
    };
    // Reading files and running qpdf wait on the disk and on child processes: keep every core busy.
    await Promise.all(Array.from({ length: Math.max(8, os.availableParallelism() * 8) }, () => worker()));
    const filesChecked = performance.now();

    // 页数 against the pages of the item's files (DA/T 70: content against metadata).
    for (const item of items) {
      const declared = Number(item.metadata.pageCount);
      if (!Number.isInteger(declared) || declared <= 0 || item.fileIds.length === 0) continue;
      // Page-less containers (an EEP's XML, other XML) do not count towards 页数.
      const counts = item.fileIds.filter((id) => mimes.get(id) !== 'application/xml').map((id) => pagesOf.get(id) ?? null);
      if (counts.length === 0) continue;
      if (counts.some((c) => c === null)) {
        keep({ checkId: 'YJ-ZS-12', itemId: item.id, fileId: null, result: '未检测', evidence: { message: '部分文件无法计算页数' } });
        continue;
      }
      const total = counts.reduce((a: number, b) => a + (b ?? 0), 0);
      keep(
        total === declared
          ? { checkId: 'YJ-ZS-12', itemId: item.id, fileId: null, result: '通过', evidence: { message: `共 ${total} 页，与著录一致` } }
          : { checkId: 'YJ-ZS-12', itemId: item.id, fileId: null, result: '警告', evidence: { message: `文件共 ${total} 页，著录为 ${declared} 页`, expected: declared, found: total } },
      );
    }
    const numbered = [...valid.entries()].flatMap(([, input]) => {
      const parts = input.archivalCode ? parseArchivalCode(itemContext.category.pattern, input.archivalCode) : null;
      return parts && parts.itemNo !== null ? [{ classKey: classKeyOf(itemContext.category.pattern, parts), itemNo: parts.itemNo }] : [];
    });
    const declaredSizes = files.map((f) => f.declaredSize).filter((s): s is number => s !== null);
    const bytes = files.reduce((n, f) => n + f.size, 0);
    const packageFindings = checkPackage({
      declaredItems: transfer.declared_items,
      declaredBytes: declaredSizes.length === files.length && files.length > 0 ? declaredSizes.reduce((a, b) => a + b, 0) : null,
      items: items.length,
      bytes,
      channel: transfer.channel,
      carrier: transfer.carrier ? (JSON.parse(transfer.carrier) as { type: string; label: string; number: string }) : null,
      numbered,
      missingFiles,
      unreferencedFiles,
      extraOnCarrier: transfer.carrier ? ((JSON.parse(transfer.carrier) as { extra?: string[] }).extra ?? []) : [],
      receivedBy: transfer.created_by ? ((await findUserNames(db, [transfer.created_by])).get(transfer.created_by) ?? `接口密钥或系统（${transfer.channel}）`) : `接口密钥或系统（${transfer.channel}）`,
    });
    packageFindings.forEach(keep);

    const summary: CheckSummary = { ...summarise(findings, { draft: payload.draft, items: items.length, files: files.length, bytes }), virusDatabase };
    const at = summary.checkedAt;
    await db.transaction().execute(async (tx) => {
      await tx.deleteFrom('transfer_check_results').where('transfer_id', '=', transfer.id).execute();
      for (let i = 0; i < findings.length; i += 500) {
        const rows = findings.slice(i, i + 500).map((f) => ({ id: uuidv7(), transfer_id: transfer.id, check_id: f.checkId, item_id: f.itemId, file_id: f.fileId, result: f.result, evidence: f.evidence }));
        await tx.insertInto('transfer_check_results').values(rows).execute();
      }
      const byItem = new Map<string, CheckResult>();
      for (const f of findings) if (f.itemId) byItem.set(f.itemId, worst([byItem.get(f.itemId) ?? '未检测', f.result]));
      // Set-based: a handful of statements for ten thousand items, not one each.
      const itemsByResult = new Map<CheckResult, string[]>();
      for (const item of items) {
        const result = byItem.get(item.id) ?? '未检测';
        const ids = itemsByResult.get(result);
        if (ids) ids.push(item.id);
        else itemsByResult.set(result, [item.id]);
      }
      for (const [result, ids] of itemsByResult) {
        for (let i = 0; i < ids.length; i += 500) await tx.updateTable('transfer_items').set({ result }).where('id', 'in', ids.slice(i, i + 500)).execute();
      }
      const fileIds = [...mimes.keys()];
      for (let i = 0; i < fileIds.length; i += 300) {
        const chunk = fileIds.slice(i, i + 300);
        const caseOf = (value: (id: string) => string | null) => sql<string | null>`case id ${sql.join(chunk.map((id) => sql`when ${id} then ${value(id)}`), sql` `)} end`;
        await tx
          .updateTable('transfer_files')
          .set({ mime: caseOf((id) => mimes.get(id) ?? null), item_id: caseOf((id) => fileItem.get(id) ?? null) })
          .where('id', 'in', chunk)
          .execute();
      }
      await tx
        .updateTable('transfers')
        .set({ summary: JSON.stringify(summary), checked_at: at, updated_at: at, ...(payload.draft ? {} : { status: 'checked' as const }) })
        .where('id', '=', transfer.id)
        .execute();
    });
    const ms = (from: number, to: number) => Math.round(to - from);
    ctx.log.info({ transferId: transfer.id, items: items.length, files: files.length, itemsMs: ms(startedAt, itemsChecked), filesMs: ms(itemsChecked, filesChecked), storeMs: ms(filesChecked, performance.now()) }, 'hand-over checked');
    return summary;
  }
}

/** A finding as the check keeps it until it is stored: evidence as JSON; `message` only for package-level findings. */
export interface StoredFinding {
  checkId: Finding['checkId'];
  itemId: string | null;
  fileId: string | null;
  result: CheckResult;
  evidence: string;
  message: string;
}

export function summarise(findings: readonly StoredFinding[], facts: { draft: boolean; items: number; files: number; bytes: number }): CheckSummary {
  const zero = () => Object.fromEntries(CHECK_RESULTS.map((r) => [r, 0])) as Record<CheckResult, number>;
  const counts = zero();
  const byProperty = Object.fromEntries(PROPERTIES.map((p) => [p, zero()])) as Record<string, Record<CheckResult, number>>;
  const failedItems = new Set<string>();
  for (const f of findings) {
    counts[f.result] += 1;
    const property = CHECK_BY_ID.get(f.checkId)?.property ?? 'integrity';
    (byProperty[property] as Record<CheckResult, number>)[f.result] += 1;
    if (f.result === '不通过' && f.itemId) failedItems.add(f.itemId);
  }
  const passedItems = facts.items - failedItems.size;
  return {
    checkedAt: new Date().toISOString(),
    draft: facts.draft,
    items: facts.items,
    files: facts.files,
    bytes: facts.bytes,
    passedItems,
    passRate: facts.items === 0 ? 0 : Math.round((passedItems / facts.items) * 1000) / 10,
    counts,
    byProperty,
    package: findings.filter((f) => f.itemId === null && f.fileId === null).map((f) => ({ checkId: f.checkId, result: f.result, message: f.message })),
  };
}
