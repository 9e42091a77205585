/**
 * `lantai transfer submit`: a filing agency hands a folder or a package over to the
 * archive from its own machine, through the filing API with the API key the
 * archive's system admin issued to the agency (DESIGN.md "CLI", DA/T 93 online
 * hand-over). The command is a client only: it needs no database or configuration,
 * just the server's address and the key.
 *
 * The key is read from a file or standard input (`--api-key-file -`) rather than
 * the command line, where it would stay in the shell history and the process list;
 * `--api-key` is there for a quick try. A stopped run is resumed by running the same
 * command again (cli-submit.ts). Progress goes to standard error; with --json the
 * result is one JSON document on standard output.
 */
import fs from 'node:fs/promises';
import type { Command } from 'commander';
import type { Output } from '../../platform/cli/output.js';
import { transferCliErrors } from './cli-errors.js';
import { createTransferProgress, formatBytes } from './cli-progress.js';
import { submitTransfer, type SubmitResult } from './cli-submit.js';
import { STATUS_LABELS } from './model.js';

/** The part of the CLI context this command uses (main.ts's CliContext fits it). */
export interface TransferCliContext {
  output(): Output;
}

interface SubmitFlags {
  server: string;
  apiKey?: string;
  apiKeyFile?: string;
  fonds: string;
  category: string;
  title: string;
  years: string;
  declared: string;
  idempotencyKey?: string;
  wait: boolean;
  waitMinutes: string;
}

const invalid = (option: string, zh: string, en: string) => transferCliErrors.TRANSFER_CLI_OPTION({ option, reason: zh, reasonEn: en });

/** `2023` or `2023-2024` → the hand-over's first and last year. */
export function parseYears(value: string): { yearFrom: number; yearTo: number } {
  const match = /^(\d{4})(?:\s*[-–—~～至]\s*(\d{4}))?$/.exec(value.trim());
  if (!match) throw invalid('--years', `“${value}”应为年度，如 2023 或 2023-2024`, `"${value}" should be a year or a range, e.g. 2023 or 2023-2024`);
  const yearFrom = Number(match[1]);
  const yearTo = Number(match[2] ?? match[1]);
  if (yearTo < yearFrom) throw invalid('--years', '截止年度早于起始年度', 'the last year is before the first');
  return { yearFrom, yearTo };
}

function count(option: string, value: string, min: number): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < min) throw invalid(option, `“${value}”应为不小于 ${min} 的整数`, `"${value}" should be a whole number of at least ${min}`);
  return Number(value);
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text;
}

/** The key from --api-key-file (a file, or `-` for standard input: its first line) or --api-key. */
export async function readApiKey(flags: { apiKey?: string; apiKeyFile?: string }, stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  if (flags.apiKey && flags.apiKeyFile) throw invalid('--api-key', '--api-key 与 --api-key-file 只能用一个', 'give either --api-key or --api-key-file, not both');
  let key = flags.apiKey ?? '';
  if (flags.apiKeyFile) {
    const text = flags.apiKeyFile === '-' ? await readAll(stdin) : await fs.readFile(flags.apiKeyFile, 'utf8').catch(() => {
      throw invalid('--api-key-file', `读不到文件 ${flags.apiKeyFile}`, `cannot read ${flags.apiKeyFile}`);
    });
    key = text.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '') ?? '';
  }
  if (key.trim() === '') throw transferCliErrors.TRANSFER_CLI_KEY_MISSING();
  return key.trim();
}

