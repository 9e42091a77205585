/**
 * A bag as one stream, zip (yazl; ZIP64 when sizes need it) or tar (tar-stream;
 * POSIX pax headers for long and non-ASCII names), everything under the bag's top
 * folder. Each payload entry is taken from its source as the reader reads: one
 * file open at a time, nothing buffered whole. A reader that goes away stops the
 * bag's writer at the entry it was on.
 */
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import tarStream from 'tar-stream';
import yazl from 'yazl';
import type { BagSink } from './bag.js';

export interface StreamedBag {
  stream: Readable;
  sink: BagSink;
}

const goneAway = () => new Error('the reader of the bag went away');

export function zipBag(root: string): StreamedBag {
  const zip = new yazl.ZipFile();
  const output = zip.outputStream as unknown as Readable;
  let current: Readable | null = null;
  let closed = false;
  zip.on('error', (err: Error) => output.destroy(err));
  output.once('close', () => {
    closed = true;
    current?.destroy(goneAway());
  });
  const sink: BagSink = {
    async tag(name, bytes) {
      if (closed) throw goneAway();
      zip.addBuffer(bytes, `${root}/${name}`);
    },
    async directory(name) {
      zip.addEmptyDirectory(`${root}/${name}/`);
    },
    async payload(name, size, bytes) {
      if (closed) throw goneAway();
      const source = Readable.from(bytes, { objectMode: false });
      current = source;
      zip.addReadStreamLazy(`${root}/${name}`, { size }, (cb) => cb(null, source));
      try {
        // Ends when yazl has read the last byte: only then is the next file opened.
        await finished(source);
      } finally {
        current = null;
      }
    },
    async end() {
      zip.end();
    },
    async abort(err) {
      current?.destroy(err);
      output.destroy(err);
    },
  };
  return { stream: output, sink };
}

/** Resolves when a tar entry can take more, rejects when it (or the whole pack) is destroyed. */
function drained(entry: ReturnType<tarStream.Pack['entry']>): Promise<void> {
  // Destroyed already (the reader went away): no 'drain' or 'close' is coming.
  if (entry.destroying || entry.destroyed) return Promise.reject(goneAway());
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      entry.off('drain', onDrain);
      entry.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(goneAway());
    entry.on('drain', onDrain);
    entry.on('close', onClose);
  });
}

export function tarBag(root: string): StreamedBag {
  const pack = tarStream.pack();
  const mtime = new Date();
  const entryDone = (fill: (callback: (err?: Error | null) => void) => void) => new Promise<void>((resolve, reject) => fill((err) => (err ? reject(err) : resolve())));
  const sink: BagSink = {
    tag: (name, bytes) => entryDone((cb) => pack.entry({ name: `${root}/${name}`, mode: 0o644, mtime }, bytes, cb)),
    directory: (name) => entryDone((cb) => pack.entry({ name: `${root}/${name}/`, type: 'directory', mode: 0o755, mtime }, cb)),
    async payload(name, size, bytes) {
      let settle: (err?: Error | null) => void = () => undefined;
      const written = new Promise<void>((resolve, reject) => (settle = (err) => (err ? reject(err) : resolve())));
      // Awaited below; a failure while writing is reported by the loop, not twice.
      written.catch(() => undefined);
      const entry = pack.entry({ name: `${root}/${name}`, size, mode: 0o644, mtime }, (err) => settle(err));
      // streamx also emits a destroyed entry's error as an event; it reaches us through the callback and the loop.
      entry.on('error', () => undefined);
      try {
        for await (const chunk of bytes) if (!entry.write(chunk)) await drained(entry);
        entry.end(null);
      } catch (err) {
        entry.destroy(err as Error);
        throw err;
      }
      await written;
    },
    async end() {
      pack.finalize();
    },
    async abort(err) {
      pack.destroy(err);
    },
  };
  return { stream: Readable.from(pack, { objectMode: false }), sink };
}
