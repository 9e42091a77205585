import { describe, expect, it } from 'vitest';
import { normalize, normalizeWithOffsets, substringTokens, tokenizeField, wordTokens } from './tokenize.js';

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
