/**
 * What a PDF is and whether it opens: structure (qpdf's checks), encryption, pages,
 * version, PDF/A claim (XMP pdfaid), creating application, and whether it may hold a
 * signature (/ByteRange).
 *
 * The work is done by long-lived helpers running pikepdf — Python bindings of qpdf,
 * Debian's python3-pikepdf — one per core. Starting `qpdf --check` per file costs a
 * fork of this (large) process plus qpdf's own start-up, about 15 ms of CPU per PDF;
 * a helper answers a small PDF in about a millisecond, off the event loop. Where
 * pikepdf is missing the same facts come from the qpdf command, one run per file.
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type PdfStatus = 'ok' | 'warnings' | 'damaged' | 'password' | 'unreadable' | 'timeout' | 'unavailable';

export interface PdfFacts {
  /** ok; warnings (qpdf recovered from problems); damaged; password (needs one to open); unreadable (I/O); timeout; unavailable (no tool). */
  status: PdfStatus;
  problems: string[];
  pages: number | null;
  /** Header version, e.g. "1.7". */
  version: string | null;
  /** Encrypted, even if it opens with an empty password. */
  encrypted: boolean;
  /** Holds a /ByteRange, so probably a signature. */
  signed: boolean;
  /** PDF/A claim from the XMP metadata (only when asked for `xmp`). */
  pdfa: { part: string; conformance: string } | null;
  creator: string | null;
  producer: string | null;
  /** The tool that answered, with its version, for evidence and PREMIS agents. */
  engine: string;
}

export interface PdfInspectOptions {
  /** Read the XMP packet and document info too (PDF/A claim, creator, producer). */
  xmp?: boolean;
  /** Per file; a helper that takes longer is killed and replaced. Default 5 minutes. */
  timeoutMs?: number;
}

export interface PdfInspector {
  inspect(file: string, options?: PdfInspectOptions): Promise<PdfFacts>;
  close(): Promise<void>;
}

const SCRIPT = fileURLToPath(new URL('./pdf_inspector.py', import.meta.url));
/** Debian's Python, where python3-pikepdf lives (not whatever python3 comes first on PATH). */
const PYTHON = '/usr/bin/python3';
/** Address-space cap of a helper: a hostile PDF gets a MemoryError, not the machine. */
const HELPER_MEMORY = 2 * 1024 ** 3;

interface Pending {
  id: number;
  file: string;
  resolve(facts: PdfFacts): void;
  timer: NodeJS.Timeout;
}

interface Helper {
  child: ChildProcessWithoutNullStreams;
  engine: string;
  busy: Pending | null;
}

const blank = (engine: string): PdfFacts => ({ status: 'ok', problems: [], pages: null, version: null, encrypted: false, signed: false, pdfa: null, creator: null, producer: null, engine });

/** Starts one helper; resolves null when pikepdf is not there (or Python is not). */
function startHelper(python: string, onAnswer: (helper: Helper, answer: Record<string, unknown>) => void, onExit: (helper: Helper) => void): Promise<Helper | null> {
  return new Promise((resolve) => {
    let child: ChildProcessWithoutNullStreams;
    try {
      child = spawn(python, ['-u', SCRIPT, String(HELPER_MEMORY)], { stdio: ['pipe', 'pipe', 'pipe'] });
    } catch {
      resolve(null);
      return;
    }
    // Helpers never keep the process alive: a request in flight does, through its timeout timer.
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as unknown as { unref?: () => void }).unref?.();
    let helper: Helper | null = null;
    child.on('error', () => resolve(null));
    child.stderr.resume();
    child.stdin.on('error', () => undefined);
    const lines = readline.createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      if (!helper) {
        if (message.ready !== true) {
          child.kill();
          resolve(null);
          return;
        }
        helper = { child, engine: String(message.engine), busy: null };
        resolve(helper);
        return;
      }
      onAnswer(helper, message);
    });
    child.on('exit', () => {
      if (helper) onExit(helper);
      else resolve(null);
    });
  });
}

async function headerVersion(file: string): Promise<string | null> {
  const handle = await fs.open(file, 'r');
  try {
    const head = Buffer.alloc(1024);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return /%PDF-(\d\.\d)/.exec(head.subarray(0, bytesRead).toString('latin1'))?.[1] ?? null;
  } finally {
    await handle.close();
  }
}

async function holdsByteRange(file: string): Promise<boolean> {
  const needle = Buffer.from('/ByteRange');
  let tail = Buffer.alloc(0);
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
    const window = Buffer.concat([tail, chunk as Buffer]);
    if (window.includes(needle)) return true;
    tail = window.subarray(Math.max(0, window.length - needle.length + 1));
  }
  return false;
}

