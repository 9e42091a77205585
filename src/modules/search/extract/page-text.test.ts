/**
 * Normalising, chunking and capping page text: the rules every format's text goes through.
 */
import { describe, expect, it } from 'vitest';
import type { ExtractedPage } from './extract.js';
import { capChars, chunkPages, normaliseText, PageCollector } from './page-text.js';

describe('normaliseText', () => {
  it('turns CR LF into LF, collapses spaces and tabs, trims lines and keeps Chinese punctuation', () => {
    expect(normaliseText('  关于做好档案工作的通知\r\n\r\n\r\n\r\n各单位：\t\t请按要求，\u3000做好“归档”。  \r\n')).toBe('关于做好档案工作的通知\n\n各单位： 请按要求， 做好“归档”。');
  });

  it('composes decomposed characters (NFC) and drops control characters and BOMs', () => {
    expect(normaliseText('Cafe\u0301\u0000\ufeff档案\u0007')).toBe('Café档案');
  });

  it('drops spaces and line wraps between Chinese characters in layout text only, keeping paragraphs', () => {
    expect(normaliseText('数 字 档 案 馆 ， Digital archive 2024', { layout: true })).toBe('数字档案馆， Digital archive 2024');
    expect(normaliseText('推进数字档\n案馆建设。\n\n第二段\nEnglish line\n下一行', { layout: true })).toBe('推进数字档案馆建设。\n\n第二段\nEnglish line\n下一行');
    expect(normaliseText('数 字\n档案', { layout: false })).toBe('数 字\n档案');
  });
});

describe('chunkPages', () => {
  const line = '档案'.repeat(30);
  const long = Array.from({ length: 400 }, (_, i) => `${i}${line}`).join('\n');

  it('cuts a long page at line breaks into parts no longer than the limit, numbered on, and moves later pages on', () => {
    const parts = chunkPages([
      { page: 1, text: '第一页', method: 'text-layer' },
      { page: 2, text: long, method: 'text-layer' },
      { page: 3, text: '第三页', method: 'text-layer' },
    ]);
    expect(parts.length).toBeGreaterThan(4);
    expect(parts.map((p) => p.page)).toEqual(parts.map((_, i) => i + 1));
    const middle = parts.slice(1, -1);
    for (const part of middle) {
      expect(part.text.length).toBeLessThanOrEqual(8000);
      expect(part.text.endsWith(line)).toBe(true);
    }
    expect(middle.map((p) => p.text).join('\n')).toBe(long);
    expect(parts.at(-1)).toEqual({ page: parts.length, text: '第三页', method: 'text-layer' });
  });

  it('cuts a single endless line at a sentence end, else anywhere, never inside a surrogate pair', () => {
    const sentences = chunkPages([{ page: 1, text: '档案工作很重要。'.repeat(3000), method: 'plain' }]);
    expect(sentences.every((p) => p.text.endsWith('。'))).toBe(true);
    const emoji = chunkPages([{ page: 1, text: '𠀀'.repeat(10), method: 'plain' }], { limit: 5 });
    expect(emoji.map((p) => p.text).join('')).toBe('𠀀'.repeat(10));
    expect(emoji.every((p) => !/[\ud800-\udbff]$/.test(p.text))).toBe(true);
  });

  it('keeps empty pages, which hold a page number', () => {
    const pages: ExtractedPage[] = [
      { page: 1, text: '一', method: 'text-layer' },
      { page: 2, text: '', method: 'ocr' },
    ];
    expect(chunkPages(pages)).toEqual(pages);
  });
});

describe('capChars', () => {
  it('keeps the first characters up to the cap and says it cut', () => {
    const pages: ExtractedPage[] = [
      { page: 1, text: '一二三', method: 'plain' },
      { page: 2, text: '四五六', method: 'plain' },
      { page: 3, text: '七', method: 'plain' },
    ];
    expect(capChars(pages, 4)).toEqual({ pages: [pages[0], { page: 2, text: '四', method: 'plain' }], truncated: true });
    expect(capChars(pages, 7)).toEqual({ pages, truncated: false });
  });
});

describe('PageCollector', () => {
  it('stops taking text once its budget of characters or pages is spent', () => {
    const chars = new PageCollector(5, 10);
    chars.add('一二三');
    chars.add('四五六');
    chars.add('七');
    expect(chars.full).toBe(true);
    expect(chars.pages()).toEqual(['一二三四五']);
    const pages = new PageCollector(100, 2);
    pages.add('一');
    pages.breakPage();
    pages.add('二');
    pages.breakPage();
    pages.add('三');
    expect(pages.full).toBe(true);
    expect(pages.pages()).toEqual(['一', '二']);
  });
});
