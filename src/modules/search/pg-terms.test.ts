import { describe, expect, it } from 'vitest';
import { codesOf, commonBigrams, sampleCode, termsArrays, termsSql, tokenCode, validBuckets, withCodes, type TermsQuery, type Vocabulary } from './pg-terms.js';
import { normalize, runsText, substringTokens } from './tokenize.js';

const runsOf = (text: string) => runsText(normalize(text));

describe('terms_a codes (PostgreSQL terms index)', () => {
  it('gives every bigram of common Han characters its own exact code, and every Han character its code point', () => {
    const a = tokenCode('档案');
    const b = tokenCode('案档');
    expect(a.exact && b.exact).toBe(true);
    expect(a.code).not.toBe(b.code);
    expect(a.chars || b.chars).toBe(false);
    expect(tokenCode('档')).toEqual({ chars: true, code: '档'.codePointAt(0), exact: true });
    // Extension B characters: a single one is its code point, a bigram of them is hashed.
    expect(tokenCode('𠀀')).toEqual({ chars: true, code: 0x20000, exact: true });
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

  it('holds each token of an item once in terms_a, with its sample regions, and each Han character once in chars_a', () => {
    const arrays = termsArrays([runsOf('数字档案馆 2011 年𠀀'), runsOf('档案')]);
    const terms = codesOf(withCodes(arrays.terms, [1, 2, 3].map(sampleCode)));
    const chars = codesOf(arrays.chars);
    expect(new Set(terms).size).toBe(terms.length);
    const bigrams = ['数字', '字档', '档案', '案馆', '2011', '年𠀀'].map((t) => tokenCode(t).code);
    expect([...terms].sort()).toEqual([...bigrams, sampleCode(1), sampleCode(2), sampleCode(3)].sort());
    expect([...chars].sort()).toEqual([...'数字档案馆年'].map((c) => c.codePointAt(0)).concat([0x20000]).sort());
    // In ascending order (GIN's sort of each row's keys is then one pass), the sample codes
    // merged in between the hashed tokens (negative, as 2011's) and the bigrams.
    const ascending = (codes: number[]) => [...codes].sort((a, b) => a - b);
    expect(terms).toEqual(ascending(terms));
    expect(chars).toEqual(ascending(chars));
    expect(terms[0]).toBeLessThan(0);
    expect(codesOf(withCodes(withCodes(arrays.terms, [sampleCode(2)]), [sampleCode(3), sampleCode(1)]))).toEqual(terms);
    const empty = termsArrays([]);
    expect([codesOf(empty.terms), codesOf(empty.chars)]).toEqual([[], []]);
    expect(codesOf(withCodes(empty.terms, [sampleCode(1)]))).toEqual([sampleCode(1)]);
  });

  const texts = ['关于做好2024年度防汛抗旱工作的通知（市档案局）', 'ABC2023 第３号 數字檔案館 𠀀𠀁丁 〇〇 ａｂｃ', '  ', '按照属地管理原则，请各单位认真组织实施。\n第二页 J005-WS·2011-0003'];
  // Bigrams of the texts in two of them or more are common: 档案, 管理 …
  const learnt: Vocabulary = { generation: 7, buckets: 8, common: new Set(commonBigrams(texts.concat('档案管理工作', '档案').map((t) => termsArrays([runsOf(t)]).terms), 0)) };

  it('keeps a vocabulary’s common bigrams exact and hashes every other bigram of the block into one of its buckets, not exact', () => {
    expect([...learnt.common].sort()).toEqual(['档案', '管理', '工作'].map((t) => tokenCode(t).code).sort());
    expect(tokenCode('档案', learnt)).toEqual(tokenCode('档案'));
    const rare = ['防汛', '抗旱', '汛抗', '属地', '原则', '组织', '实施', '通知', '年度'].map((t) => tokenCode(t, learnt));
    for (const c of rare) {
      expect(c.exact).toBe(false);
      expect(c.code).toBeGreaterThanOrEqual(0x40000000);
      expect(c.code).toBeLessThan(0x40000000 + learnt.buckets);
    }
    // Nine bigrams in eight buckets share at least one, and they spread over several.
    expect(new Set(rare.map((c) => c.code)).size).toBeGreaterThan(3);
    expect(new Set(rare.map((c) => c.code)).size).toBeLessThan(rare.length);
    // Other tokens are as with no vocabulary.
    for (const t of ['2011', '档', '𠀀𠀁']) expect(tokenCode(t, learnt)).toEqual(tokenCode(t));
    expect([2, 8, 1 << 18, 1 << 24].every(validBuckets)).toBe(true);
    expect([0, 1, 3, 1000, 1 << 25, 2.5].some(validBuckets)).toBe(false);
  });

  it.each([['no vocabulary', null] as const, ['a learnt vocabulary', learnt] as const])('holds exactly the codes a query looks up for every token of the text (tokenize.ts substringTokens) under %s', (_label, vocabulary) => {
    const arrays = termsArrays([texts.map(runsOf).join('\n')], vocabulary);
    const terms = new Set<number>();
    const chars = new Set<number>();
    for (const token of texts.flatMap((t) => substringTokens(normalize(t)))) {
      const c = tokenCode(token, vocabulary);
      if (c.chars) chars.add(c.code);
      else terms.add(c.code);
      for (const ch of token) if (/\p{Script=Han}/u.test(ch)) chars.add(ch.codePointAt(0) ?? 0);
    }
    const sorted = (codes: Iterable<number>) => [...codes].sort((a, b) => a - b);
    expect(sorted(codesOf(arrays.terms))).toEqual(sorted(terms));
    expect(sorted(codesOf(arrays.chars))).toEqual(sorted(chars));
    expect(terms.size).toBeGreaterThan(vocabulary === null ? 40 : 20);
    expect(() => sampleCode(64)).toThrow();
  });

  it('writes AND as one containment per column, OR of single codes of a column as one overlap, and NOT around its part', () => {
    const all = (terms: number[], chars: number[] = []): TermsQuery => ({ kind: 'all', terms, chars });
    expect(termsSql({ kind: 'and', parts: [all([5, 6]), all([6, 7], [40000])] }, 'd')).toBe("(d.terms_a @> '{5,6,7}'::int4[] and d.chars_a @> '{40000}'::int4[])");
    expect(termsSql({ kind: 'or', parts: [all([5]), all([7])] }, 'd')).toBe("d.terms_a && '{5,7}'::int4[]");
    expect(termsSql({ kind: 'or', parts: [all([], [5]), all([], [7])] }, 'd')).toBe("d.chars_a && '{5,7}'::int4[]");
    expect(termsSql({ kind: 'or', parts: [all([5]), all([], [7])] }, 'd')).toBe("(d.terms_a @> '{5}'::int4[] or d.chars_a @> '{7}'::int4[])");
    expect(termsSql({ kind: 'and', parts: [all([1]), { kind: 'or', parts: [all([2, 3]), all([4])] }, { kind: 'not', part: all([9]) }] }, 'd')).toBe(
      "(d.terms_a @> '{1}'::int4[] and (d.terms_a @> '{2,3}'::int4[] or d.terms_a @> '{4}'::int4[]) and not d.terms_a @> '{9}'::int4[])",
    );
  });
});
