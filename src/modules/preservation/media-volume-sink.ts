/**
 * The sink an offline volume is written through, around the folder sink: it notes
 * the path each kept file gets on the volume (bag.ts names them; the register and
 * the catalogue need them), and adds the volume's own tag files (目录.xml, 目录.xlsx,
 * 说明.txt) just before the tag manifests, with their lines in them — so every file on
 * the volume is covered by a manifest, and `sha256sum -c tagmanifest-sha256.txt`
 * checks the catalogue and readme too (RFC 8493 §2.2.1 lets other tag files be listed).
 */
import { createHash } from 'node:crypto';
import type { RecordDescription } from '../catalog/record-exports.js';
import type { BagSink } from './bag.js';
import type { VolumeEntry } from './media-catalog.js';
import type { PreservationFilesTable } from './tables.js';

const TAG_MANIFESTS: Record<string, 'sha256' | 'sm3'> = { 'tagmanifest-sha256.txt': 'sha256', 'tagmanifest-sm3.txt': 'sm3' };

export interface VolumeSink {
  sink: BagSink;
  /** Says which record's files come next, in the order the bag writer takes them (before it takes the record). */
  expect(description: RecordDescription, files: readonly PreservationFilesTable[]): void;
  /** The records written so far and where their files went. */
  entries: VolumeEntry[];
}

/** `volumeTags` makes the extra tag files from the entries once every payload file is written. */
export function volumeSink(inner: BagSink, volumeTags: (entries: readonly VolumeEntry[]) => Promise<Array<readonly [string, Buffer]>>): VolumeSink {
  const entries: VolumeEntry[] = [];
  const pending: Array<{ entry: VolumeEntry; file: PreservationFilesTable }> = [];
  let extras: Promise<Array<{ name: string; sha256: string; sm3: string }>> | null = null;

  const writeExtras = async () => {
    const written: Array<{ name: string; sha256: string; sm3: string }> = [];
    for (const [name, bytes] of await volumeTags(entries)) {
      await inner.tag(name, bytes);
      written.push({ name, sha256: createHash('sha256').update(bytes).digest('hex'), sm3: createHash('sm3').update(bytes).digest('hex') });
    }
    return written;
  };

  return {
    entries,
    expect(description, files) {
      const entry: VolumeEntry = { description, files: [] };
      entries.push(entry);
      for (const file of files) pending.push({ entry, file });
    },
    sink: {
      async payload(name, size, bytes) {
        const next = pending.shift();
        // The writer takes files in the order it was given them; anything else is a bug here, not damage.
        if (!next || Number(next.file.size) !== size) throw new Error(`volume writer out of step at ${name}`);
        await inner.payload(name, size, bytes);
        next.entry.files.push({ file: next.file, path: name });
      },
      async tag(name, bytes) {
        const algorithm = TAG_MANIFESTS[name];
        if (!algorithm) return inner.tag(name, bytes);
        extras ??= writeExtras();
        const lines = (await extras).map((t) => `${t[algorithm]}  ${t.name}\n`).join('');
        return inner.tag(name, Buffer.concat([bytes, Buffer.from(lines, 'utf8')]));
      },
      directory: (name) => inner.directory(name),
      end: () => inner.end(),
      abort: (err) => inner.abort(err),
    },
  };
}
