/**
 * Offline hand-over (离线移交): an archivist reads a mounted carrier — a disc or
 * disk under LANTAI_CARRIER_ROOT — into an offline hand-over's staging, hashing
 * every file once as it is copied. The carrier holds a catalog spreadsheet naming
 * the files it declares; files on the carrier outside that content are recorded
 * for the carrier check (DA/T 70 载体中多余文件检测), and files that cannot be read
 * are refused with their names (the carrier's readability check).
 * Links on the carrier are not followed: a carrier cannot point outside itself.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../../../platform/db/database.js';
import { createDualDigest } from '../../../platform/storage/digest.js';
import type { Actor } from '../../accounts/service.js';
import type { Category } from '../../catalog/model.js';
import { transferErrors } from '../errors.js';
import type { TransferService } from '../service.js';
import type { StagedEntry } from './bagit.js';
import { itemsFromSpreadsheet } from './intake.js';

async function copyHashed(from: string, to: string): Promise<{ size: number; sha256: string; sm3: string }> {
  const source = await fs.open(from, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  const target = await fs.open(to, 'wx', 0o640);
  const digest = createDualDigest();
  try {
    const buffer = Buffer.allocUnsafe(1024 * 1024);
    for (;;) {
      const { bytesRead } = await source.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      const block = Buffer.from(buffer.subarray(0, bytesRead));
      await Promise.all([digest.update(block), target.write(block)]);
    }
    await target.sync();
    return await digest.digest();
  } catch (err) {
    digest.abort();
    throw err;
  } finally {
    await source.close();
    await target.close();
  }
}

async function walk(root: string, rel = ''): Promise<Array<{ rel: string; abs: string }>> {
  const out: Array<{ rel: string; abs: string }> = [];
  for (const entry of await fs.readdir(path.join(root, rel), { withFileTypes: true })) {
    const relPath = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await walk(root, relPath)));
    else if (entry.isFile()) out.push({ rel: relPath.normalize('NFC'), abs: path.join(root, relPath) });
    // Links, devices and sockets on a carrier are not part of a hand-over.
  }
  return out;
}

export function createCarrierIntake(deps: { db: Db; transfers: TransferService; stagingDir: string; carrierRoot: string; getCategory(db: Db, id: string): Promise<Category> }) {
  const { db, transfers } = deps;
  return {
    async readCarrier(actor: Actor, transferId: string, carrierPath: string): Promise<{ files: number; items: number; extra: string[] }> {
      if (!actor.roles.includes('archivist')) throw transferErrors.TRANSFER_FORBIDDEN({ who: '只有档案业务人员', action: '读取离线载体', actionEn: 'read offline carriers' });
      const transfer = await transfers.load(db, actor, transferId);
      if (transfer.channel !== 'offline' || transfer.status !== 'draft') throw transferErrors.TRANSFER_STATE({ state: transfer.status, stateEn: transfer.status, action: '读取载体（仅离线移交草稿）', actionEn: 'given a carrier (offline drafts only)' });
      const root = await fs.realpath(deps.carrierRoot).catch(() => deps.carrierRoot);
      const resolved = path.resolve(root, carrierPath);
      const real = await fs.realpath(resolved).catch(() => null);
      if (real === null || !(real === root || real.startsWith(`${root}${path.sep}`))) throw transferErrors.TRANSFER_CARRIER_PATH({ path: carrierPath, root });
      let found: Array<{ rel: string; abs: string }>;
      try {
        found = await walk(real);
      } catch (err) {
        throw transferErrors.TRANSFER_CARRIER_UNREADABLE({ path: carrierPath, reason: (err as Error).message });
      }
      const dest = path.join(deps.stagingDir, 'transfers', transferId, `carrier-${uuidv7()}`);
      await fs.mkdir(dest, { recursive: true });
      const staged: StagedEntry[] = [];
      const unreadable: string[] = [];
      for (const [i, f] of found.entries()) {
        const stagedPath = path.join(dest, String(i));
        try {
          staged.push({ path: f.rel, stagedPath, ...(await copyHashed(f.abs, stagedPath)) });
        } catch {
          unreadable.push(f.rel);
        }
      }
      if (unreadable.length > 0) {
        await fs.rm(dest, { recursive: true, force: true });
        throw transferErrors.TRANSFER_CARRIER_UNREADABLE({ path: unreadable.slice(0, 10).join('、'), reason: `${unreadable.length} 个文件读取失败` });
      }
      const category = await deps.getCategory(db, transfer.category_id);
      const sheet = staged.find((e) => !e.path.includes('/') && /\.(xlsx|csv)$/i.test(e.path) && /目录|catalog/i.test(e.path));
      const items = sheet ? await itemsFromSpreadsheet(sheet, category, '') : [];
      const declared = new Set(items.flatMap((i) => i.files.map((f) => f.path)));
      const payload = staged.filter((e) => e !== sheet);
      const extra = sheet ? payload.filter((e) => !declared.has(e.path)).map((e) => e.path) : [];
      const at = new Date().toISOString();
      await db.transaction().execute(async (tx) => {
        const rows = payload.map((e, i) => ({ id: uuidv7(), transfer_id: transferId, item_id: null, path: e.path, staged_path: e.stagedPath, size: e.size, sha256: e.sha256, sm3: e.sm3, declared_size: null, declared_sha256: null, declared_sm3: null, role: '正本', position: i + 1, mime: null, received_at: at }));
        for (let i = 0; i < rows.length; i += 500) await tx.insertInto('transfer_files').values(rows.slice(i, i + 500)).execute();
        if (items.length > 0) await transfers.addItems(tx, actor, transferId, items);
        const carrier = JSON.parse(transfer.carrier ?? '{}') as Record<string, unknown>;
        await tx.updateTable('transfers').set({ carrier: JSON.stringify({ ...carrier, readAt: at, files: found.length, extra }) }).where('id', '=', transferId).execute();
      });
      return { files: payload.length, items: items.length, extra };
    },
  };
}

export type CarrierIntake = ReturnType<typeof createCarrierIntake>;
