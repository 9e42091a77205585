/**
 * A client for ClamAV's clamd over its Unix socket (clamd's INSTREAM protocol: the
 * file is streamed in length-prefixed chunks, so clamd needs no access to our
 * staging folder). Size limits are explicit: a file over `maxBytes` (ClamAV scans
 * at most 2 GiB, and clamd's StreamMaxLength may be lower) is reported as
 * `too-large`, never as clean.
 */
import { createReadStream } from 'node:fs';
import net from 'node:net';

export type ScanOutcome =
  | { status: 'clean' }
  | { status: 'infected'; signature: string }
  | { status: 'too-large'; limit: number }
  | { status: 'unavailable'; reason: string };

export interface ClamdVersion {
  /** e.g. `ClamAV 1.4.6/27460/Tue Nov 26 08:00:00 2024` */
  text: string;
  /** Signature database version and date when clamd reports them (official databases do). */
  database: number | null;
  databaseDate: string | null;
}

/** ClamAV's own ceiling for one scanned object. */
export const CLAMAV_MAX_BYTES = 2 * 1024 ** 3 - 1;

function connect(socket: string, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.createConnection({ path: socket });
    s.setTimeout(timeoutMs, () => s.destroy(new Error(`clamd did not answer within ${timeoutMs} ms`)));
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

function reply(s: net.Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    s.on('data', (d: Buffer) => chunks.push(d));
    const text = () => Buffer.concat(chunks).toString('utf8').replace(/\0+$/, '').trim();
    s.once('end', () => resolve(text()));
    // clamd resets the connection after refusing an over-long stream; its answer came first.
    s.once('error', (err) => (chunks.length > 0 ? resolve(text()) : reject(err)));
  });
}

export function createClamd(options: { socket: string; maxBytes?: number; timeoutMs?: number }) {
  const maxBytes = Math.min(options.maxBytes ?? CLAMAV_MAX_BYTES, CLAMAV_MAX_BYTES);
  const timeoutMs = options.timeoutMs ?? 120_000;
  return {
    maxBytes,

    async version(): Promise<ClamdVersion | null> {
      try {
        const s = await connect(options.socket, 10_000);
        const answer = reply(s);
        s.end('zVERSION\0');
        const text = await answer;
        const [, db, date] = text.split('/');
        return { text, database: db ? Number(db) : null, databaseDate: date ?? null };
      } catch {
        return null;
      }
    },

    /** Asks clamd to reload its databases (after an import); true when it says RELOADING. clamd keeps scanning with the old set meanwhile. */
    async reload(): Promise<boolean> {
      const s = await connect(options.socket, 10_000);
      const answer = reply(s);
      s.end('zRELOAD\0');
      return /RELOADING/.test(await answer);
    },

    async scanFile(file: string, size: number): Promise<ScanOutcome> {
      if (size > maxBytes) return { status: 'too-large', limit: maxBytes };
      let s: net.Socket;
      try {
        s = await connect(options.socket, timeoutMs);
      } catch (err) {
        return { status: 'unavailable', reason: (err as Error).message };
      }
      const answer = reply(s);
      // clamd answers early (and stops reading) when the stream passes its StreamMaxLength.
      let answered = false;
      const settled = answer.then(
        () => (answered = true),
        () => (answered = true),
      );
      try {
        s.write('zINSTREAM\0');
        for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
          if (answered) break;
          const data = chunk as Buffer;
          const length = Buffer.alloc(4);
          length.writeUInt32BE(data.length, 0);
          if (!s.write(Buffer.concat([length, data]))) await Promise.race([new Promise((r) => s.once('drain', r)), settled]);
        }
        if (!answered) s.end(Buffer.alloc(4));
        const text = await answer;
        if (/size limit exceeded/i.test(text)) return { status: 'too-large', limit: maxBytes };
        const found = /^stream: (.+) FOUND$/.exec(text);
        if (found?.[1]) return { status: 'infected', signature: found[1] };
        if (/^stream: OK$/.test(text)) return { status: 'clean' };
        return { status: 'unavailable', reason: text || 'no answer' };
      } catch (err) {
        s.destroy();
        // clamd closes the stream early when it exceeds StreamMaxLength.
        const text = await answer.catch(() => '');
        if (/size limit exceeded/i.test(text)) return { status: 'too-large', limit: maxBytes };
        return { status: 'unavailable', reason: (err as Error).message };
      }
    },
  };
}

export type Clamd = ReturnType<typeof createClamd>;
