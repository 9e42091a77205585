/**
 * Cuts an exact byte range out of a stream that holds more (a Range reply that a
 * server widened or ignored). Reading stops, and the source is destroyed, as soon as
 * the range is complete.
 */
import { Readable } from 'node:stream';

export function sliceStream(source: Readable, skip: number, length: number): Readable {
  async function* slice(): AsyncGenerator<Uint8Array> {
    let toSkip = skip;
    let left = length;
    for await (const chunk of source as AsyncIterable<Uint8Array>) {
      const from = Math.min(toSkip, chunk.byteLength);
      toSkip -= from;
      const piece = chunk.subarray(from, from + left);
      left -= piece.byteLength;
      if (piece.byteLength > 0) yield piece;
      if (left === 0) return;
    }
    if (left > 0) throw new Error(`the range ended ${left} bytes early`);
  }
  return Readable.from(slice(), { objectMode: false });
}
