/**
 * A whole package into a draft hand-over: an uploaded zip/tar (unpacked safely),
 * recognised as a BagIt bag or as files with a catalog spreadsheet (归档文件目录
 * naming each item's files in a 文件名 column), or a DA/T 48 EEP (uploaded as it
 * is or inside the zip/tar: one item per EEP, see eep-intake.ts). Its files become
 * the hand-over's files with the digests the package declared; the spreadsheet's
 * rows and the EEPs become its items. Nothing is judged here — the four-property checks judge — but a package
 * that cannot be opened safely is refused with the reason.
 */
import path from 'node:path';
import fs from 'node:fs/promises';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../../../platform/db/database.js';
import { unpack, UnpackError, type UnpackLimits } from '../../../platform/files/unpack.js';
import type { Actor } from '../../accounts/service.js';
import type { Category } from '../../catalog/model.js';
import { fieldForHeader } from '../../catalog/import/mapping.js';
import { readSheet } from '../../catalog/import/read-sheet.js';
import { normaliseCell } from '../../catalog/import/convert-row.js';
import { transferErrors } from '../errors.js';
import type { TransferItemInput } from '../model.js';
import type { TransferService } from '../service.js';
import { BagRefused, findBagRoot, readBag, type StagedEntry } from './bagit.js';
import { itemsFromLantaiBag } from './da46-tag.js';
import { EepRefused, sniffEep } from './eep.js';
import { takeEeps, type EepIntake } from './eep-intake.js';

export const PACKAGE_LIMITS: UnpackLimits = { maxEntries: 100_000, maxTotalBytes: 200 * 1024 ** 3, maxRatio: 200, maxDepth: 2 };
const FILE_HEADERS = new Set(['文件名', '电子文件名', '文件路径', '电子文件', '文件', '计算机文件名']);
const NUMERIC = new Set(['year', 'pageCount']);

const UNPACK_REASONS: Record<string, string> = {
  'not-an-archive': '不是 zip 或 tar 压缩包', corrupt: '压缩包已损坏', truncated: '压缩包不完整（可能上传中断）', 'path-traversal': '含有越出目录的路径（../）', 'absolute-path': '含有绝对路径',
  symlink: '含有符号链接', hardlink: '含有硬链接', device: '含有设备文件', 'duplicate-name': '含有重名文件', 'case-collision': '含有仅大小写或编码不同的重名文件', 'too-many-entries': '文件数量超过上限',
  unsupported: '使用了不支持的压缩方式或条目类型', 'too-large': '解压后超过大小上限', ratio: '压缩比异常（疑似压缩炸弹）', encrypted: '含有加密文件', 'nested-too-deep': '压缩包嵌套层数过多',
};

/** Spreadsheet rows → item inputs: the catalog's column names, plus a column naming the item's files. */
export async function itemsFromSpreadsheet(sheetFile: StagedEntry, category: Category, payloadRoot: string): Promise<TransferItemInput[]> {
  const bytes = await fs.readFile(sheetFile.stagedPath);
  const sheet = await readSheet(bytes, (cell) => FILE_HEADERS.has(cell.trim()) || fieldForHeader(cell, category, {}) !== null);
  const columns = sheet.headers.map((h) => (FILE_HEADERS.has(h.trim()) ? 'files' : fieldForHeader(h, category, {})));
  return sheet.rows.map(({ cells }) => {
    const metadata: Record<string, unknown> = {};
    let files: TransferItemInput['files'] = [];
    columns.forEach((field, i) => {
      const value = (cells[i] ?? '').trim();
      if (field === null || value === '') return;
      if (field === 'files') files = value.split(/[;；、\n]/).map((p) => p.trim()).filter(Boolean).map((p) => ({ path: path.posix.join(payloadRoot, p.replace(/\\/g, '/')), role: '正本' }));
      else if (field.startsWith('extensions.')) metadata.extensions = { ...((metadata.extensions as Record<string, string>) ?? {}), [field.slice(11)]: value };
      else metadata[field] = NUMERIC.has(field) && /^\d+$/.test(value) ? Number(value) : normaliseCell(field, value);
    });
    return { metadata, files };
  });
}

