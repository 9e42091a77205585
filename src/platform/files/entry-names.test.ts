import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createNameRegistry, decodeTarName, decodeZipName, declaredPath, legacyEncoding } from './entry-names.js';

// GBK bytes of a few names, as Windows (code page 936) writes them (Python's 'gbk' codec agrees).
const gbkBytes = {
  通知: [0xcd, 0xa8, 0xd6, 0xaa],
  档案: [0xb5, 0xb5, 0xb0, 0xb8],
};
const gbk = (text: keyof typeof gbkBytes) => new Uint8Array(gbkBytes[text]);
const utf8 = (text: string) => new TextEncoder().encode(text);

describe('declaredPath', () => {
  it.each([
    ['a/b.txt', 'a/b.txt'],
    ['./a//b.txt', 'a/b.txt'],
    ['dir/', 'dir'],
    ['./', ''],
    ['a\\b.txt', 'a/b.txt'],
    ['cafe\u0301', 'caf\u00e9'],
    ['..a/b..', '..a/b..'],
  ])('reads %j as %j', (name, path) => {
    expect(declaredPath(name)).toEqual({ ok: true, path });
  });

  it.each([
    ['../x', 'path-traversal'],
    ['a/../../x', 'path-traversal'],
    ['a\\..\\x', 'path-traversal'],
    ['a/.../x', 'path-traversal'],
    ['a/.. /x', 'path-traversal'],
    ['/etc/passwd', 'absolute-path'],
    ['//server/share/x', 'absolute-path'],
    ['\\\\server\\share\\x', 'absolute-path'],
    ['C:x', 'absolute-path'],
    ['d:\\x', 'absolute-path'],
    ['a\0b', 'corrupt'],
  ])('refuses %j as %s', (name, reason) => {
    expect(declaredPath(name)).toMatchObject({ ok: false, reason });
  });
});

describe('name registry', () => {
  it('accepts a folder named again and files beside each other', () => {
    const names = createNameRegistry();
    expect(names.claim('a', 'directory')).toBeNull();
    expect(names.claim('a/x.txt', 'file')).toBeNull();
    expect(names.claim('a', 'directory')).toBeNull();
    expect(names.claim('a/y.txt', 'file')).toBeNull();
  });

  it('finds a duplicate, a case collision in a parent folder, and a file named like a folder', () => {
    const names = createNameRegistry();
    names.claim('Docs/a.txt', 'file');
    expect(names.claim('Docs/a.txt', 'file')).toEqual({ reason: 'duplicate-name', other: 'Docs/a.txt' });
    expect(names.claim('docs/b.txt', 'file')).toEqual({ reason: 'case-collision', other: 'Docs' });
    expect(names.claim('Docs', 'file')).toEqual({ reason: 'duplicate-name', other: 'Docs' });
  });
});

describe('legacy name encoding', () => {
  it('takes unmarked names as GBK when any is not UTF-8', () => {
    expect(legacyEncoding([utf8('a.txt'), gbk('档案')])).toBe('gb18030');
  });

  it('takes unmarked names as GBK when they are valid both ways and hold nothing a Chinese UTF-8 name would', () => {
    // 通知 in GBK is CD A8 D6 AA: also two valid two-byte UTF-8 sequences (U+0368, U+05AA).
    expect(legacyEncoding([gbk('通知')])).toBe('gb18030');
  });

  it('takes unmarked names as UTF-8 when they hold Chinese characters in UTF-8', () => {
    expect(legacyEncoding([utf8('通知'), utf8('readme')])).toBe('utf-8');
  });

  it('prefers a matching Info-ZIP Unicode Path field over the stored bytes', () => {
    const raw = gbk('档案');
    const data = Buffer.alloc(5);
    data[0] = 1;
    data.writeUInt32LE(crc32(raw), 1);
    const field = { id: 0x7075, data: Buffer.concat([data, Buffer.from('档案')]) };
    expect(decodeZipName({ raw, flags: 0, extraFields: [field] }, 'utf-8')).toEqual({ ok: true, name: '档案' });
  });

  it('refuses a name flagged UTF-8 that is not', () => {
    expect(decodeZipName({ raw: gbk('档案'), flags: 0x800, extraFields: [] }, 'utf-8').ok).toBe(false);
  });

  it('reads tar names byte for byte, UTF-8 or GBK', () => {
    expect(decodeTarName(Buffer.from(utf8('档案/通知.txt')).toString('latin1'), false)).toBe('档案/通知.txt');
    expect(decodeTarName(Buffer.from(gbk('通知')).toString('latin1'), false)).toBe('通知');
  });
});
