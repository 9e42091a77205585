/**
 * Bytes to text for the formats that carry no reliable encoding of their own (TXT, and
 * HTML or XML that declare none or UTF-8): a byte-order mark decides first (UTF-8, UTF-16
 * LE or BE), then a declared charset, then the bytes themselves: UTF-8 when they are valid
 * UTF-8, else GB18030, the superset of GBK and GB2312 in which older Chinese files were
 * written.
 *
 * The file is streamed, never read whole. UTF-8 is tried first with a strict decoder; when
 * it meets a byte sequence that is not UTF-8 early on, the reading starts again from the
 * top as GB18030, with a fresh consumer (so a parser never sees two encodings). A file
 * whose text is plainly UTF-8 around a bad sequence (many characters decode, few do not)
 * is damaged UTF-8, not GBK: it carries on as UTF-8 with U+FFFD for the damage.
 */
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';

/** Receives the decoded text; a fresh one is made for each attempt. */
export interface TextSink<T> {
  write(text: string): void;
  /** True when the consumer has what it wants: reading stops there. */
  readonly stop: boolean;
  end(): T;
}

export interface DecodedText<T> {
  result: T;
  /** The encoding used, as TextDecoder names it ('utf-8', 'gb18030', 'utf-16le', …). */
  encoding: string;
}

/** Well-decoded non-ASCII characters (so far and in the failing chunk) that make a file damaged UTF-8 rather than GBK. */
const UTF8_EVIDENCE = 64;

class NotUtf8 extends Error {}

/** The first `bytes` bytes of a file (fewer when it is shorter). */
export async function readHead(file: string, bytes: number): Promise<Buffer> {
  const handle = await fs.open(file, 'r');
  try {
    const head = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(head, 0, bytes, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function bomEncoding(head: Buffer): string | null {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return null;
}

/** TextDecoder's own name for a charset label (gb2312 → gbk), or null when it knows no such label. */
export function canonicalEncoding(label: string | null | undefined): string | null {
  if (!label) return null;
  try {
    return new TextDecoder(label.trim()).encoding;
  } catch {
    return null;
  }
}

/** Non-ASCII characters decoded well, and replacement characters where bytes were not UTF-8. */
function tally(text: string): { good: number; bad: number } {
  let good = 0;
  let bad = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0xfffd) bad++;
    else if (code > 0x7f) good++;
  }
  return { good, bad };
}

async function decodeWith<T>(file: string, encoding: string, strict: boolean, sink: TextSink<T>, signal: AbortSignal | undefined): Promise<T> {
  let decoder = new TextDecoder(encoding, { fatal: strict });
  let evidence = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 64 * 1024, signal })) {
    let text: string;
    try {
      text = decoder.decode(chunk as Buffer, { stream: true });
      if (decoder.fatal) evidence += tally(text).good;
    } catch (err) {
      // GBK read as UTF-8 is mostly replacement characters; UTF-8 with a damaged spot is mostly good.
      decoder = new TextDecoder(encoding);
      text = decoder.decode(chunk as Buffer, { stream: true });
      const { good, bad } = tally(text);
      if (evidence + good < UTF8_EVIDENCE || bad * 20 > good) throw new NotUtf8('not UTF-8', { cause: err });
    }
    sink.write(text);
    if (sink.stop) return sink.end();
  }
  try {
    sink.write(decoder.decode());
  } catch {
    // A UTF-8 file cut in the middle of its last character: that character is lost, not the file.
  }
  return sink.end();
}

/**
 * Streams `file` as text into a sink made by `start`, in the encoding its bytes show or
 * `declared` names (a `<meta charset>`, an XML declaration). A declared UTF-8 is checked
 * like an undeclared file, since mislabelled GBK pages are common.
 */
export async function decodeTextFile<T>(file: string, start: () => TextSink<T>, options: { declared?: string | null; signal?: AbortSignal | undefined } = {}): Promise<DecodedText<T>> {
  const bom = bomEncoding(await readHead(file, 3));
  const declared = canonicalEncoding(options.declared);
  const encoding = bom ?? declared;
  if (encoding && encoding !== 'utf-8') return { result: await decodeWith(file, encoding, false, start(), options.signal), encoding };
  if (bom) return { result: await decodeWith(file, 'utf-8', false, start(), options.signal), encoding: 'utf-8' };
  try {
    return { result: await decodeWith(file, 'utf-8', true, start(), options.signal), encoding: 'utf-8' };
  } catch (err) {
    if (!(err instanceof NotUtf8)) throw err;
    return { result: await decodeWith(file, 'gb18030', false, start(), options.signal), encoding: 'gb18030' };
  }
}
