/**
 * Packing records onto offline volumes: capacities as disc makers state them, whole
 * records in the order given, a new volume when the next record does not fit, and
 * a record no volume can hold named before anything is decided.
 */
import { describe, expect, it } from 'vitest';
import { LantaiError } from '../../platform/http/errors.js';
import { FILE_RESERVE, onDisc, packVolumes, parseCapacity, RECORD_RESERVE, recordCost, SECTOR, VOLUME_RESERVE, type PackRecord } from './media-capacity.js';

const record = (n: number, ...fileSizes: number[]): PackRecord => ({ id: `r${n}`, label: `J001-WS·2024-Y-${String(n).padStart(4, '0')}`, fileSizes, metadataSizes: [900, 5000] });

describe('parseCapacity', () => {
  it('reads 25G, 50G and 100G as decimal bytes, just under the BD-R capacities, and 25G when unset', () => {
    expect(parseCapacity('25G').bytes).toBe(25_000_000_000);
    expect(parseCapacity('50G').bytes).toBe(50_000_000_000);
    expect(parseCapacity('100g').bytes).toBe(100_000_000_000);
    expect(parseCapacity('4.7GB').bytes).toBe(4_700_000_000);
    expect(parseCapacity('300K')).toEqual({ label: '300K', bytes: 300_000 });
    expect(parseCapacity(undefined)).toEqual({ label: '25G', bytes: 25_000_000_000 });
    expect(25_000_000_000).toBeLessThan(12_219_392 * SECTOR);
  });

  it('refuses a value that is not a size, and a capacity the reserve alone would fill', () => {
    expect(() => parseCapacity('蓝光')).toThrow(expect.objectContaining({ code: 'MEDIA_CAPACITY_INVALID' }));
    expect(() => parseCapacity('-5G')).toThrow(expect.objectContaining({ code: 'MEDIA_CAPACITY_INVALID' }));
    expect(() => parseCapacity('100K')).toThrow(expect.objectContaining({ code: 'MEDIA_CAPACITY_TOO_SMALL' }));
  });
});

describe('packVolumes', () => {
  it('counts every file in whole sectors with its reserve, and the record its own', () => {
    expect(onDisc(1)).toBe(SECTOR);
    expect(onDisc(SECTOR)).toBe(SECTOR);
    expect(recordCost(record(1, 3000, 10))).toBe(RECORD_RESERVE + 2 * SECTOR + SECTOR + 2 * FILE_RESERVE + SECTOR + 3 * SECTOR);
  });

  it('packs whole records in the order given, starting a volume when the next one does not fit', () => {
    const capacity = parseCapacity('300K');
    const records = [record(1, 30_000, 30_000), record(2, 40_000), record(3, 60_000, 1_000), record(4, 5_000), record(5, 70_000)];
    const volumes = packVolumes(records, capacity);
    expect(volumes.map((v) => v.records.map((r) => r.id))).toEqual([['r1', 'r2'], ['r3', 'r4'], ['r5']]);
    for (const v of volumes) expect(v.cost).toBeLessThanOrEqual(capacity.bytes);
    expect(volumes[0]).toMatchObject({ files: 3, bytes: 100_000, cost: VOLUME_RESERVE + recordCost(records[0] as PackRecord) + recordCost(records[1] as PackRecord) });
  });

  it('names a record no volume could hold, with what it needs and what a volume offers', () => {
    let caught: unknown;
    try {
      packVolumes([record(1, 10_000), record(2, 200_000)], parseCapacity('300K'));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(LantaiError);
    expect(caught).toMatchObject({ code: 'MEDIA_RECORD_TOO_LARGE' });
    expect((caught as LantaiError).zh).toContain('档案 J001-WS·2024-Y-0002 连同元数据约需');
    expect((caught as LantaiError).zh).toContain('容量 300K');
    expect((caught as LantaiError).en).toContain('A record is never split across volumes');
  });
});