/** The fallback: the qpdf command, one run per file. */
async function inspectWithQpdf(file: string, timeoutMs: number): Promise<PdfFacts> {
  const facts = blank('qpdf (command)');
  try {
    facts.version = await headerVersion(file);
    facts.signed = await holdsByteRange(file);
  } catch (err) {
    return { ...facts, status: 'unreadable', problems: [(err as Error).message] };
  }
  try {
    const out = (await run('qpdf', ['--check', file], { timeout: Math.max(1, timeoutMs), maxBuffer: 16 * 1024 * 1024 })).stdout;
    if (!/File is not encrypted/.test(out)) facts.encrypted = true;
  } catch (err) {
    const e = err as { code?: number | string; killed?: boolean; stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') return { ...facts, status: 'unavailable', problems: ['qpdf is not installed'] };
    if (e.killed) return { ...facts, status: 'timeout', problems: [] };
    const said = `${e.stderr ?? ''}${e.stdout ?? ''}`;
    if (/invalid password/i.test(said)) return { ...facts, status: 'password', problems: [said.trim().slice(0, 200)] };
    if (e.code !== 3) return { ...facts, status: 'damaged', problems: [said.trim().slice(0, 200)] };
    facts.status = 'warnings';
    facts.problems = said.trim().split('\n').slice(-3);
    if (!/File is not encrypted/.test(said)) facts.encrypted = true;
  }
  try {
    facts.pages = Number((await run('qpdf', ['--show-npages', file], { timeout: Math.max(1, timeoutMs) })).stdout.trim());
  } catch {
    facts.pages = null;
  }
  return facts;
}

export function createPdfInspector(options: { size?: number; python?: string } = {}): PdfInspector {
  const size = options.size ?? Math.max(1, os.availableParallelism());
  const python = options.python ?? PYTHON;
  const helpers: Helper[] = [];
  const queue: Array<{ file: string; options: PdfInspectOptions; resolve(f: PdfFacts): void }> = [];
  let starting = 0;
  let fallback = false;
  let closed = false;
  let nextId = 1;

  function finish(helper: Helper, facts: PdfFacts): void {
    const pending = helper.busy;
    if (!pending) return;
    clearTimeout(pending.timer);
    helper.busy = null;
    pending.resolve(facts);
  }

  function onAnswer(helper: Helper, answer: Record<string, unknown>): void {
    if (!helper.busy || answer.id !== helper.busy.id) return;
    finish(helper, {
      status: answer.status as PdfStatus,
      problems: (answer.problems as string[]) ?? [],
      pages: typeof answer.pages === 'number' ? answer.pages : null,
      version: typeof answer.version === 'string' ? answer.version : null,
      encrypted: answer.encrypted === true,
      signed: answer.signed === true,
      pdfa: (answer.pdfa as PdfFacts['pdfa']) ?? null,
      creator: typeof answer.creator === 'string' ? answer.creator : null,
      producer: typeof answer.producer === 'string' ? answer.producer : null,
      engine: helper.engine,
    });
    pump();
  }

  function onExit(helper: Helper): void {
    const at = helpers.indexOf(helper);
    if (at >= 0) helpers.splice(at, 1);
    // A helper that dies on a file (a crash inside qpdf, the memory cap) condemns that file, not the next.
    if (helper.busy) finish(helper, { ...blank(helper.engine), status: 'damaged', problems: ['PDF 检测进程在读取此文件时异常退出'] });
    pump();
  }

  function dispatch(helper: Helper, job: (typeof queue)[number]): void {
    const id = nextId++;
    const timeoutMs = job.options.timeoutMs ?? 300_000;
    const timer = setTimeout(() => {
      // Out of the pool before anything else can be sent to it, then killed.
      const at = helpers.indexOf(helper);
      if (at >= 0) helpers.splice(at, 1);
      helper.child.kill('SIGKILL');
      finish(helper, { ...blank(helper.engine), status: 'timeout', problems: [`超过 ${Math.round(timeoutMs / 1000)} 秒未完成`] });
      pump();
    }, timeoutMs);
    helper.busy = { id, file: job.file, resolve: job.resolve, timer };
    helper.child.stdin.write(`${JSON.stringify({ id, path: job.file, xmp: job.options.xmp === true })}\n`);
  }

  function pump(): void {
    while (queue.length > 0) {
      if (fallback) {
        const job = queue.shift()!;
        void inspectWithQpdf(job.file, job.options.timeoutMs ?? 300_000).then(job.resolve);
        continue;
      }
      const idle = helpers.find((h) => h.busy === null);
      if (idle) {
        dispatch(idle, queue.shift()!);
        continue;
      }
      if (!closed && helpers.length + starting < size) {
        starting += 1;
        void startHelper(python, onAnswer, onExit).then((helper) => {
          starting -= 1;
          if (!helper) {
            if (helpers.length === 0) fallback = true;
          } else if (closed) helper.child.kill();
          else helpers.push(helper);
          pump();
        });
      }
      return;
    }
  }

  return {
    inspect(file, options = {}) {
      if (closed) return inspectWithQpdf(file, options.timeoutMs ?? 300_000);
      return new Promise((resolve) => {
        queue.push({ file, options, resolve });
        pump();
      });
    },
    async close() {
      closed = true;
      const exits = helpers.map((h) => new Promise<void>((resolve) => {
        if (h.child.exitCode !== null) return resolve();
        h.child.once('exit', () => resolve());
        h.child.ref();
        h.child.stdin.end();
      }));
      await Promise.all(exits);
    },
  };
}
