/**
 * Why `unpack` refused a package. The reason is a stable word a module maps to its own
 * error code (the hand-over module to `TRANSFER_…`); `entry` names the entry at fault as
 * declared in its archive, and `fromArchive` the chain of nested archives it sits in.
 */

export type UnpackReason =
  | 'not-an-archive'
  | 'corrupt'
  | 'truncated'
  | 'unsupported'
  | 'path-traversal'
  | 'absolute-path'
  | 'symlink'
  | 'hardlink'
  | 'device'
  | 'duplicate-name'
  | 'case-collision'
  | 'too-many-entries'
  | 'too-large'
  | 'ratio'
  | 'encrypted'
  | 'nested-too-deep';

/** Where in a package a refusal happened. */
export interface EntryLabel {
  /** The entry's name as declared (decoded, before normalisation), or null for the archive as a whole. */
  entry: string | null;
  /** Paths of the nested archives holding the entry, outermost first; [] at top level. */
  fromArchive: readonly string[];
}

/**
 * A package `unpack` will not stage. Anything it wrote is removed before this is thrown.
 *
 * @example
 * try { await unpack(zip, staging, limits) }
 * catch (err) { if (err instanceof UnpackError && err.reason === 'path-traversal') … }
 */
export class UnpackError extends Error {
  override readonly name = 'UnpackError';
  readonly reason: UnpackReason;
  readonly entry: string | null;
  readonly fromArchive: readonly string[];

  constructor(reason: UnpackReason, where: EntryLabel, detail: string, options?: { cause?: unknown }) {
    const at = [...where.fromArchive, ...(where.entry === null ? [] : [where.entry])].join(' → ');
    super(at ? `${reason}: ${at}: ${detail}` : `${reason}: ${detail}`, options);
    this.reason = reason;
    this.entry = where.entry;
    this.fromArchive = where.fromArchive;
  }
}
