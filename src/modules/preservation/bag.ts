/**
 * A record as a BagIt bag (RFC 8493, version 1.0), streamed as a zip: the files
 * under data/ with their original names, manifest-sha256.txt and manifest-sm3.txt
 * (SM3 as an extra algorithm), the catalog description with DA/T 46 element names
 * (metadata/da46.xml; openness as 控制标识) and the PREMIS record
 * (metadata/premis.xml) as tag files, bag-info.txt with Lantai's ids and the
 * Payload-Oxum, and tagmanifest-sha256.txt over every tag file.
 *
 * Payload digests are the ones kept at accession: the store verified the bytes on
 * the way in and fixity audits keep verifying them.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import yazl from 'yazl';
import type { ItemDetail } from '../catalog/model.js';
import { RETENTION_LABELS } from '../catalog/model.js';
import { premisXml } from './premis.js';
import type { PreservationEvent } from './service.js';
import type { PreservationFilesTable } from './tables.js';

const esc = (value: string | number | null | undefined) => String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);

/** RFC 8493 §2.1.3: a path in a manifest has CR, LF and % percent-encoded. */
const manifestPath = (p: string) => p.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

/** The description as DA/T 46 elements (names as the standard gives them). */
export function da46Xml(item: ItemDetail, agencyName: string): string {
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
    el('立档单位名称', agencyName),
    el('主题词', item.subjectTerms),
    el('关键词', item.keywords),
    el('附注', item.remarks),
    el('标识符', item.id),
    '</文件实体>\n',
  ].join('');
}

export interface BagSource {
  item: ItemDetail;
  agencyName: string;
  files: readonly PreservationFilesTable[];
  events: readonly PreservationEvent[];
  open(sha256: string): Promise<Readable>;
  software: string;
  archiveName: string;
}

/** The bag as a zip stream; `root` is the bag's folder inside the zip. */
export function recordBagZip(source: BagSource, root: string): Readable {
  const zip = new yazl.ZipFile();
  const tags: Array<{ name: string; bytes: Buffer }> = [];
  const tag = (name: string, text: string) => tags.push({ name, bytes: Buffer.from(text, 'utf8') });
  // Payload names: the original file names; a name met twice keeps its position as a prefix.
  const used = new Set<string>();
  const payload = source.files.map((f, i) => {
    let name = `data/${f.original_name}`;
    if (used.has(name)) name = `data/${String(i + 1).padStart(3, '0')}-${f.original_name}`;
    used.add(name);
    return { file: f, name };
  });
  const bytes = payload.reduce((n, p) => n + Number(p.file.size), 0);
  tag('bagit.txt', 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n');
  tag(
    'bag-info.txt',
    [
      `Source-Organization: ${source.archiveName}`,
      `Bagging-Date: ${new Date().toISOString().slice(0, 10)}`,
      `Bag-Software-Agent: ${source.software}`,
      `External-Identifier: ${source.item.archivalCode ?? source.item.id}`,
      `External-Description: ${source.item.title.replace(/\s+/g, ' ')}`,
      `Lantai-Record-Id: ${source.item.id}`,
      ...source.files.map((f) => `Lantai-File-Id: ${f.id}`),
      `Payload-Oxum: ${bytes}.${payload.length}`,
      '',
    ].join('\n'),
  );
  tag('manifest-sha256.txt', payload.map((p) => `${p.file.sha256}  ${manifestPath(p.name)}\n`).join(''));
  tag('manifest-sm3.txt', payload.map((p) => `${p.file.sm3}  ${manifestPath(p.name)}\n`).join(''));
  tag('metadata/da46.xml', da46Xml(source.item, source.agencyName));
  tag('metadata/premis.xml', premisXml({ id: source.item.id, archivalCode: source.item.archivalCode, title: source.item.title }, source.files, source.events));
  tag('tagmanifest-sha256.txt', tags.map((t) => `${createHash('sha256').update(t.bytes).digest('hex')}  ${manifestPath(t.name)}\n`).join(''));
  for (const t of tags) zip.addBuffer(t.bytes, `${root}/${t.name}`);
  void (async () => {
    try {
      for (const p of payload) zip.addReadStream(await source.open(p.file.sha256), `${root}/${p.name}`, { size: Number(p.file.size) });
      zip.end();
    } catch (err) {
      (zip.outputStream as unknown as Readable).destroy(err as Error);
    }
  })();
  return zip.outputStream as unknown as Readable;
}
