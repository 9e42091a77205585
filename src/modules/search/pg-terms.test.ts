import { describe, expect, it } from 'vitest';
import { sampleCode, termsArray, termsSql, tokenCode } from './pg-terms.js';
import { normalize, substringTokens } from './tokenize.js';

const codesOf = (literal: string) => literal.replace(/^\{|\}$/g, '').split(',').filter((x) => x !== '').map(Number);
const stream = (text: string) => ({ sub: substringTokens(normalize(text)).join(' '), words: '' });

describe('terms_a codes (PostgreSQL terms index)', () => {
  it('gives every bigram of common Han characters its own exact code, and every Han character its code point', () => {
    const a = tokenCode('档案');
    const b = tokenCode('案档');
    expect(a.exact && b.exact).toBe(true);
    expect(a.code).not.toBe(b.code);
    expect(tokenCode('档')).toEqual({ code: '档'.codePointAt(0), exact: true });
    // Extension B characters: a single one is its code point, a bigram of them is hashed.
    expect(tokenCode('𠀀')).toEqual({ code: 0x20000, exact: true });
    expect(tokenCode('𠀀𠀁').exact).toBe(false);
    // Every code fits PostgreSQL's int4, and no two distinct bigrams of the block share one.
    const seen = new Map<number, string>();
    for (const first of ['一', '丁', '档', '鿿', '㐀']) {
      for (const second of ['一', '丁', '档', '鿿', '㐀']) {
        const { code } = tokenCode(first + second);
        expect(code).toBeLessThanOrEqual(2 ** 31 - 1);
        expect(seen.get(code) ?? first + second).toBe(first + second);
        seen.set(code, first + second);
      }
    }
  });

  it('hashes other tokens to negative codes, which are not exact', () => {
    for (const token of ['2011', 'ws', 'abc123', 'ａｂｃ']) {
      const c = tokenCode(token);
      expect(c.exact).toBe(false);
      expect(c.code).toBeLessThan(0);
      expect(c.code).toBeGreaterThanOrEqual(-(2 ** 31));
      expect(tokenCode(token).code).toBe(c.code);
    }
    expect(tokenCode('2011').code).not.toBe(tokenCode('2012').code);
  });

  it('holds each token and each Han character of an item once, with its sample regions', () => {
    const codes = codesOf(termsArray([stream('数字档案馆 2011 年'), stream('档案')], 3));
    expect(new Set(codes).size).toBe(codes.length);
    const want = ['数字', '字档', '档案', '案馆', '馆', '2011', '年', '数', '字', '档', '案'].map((t) => tokenCode(t).code);
    expect(codes).toEqual(expect.arrayContaining([...want, sampleCode(1), sampleCode(2), sampleCode(3)]));
    expect(codes).toHaveLength(want.length + 3);
    expect(termsArray([])).toBe('{}');
    expect(() => sampleCode(64)).toThrow();
  });

  it('writes AND as one containment, OR of single codes as one overlap, and NOT around its part', () => {
    expect(termsSql({ kind: 'and', parts: [{ kind: 'all', codes: [5, 6] }, { kind: 'all', codes: [6, 7] }] }, 't')).toBe("(t @> '{5,6,7}'::int4[])");
    expect(termsSql({ kind: 'or', parts: [{ kind: 'all', codes: [5] }, { kind: 'all', codes: [7] }] }, 't')).toBe("t && '{5,7}'::int4[]");
    expect(
      termsSql({ kind: 'and', parts: [{ kind: 'all', codes: [1] }, { kind: 'or', parts: [{ kind: 'all', codes: [2, 3] }, { kind: 'all', codes: [4] }] }, { kind: 'not', part: { kind: 'all', codes: [9] } }] }, 't'),
    ).toBe("(t @> '{1}'::int4[] and (t @> '{2,3}'::int4[] or t @> '{4}'::int4[]) and not t @> '{9}'::int4[])");
  });
});