export function createPackageIntake(deps: { db: Db; transfers: TransferService; stagingDir: string; getCategory(db: Db, id: string): Promise<Category> }) {
  const { db, transfers } = deps;

  return {
    /** Unpacks an uploaded package file of a draft and turns it into files and items. */
    async intake(actor: Actor, transferId: string, fileId: string): Promise<{ files: number; items: number; kind: 'bagit' | 'catalog' | 'files' | 'eep' }> {
      const transfer = await transfers.load(db, actor, transferId);
      if (transfer.status !== 'draft') throw transferErrors.TRANSFER_STATE({ state: transfer.status, stateEn: transfer.status, action: '导入压缩包', actionEn: 'given a package' });
      const archive = await db.selectFrom('transfer_files').selectAll().where('id', '=', fileId).where('transfer_id', '=', transferId).executeTakeFirst();
      if (!archive) throw transferErrors.TRANSFER_UPLOAD_NOT_FOUND({ id: fileId });
      const dest = path.join(deps.stagingDir, 'transfers', transferId, `package-${uuidv7()}`);
      // An EEP uploaded as it is: the upload is the package's one entry, and stays a file of the hand-over.
      const direct = await sniffEep(archive.staged_path);
      let entries: StagedEntry[];
      try {
        entries = direct ? [{ path: archive.path, stagedPath: archive.staged_path, size: Number(archive.size), sha256: archive.sha256, sm3: archive.sm3 }] : await unpack(archive.staged_path, dest, PACKAGE_LIMITS);
      } catch (err) {
        if (err instanceof UnpackError) throw transferErrors.TRANSFER_PACKAGE_REFUSED({ reason: `${UNPACK_REASONS[err.reason] ?? err.reason}${err.entry ? `：${err.entry}` : ''}`, reasonEn: err.message });
        throw err;
      }
      const category = await deps.getCategory(db, transfer.category_id);
      let kind: 'bagit' | 'catalog' | 'files' | 'eep' = 'files';
      let payload = entries;
      let payloadRoot = '';
      const declared = new Map<string, { sha256?: string; sm3?: string }>();
      const bagRoot = findBagRoot(entries);
      if (bagRoot !== null) {
        try {
          const bag = await readBag(entries, bagRoot);
          // A bag that is not complete and valid is refused as a whole (the upload stays, to be replaced):
          // its own manifests say it is not what was sent. Payload digests that differ are the checks' business.
          if (bag.problems.length > 0) throw new BagRefused(`BagIt 包不完整或已被改动：${bag.problems.map((p) => p.zh).join('；')}`, `the bag is not complete and valid: ${bag.problems.map((p) => p.en).join('; ')}`);
          kind = 'bagit';
          payload = bag.payload;
          for (const [p, d] of bag.manifests.get('sha256') ?? []) declared.set(p, { ...declared.get(p), sha256: d });
          for (const [p, d] of bag.manifests.get('sm3') ?? []) declared.set(p, { ...declared.get(p), sm3: d });
        } catch (err) {
          await fs.rm(dest, { recursive: true, force: true });
          if (err instanceof BagRefused) throw transferErrors.TRANSFER_PACKAGE_REFUSED({ reason: err.zh, reasonEn: err.en });
          throw err;
        }
      }
      const sheet = payload.find((e) => !e.path.includes('/') && /\.(xlsx|csv)$/i.test(e.path) && /目录|catalog/i.test(e.path));
      let items: TransferItemInput[] = [];
      // A bag Lantai exported (preservation/bag.ts) describes its records in metadata/ (one, or one folder each).
      if (kind === 'bagit' && !sheet && bagRoot !== null) items = await itemsFromLantaiBag(entries, bagRoot, payload);
      if (sheet) {
        kind = kind === 'bagit' ? 'bagit' : 'catalog';
        payloadRoot = '';
        items = await itemsFromSpreadsheet(sheet, category, payloadRoot);
        payload = payload.filter((e) => e !== sheet);
      }
      let eeps: EepIntake;
      try {
        eeps = await takeEeps(payload, path.join(dest, 'eep'), new Set(payload.map((e) => e.path)));
      } catch (err) {
        await fs.rm(dest, { recursive: true, force: true });
        if (err instanceof EepRefused) throw transferErrors.TRANSFER_PACKAGE_REFUSED({ reason: `电子文件封装包 ${err.zh}`, reasonEn: `EEP ${err.en}` });
        throw err;
      }
      if (eeps.items.length > 0) {
        items = [...items, ...eeps.items];
        if (kind === 'files') kind = 'eep';
      }
      const added = [...(direct ? [] : payload.map((e) => ({ ...e, declaredSize: null }))), ...eeps.files];
      const at = new Date().toISOString();
      try {
        await db.transaction().execute(async (tx) => {
          const taken = new Set((await tx.selectFrom('transfer_files').select('path').where('transfer_id', '=', transferId).execute()).map((r) => r.path));
          const rows = added.map((e, i) => {
            if (taken.has(e.path)) throw transferErrors.TRANSFER_PATH_TAKEN({ path: e.path });
            const d = declared.get(e.path);
            return { id: uuidv7(), transfer_id: transferId, item_id: null, path: e.path, staged_path: e.stagedPath, size: e.size, sha256: e.sha256, sm3: e.sm3, declared_size: e.declaredSize, declared_sha256: d?.sha256 ?? null, declared_sm3: d?.sm3 ?? null, role: '正本', position: i + 1, mime: null, received_at: at };
          });
          for (let i = 0; i < rows.length; i += 500) await tx.insertInto('transfer_files').values(rows.slice(i, i + 500)).execute();
          // The package itself is how the files travelled, not a record of the hand-over (an EEP is both: it stays).
          if (!direct) await tx.deleteFrom('transfer_files').where('id', '=', fileId).execute();
          if (items.length > 0) await transfers.addItems(tx, actor, transferId, items);
        });
      } catch (err) {
        await fs.rm(dest, { recursive: true, force: true });
        throw err;
      }
      return { files: added.length + (direct ? 1 : 0), items: items.length, kind };
    },
  };
}

export type PackageIntake = ReturnType<typeof createPackageIntake>;
