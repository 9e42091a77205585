/**
 * Why a file gave no text: one error class with a stable `reason`, so the index job can
 * record it against the file (and decide whether a retry could help) without reading
 * messages. The message is for people: it says what was found and, for a missing tool,
 * which Debian package brings it.
 */

/**
 * - `unsupported`: a format this library does not read;
 * - `damaged`: the bytes do not parse as the format they claim (truncated, not that format at all);
 * - `encrypted`: only readable with a password;
 * - `too-large`: refused before reading, to protect memory (zip bombs, absurd page sizes);
 * - `tool-missing`: a command (pdftotext, tesseract, a language pack) is not installed;
 * - `timeout`: a command ran past its time limit and was killed.
 */
export type ExtractionReason = 'unsupported' | 'damaged' | 'encrypted' | 'too-large' | 'tool-missing' | 'timeout';

export class ExtractionError extends Error {
  override readonly name = 'ExtractionError';

  constructor(
    readonly reason: ExtractionReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
