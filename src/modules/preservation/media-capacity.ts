/**
 * How much of an offline volume (光盘/蓝光) records may fill, and packing records
 * onto volumes: whole records, in the order given (档号 order), never split across
 * volumes, a new volume begun when the next record does not fit.
 *
 * Capacities are decimal, as disc makers state them: 25G is 25 000 000 000 bytes,
 * a little under the 25 025 314 816 bytes of a single-layer BD-R (50G and 100G are
 * likewise under BD-R DL and BDXL). What a volume keeps back from its records:
 *
 * - VOLUME_RESERVE, 128 KiB once per volume: the ISO 9660 system area and volume
 *   descriptors, the path tables and root folders of the Rock Ridge and Joliet trees
 *   (xorriso made 72 KiB of these for a small tree), and the volume's own tag files
 *   (bagit.txt, bag-info.txt, 说明.txt, the fixed part of 目录.xlsx);
 * - RECORD_RESERVE, 16 KiB per record: its two folders (data/ and metadata/) in both
 *   trees, its rows in 目录.xml and 目录.xlsx, and room for events added to its
 *   premis.xml between planning and writing; plus its da46.xml and premis.xml,
 *   measured when planning, each rounded up to whole sectors;
 * - FILE_RESERVE, 4 KiB per file: its entries in both trees, its lines in the four
 *   manifests and its rows in the catalogue; and every file rounded up to whole
 *   2048-byte sectors, as ISO 9660 stores it.
 */
import { formatBytes } from '../transfer/cli-progress.js';
import { mediaErrors } from './media-errors.js';

export const SECTOR = 2048;
export const VOLUME_RESERVE = 128 * 1024;
export const RECORD_RESERVE = 16 * 1024;
export const FILE_RESERVE = 4 * 1024;
export const DEFAULT_CAPACITY = '25G';

export interface Capacity {
  /** As configured (`25G`), for messages. */
  label: string;
  bytes: number;
}

const UNITS: Record<string, number> = { '': 1, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/**
 * A capacity as LANTAI_MEDIA_CAPACITY gives it: bytes, or a number with K, M, G or T (powers of 1000; a trailing B is allowed).
 * @example parseCapacity('25G') // { label: '25G', bytes: 25_000_000_000 }
 */
export function parseCapacity(value: string | undefined): Capacity {
  const text = (value ?? '').trim() || DEFAULT_CAPACITY;
  const match = /^(\d+(?:\.\d+)?)\s*([KMGT]?)B?$/i.exec(text);
  const bytes = match ? Math.floor(Number(match[1]) * (UNITS[(match[2] ?? '').toUpperCase()] ?? Number.NaN)) : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw mediaErrors.MEDIA_CAPACITY_INVALID({ value: text });
  if (bytes <= VOLUME_RESERVE) throw mediaErrors.MEDIA_CAPACITY_TOO_SMALL({ capacity: text, reserve: formatBytes(VOLUME_RESERVE) });
  return { label: text, bytes };
}

/** Bytes a file of this size takes on the disc: whole sectors. */
export const onDisc = (size: number) => Math.ceil(size / SECTOR) * SECTOR;

/** A record as packing sees it. */
export interface PackRecord {
  id: string;
  /** 档号, or the id when it has none: for messages. */
  label: string;
  /** Sizes of the files that go on the volume. */
  fileSizes: readonly number[];
  /** Sizes of its tag files on the volume (da46.xml, premis.xml). */
  metadataSizes: readonly number[];
}

/** What a record takes of a volume, with its share of the reserve. */
export function recordCost(r: Pick<PackRecord, 'fileSizes' | 'metadataSizes'>): number {
  let cost = RECORD_RESERVE;
  for (const size of r.fileSizes) cost += onDisc(size) + FILE_RESERVE;
  for (const size of r.metadataSizes) cost += onDisc(size);
  return cost;
}

export interface PackedVolume<T extends PackRecord> {
  records: T[];
  files: number;
  /** Payload bytes. */
  bytes: number;
  /** What the volume takes by the estimate above, the volume's reserve included. */
  cost: number;
}

/**
 * Packs records onto volumes in the order given; throws MEDIA_RECORD_TOO_LARGE for
 * a record that no volume could hold, before anything is decided.
 */
export function packVolumes<T extends PackRecord>(records: Iterable<T>, capacity: Capacity): Array<PackedVolume<T>> {
  const usable = capacity.bytes - VOLUME_RESERVE;
  const volumes: Array<PackedVolume<T>> = [];
  let current: PackedVolume<T> | null = null;
  for (const record of records) {
    const cost = recordCost(record);
    if (cost > usable) {
      throw mediaErrors.MEDIA_RECORD_TOO_LARGE({ record: record.label, need: formatBytes(cost), usable: formatBytes(usable), capacity: capacity.label, reserve: formatBytes(VOLUME_RESERVE) });
    }
    if (!current || current.cost + cost > capacity.bytes) {
      current = { records: [], files: 0, bytes: 0, cost: VOLUME_RESERVE };
      volumes.push(current);
    }
    current.records.push(record);
    current.files += record.fileSizes.length;
    current.bytes += record.fileSizes.reduce((sum, size) => sum + size, 0);
    current.cost += cost;
  }
  return volumes;
}
