import { describe, expect, it } from 'vitest';
import { normalize, normalizeWithOffsets, substringTokens, tokenizeField, wordTokens } from './tokenize.js';
import type { StreamPair } from './index-common.js';
import { pgVector } from './pg-index.js';
import tokenize from './tokenize-worker.js';

describe('tokenisation', () => {
  it('turns a run of Han characters into its bigrams and its last character', () => {
    expect(substringTokens('数字档案馆')).toEqual(['数字', '字档', '档案', '案馆', '馆']);
  });

  it('splits a run that starts with a Han character beyond the BMP like any other (found by the bench: such items were missed)', () => {
    expect(substringTokens('𫮃不是督办。𠀀档案')).toEqual(['𫮃不', '不是', '是督', '督办', '办', '𠀀档', '档案', '案']);
  });

  it('keeps other letters and digits as words, lower-cased, and drops punctuation', () => {
    expect(substringTokens(normalize('Z109-WS·2011年，ABC档案'))).toEqual(['z', '109', 'ws', '2011', '年', 'abc', '档案', '案']);
  });

  it('folds full-width forms, case and traditional characters to one form', () => {
    expect(normalize('ＡＢＣ１２３')).toBe('abc123');
    expect(normalize('數字檔案館')).toBe('数字档案馆');
    expect(tokenizeField('檔案').sub).toEqual(tokenizeField('档案').sub);
  });

  it('keeps the offsets of the original text through normalisation', () => {
    const { text, offsets } = normalizeWithOffsets('ＡＢ檔案');
    expect(text).toBe('ab档案');
    expect(offsets.slice(0, 4)).toEqual([0, 1, 2, 3]);
  });

  it('gives the words of a title in search mode, without single characters', () => {
    const words = wordTokens('三码分类监管制度');
    expect(words).toEqual(expect.arrayContaining(['分类', '监管', '制度']));
    expect(words.every((w) => Array.from(w).length >= 2)).toBe(true);
  });

  it('drops runs of letters and digits too long to be words', () => {
    expect(substringTokens('a'.repeat(65))).toEqual([]);
    expect(substringTokens('a'.repeat(64))).toEqual(['a'.repeat(64)]);
  });
});

describe('PostgreSQL vector literals', () => {
  it('puts bigrams at consecutive positions from the field base, words at its first, with the field weight', () => {
    expect(pgVector([{ pair: { sub: '档案 案馆 档案', words: '档案馆' }, base: 4000, weight: 'B' }])).toBe("'档案':4001B,4003B '案馆':4002B '~档案馆':4001B");
    expect(pgVector([{ pair: { sub: '档案', words: '' }, base: 0, weight: 'D' }])).toBe("'档案':1");
  });

  it('keeps at most 256 positions of a lexeme, as PostgreSQL does', () => {
    const literal = pgVector([{ pair: { sub: Array(300).fill('档案').join(' '), words: '' }, base: 0, weight: 'D' }]);
    expect(literal.split(',')).toHaveLength(256);
  });

  it('is made on the tokenizer threads when asked, the same as on the writing thread', () => {
    const answer = tokenize({ metas: [{ title: '关于数字档案馆建设的通知', resp: '市档案局', docno: '', other: '' }], pages: ['数字档案馆建设'], vectors: true });
    expect(answer.pages[0]?.vector).toBe(pgVector([{ pair: answer.pages[0] as StreamPair, base: 0, weight: 'D' }]));
    expect(answer.metaVectors?.[0]).toContain("'~档案馆':1A");
    expect(tokenize({ metas: [], pages: ['数字档案馆建设'] }).pages[0]?.vector).toBeUndefined();
  });
});
