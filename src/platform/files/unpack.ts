/**
 * Safe unpacking of zip, tar and .tar.gz packages into a staging folder, for the
 * hand-over (移交) step "unpack safely" in DESIGN.md. It knows nothing of archives in the
 * archival sense: it stages files, hashes them, and refuses packages that would escape
 * the folder, carry links or devices, collide by name, or inflate beyond the limits.
 * The caller maps an `UnpackError` reason to its own error code and decides what the
 * staged files mean.
 */
import { nestedArchiveFormat, sniffArchive, type ArchiveFormat } from './archive-format.js';
import { createStagingArea, type ArchiveScope, type StagingArea, type UnpackLimits, type UnpackedFile } from './staging-area.js';
import { unpackTar } from './tar-entries.js';
import { UnpackError } from './unpack-error.js';
import { unpackZip } from './zip-entries.js';

export type { UnpackLimits, UnpackedFile } from './staging-area.js';
export { UnpackError, type UnpackReason } from './unpack-error.js';

export interface UnpackOptions {
  /**
   * Archives inside the package (by name: .zip, .tar, .tar.gz, .tgz, confirmed by their
   * first bytes): 'keep' (default) stages them as files; 'expand' also unpacks each into a
   * folder beside it, up to `limits.maxDepth` levels, and refuses deeper ones.
   */
  nested?: 'keep' | 'expand';
  /** Bytes staged so far, over all entries and nested archives. */
  onProgress?(bytes: number): void;
  /** Stops the unpacking; what was staged is removed and the signal's reason is thrown. */
  signal?: AbortSignal;
}

function unpackOne(format: ArchiveFormat, archivePath: string, area: StagingArea, scope: ArchiveScope): Promise<UnpackedFile[]> {
  return format === 'zip' ? unpackZip(archivePath, area, scope) : unpackTar(archivePath, format === 'tar.gz', area, scope);
}

async function unpackLevel(format: ArchiveFormat, archivePath: string, area: StagingArea, scope: ArchiveScope, expand: boolean): Promise<UnpackedFile[]> {
  const files = await unpackOne(format, archivePath, area, scope);
  if (!expand) return files;
  const depth = scope.fromArchive.length + 1;
  const result: UnpackedFile[] = [];
  for (const file of files) {
    result.push(file);
    const promised = nestedArchiveFormat(file.path);
    // A name that promises an archive but bytes that are not one stay a plain file.
    if (promised === null || (await sniffArchive(file.stagedPath)) !== promised) continue;
    if (depth > area.limits.maxDepth) {
      throw new UnpackError('nested-too-deep', { entry: file.path, fromArchive: scope.fromArchive }, `archives are expanded ${area.limits.maxDepth} level(s) deep at most`);
    }
    const archiveRelative = scope.folder === '' ? file.path : `${scope.folder}/${file.path}`;
    const folder = await area.makeExpansionFolder(archiveRelative);
    const inner = { folder, fromArchive: [...scope.fromArchive, file.path] };
    result.push(...(await unpackLevel(promised, file.stagedPath, area, inner, expand)));
  }
  return result;
}

/**
 * Unpacks the zip, tar or .tar.gz at `archivePath` into `destDir` (created if missing),
 * each entry at its declared path; every byte is hashed (SHA-256 and SM3) once as it is
 * written, and every file is fsync'd before this resolves. Files come back in archive
 * order; with `nested: 'expand'` a nested archive is listed itself, followed by its
 * contents (staged in `<archive>.d/`, their `fromArchive` naming the chain).
 *
 * On any refusal (an `UnpackError`), an abort or a failure, everything this call wrote
 * under `destDir` is removed first.
 *
 * @example
 * const files = await unpack(upload, stagingDir, { maxEntries: 50_000, maxTotalBytes: 20 * 2 ** 30, maxRatio: 100, maxDepth: 2 });
 * for (const f of files) console.log(f.path, f.sha256, f.sm3);
 */
export async function unpack(archivePath: string, destDir: string, limits: UnpackLimits, options: UnpackOptions = {}): Promise<UnpackedFile[]> {
  options.signal?.throwIfAborted();
  const format = await sniffArchive(archivePath);
  if (format === null) {
    throw new UnpackError('not-an-archive', { entry: null, fromArchive: [] }, 'neither a zip nor a tar nor a .tar.gz');
  }
  const area = await createStagingArea(destDir, limits, { onProgress: options.onProgress, signal: options.signal });
  try {
    const files = await unpackLevel(format, archivePath, area, { folder: '', fromArchive: [] }, options.nested === 'expand');
    await area.finish();
    return files;
  } catch (err) {
    await area.discard();
    throw err;
  }
}
