/**
 * BagIt bags (RFC 8493, version 1.0) of kept records, written entry by entry into
 * a sink (zip, tar or a folder: bag-sinks.ts, bag-folder.ts). Two layouts:
 *
 * - one record ('record'): the files under data/ with their original names, the
 *   description with DA/T 46 element names in metadata/da46.xml (openness as
 *   控制标识) and the PREMIS record in metadata/premis.xml;
 * - many records ('records': a volume, a hand-over, a fonds): the same per record
 *   under data/<record folder>/ and metadata/<record folder>/, the folder being the
 *   record's 档号 (characters unsafe in file names replaced), or its id when it has none.
 *
 * Both have manifest-sha256.txt and manifest-sm3.txt (SM3 as an extra algorithm),
 * bag-info.txt with Lantai's ids and the Payload-Oxum, and tagmanifest-sha256.txt
 * over every tag file (the many-record layout adds tagmanifest-sm3.txt; the
 * one-record layout stays as bags already handed out have it).
 *
 * Payload digests are the ones kept at accession. Each file is opened only when the
 * sink takes it, and hashed on its way out: bytes that no longer match what was
 * kept stop the bag (PRESERVATION_BAG_FIXITY) rather than leave with a manifest
 * that vouches for them. Manifests and bag-info.txt come last, once everything
 * they count has gone out.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { createDualDigest } from '../../platform/storage/digest.js';
import { RETENTION_LABELS } from '../catalog/model.js';
import type { RecordDescription } from '../catalog/record-exports.js';
import { preservationErrors } from './errors.js';
import { premisXml } from './premis.js';
import type { PreservationEvent } from './service.js';
import type { PreservationFilesTable } from './tables.js';

const esc = (value: string | number | null | undefined) => String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);

/** RFC 8493 §2.1.3: a path in a manifest has CR, LF and % percent-encoded. */
const manifestPath = (p: string) => p.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

/** The description as DA/T 46 elements (names as the standard gives them). */
export function da46Xml(item: Omit<RecordDescription, 'fondsId' | 'fondsCode' | 'volumeId'>): string {
  const el = (name: string, value: string | number | null | undefined) => (value === null || value === undefined || value === '' ? '' : `  <${name}>${esc(value)}</${name}>\n`);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>\n<文件实体 xmlns="urn:lantai:da46">\n',
    el('档号', item.archivalCode),
    el('题名', item.title),
    el('责任者', item.responsible),
    el('日期', item.date),
    el('文件编号', item.docNumber),
    el('保管期限', RETENTION_LABELS[item.retention].zh),
    el('密级', item.classification),
    el('控制标识', item.control ?? item.openness),
    el('页数', item.pageCount),
    el('立档单位名称', item.agencyName),
    el('主题词', item.subjectTerms),
    el('关键词', item.keywords),
    el('附注', item.remarks),
    el('标识符', item.id),
    '</文件实体>\n',
  ].join('');
}

