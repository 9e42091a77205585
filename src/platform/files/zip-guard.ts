/**
 * Looks inside a zip's central directory (with yauzl, nothing inflated) before
 * anything opens it for real: total uncompressed size, compression ratio, entry
 * count and entry names. A zip bomb or a name that climbs out of its folder is
 * refused before a byte is inflated. Modules map the verdict to their own errors.
 */
import yauzl from 'yauzl';

export interface ZipLimits {
  maxEntries: number;
  maxUncompressedBytes: number;
  /** Largest uncompressed/compressed ratio of any entry (zip bombs reach thousands). */
  maxRatio: number;
}

export type ZipVerdict =
  | { ok: true; entries: number; uncompressedBytes: number }
  | { ok: false; reason: 'not-a-zip' | 'too-many-entries' | 'too-large' | 'ratio' | 'unsafe-name'; detail: string };

function unsafeName(name: string): boolean {
  return name.startsWith('/') || name.startsWith('\\') || /^[A-Za-z]:/.test(name) || name.split(/[\\/]/).includes('..');
}

/** Checks a zip held in memory against `limits`. */
export function inspectZip(bytes: Buffer, limits: ZipLimits): Promise<ZipVerdict> {
  return new Promise((resolve) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false }, (err, zip) => {
      if (err || !zip) {
        resolve({ ok: false, reason: 'not-a-zip', detail: err?.message ?? 'unreadable' });
        return;
      }
      let entries = 0;
      let total = 0;
      const finish = (verdict: ZipVerdict) => {
        zip.close();
        resolve(verdict);
      };
      zip.on('entry', (entry: yauzl.Entry) => {
        entries += 1;
        total += entry.uncompressedSize;
        if (entries > limits.maxEntries) return finish({ ok: false, reason: 'too-many-entries', detail: `${entries} > ${limits.maxEntries}` });
        if (total > limits.maxUncompressedBytes) return finish({ ok: false, reason: 'too-large', detail: `${total} bytes uncompressed` });
        if (entry.compressedSize > 0 && entry.uncompressedSize / entry.compressedSize > limits.maxRatio && entry.uncompressedSize > 1024 * 1024) {
          return finish({ ok: false, reason: 'ratio', detail: `${entry.fileName}: ${Math.round(entry.uncompressedSize / entry.compressedSize)}:1` });
        }
        if (unsafeName(entry.fileName)) return finish({ ok: false, reason: 'unsafe-name', detail: entry.fileName });
        zip.readEntry();
      });
      zip.on('end', () => finish({ ok: true, entries, uncompressedBytes: total }));
      // yauzl itself refuses absolute and climbing names ("invalid relative path").
      zip.on('error', (e: Error) => finish({ ok: false, reason: /relative path|absolute path/.test(e.message) ? 'unsafe-name' : 'not-a-zip', detail: e.message }));
      zip.readEntry();
    });
  });
}
