/**
 * A file's path inside a hand-over as the agency names it: relative, posix, NFC,
 * no way out of the package. The bytes themselves are staged under ids, never
 * under these names, so a name can mislead a report but never the filesystem.
 */
import { transferErrors } from './errors.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F]/;

/** The normalised path, or TRANSFER_PATH_INVALID saying why not. */
export function packagePath(raw: string): string {
  const fail = (zh: string, en: string) => transferErrors.TRANSFER_PATH_INVALID({ path: raw.slice(0, 200), reason: zh, reasonEn: en });
  const path = raw.normalize('NFC');
  if (path.length === 0 || path.length > 1000) throw fail('长度应为 1–1000 个字符', 'must have 1 to 1000 characters');
  if (CONTROL.test(path)) throw fail('含控制字符', 'holds control characters');
  if (path.includes('\\')) throw fail('请用“/”分隔目录', 'use "/" between folders');
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) throw fail('不能是绝对路径', 'must be relative');
  const segments = path.split('/');
  if (segments.some((s) => s === '..' || s === '.' || s === '')) throw fail('不能含“..”“.”或空目录名', 'must not hold "..", "." or empty names');
  if (segments.some((s) => Buffer.byteLength(s) > 255)) throw fail('文件名过长', 'a name is too long');
  return path;
}
