/**
 * What makes an offline volume describe itself, read without Lantai years later:
 * the catalogue of what it holds as 目录.xml (DA/T 46 element names, each record's
 * elements as in metadata/<档号>/da46.xml, each file with 计算机文件名, 计算机文件大小,
 * 格式信息 and 存储位置 — 脱机载体编号 the volume's label, 当前位置 the path on the
 * volume — and its SHA-256 and SM3) and as 目录.xlsx, and a Chinese readme (说明.txt)
 * saying what the volume is and how to verify it with standard tools and with Lantai.
 */
import { PassThrough } from 'node:stream';
import type ExcelJS from 'exceljs';
import { RETENTION_LABELS } from '../catalog/model.js';
import type { RecordDescription } from '../catalog/record-exports.js';
import { formatBytes } from '../transfer/cli-progress.js';
import { da46Xml } from './bag.js';
import type { PreservationFilesTable } from './tables.js';

// ExcelJS costs ~27 MB resident once loaded: loaded when a catalogue is first made.
const loadExcel = async (): Promise<typeof ExcelJS> => (await import('exceljs')).default;

const esc = (value: string | number | null | undefined) => String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);

export const CATALOG_XML = '目录.xml';
export const CATALOG_XLSX = '目录.xlsx';
export const README = '说明.txt';

/** A record on the volume and where its files went. */
export interface VolumeEntry {
  description: RecordDescription;
  files: Array<{ file: PreservationFilesTable; path: string }>;
}

/** What the volume is, for its catalogue and readme. */
export interface VolumeFacts {
  label: string;
  set: string;
  position: number;
  setSize: number;
  archiveName: string;
  software: string;
  writtenAt: string;
}

const formatOf = (f: PreservationFilesTable) => [f.format_name ?? f.mime ?? '', f.format_version ?? ''].filter(Boolean).join(' ');

/** 目录.xml: the volume, then each record's DA/T 46 elements with its files. */
export function catalogXml(facts: VolumeFacts, entries: readonly VolumeEntry[]): string {
  const el = (name: string, value: string | number, indent: string) => `${indent}<${name}>${esc(value)}</${name}>\n`;
  const out = ['<?xml version="1.0" encoding="UTF-8"?>\n<离线介质目录 xmlns="urn:lantai:media">\n'];
  out.push(el('脱机载体编号', facts.label, '  '), el('套号', facts.set, '  '), el('卷序号', `${facts.position}/${facts.setSize}`, '  '), el('档案馆名称', facts.archiveName, '  '), el('写入时间', facts.writtenAt, '  '), el('写入软件', facts.software, '  '));
  for (const { description, files } of entries) {
    // The record's elements exactly as its metadata/<档号>/da46.xml has them, its files added inside.
    const record = da46Xml(description);
    const body = record.slice(record.indexOf('<文件实体'), record.lastIndexOf('</文件实体>'));
    out.push(`  ${body.replace(/\n {2}/g, '\n    ')}`);
    for (const { file, path } of files) {
      out.push(
        '    <计算机文件>\n',
        el('计算机文件名', file.original_name, '      '),
        el('计算机文件大小', Number(file.size), '      '),
        formatOf(file) ? el('格式信息', formatOf(file), '      ') : '',
        `      <存储位置>\n${el('脱机载体编号', facts.label, '        ')}${el('当前位置', path, '        ')}      </存储位置>\n`,
        `      <数字摘要 算法="SHA-256">${esc(file.sha256)}</数字摘要>\n`,
        `      <数字摘要 算法="SM3">${esc(file.sm3)}</数字摘要>\n`,
        '    </计算机文件>\n',
      );
    }
    out.push('  </文件实体>\n');
  }
  out.push('</离线介质目录>\n');
  return out.join('');
}

