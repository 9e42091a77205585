/**
 * The descriptions a Lantai bag carries (written by preservation/bag.ts with
 * DA/T 46 element names) read back into hand-over items, so an exported bag handed
 * over again (to another archive, or back after a correction) arrives described:
 * a one-record bag's metadata/da46.xml describes all of its payload; a bag of many
 * records (a volume, a hand-over, a fonds) has metadata/<folder>/da46.xml per
 * record, whose files are those under data/<folder>/. Parsed by saxes with
 * DOCTYPEs refused: no entity is ever expanded.
 */
import fs from 'node:fs/promises';
import { SaxesParser } from 'saxes';
import { OPENNESS, RETENTION_LABELS, type Retention } from '../../catalog/model.js';
import type { TransferItemInput } from '../model.js';
import type { StagedEntry } from './bagit.js';

const FIELDS: Record<string, string> = { 档号: 'archivalCode', 题名: 'title', 责任者: 'responsible', 日期: 'date', 文件编号: 'docNumber', 密级: 'classification', 页数: 'pageCount', 主题词: 'subjectTerms', 关键词: 'keywords', 附注: 'remarks' };
const RETENTION_BY_LABEL = new Map(Object.entries(RETENTION_LABELS).map(([code, label]) => [label.zh, code as Retention]));

/** One item for the bag's payload from its da46.xml, or null when the file is not one of ours or does not parse. */
export async function itemFromDa46(file: string, payloadPaths: readonly string[]): Promise<TransferItemInput | null> {
  const xml = await fs.readFile(file, 'utf8');
  if (xml.length > 1024 * 1024) return null;
  const parser = new SaxesParser({ xmlns: false });
  const values: Record<string, string> = {};
  let current: string | null = null;
  let failed = false;
  parser.on('doctype', () => (failed = true));
  parser.on('error', () => (failed = true));
  parser.on('opentag', (t) => (current = t.name));
  parser.on('text', (text) => {
    if (current) values[current] = (values[current] ?? '') + text;
  });
  parser.on('closetag', () => (current = null));
  try {
    parser.write(xml).close();
  } catch {
    return null;
  }
  if (failed || !values.题名) return null;
  const metadata: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(FIELDS)) if (values[name]?.trim()) metadata[field] = values[name].trim();
  if (typeof metadata.pageCount === 'string') metadata.pageCount = Number(metadata.pageCount);
  if (/^\d{4}/.test(String(metadata.date ?? ''))) metadata.year = Number(String(metadata.date).slice(0, 4));
  const retention = RETENTION_BY_LABEL.get(values.保管期限?.trim() ?? '');
  if (retention) metadata.retention = retention;
  const control = values.控制标识?.trim();
  if (control && (OPENNESS as readonly string[]).includes(control)) metadata.openness = control;
  return { metadata, files: payloadPaths.map((path) => ({ path })) } as TransferItemInput;
}

/**
 * The items a Lantai bag describes: one from metadata/da46.xml for all of the
 * payload, or one per metadata/<folder>/da46.xml with the payload under <folder>/.
 * `entries` are the package's, `bagRoot` the bag's folder in it ('' at the top),
 * `payload` the bag's files with paths relative to data/. Empty when the bag is not one of ours.
 */
export async function itemsFromLantaiBag(entries: readonly StagedEntry[], bagRoot: string, payload: readonly StagedEntry[]): Promise<TransferItemInput[]> {
  const metadata = `${bagRoot ? `${bagRoot}/` : ''}metadata/`;
  const whole = entries.find((e) => e.path === `${metadata}da46.xml`);
  if (whole) {
    const item = await itemFromDa46(whole.stagedPath, payload.map((e) => e.path));
    return item ? [item] : [];
  }
  const described = entries
    .flatMap((e) => {
      const folder = e.path.startsWith(metadata) ? /^([^/]+)\/da46\.xml$/.exec(e.path.slice(metadata.length))?.[1] : undefined;
      return folder === undefined ? [] : [{ folder, file: e.stagedPath }];
    })
    .sort((a, b) => (a.folder < b.folder ? -1 : a.folder > b.folder ? 1 : 0));
  const items: TransferItemInput[] = [];
  for (const { folder, file } of described) {
    const item = await itemFromDa46(file, payload.filter((p) => p.path.startsWith(`${folder}/`)).map((p) => p.path));
    if (item) items.push(item);
  }
  return items;
}
