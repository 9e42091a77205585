/**
 * DA/T 48 EEPs in a hand-over: each EEP (uploaded as it is, or found in a zip/tar
 * or a bag) becomes one item — its 文件实体's description — whose files are the
 * EEP itself (kept: it is the record's encapsulated, signed form, and the
 * signature check reads it) and the computer files decoded from its 编码数据,
 * named `<EEP path without .xml>/<计算机文件名>`.
 */
import path from 'node:path';
import type { TransferItemInput } from '../model.js';
import { packagePath } from '../paths.js';
import type { StagedEntry } from './bagit.js';
import { EepRefused, readEep, sniffEep, type EepFile } from './eep.js';

export interface EepIntake {
  items: TransferItemInput[];
  /** Decoded files, staged, with the size the package declared for each. */
  files: Array<StagedEntry & { declaredSize: number | null }>;
  /** Paths of the entries that were EEPs. */
  eeps: string[];
}

/** Entries worth sniffing: EEPs are XML, usually named .xml or .eep. */
export function mayBeEep(entry: Pick<StagedEntry, 'path' | 'size'>): boolean {
  return entry.size > 0 && /(\.xml|\.eep|^[^.]*)$/i.test(path.posix.basename(entry.path));
}

function roleOf(file: EepFile): string {
  if (file.layer === 'original') return '其他';
  return file.documentRole === '附属文档' ? '附件' : '正本';
}

/** A safe, unique name for a decoded file: its 计算机文件名 when usable, else its 编码ID. */
function nameFor(file: EepFile, n: number, folder: string, taken: Set<string>): string {
  const extension = /base64-([A-Za-z0-9]{1,10})$/i.exec(file.decodeKey ?? '')?.[1]?.toLowerCase();
  let base = (file.name ?? '').split(/[\\/]/).pop()?.trim() ?? '';
  if (base === '' || base === '.' || base === '..') base = `${(file.codeId ?? `文件${n}`).replace(/[\\/]/g, '_')}${extension ? `.${extension}` : ''}`;
  else if (!base.includes('.') && extension) base = `${base}.${extension}`;
  const { name: stem, ext } = path.posix.parse(base);
  for (let i = 1; ; i++) {
    let candidate: string;
    try {
      candidate = packagePath(`${folder}/${i === 1 ? base : `${stem}-${i}${ext}`}`);
    } catch {
      candidate = `${folder}/文件${n}${i === 1 ? '' : `-${i}`}${extension ? `.${extension}` : ''}`;
    }
    if (!taken.has(candidate)) {
      taken.add(candidate);
      return candidate;
    }
  }
}

/**
 * Reads every EEP among `entries` into items and staged files (under `stageDir`).
 * Throws EepRefused for the first package that cannot be taken; the caller removes
 * `stageDir`. `taken` holds the paths already used in the hand-over.
 */
export async function takeEeps(entries: readonly StagedEntry[], stageDir: string, taken: ReadonlySet<string>): Promise<EepIntake> {
  const used = new Set(taken);
  const result: EepIntake = { items: [], files: [], eeps: [] };
  for (const entry of entries) {
    if (!mayBeEep(entry) || !(await sniffEep(entry.stagedPath))) continue;
    let eep;
    try {
      eep = await readEep(entry.stagedPath, { stageDir });
    } catch (err) {
      if (err instanceof EepRefused) throw new EepRefused(`${entry.path}：${err.zh}`, `${entry.path}: ${err.en}`);
      throw err;
    }
    const folder = /\.(xml|eep)$/i.test(entry.path) ? entry.path.replace(/\.(xml|eep)$/i, '') : `${entry.path}-文件`;
    const declared: TransferItemInput['files'] = [{ path: entry.path, role: '其他' }];
    const byDataId = new Map<string, string>();
    eep.files.forEach((file, i) => {
      if (!file.staged) return;
      const filePath = nameFor(file, i + 1, folder, used);
      if (file.dataId) byDataId.set(file.dataId, filePath);
      result.files.push({ path: filePath, stagedPath: file.staged.path, size: file.staged.size, sha256: file.staged.sha256, sm3: file.staged.sm3, declaredSize: file.declaredSize });
      declared.push({ path: filePath, role: roleOf(file) });
    });
    for (const file of eep.files) {
      if (file.staged) continue;
      // A 修改型 package may point a current 编码 at the original's data instead of repeating it.
      const referenced = file.reference ? byDataId.get(file.reference) : undefined;
      if (!referenced) throw new EepRefused(`${entry.path}：“${file.name ?? file.codeId ?? '未命名文件'}”的编码数据为空，也未引用其他编码数据`, `${entry.path}: empty 编码数据 without a reference`);
      const original = declared.find((d) => d.path === referenced);
      if (original && file.layer === 'current') original.role = roleOf(file);
    }
    result.items.push({ metadata: eep.metadata, files: declared });
    result.eeps.push(entry.path);
  }
  return result;
}
