/**
 * One conformance suite for both index backends: the same synthetic corpus indexed into
 * SQLite (FTS5) and PostgreSQL (int4[] codes with GIN indexes; also with a learnt vocabulary
 * putting most bigrams in a few shared buckets) gives the same totals, the same hits in the
 * same order (relevance — Lantai's own score —, date and 档号 sorts), the same facet
 * counts; and every substring query finds exactly what a brute-force scan of the corpus
 * finds.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/app.js';
import { organisations } from '../accounts/organisations.js';
import { anonymousViewer } from '../accounts/viewer.js';
import { forgetCommonCodes } from './pg-index.js';
import { TEXT_INDEXES } from './pg-text-index.js';
import { sampleCode, tokenCode } from './pg-terms.js';
import { learnVocabulary } from './pg-vocabulary.js';
import { DOC_KEY_SPACE, SAMPLE_LEVELS, sampleEdge, sampleLevelAt, sampleLevelOf } from './index-common.js';
import { searchQuerySchema, type SearchQueryInput } from './model.js';
import type { MetaField } from './index-common.js';
import type { IndexDialect } from './index-sql.js';
import { compileQuery } from './query-sql.js';
import { parseQuery, type TermNode } from './query.js';
import { createSearchService } from './service.js';
import { corpusItem, loadVocabulary, PLANTED, type CorpusItem } from './test-support/corpus.js';
import { normalize } from './tokenize.js';

const ITEMS = 1500;
const SAMPLE = 500;
const viewer = anonymousViewer('lan');
/** `bucketed`: PostgreSQL with a vocabulary learnt from the corpus (pg-vocabulary.ts), most bigrams sharing 64 buckets. */
const BACKENDS = ['sqlite', 'postgres', 'bucketed'] as const;
type Backend = (typeof BACKENDS)[number];