// Reserved on Windows or by archivers, or control characters.
const UNSAFE = /[\\/:*?"<>|\u0000-\u001f\u007f]/g;

/**
 * A name safe as one path segment on any file system: unsafe characters become `_`,
 * no leading or trailing dots or spaces (no `.`, `..` or hidden names), at most `max`
 * characters; `fallback` when nothing is left.
 */
export function safeName(name: string, fallback: string, max = 80): string {
  const cleaned = name.replace(UNSAFE, '_').trim().replace(/^\.+/, '_').replace(/[. ]+$/, '_');
  const chars = [...cleaned];
  const short = chars.length > max ? chars.slice(0, max).join('') : cleaned;
  return short === '' ? fallback : short;
}

/** Names that differ only in case or Unicode normalisation are one name on some file systems (and to the intake's unpacker). */
const nameKey = (name: string) => name.normalize('NFC').toLowerCase();

/** One record of a bag: its description, its kept files and their history. */
export interface BagRecord {
  description: RecordDescription;
  files: readonly PreservationFilesTable[];
  events: readonly PreservationEvent[];
}

export interface BagSource {
  layout: 'record' | 'records';
  /** bag-info.txt lines after the agent's (External-Identifier, External-Description, Bag-Group-Identifier, Lantai-…-Id). */
  info: ReadonlyArray<readonly [string, string]>;
  software: string;
  archiveName: string;
  /** The records in bag order, fetched a page at a time. */
  records: AsyncIterable<BagRecord>;
  /** A kept file's bytes. */
  open(sha256: string): Promise<Readable>;
}

/** Where a bag's entries go; names are relative to the bag's top folder. Each call resolves once the sink has taken the entry. */
export interface BagSink {
  tag(name: string, bytes: Buffer): Promise<void>;
  payload(name: string, size: number, bytes: AsyncIterable<Buffer>): Promise<void>;
  /** An empty directory (data/ of a bag without payload files). */
  directory(name: string): Promise<void>;
  end(): Promise<void>;
  /** Stops the bag: a stream is destroyed with the error, a folder loses what was written. */
  abort(err: Error): Promise<void>;
}

export interface BagTotals {
  records: number;
  files: number;
  bytes: number;
}

export interface BagProgress {
  /** Bytes of the file being written (`done` of `size`) and of the whole payload so far. */
  payload(name: string, size: number, done: number, total: number): void;
}

/** A kept file's bytes as they go out, hashed on the way; throws at the end unless they are the bytes kept. */
async function* verified(open: () => Promise<Readable>, file: PreservationFilesTable, record: string, onBytes: (n: number) => void): AsyncGenerator<Buffer> {
  const stream = await open();
  const digest = createDualDigest();
  let finished = false;
  try {
    for await (const chunk of stream) {
      const bytes = chunk as Buffer;
      await digest.update(bytes);
      onBytes(bytes.length);
      yield bytes;
    }
    const actual = await digest.digest();
    finished = true;
    if (actual.size !== Number(file.size) || actual.sha256 !== file.sha256 || actual.sm3 !== file.sm3) throw preservationErrors.PRESERVATION_BAG_FIXITY({ name: file.original_path, record });
  } finally {
    if (!finished) digest.abort();
    stream.destroy();
  }
}

const bagInfoValue = (value: string) => value.replace(/\s+/g, ' ').trim();

/** Writes the bag into the sink; on failure the sink is aborted and the error rethrown. */
export async function writeBag(source: BagSource, sink: BagSink, progress?: BagProgress): Promise<BagTotals> {
  const many = source.layout === 'records';
  const tags: Array<{ name: string; sha256: string; sm3: string }> = [];
  const sha256Lines: string[] = [];
  const sm3Lines: string[] = [];
  const recordIds: string[] = [];
  const fileIds: string[] = [];
  const folders = new Set<string>();
  const totals: BagTotals = { records: 0, files: 0, bytes: 0 };
  let sent = 0;
  const tag = async (name: string, text: string) => {
    const bytes = Buffer.from(text, 'utf8');
    tags.push({ name, sha256: createHash('sha256').update(bytes).digest('hex'), sm3: createHash('sm3').update(bytes).digest('hex') });
    await sink.tag(name, bytes);
  };
  try {
    await tag('bagit.txt', 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n');
    for await (const { description: d, files, events } of source.records) {
      let folder = '';
      if (many) {
        folder = safeName(d.archivalCode ?? d.id, d.id);
        if (folders.has(nameKey(folder))) folder = `${folder}-${d.id}`;
        folders.add(nameKey(folder));
      }
      const at = (name: string) => (many ? `${folder}/${name}` : name);
      await tag(`metadata/${at('da46.xml')}`, da46Xml(d));
      await tag(`metadata/${at('premis.xml')}`, premisXml({ id: d.id, archivalCode: d.archivalCode, title: d.title }, files, events));
      // Payload names: the original file names; a name met twice keeps its position as a prefix.
      const used = new Set<string>();
      for (const [i, f] of files.entries()) {
        const original = safeName(f.original_name, `file-${i + 1}`, Number.POSITIVE_INFINITY);
        let name = at(original);
        if (used.has(nameKey(name))) name = at(`${String(i + 1).padStart(3, '0')}-${original}`);
        used.add(nameKey(name));
        const size = Number(f.size);
        let done = 0;
        await sink.payload(`data/${name}`, size, verified(() => source.open(f.sha256), f, d.archivalCode ?? d.id, (n) => {
          done += n;
          sent += n;
          progress?.payload(name, size, done, sent);
        }));
        sha256Lines.push(`${f.sha256}  ${manifestPath(`data/${name}`)}\n`);
        sm3Lines.push(`${f.sm3}  ${manifestPath(`data/${name}`)}\n`);
        fileIds.push(f.id);
        totals.files += 1;
        totals.bytes += size;
      }
      recordIds.push(d.id);
      totals.records += 1;
    }
    if (totals.files === 0) await sink.directory('data');
    await tag('manifest-sha256.txt', sha256Lines.join(''));
    await tag('manifest-sm3.txt', sm3Lines.join(''));
    const info: Array<readonly [string, string]> = [
      ['Source-Organization', source.archiveName],
      ['Bagging-Date', new Date().toISOString().slice(0, 10)],
      ['Bag-Software-Agent', source.software],
      ...source.info,
      ...(many ? [['Lantai-Record-Count', String(totals.records)] as const] : []),
      ...recordIds.map((id) => ['Lantai-Record-Id', id] as const),
      // A one-record bag names its files' ids too; in a many-record bag they are in each record's premis.xml.
      ...(many ? [] : fileIds.map((id) => ['Lantai-File-Id', id] as const)),
      ['Payload-Oxum', `${totals.bytes}.${totals.files}`],
    ];
    await tag('bag-info.txt', `${info.map(([k, v]) => `${k}: ${bagInfoValue(v)}`).join('\n')}\n`);
    // RFC 8493 §2.2.1: a tag manifest lists every tag file but the tag manifests.
    const listed = [...tags];
    await tag('tagmanifest-sha256.txt', listed.map((t) => `${t.sha256}  ${manifestPath(t.name)}\n`).join(''));
    if (many) await tag('tagmanifest-sm3.txt', listed.map((t) => `${t.sm3}  ${manifestPath(t.name)}\n`).join(''));
    await sink.end();
    return totals;
  } catch (err) {
    await sink.abort(err as Error);
    throw err;
  }
}
