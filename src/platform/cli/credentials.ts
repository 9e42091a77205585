/**
 * Reading a person's credentials on the command line, for commands that act for
 * a role. On a terminal: prompts on stderr (so --json output stays clean), the
 * password and the one-time code without echo. In scripts (standard input is not
 * a terminal): the username comes from `--as`, the password is the first line of
 * standard input and the one-time code, when the account needs one, the next line
 * (or `--totp`). Nothing read here is logged or kept.
 */
import readline from 'node:readline';
import { Writable } from 'node:stream';
import type { Command } from 'commander';

/** Each answer, or null when there is none to be had (no terminal and nothing given). */
export interface CredentialSource {
  username(): Promise<string | null>;
  password(): Promise<string | null>;
  oneTimeCode(): Promise<string | null>;
  /** Releases standard input. */
  close(): void;
}

export interface CredentialOptions {
  /** `--as <username>`. */
  as?: string;
  /** `--totp <code>`. */
  totp?: string;
  input?: NodeJS.ReadStream;
  prompts?: NodeJS.WriteStream;
}

/** Asks one question on the terminal; `hidden` answers are not echoed. */
async function ask(input: NodeJS.ReadStream, prompts: NodeJS.WriteStream, question: string, hidden: boolean): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer | string, encoding: BufferEncoding, done: () => void) {
      if (!muted) prompts.write(chunk, encoding);
      done();
    },
  });
  const rl = readline.createInterface({ input, output, terminal: true });
  try {
    const answer = new Promise<string>((resolve, reject) => {
      rl.question(question, resolve);
      rl.once('close', () => reject(new Error('input closed')));
      rl.once('SIGINT', () => reject(new Error('interrupted')));
    });
    muted = hidden;
    return await answer;
  } catch {
    return '';
  } finally {
    if (hidden) prompts.write('\n');
    rl.close();
  }
}

/** Lines of a piped standard input, read one at a time as they are asked for. */
function pipedLines(input: NodeJS.ReadStream): { next(): Promise<string | null>; close(): void } {
  const rl = readline.createInterface({ input, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  return {
    async next() {
      const line = await lines.next();
      return line.done ? null : line.value;
    },
    close: () => rl.close(),
  };
}

/** Credentials from the terminal, or from `--as` and standard input in scripts. */
export function terminalCredentials(options: CredentialOptions = {}): CredentialSource {
  const input = options.input ?? process.stdin;
  const prompts = options.prompts ?? process.stderr;
  const nonEmpty = (s: string | null | undefined) => (s && s.length > 0 ? s : null);
  if (input.isTTY) {
    return {
      username: async () => nonEmpty(options.as) ?? nonEmpty((await ask(input, prompts, '用户名 / username: ', false)).trim()),
      password: async () => nonEmpty(await ask(input, prompts, '密码 / password: ', true)),
      oneTimeCode: async () => nonEmpty(options.totp) ?? nonEmpty((await ask(input, prompts, '动态口令 / one-time code: ', true)).trim()),
      close: () => undefined,
    };
  }
  let piped: ReturnType<typeof pipedLines> | null = null;
  const line = async () => (piped ??= pipedLines(input)).next();
  return {
    username: async () => nonEmpty(options.as),
    password: async () => nonEmpty(await line()),
    oneTimeCode: async () => nonEmpty(options.totp) ?? nonEmpty((await line())?.trim()),
    close: () => piped?.close(),
  };
}

/** Adds `--as` and `--totp` to a command that asks for credentials. */
export function withCredentialOptions(command: Command): Command {
  return command
    .option('--as <username>', '以该账号登录（非交互；密码从标准输入读取）/ sign in as this account (non-interactive; password on standard input)')
    .option('--totp <code>', '动态口令（非交互）/ one-time code (non-interactive)');
}