describe('the two index backends', () => {
  const apps: Record<Backend, TestApp | null> = { sqlite: null, postgres: null, bucketed: null };
  let corpus: CorpusItem[] = [];

  beforeAll(async () => {
    const vocabulary = loadVocabulary();
    corpus = Array.from({ length: ITEMS }, (_, n) => corpusItem(vocabulary, n));
    for (const backend of BACKENDS) {
      const t = await createTestApp(backend === 'sqlite' ? 'sqlite' : 'postgres');
      const { indexer } = t.app.services;
      const documents = (from: number, n = 500) => corpus.slice(from, from + n).map((it) => ({ record: it.record, pages: [{ fileId: `${it.record.id}-f1`, page: 1, text: it.text }] }));
      const write = (from: number) => indexer.indexDocuments(documents(from));
      if (backend === 'bucketed') {
        const exact = (await indexer.prepareDocuments(documents(0, ITEMS), 'exact')).tokens.termsArrays ?? [];
        if (!(await learnVocabulary(t.app.database.db, exact, { buckets: 64, minShare: 0.05 }))) throw new Error('no vocabulary learnt');
      }
      // Two thirds written as a rebuild of an empty index writes (SQLite: no merging meanwhile,
      // one merge at the end; PostgreSQL: GIN indexes dropped, built once at the end), the rest as usual.
      const end = await indexer.dialect.bulk(t.app.database.db, 1000);
      await write(0);
      await write(500);
      await end();
      for (let i = 1000; i < corpus.length; i += 500) await write(i);
      apps[backend] = t;
    }
  }, 300_000);
  afterAll(async () => {
    for (const backend of BACKENDS) await apps[backend]?.close();
  });

  it('reads a sample region out of PostgreSQL’s terms index: each item carries the regions its key lies in', async () => {
    const t = apps.postgres;
    if (!t) throw new Error('postgres did not start');
    const { db } = t.app.database;
    const rows = await sql<{ key: string; regions: number[] }>`select key, array(select c from unnest(terms_a) as c where c between 1 and 63 order by c) as regions from search_docs`.execute(db);
    expect(rows.rows.length).toBeGreaterThanOrEqual(ITEMS);
    for (const r of rows.rows) {
      const key = Number(r.key);
      const want = Array.from({ length: SAMPLE_LEVELS }, (_, i) => i + 1).filter((level) => key <= sampleEdge(level)).map(sampleCode);
      expect(r.regions, `key ${key}`).toEqual(want);
    }
    // The region of level 2 is the lowest quarter of the key space: about a quarter of the items.
    const inQuarter = rows.rows.filter((r) => r.regions.includes(sampleCode(2))).length;
    expect(inQuarter).toBeGreaterThan(ITEMS / 8);
    expect(inQuarter).toBeLessThan(ITEMS / 2);
    const range = { from: 1, to: sampleEdge(2) };
    const c = compileQuery(t.app.services.indexer.dialect, viewer, parseQuery('防汛').root, searchQuerySchema.parse({ q: '防汛' }), { range });
    const text = await t.app.services.indexer.dialect.read(db, async (tx) => (await sql<{ 'QUERY PLAN': string }>`explain select count(*) from search_docs as d where ${c.where}`.execute(tx)).rows.map((r) => r['QUERY PLAN']).join('\n'));
    expect(text).toContain(`terms_a @> '{${tokenCode('防汛').code},${sampleCode(2)}}'::integer[]`);
    expect(text).toContain('search_docs_terms_a0');
    // Any other range is applied as a filter alone.
    expect(sampleLevelOf({ from: 1, to: sampleEdge(2) - 1 })).toBeNull();
    expect(sampleLevelOf({ from: 2, to: sampleEdge(2) })).toBeNull();
    expect(sampleLevelAt(sampleEdge(3))).toBe(3);
    expect(sampleLevelAt(sampleEdge(3) + 1)).toBe(2);
    expect(sampleLevelAt(DOC_KEY_SPACE)).toBe(0);
  });

  it('answers PostgreSQL’s queries from the items’ terms index, checking a phrase on the item’s own runs, never its pages', async () => {
    const t = apps.postgres;
    if (!t) throw new Error('postgres did not start');
    const { db } = t.app.database;
    const plan = async (q: string) => {
      const c = compileQuery(t.app.services.indexer.dialect, viewer, parseQuery(q).root, searchQuerySchema.parse({ q }));
      return t.app.services.indexer.dialect.read(db, async (tx) => (await sql<{ 'QUERY PLAN': string }>`explain select count(*) from search_docs as d where ${c.where}`.execute(tx)).rows.map((r) => r['QUERY PLAN']).join('\n'));
    };
    for (const q of ['蓄洪', '防汛 抗旱', '蓄洪 OR 防汛', '防汛 NOT 抗旱']) {
      const text = await plan(q);
      // All four parts of the terms index, and no page read for terms of one token.
      for (let n = 0; n < 4; n++) expect(text, q).toContain(`search_docs_terms_a${n}`);
      expect(text, q).not.toContain('search_pages');
    }
    // A single character is one posting list of the characters' index, exact.
    const char = await plan('档');
    for (let n = 0; n < 4; n++) expect(char).toContain(`search_docs_chars_a${n}`);
    expect(char).toContain(`chars_a @> '{${'档'.codePointAt(0)}}'::integer[]`);
    expect(char).not.toContain('strpos');
    // A phrase is checked on the candidates' own runs: still no page read.
    const phrase = await plan('安全生产');
    expect(phrase).toContain('search_docs_terms_a0');
    expect(phrase).toContain('strpos(runs');
    expect(phrase).not.toContain('search_pages');
    // A phrase's candidates are selected by its tokens outside ANALYZE's most common codes (at least two).
    await sql`analyze search_docs`.execute(db);
    forgetCommonCodes();
    // A search compiles inside `read`, which reads them; this compiles outside, so read first.
    await t.app.services.indexer.dialect.read(db, async () => undefined);
    const tokens = ['按照', '照属', '属地', '地管', '管理', '理原', '原则'];
    const stats = await sql<{ elems: string[] | null }>`select most_common_elems::text::text[] as elems from pg_stats where tablename = 'search_docs' and attname = 'terms_a'`.execute(db);
    const common = new Set(stats.rows[0]?.elems ?? []);
    const rare = tokens.map((x) => String(tokenCode(x).code)).filter((x) => !common.has(x));
    const selected = (await plan('"按照属地管理原则"')).match(/terms_a @> '\{([^}]*)\}'::integer\[\]/)?.[1]?.split(',') ?? [];
    expect(selected.length).toBe(Math.max(2, rare.length));
    if (rare.length >= 2) expect([...selected].sort()).toEqual([...rare].sort());
    else expect(selected).toEqual(expect.arrayContaining(rare));
    expect(common.size).toBeGreaterThan(0);
    // A 档号 prefix's keys come from the code index alone (migration 10), not from the items' rows.
    const code = await plan('J002');
    expect(code).toMatch(/Index Only Scan using search_docs_code_key_ck/);
    // Stored out of line without compression, as the pages' vectors are.
    const storage = await sql<{ attstorage: string }>`select a.attstorage from pg_attribute as a join pg_class as c on c.oid = a.attrelid where c.relname = 'search_docs' and a.attname = 'terms_a'`.execute(db);
    expect(storage.rows.map((r) => r.attstorage)).toEqual(['e']);
  });

  it('scores every row on PostgreSQL the same with its one-test gate before the scoring probes as without it', async () => {
    const t = apps.postgres;
    if (!t) throw new Error('postgres did not start');
    const { db } = t.app.database;
    const dialect = t.app.services.indexer.dialect;
    const ungated = { ...dialect, metaGate: () => null };
    // Titles are 关于{w1}{w2}[{w3}]的…: the first and last two characters of w1…w3 put two of a
    // title's words in one query apart from each other there (the whole-word probe fires, the
    // phrase does not); its first four characters are a phrase of the title.
    const titles = corpus.slice(0, 40).map((it) => /^关于(.+)的/.exec(it.record.title)?.[1] ?? '');
    const queries = ['通知', '的报告', '防汛 抗旱', '"按照属地管理原则"', ...titles.slice(0, 20).map((x) => x.slice(0, 4)), ...titles.slice(20).map((x) => `${x.slice(0, 2)}${x.slice(-2)}`)];
    // A gate of the phrase alone would be wrong for some row of these queries: they do exercise the words.
    const phraseOnly = { ...dialect, metaGate: (term: TermNode, fields: readonly MetaField[]) => dialect.metaProbe(term, fields, 'sub') };
    let phraseOnlyWrong = 0;
    for (const q of queries) {
      const root = parseQuery(q).root;
      const query = searchQuerySchema.parse({ q });
      const score = (d: IndexDialect) => compileQuery(d, viewer, root, query).score;
      const rows = await sql<{ a: number; b: number; c: number }>`select ${score(dialect)} as a, ${score(ungated)} as b, ${score(phraseOnly)} as c from search_docs as d`.execute(db);
      for (const r of rows.rows) expect(Number(r.a), `${q}: gated ${r.a}, ungated ${r.b}`).toBe(Number(r.b));
      phraseOnlyWrong += rows.rows.filter((r) => Number(r.c) !== Number(r.b)).length;
    }
    expect(phraseOnlyWrong).toBeGreaterThan(0);
  });

  it('keeps PostgreSQL’s runs in the item’s row where they fit, never compressed, and page text likewise', async () => {
    const t = apps.postgres;
    if (!t) throw new Error('postgres did not start');
    const { db } = t.app.database;
    const declared = await sql<{ relname: string; attname: string; attstorage: string }>`select c.relname, a.attname, a.attstorage from pg_attribute as a join pg_class as c on c.oid = a.attrelid where (c.relname, a.attname) in (('search_docs', 'runs'), ('search_pages', 'text')) order by c.relname`.execute(db);
    expect(declared.rows).toEqual([
      { relname: 'search_docs', attname: 'runs', attstorage: 'e' },
      { relname: 'search_pages', attname: 'text', attstorage: 'e' },
    ]);
    const options = await sql<{ relname: string; reloptions: string[] }>`select relname, reloptions from pg_class where relname in ('search_docs', 'search_pages') order by relname`.execute(db);
    expect(options.rows).toEqual([
      { relname: 'search_docs', reloptions: ['toast_tuple_target=8160'] },
      { relname: 'search_pages', reloptions: ['toast_tuple_target=8160'] },
    ]);
    const stored = await sql<{ compressed: string; n: string }>`select count(pg_column_compression(runs)) as compressed, count(*) as n from search_docs`.execute(db);
    expect(Number(stored.rows[0]?.compressed)).toBe(0);
    expect(Number(stored.rows[0]?.n)).toBeGreaterThanOrEqual(ITEMS);
    const pages = await sql<{ compressed: string }>`select count(pg_column_compression(text)) as compressed from search_pages`.execute(db);
    expect(Number(pages.rows[0]?.compressed)).toBe(0);
  });

  it('restores FTS5 merging after a bulk write, and after one that never ended (a crash)', async () => {
    const t = apps.sqlite;
    if (!t) throw new Error('sqlite did not start');
    const { db } = t.app.database;
    const automerge = async () => (await sql<{ v: number }>`select v from search_doc_fts_config where k = 'automerge'`.execute(db)).rows[0]?.v;
    expect(await automerge()).toBe(4);
    await sql`insert into search_doc_fts (search_doc_fts, rank) values ('automerge', 0)`.execute(db);
    await t.app.services.indexer.dialect.settle(db);
    expect(await automerge()).toBe(4);
    expect((await run('sqlite', { q: '蓄洪' })).total).toBe(corpus.filter((it) => it.record.openness === '开放' && [it.record.title, it.record.responsible, it.record.docNumber ?? '', it.text].some((f) => normalize(f).includes('蓄洪'))).length);
  });

  it('builds PostgreSQL’s full-text indexes after a bulk write that dropped them never ended (a crash) or once the outermost of nested ones ends, and answers the same meanwhile', async () => {
    const t = apps.postgres;
    if (!t) throw new Error('postgres did not start');
    const { db } = t.app.database;
    const gins = async () => (await sql<{ relname: string }>`select c.relname from pg_class as c join pg_index as i on i.indexrelid = c.oid where c.relname in (${sql.join(TEXT_INDEXES)}) and i.indisvalid order by c.relname`.execute(db)).rows.map((r) => r.relname);
    const built = [...TEXT_INDEXES].sort();
    expect(built).toHaveLength(9);
    expect(await gins()).toEqual(built);
    const truth = corpus.filter((it) => it.record.openness === '开放' && [it.record.title, it.record.responsible, it.record.docNumber ?? '', it.text].some((f) => normalize(f).includes('蓄洪'))).length;
    const phrase = (await run('sqlite', { q: '"按照属地管理原则"' })).total;
    // A build interrupted after some of the parts.
    await sql`drop index search_docs_terms_a1, search_docs_terms_a3, search_docs_meta_v`.execute(db);
    expect(await gins()).toEqual(built.filter((name) => !['search_docs_terms_a1', 'search_docs_terms_a3', 'search_docs_meta_v'].includes(name)));
    expect((await run('postgres', { q: '蓄洪' })).total).toBe(truth);
    expect((await run('postgres', { q: '"按照属地管理原则"' })).total).toBe(phrase);
    await t.app.services.indexer.dialect.settle(db);
    expect(await gins()).toEqual(built);
    expect((await run('postgres', { q: '蓄洪' })).total).toBe(truth);
    // A bulk write larger than the index drops them; one nested in it ends without building them, the outer one builds them.
    const outer = await t.app.services.indexer.dialect.bulk(db, corpus.length * 10);
    expect(await gins()).toEqual([]);
    const inner = await t.app.services.indexer.dialect.bulk(db, corpus.length * 10);
    await inner();
    expect(await gins()).toEqual([]);
    expect((await run('postgres', { q: '蓄洪' })).total).toBe(truth);
    expect((await run('postgres', { q: '"按照属地管理原则"' })).total).toBe(phrase);
    await outer();
    expect(await gins()).toEqual(built);
    expect((await run('postgres', { q: '蓄洪' })).total).toBe(truth);
  }, 300_000);

  const run = async (backend: Backend, input: SearchQueryInput) => {
    const app = apps[backend]?.app;
    if (!app) throw new Error(`${backend} did not start`);
    return app.services.search.search(viewer, searchQuerySchema.parse({ pageSize: 100, ...input }));
  };

  const queries: SearchQueryInput[] = [
    ...PLANTED.map((p) => ({ q: p.text })),
    { q: '"现将有关事项通知如下"' },
    { q: '扶贫 攻坚' },
    { q: '改革 OR 防汛' },
    { q: '备案 NOT 督办' },
    { q: 'J005-WS·2011' },
    { q: 'J002', sort: 'code' },
    { q: 'J001' },
    { q: 'J002', page: 2, pageSize: 20 },
    { q: '研究决定', sort: 'date-desc' },
    { q: '研究决定', sort: 'date-asc', page: 2 },
    { q: '', sort: 'code', page: 3 },
    { q: '督办', year: '2011,2012', retention: 'Y' },
    { q: '贯彻落实', dateFrom: '2005', dateTo: '201006' },
    { q: '', adv: JSON.stringify([{ field: 'title', text: '通知' }, { field: 'fulltext', text: '备案', op: 'not' }]) },
    { q: '', adv: JSON.stringify([{ field: 'responsible', text: '教育局' }, { field: 'docNumber', text: '2015', op: 'and' }]) },
    { q: '关于' },
    { q: '档' },
  ];

  it.each(queries.map((q) => [JSON.stringify(q), q] as const))('gives the same answer on both for %s', async (_label, input) => {
    const a = await run('sqlite', input);
    for (const backend of ['postgres', 'bucketed'] as const) {
      const b = await run(backend, input);
      expect(b.total, backend).toBe(a.total);
      expect(b.hits.map((h) => h.id), backend).toEqual(a.hits.map((h) => h.id));
      expect(b.facets, backend).toEqual(a.facets);
      expect(b.approximate, backend).toBe(a.approximate);
    }
  });

  it('finds exactly what a brute-force scan finds, for every substring query, on both', async () => {
    for (const p of PLANTED) {
      const want = corpus
        .filter((it) => it.record.openness === '开放' && [it.record.title, it.record.responsible, it.record.docNumber ?? '', it.text].some((f) => normalize(f).includes(p.text)))
        .map((it) => it.record.id)
        .sort();
      for (const backend of BACKENDS) {
        const ids: string[] = [];
        for (let page = 1; ; page++) {
          const r = await run(backend, { q: p.text, page, sort: 'date-asc' });
          ids.push(...r.hits.map((h) => h.id));
          if (r.hits.length < 100) break;
        }
        expect(ids.sort(), `${backend} ${p.text}`).toEqual(want);
      }
    }
  }, 120_000);

  // The same corpus through a service that estimates beyond 20 hits from a sample of 300 keys
  // (the defaults do so beyond 20,000 hits in indexes of 100,000 items or more).
  const estimating = (backend: Backend) => {
    const app = apps[backend]?.app;
    if (!app) throw new Error(`${backend} did not start`);
    return createSearchService({ database: app.database, catalog: app.services.catalog, organisations, estimate: { from: 0, sampleKeys: SAMPLE, exactUpTo: 20 } });
  };

  it.each(queries.map((q) => [JSON.stringify(q), q] as const))('estimates %s the same on both, with the true page of hits and a total near the count', async (_label, input) => {
    const exact = await run('sqlite', input);
    const answers = [];
    for (const backend of BACKENDS) {
      const query = searchQuerySchema.parse({ pageSize: 100, ...input });
      const estimated = await estimating(backend).search(viewer, query);
      // The page is never estimated: the same hits in the same order as the exact answer.
      expect(estimated.hits.map((h) => h.id), backend).toEqual(exact.hits.map((h) => h.id));
      expect(estimated.hits.map((h) => h.title)).toEqual(exact.hits.map((h) => h.title));
      if (exact.total <= 10) {
        expect(estimated.total).toBe(exact.total);
        expect(estimated.approximate).toBe(exact.approximate);
      } else if (estimated.approximate) {
        // Within four standard deviations of a count in a uniform sample of SAMPLE of ITEMS.
        const expectedInSample = (exact.total * SAMPLE) / ITEMS;
        expect(Math.abs(estimated.total - exact.total) / exact.total, `${backend}: ${estimated.total} for ${exact.total}`).toBeLessThan(4 / Math.sqrt(expectedInSample));
        const open = estimated.facets.openness.reduce((n, b) => n + b.count, 0);
        expect(Math.abs(open - estimated.total)).toBeLessThanOrEqual(2);
      }
      answers.push(estimated);
    }
    for (const other of answers.slice(1)) {
      expect(other.total).toBe(answers[0]?.total);
      expect(other.facets).toEqual(answers[0]?.facets);
    }
  });

  it('estimates only beyond the exact limit, and pages through an estimated answer without gaps or repeats', async () => {
    const query = (page: number) => searchQuerySchema.parse({ q: '备案', pageSize: 50, page });
    for (const backend of BACKENDS) {
      const first = await estimating(backend).search(viewer, query(1));
      expect(first.approximate).toBe(true);
      const seen: string[] = [];
      for (let page = 1; page <= 4; page++) seen.push(...(await estimating(backend).search(viewer, query(page))).hits.map((h) => h.id));
      const exact: string[] = [];
      for (let page = 1; page <= 4; page++) exact.push(...(await run(backend, { q: '备案', pageSize: 50, page })).hits.map((h) => h.id));
      expect(seen).toEqual(exact);
      expect(new Set(seen).size).toBe(200);
      const rare = await estimating(backend).search(viewer, searchQuerySchema.parse({ q: '蓄洪' }));
      expect(rare.approximate).toBe(false);
    }
  });
  it('matches AND, OR and NOT across metadata and text as a brute-force evaluation does, on both', async () => {
    const has = (it: CorpusItem, word: string) => [it.record.title, it.record.responsible, it.record.docNumber ?? '', it.text].some((f) => normalize(f).includes(word));
    const cases: Array<[string, (it: CorpusItem) => boolean]> = [
      ['防汛 抗旱', (it) => has(it, '防汛') && has(it, '抗旱')],
      ['蓄洪 OR 安全生产', (it) => has(it, '蓄洪') || has(it, '安全生产')],
      ['防汛 NOT 抗旱', (it) => has(it, '防汛') && !has(it, '抗旱')],
      ['(防汛 OR 蓄洪) NOT (抗旱 OR 督办)', (it) => (has(it, '防汛') || has(it, '蓄洪')) && !has(it, '抗旱') && !has(it, '督办')],
    ];
    for (const [q, test] of cases) {
      const want = corpus.filter((it) => it.record.openness === '开放' && test(it)).map((it) => it.record.id).sort();
      expect(want.length, q).toBeGreaterThan(0);
      for (const backend of BACKENDS) {
        const ids: string[] = [];
        for (let page = 1; ; page++) {
          const r = await run(backend, { q, page, sort: 'date-asc' });
          ids.push(...r.hits.map((h) => h.id));
          if (r.hits.length < 100) break;
        }
        expect(ids.sort(), `${backend} ${q}`).toEqual(want);
      }
    }
  }, 120_000);

  // Last: it adds a document to both indexes.
  it('matches no phrase that runs from one page into the next, on both', async () => {
    const base = corpus[0] as CorpusItem;
    const record = { ...base.record, id: `${base.record.id}-pages`, title: '两页的文件', openness: '开放' as const };
    for (const backend of BACKENDS) {
      const t = apps[backend];
      if (!t) throw new Error(`${backend} did not start`);
      await t.app.services.indexer.indexDocuments([{ record, pages: [{ fileId: 'f1', page: 1, text: '第一页结尾是龘靐' }, { fileId: 'f1', page: 2, text: '齉龖是第二页开头' }] }]);
      expect((await run(backend, { q: '龘靐 齉龖' })).hits.map((h) => h.id), backend).toEqual([record.id]);
      expect((await run(backend, { q: '"靐齉"' })).total, backend).toBe(0);
      expect((await run(backend, { q: '靐齉' })).total, backend).toBe(0);
      const both = await run(backend, { q: '龘靐 NOT 两页' });
      expect(both.total, backend).toBe(0);
    }
  });

  // Also adds documents. A term's last Han character after a digit or letter (第3号, A股) is
  // a run of one in the term but may go on in the text (第3号文件): it is matched as the start of a token.
  it('finds a term ending in one Han character after a digit or letter where the text goes on, on both', async () => {
    const base = corpus[0] as CorpusItem;
    const inText = { ...base.record, id: `${base.record.id}-digit-text`, title: '依据文件办理', openness: '开放' as const };
    const inTitle = { ...base.record, id: `${base.record.id}-digit-title`, title: '关于鼗8鼙办理的通知', openness: '开放' as const };
    for (const backend of BACKENDS) {
      const t = apps[backend];
      if (!t) throw new Error(`${backend} did not start`);
      await t.app.services.indexer.indexDocuments([{ record: inText, pages: [{ fileId: 'f1', page: 1, text: '依据鼗7鼙文件和X鼗鼙办理' }] }, { record: inTitle, pages: [] }]);
      for (const q of ['鼗7鼙', '7鼙', '"鼗7鼙文"', 'x鼗']) expect((await run(backend, { q })).hits.map((h) => h.id), `${backend} ${q}`).toEqual([inText.id]);
      expect((await run(backend, { q: '鼗8鼙' })).hits.map((h) => h.id), backend).toEqual([inTitle.id]);
      expect((await run(backend, { q: '8鼙' })).hits.map((h) => h.id), backend).toEqual([inTitle.id]);
      // The next character must follow: 7鼙 is followed by 文, not by 办.
      expect((await run(backend, { q: '7鼙办' })).total, backend).toBe(0);
    }
  });
});