/** 目录.xlsx: one row per file with its record's description, and a sheet on the volume itself; written as a stream, so a large volume's rows are never all held as cells. */
export async function catalogXlsx(facts: VolumeFacts, entries: readonly VolumeEntry[]): Promise<Buffer> {
  const Excel = await loadExcel();
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  const workbook = new Excel.stream.xlsx.WorkbookWriter({ stream, useStyles: true });
  workbook.creator = 'Lantai 兰台';
  const sheet = workbook.addWorksheet('目录', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = [
    { header: '序号', key: 'n', width: 7 },
    { header: '档号', key: 'code', width: 26 },
    { header: '题名', key: 'title', width: 44 },
    { header: '责任者', key: 'responsible', width: 18 },
    { header: '日期', key: 'date', width: 10 },
    { header: '保管期限', key: 'retention', width: 9 },
    { header: '密级', key: 'classification', width: 8 },
    { header: '计算机文件名', key: 'name', width: 28 },
    { header: '卷内路径', key: 'path', width: 44 },
    { header: '大小（字节）', key: 'size', width: 13 },
    { header: '格式', key: 'format', width: 14 },
    { header: 'SHA-256', key: 'sha256', width: 66 },
    { header: 'SM3', key: 'sm3', width: 66 },
  ];
  sheet.getRow(1).font = { bold: true };
  let n = 0;
  for (const { description: d, files } of entries) {
    for (const { file, path } of files) {
      n += 1;
      sheet
        .addRow({ n, code: d.archivalCode ?? '', title: d.title, responsible: d.responsible ?? '', date: d.date ?? '', retention: RETENTION_LABELS[d.retention].zh, classification: d.classification, name: file.original_name, path, size: Number(file.size), format: formatOf(file), sha256: file.sha256, sm3: file.sm3 })
        .commit();
    }
  }
  sheet.commit();
  const about = workbook.addWorksheet('卷信息');
  about.columns = [{ header: '项目', key: 'k', width: 16 }, { header: '内容', key: 'v', width: 60 }];
  about.getRow(1).font = { bold: true };
  for (const [k, v] of [['脱机载体编号', facts.label], ['套号', facts.set], ['卷序号', `${facts.position}/${facts.setSize}`], ['档案馆名称', facts.archiveName], ['写入时间', facts.writtenAt], ['写入软件', facts.software], ['档案件数', String(entries.length)], ['文件数', String(n)]]) about.addRow({ k, v }).commit();
  about.commit();
  await workbook.commit();
  await done;
  return Buffer.concat(chunks);
}

/** An ISO time as this machine's local time with its offset, for people: `2026-12-01 18:30（UTC+08:00）`. */
export function localTime(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(Math.abs(n)).padStart(2, '0');
  const offset = -d.getTimezoneOffset();
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}（UTC${offset < 0 ? '-' : '+'}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}）`;
}

/** 说明.txt: UTF-8 with a byte-order mark and CRLF line ends, so Windows' Notepad shows it right too. */
export function readme(facts: VolumeFacts, entries: readonly VolumeEntry[]): string {
  const files = entries.reduce((n, e) => n + e.files.length, 0);
  const bytes = entries.reduce((n, e) => n + e.files.reduce((m, f) => m + Number(f.file.size), 0), 0);
  const codes = entries.map((e) => e.description.archivalCode ?? e.description.id);
  const lines = [
    `${facts.archiveName} 离线介质（光盘）说明`,
    '',
    `卷标（脱机载体编号）：${facts.label}`,
    `所属套号：${facts.set}（本套第 ${facts.position} 卷，共 ${facts.setSize} 卷）`,
    `写入时间：${localTime(facts.writtenAt)}`,
    `写入软件：${facts.software}`,
    `内容：${entries.length} 件档案，${files} 个文件，共 ${formatBytes(bytes)}（${bytes} 字节）${codes.length > 1 ? `；档号 ${codes[0]} 至 ${codes.at(-1)}` : codes.length === 1 ? `；档号 ${codes[0]}` : ''}。`,
    '',
    '本卷是兰台数字档案馆系统写出的离线备份，是一个 BagIt 包（RFC 8493，1.0 版），不依赖兰台即可读取和校验：',
    '  data/<档号>/          档案的原始文件，保持接收时的文件名',
    '  metadata/<档号>/      每件档案的著录（da46.xml，DA/T 46 元素名）和保存元数据（premis.xml，PREMIS 3.0）',
    `  ${CATALOG_XLSX}、${CATALOG_XML}   本卷目录：每件档案、每个文件的卷内路径、大小、SHA-256 和 SM3 摘要`,
    '  manifest-sha256.txt   每个档案文件的 SHA-256 摘要',
    '  manifest-sm3.txt      每个档案文件的 SM3 摘要（GB/T 32905）',
    '  tagmanifest-sha256.txt、tagmanifest-sm3.txt   其余文件（目录、著录和本说明）的摘要',
    '  bag-info.txt          包信息：来源、卷标、兰台中的卷编号、Payload-Oxum（字节数.文件数）',
    '',
    '如何校验：',
    '1. 用标准工具：在本卷根目录（光盘挂载点）运行',
    '     sha256sum -c manifest-sha256.txt',
    '     sha256sum -c tagmanifest-sha256.txt',
    '   每行显示“成功”或“OK”即该文件完好；有“失败/FAILED”或“没有那个文件/No such file”的行即有损坏或缺失。',
    '   macOS 用 shasum -a 256 -c manifest-sha256.txt；SM3 可用 GmSSL（gmssl sm3 < 文件）或 OpenSSL 3（openssl dgst -sm3 文件）逐个计算，与 manifest-sm3.txt 比对。',
    '2. 用兰台（档案馆业务人员登录）：',
    '     lantai media verify <光盘挂载点、本卷目录或 ISO 镜像文件>',
    '   重新计算每个文件的 SHA-256 和 SM3，与清单和兰台登记簿核对缺失、多出和改变的文件，并把校验结果记入登记簿。',
    '',
    `请勿在本卷中添加、删除或修改任何文件。本卷的存放位置登记在兰台中（lantai media list）。`,
    '',
  ];
  return `\ufeff${lines.join('\r\n')}`;
}
