/**
 * The streamed bags with a payload larger than a test would want in memory: zip
 * and tar carry a 256 MiB file with the process's resident memory growing by well
 * under half of it (nothing is buffered whole), and a reader that goes away
 * mid-file stops the writer and closes the file it had open.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDigestWorkers } from '../../platform/storage/digest.js';
import type { RecordDescription } from '../catalog/record-exports.js';
import { writeBag, type BagSource } from './bag.js';
import { tarBag, zipBag } from './bag-sinks.js';
import type { PreservationFilesTable } from './tables.js';

const MiB = 1024 * 1024;
const SIZE = 256 * MiB;

/** `size` bytes of a repeating, not too compressible pattern, made as they are read. */
function generated(size: number, onDestroy: () => void = () => undefined): Readable {
  const block = Buffer.alloc(MiB);
  for (let i = 0; i < block.length; i += 1) block[i] = (i * 2654435761) >>> 24;
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= size) return void this.push(null);
      const n = Math.min(block.length, size - sent);
      sent += n;
      this.push(block.subarray(0, n));
    },
    destroy(err, callback) {
      onDestroy();
      callback(err);
    },
  });
}

async function digestsOf(size: number): Promise<{ sha256: string; sm3: string }> {
  const sha = createHash('sha256');
  const sm3 = createHash('sm3');
  for await (const chunk of generated(size)) {
    sha.update(chunk as Buffer);
    sm3.update(chunk as Buffer);
  }
  return { sha256: sha.digest('hex'), sm3: sm3.digest('hex') };
}

const description: RecordDescription = {
  id: 'record-1', fondsId: 'f', fondsCode: 'J001', volumeId: null, archivalCode: 'J001-LX·2024-Y-0001', title: '录像', responsible: '演示', date: '20240101', docNumber: null,
  retention: 'Y', classification: '非密', control: null, openness: '开放', pageCount: null, agencyName: '演示', subjectTerms: null, keywords: null, remarks: null,
};

function source(file: PreservationFilesTable, open: () => Readable): BagSource {
  async function* records() {
    yield { description, files: [file], events: [] };
  }
  return { layout: 'records', info: [['External-Identifier', 'J001']], software: 'Lantai test', archiveName: '测试', records: records(), open: async () => open() };
}

const fileRow = (digests: { sha256: string; sm3: string }, size: number): PreservationFilesTable => ({
  id: 'file-1', record_id: 'record-1', transfer_id: null, sha256: digests.sha256, sm3: digests.sm3, size, mime: null, puid: null, format_name: null, format_version: null, creating_application: null, original_name: '录像.bin', original_path: '录像.bin', created_at: '2024-01-01T00:00:00Z',
});

describe('streamed bags', () => {
  afterAll(() => closeDigestWorkers());

  it.each([['zip', zipBag], ['tar', tarBag]] as const)('carries a 256 MiB file as %s without holding it in memory', { timeout: 120_000 }, async (kind, make) => {
    const file = fileRow(await digestsOf(SIZE), SIZE);
    const { stream, sink } = make('bag');
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    let out = 0;
    try {
      const [totals] = await Promise.all([
        writeBag(source(file, () => generated(SIZE)), sink),
        (async () => {
          for await (const chunk of stream) out += (chunk as Buffer).length;
        })(),
      ]);
      expect(totals).toEqual({ records: 1, files: 1, bytes: SIZE });
    } finally {
      clearInterval(sampler);
    }
    // The pattern deflates well in a zip; a tar carries it as it is.
    expect(out).toBeGreaterThan(kind === 'tar' ? SIZE : 0);
    // Hashing workers (with their shared batches) and the archivers' buffers cost some (56–80 MiB measured);
    // a payload held whole would cost all of its 256 MiB.
    expect(peak - baseline, `resident memory grew by ${Math.round((peak - baseline) / MiB)} MiB`).toBeLessThan(SIZE / 2);
  });

  it.each([['zip', zipBag], ['tar', tarBag]] as const)('stops the writer and closes the open file when the reader of a %s goes away', { timeout: 60_000 }, async (_kind, make) => {
    let closed = false;
    const file = fileRow({ sha256: '0'.repeat(64), sm3: '0'.repeat(64) }, SIZE);
    const { stream, sink } = make('bag');
    const written = writeBag(source(file, () => generated(SIZE, () => (closed = true))), sink);
    written.catch(() => undefined);
    let read = 0;
    for await (const chunk of stream) {
      read += (chunk as Buffer).length;
      if (read > 4 * MiB) break;
    }
    await expect(written).rejects.toThrow();
    expect(closed).toBe(true);
  });
});