function serverUrl(value: string): string {
  let url: URL | null = null;
  try {
    url = new URL(value);
  } catch {
    // Reported below.
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw invalid('--server', `“${value}”应为兰台的网址，如 https://archive.example.gov.cn`, `"${value}" should be Lantai's address, e.g. https://archive.example.gov.cn`);
  // The key travels in a header: over plain HTTP anyone on the way can read it.
  if (url.protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) {
    process.stderr.write('警告：--server 使用未加密的 http，接口密钥可能被截获，请改用 https。/ Warning: --server uses plain http; the API key can be intercepted. Use https.\n');
  }
  return url.toString();
}

function printResult(out: Output, r: SubmitResult): void {
  out.say(`移交批次 ${r.id}：${STATUS_LABELS[r.status].zh}`, `hand-over ${r.id}: ${STATUS_LABELS[r.status].en}`);
  out.say(`压缩包 ${r.package.name}，${formatBytes(r.package.size)}，SHA-256 ${r.package.sha256}`, `package ${r.package.name}, ${formatBytes(r.package.size)}`);
  if (r.upload) {
    out.say(
      r.upload.resumedFrom > 0 ? `从第 ${r.upload.resumedFrom} 字节续传，本次发送 ${formatBytes(r.upload.sent)}` : `已上传 ${formatBytes(r.upload.sent)}`,
      r.upload.resumedFrom > 0 ? `resumed at byte ${r.upload.resumedFrom}, sent ${formatBytes(r.upload.sent)}` : `uploaded ${formatBytes(r.upload.sent)}`,
    );
  } else if (!r.created) out.say('压缩包此前已送达，本次未重传', 'the package had arrived before; nothing was sent again');
  out.say(`共 ${r.items} 件、${r.files} 个文件`, `${r.items} items, ${r.files} files`);
  if (r.passRate !== null) out.say(`四性检测完成：合格率 ${r.passRate}%（合格 ${r.passedItems ?? '?'} / ${r.items} 件）`, `four-property checks done: pass rate ${r.passRate}% (${r.passedItems ?? '?'} of ${r.items} items)`);
  else if (r.jobId) out.say(`已提交，四性检测作业 ${r.jobId} 已排队`, `submitted; check job ${r.jobId} queued`);
  out.say(`检测报告（在网页登录后打开）：${r.reportUrl}`, 'check report, open it signed in on the web');
  out.say(`幂等键：${r.idempotencyKey}（中断后用相同参数再次运行即可续传）`, 'idempotency key; run the same command again to resume after an interruption');
}

export function registerTransferCli(program: Command, context: TransferCliContext): void {
  const transfer = program.command('transfer').description('移交（立档单位）/ hand-over (filing agencies)');

  transfer
    .command('submit')
    .description('通过移交接口在线移交一个文件夹或压缩包，并提交四性检测；中断后再次运行即续传 / hand a folder or a package over through the filing API and submit it for the checks; run again to resume')
    .argument('<source>', '文件夹（顶层有归档文件目录 xlsx/csv，或为 BagIt 包），或 zip / tar / tar.gz 压缩包 / a folder (with a catalog spreadsheet at its top, or a BagIt bag), or a zip, tar or tar.gz package')
    .requiredOption('--server <url>', '兰台的网址 / Lantai’s address, e.g. https://archive.example.gov.cn')
    .option('--api-key-file <file>', '存放接口密钥的文件，“-”表示从标准输入读取 / file holding the API key, "-" for standard input')
    .option('--api-key <key>', '接口密钥（会留在命令历史中，建议用 --api-key-file）/ the API key (stays in the shell history; prefer --api-key-file)')
    .requiredOption('--fonds <fondsId>', '全宗 id / fonds id')
    .requiredOption('--category <categoryId>', '门类 id / category id')
    .requiredOption('--title <title>', '移交批次题名 / title of the hand-over')
    .requiredOption('--years <years>', '年度，如 2023 或 2023-2024 / year or range')
    .requiredOption('--declared <n>', '移交清单上的件数（四性检测核对实收件数）/ items on the hand-over list (the checks compare it with the items received)')
    .option('--idempotency-key <key>', '幂等键：相同的键找到同一批次（默认取压缩包的 SHA-256）/ the same key finds the same hand-over (default: from the package’s SHA-256)')
    .option('--wait', '等待四性检测完成并显示合格率 / wait for the checks and show the pass rate', false)
    .option('--wait-minutes <n>', '最多等待的分钟数 / longest wait in minutes', '60')
    .action(async (sourcePath: string, flags: SubmitFlags) => {
      const out = context.output();
      const apiKey = await readApiKey(flags);
      if (flags.idempotencyKey !== undefined && (flags.idempotencyKey.length < 8 || flags.idempotencyKey.length > 200)) {
        throw invalid('--idempotency-key', '幂等键应为 8–200 个字符', 'the key should have 8 to 200 characters');
      }
      const progress = createTransferProgress(!out.json);
      try {
        const result = await submitTransfer(
          {
            source: sourcePath,
            server: serverUrl(flags.server),
            apiKey,
            transfer: { fondsId: flags.fonds, categoryId: flags.category, title: flags.title, ...parseYears(flags.years), declaredItems: count('--declared', flags.declared, 0) },
            idempotencyKey: flags.idempotencyKey,
            wait: flags.wait ? { minutes: count('--wait-minutes', flags.waitMinutes, 1) } : undefined,
          },
          { progress, say: (zh, en) => out.say(zh, en) },
        );
        out.result(result, () => printResult(out, result));
      } finally {
        progress.stop();
      }
    });
}
