import { describe, expect, it } from 'vitest';
import { MAX_QUERY_CHARS } from './model.js';
import { describe as describeQuery, parseQuery, positiveTerms } from './query.js';

describe('the query language', () => {
  const understood = (q: string) => describeQuery(parseQuery(q).root);

  it('ANDs terms separated by spaces and reads OR, NOT and their Chinese and symbol forms', () => {
    expect(understood('档案 管理')).toBe('档案 AND 管理');
    expect(understood('档案 OR 文件')).toBe('档案 OR 文件');
    expect(understood('档案 或 文件')).toBe('档案 OR 文件');
    expect(understood('档案 -文件')).toBe('档案 AND NOT 文件');
    expect(understood('档案 NOT 文件')).toBe('档案 AND NOT 文件');
    expect(understood('(档案 OR 文件) 管理')).toBe('(档案 OR 文件) AND 管理');
  });

  it('keeps a quoted phrase together, in ASCII or Chinese quotes', () => {
    const node = parseQuery('“annual report”').root;
    expect(node.kind).toBe('term');
    expect(node.kind === 'term' && node.tokens).toEqual(['annual', 'report']);
  });

  it('treats lower-case and/or/not as words, not operators', () => {
    expect(understood('research and development')).toBe('research AND and AND development');
  });

  it('recognises an archival code or its prefix, in any middle dot', () => {
    for (const q of ['Z109-WS·2011', 'z109-ws・2011', 'Z109-WS•2011-Y']) {
      const node = parseQuery(q).root;
      expect(node.kind === 'term' && node.codePrefix?.startsWith('z109-ws·2011')).toBe(true);
    }
    const word = parseQuery('档案').root;
    expect(word.kind === 'term' && word.codePrefix).toBeNull();
  });

  it('makes a single Han character a prefix query', () => {
    const node = parseQuery('档').root;
    expect(node.kind === 'term' && node.prefix).toBe(true);
  });

  it('matches a term’s last Han character as a prefix only where the text may go on', () => {
    const prefixOf = (q: string) => {
      const node = parseQuery(q).root;
      return node.kind === 'term' ? { tokens: node.tokens, prefix: node.prefix } : null;
    };
    expect(prefixOf('第3号')).toEqual({ tokens: ['第', '3', '号'], prefix: true });
    expect(prefixOf('A股')).toEqual({ tokens: ['a', '股'], prefix: true });
    // Its last bigram already covers the last character; a term ending in a digit ends a token.
    expect(prefixOf('数字档案')).toEqual({ tokens: ['数字', '字档', '档案'], prefix: false });
    expect(prefixOf('第3')).toEqual({ tokens: ['第', '3'], prefix: false });
  });

  it('drops terms with no letters or digits and treats syntax characters as text', () => {
    expect(parseQuery('，。！？').root).toEqual({ kind: 'all' });
    // An unclosed quote runs to the end: one phrase, whose only token is the word.
    expect(positiveTerms(parseQuery('" * ( ) NEAR : - ^').root).flatMap((t) => t.tokens)).toEqual(['near']);
    expect(positiveTerms(parseQuery('* ( ) NEAR : ^').root).flatMap((t) => t.tokens)).toEqual(['near']);
    expect(positiveTerms(parseQuery("'; drop table x; --").root).flatMap((t) => t.tokens)).toEqual(['drop', 'table', 'x']);
  });

  it('cuts text beyond the limit and says so', () => {
    const parsed = parseQuery('档'.repeat(MAX_QUERY_CHARS + 5));
    expect(parsed.truncated).toBe(true);
    expect(parsed.root.kind === 'term' && Array.from(parsed.root.display).length).toBe(MAX_QUERY_CHARS);
  });

  it('joins advanced clauses by their own operators, ANDed with the box', () => {
    const parsed = parseQuery('通知', [
      { field: 'title', text: '档案', op: 'and' },
      { field: 'fulltext', text: '秘密', op: 'not' },
    ]);
    expect(describeQuery(parsed.root)).toBe('通知 AND 题名：档案 AND NOT 全文：秘密');
  });
});

describe('terms as phrases of the index', () => {
  it('matches a Han term by its bigrams, without the run-end character, so longer runs in the text match', () => {
    const node = parseQuery('分类监管').root;
    expect(node.kind === 'term' && node.tokens).toEqual(['分类', '类监', '监管']);
  });

  it('joins Han words a quoted phrase separates with spaces', () => {
    const node = parseQuery('"研究 决定"').root;
    expect(node.kind === 'term' && node.tokens).toEqual(['研究', '究决', '决定']);
  });
});
