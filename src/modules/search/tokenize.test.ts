import * as OpenCC from 'opencc-js';
import { describe, expect, it } from 'vitest';
import { normalize, normalizeWithOffsets, runsPattern, runsText, substringTokens, tokenizeField, wordTokens } from './tokenize.js';
import { pgVector } from './pg-index.js';
import { codesOf, tokenCode } from './pg-terms.js';
import { termNode } from './query.js';
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

  it('folds every entry of the traditional → simplified tables as opencc-js does, and leaves text without one as it is', () => {
    const t2s = OpenCC.Locale.configs.t2s;
    const convert = OpenCC.Converter({ from: 't', to: 'cn' });
    const sources = [...(t2s?.normalizationChain ?? []), ...(t2s?.conversionChain ?? [])].flat().flatMap((d) => (typeof d === 'string' ? d.split('|').map((e) => e.split(' ')[0] ?? '') : d.map(([source]: readonly [string, string]) => source)));
    expect(sources.length).toBeGreaterThan(3000);
    // Each entry in simplified context, and an entry's phrase cut short, fold exactly as the converter folds them.
    for (const source of sources) {
      for (const text of [`关于${source}的通知`, `${source}`, `档案${Array.from(source).slice(0, -1).join('')}`]) {
        const folded = text.normalize('NFKC').toLowerCase();
        expect(normalize(text)).toBe(convert(folded));
      }
    }
    const plain = '为认真贯彻落实省委省政府关于防汛抗旱工作的部署要求 现将有关事项通知如下';
    expect(normalize(plain)).toBe(plain);
  });

  it('normalises runs it copies whole exactly as one code point at a time', () => {
    // The reference: every code point through NFKC and lower case, then traditional → simplified where lengths hold.
    const reference = (text: string) => {
      let out = '';
      const offsets: number[] = [];
      let i = 0;
      for (const ch of text) {
        const n = ch.normalize('NFKC').toLowerCase();
        for (let k = 0; k < n.length; k++) offsets.push(i);
        out += n;
        i += ch.length;
      }
      offsets.push(i);
      const simplified = normalize(out);
      return { text: simplified.length === out.length ? simplified : out, offsets };
    };
    const mixed = 'Z109-WS·2011《關於ＡＢ檔案》\u3000第ⅲ卷 ﬁle İstanbul 𠀀𠀁 ㊣ 数字档案馆 OK.';
    expect(normalizeWithOffsets(mixed)).toEqual(reference(mixed));
    expect(normalizeWithOffsets(mixed).text).toContain('关于ab档案');
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

  it('is made on the tokenizer threads when asked: each document’s runs (UTF-8), metadata vector and terms arrays (binary)', () => {
    const answer = tokenize({ metas: [{ title: '关于数字档案馆建设的通知', resp: '市档案局', docno: '', other: '' }], pages: ['数字档案馆建设', '第２页'], vectors: true, docPages: [2] });
    expect(new TextDecoder().decode(answer.docRuns?.[0])).toBe(' 数字档案馆建设 \n 第 2 页 ');
    expect(answer.metaVectors?.[0]).toContain("'~档案馆':1A");
    // The code of every substring token of the metadata and both pages but single characters,
    // once, and of every Han character.
    const codes = (array: Uint8Array | undefined) => codesOf(array ?? new Uint8Array());
    const terms = codes(answer.termsArrays?.[0]);
    expect(new Set(terms).size).toBe(terms.length);
    expect(terms).toEqual(expect.arrayContaining(['关于', '档案', '市档', '建设', '2'].map((t) => tokenCode(t).code)));
    expect(codes(answer.charsArrays?.[0])).toEqual(expect.arrayContaining([...'关档第页馆'].map((c) => c.codePointAt(0))));
    // Made only when asked (SQLite never stores them).
    const plain = tokenize({ metas: [{ title: '通知', resp: '', docno: '', other: '' }], pages: ['数字档案馆建设'], docPages: [1] });
    expect([plain.docRuns, plain.termsArrays, plain.charsArrays]).toEqual([undefined, undefined, undefined]);
    // Under PostgreSQL's vocabulary: its common bigrams exact, the others in its buckets, and its generation named.
    const task = { generation: 5, buckets: 4, common: Int32Array.from([tokenCode('档案').code]) };
    const under = tokenize({ metas: [{ title: '关于数字档案馆建设的通知', resp: '市档案局', docno: '', other: '' }], pages: ['数字档案馆建设', '第２页'], vectors: true, docPages: [2], vocabulary: task });
    expect([answer.vocabulary, under.vocabulary]).toEqual([0, 5]);
    const vocabulary = { generation: 5, buckets: 4, common: new Set(task.common) };
    const bucketed = codes(under.termsArrays?.[0]);
    expect(bucketed).toEqual(expect.arrayContaining([tokenCode('档案').code, ...['关于', '市档', '建设'].map((t) => tokenCode(t, vocabulary).code)]));
    expect(bucketed).not.toContain(tokenCode('关于').code);
    expect(bucketed.filter((c) => c >= 0x110000).every((c) => c === tokenCode('档案').code || (c >= 0x40000000 && c < 0x40000000 + 4))).toBe(true);
  });
});

describe('runs, where PostgreSQL finds a phrase in a page', () => {
  /** Whether the term's tokens are a phrase of the text's substring stream (the last a prefix where the term says so). */
  const phraseOf = (text: string, term: string) => {
    const node = termNode(term, 'any');
    if (node === null) return null;
    const tokens = substringTokens(normalize(text));
    const q = node.tokens;
    return tokens.some((_, i) => q.every((t, j) => (node.prefix && j === q.length - 1 ? (tokens[i + j] ?? '').startsWith(t) : tokens[i + j] === t)));
  };

  it('holds a term’s pattern exactly where its tokens are a phrase of the text', () => {
    // Short strings over a few Han characters, letters, digits and separators: every way runs can meet.
    const alphabet = ['甲', '乙', '丙', 'a', 'b', '1', '2', ' ', '，'];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    const draw = (n: number) => Array.from({ length: n }, () => alphabet[next() % alphabet.length]).join('');
    let compared = 0;
    let matched = 0;
    for (let i = 0; i < 3000; i++) {
      const text = draw(4 + (next() % 10));
      const term = draw(1 + (next() % 4));
      const want = phraseOf(text, term);
      if (want === null) continue;
      expect(runsText(normalize(text)).includes(runsPattern(normalize(term))), `${text} / ${term}`).toBe(want);
      compared++;
      if (want) matched++;
    }
    expect(compared).toBeGreaterThan(2000);
    expect(matched).toBeGreaterThan(200);
  });

  it('matches whole runs of letters and digits, and any part of a Han run', () => {
    const runs = runsText(normalize('依据第3号文件，ABC123办理'));
    expect(runs).toBe(' 依据第 3 号文件 abc 123 办理 ');
    for (const [term, found] of [['第3号', true], ['3号文', true], ['据第', true], ['abc', true], ['ab', false], ['c123', false], ['abc123', true], ['123办', true], ['号文件abc', true], ['文件ab', false]] as const) {
      expect(runs.includes(runsPattern(normalize(term))), term).toBe(found);
    }
  });
});
