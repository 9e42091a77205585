/**
 * PostgreSQL's vocabulary of common bigrams (pg-vocabulary.ts) on a real database: learnt
 * only into an empty index, rare bigrams stored as shared buckets and still found exactly,
 * and no batch written under a vocabulary other than the one it was tokenised under.
 */
import { sql, type KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/app.js';
import { organisations } from '../accounts/organisations.js';
import { anonymousViewer } from '../accounts/viewer.js';
import { bulkUnderWay } from './index-common.js';
import { searchQuerySchema } from './model.js';
import { parseQuery } from './query.js';
import { createSearchService } from './service.js';
import { TEXT_INDEXES } from './pg-text-index.js';
import { tokenCode } from './pg-terms.js';
import { learnVocabulary } from './pg-vocabulary.js';
import { corpusItem, loadVocabulary, type CorpusItem } from './test-support/corpus.js';
import { normalize } from './tokenize.js';

const ITEMS = 400;
const BUCKETS = 64;
const BUCKET_BASE = 0x40000000;

describe('PostgreSQL’s learnt vocabulary of common bigrams', () => {
  let t: TestApp;
  let corpus: CorpusItem[];
  const documents = (items: readonly CorpusItem[]) => items.map((it) => ({ record: it.record, pages: [{ fileId: `${it.record.id}-f1`, page: 1, text: it.text }] }));
  const holding = (text: string) => corpus.filter((it) => it.record.openness === '开放' && [it.record.title, it.record.responsible, it.record.docNumber ?? '', it.text].some((f) => normalize(f).includes(text)));
  const search = async (q: string) => {
    const ids: string[] = [];
    for (let page = 1; ; page++) {
      const r = await t.app.services.search.search(anonymousViewer('lan'), searchQuerySchema.parse({ q, page, pageSize: 100, sort: 'date-asc' }));
      ids.push(...r.hits.map((h) => h.id));
      if (r.hits.length < 100) return ids.sort();
    }
  };

  beforeAll(async () => {
    const words = loadVocabulary();
    corpus = Array.from({ length: ITEMS }, (_, n) => corpusItem(words, n));
    t = await createTestApp('postgres');
  }, 120_000);
  afterAll(async () => t?.close());

  it('refuses a batch tokenised before the vocabulary was learnt, learns only into an empty index, and finds rare bigrams through their shared buckets exactly', async () => {
    const { indexer } = t.app.services;
    const db = t.app.database.db;
    // A sample that cannot be read fails the bulk write, which leaves no bulk write counted and its GIN indexes built.
    await expect(indexer.dialect.bulk(db, 100, () => Promise.reject(new Error('the sample failed')))).rejects.toThrow('the sample failed');
    expect(bulkUnderWay()).toBe(false);
    expect(Number((await sql<{ n: string }>`select count(*) as n from pg_class where relname in (${sql.join(TEXT_INDEXES)})`.execute(db)).rows[0]?.n)).toBe(TEXT_INDEXES.length);
    const stale = await indexer.prepareDocuments(documents(corpus.slice(0, 5)));
    const exact = (await indexer.prepareDocuments(documents(corpus), 'exact')).tokens.termsArrays ?? [];
    await expect(learnVocabulary(db, exact, { buckets: 1000 })).rejects.toThrow(/power of two/);
    expect(await learnVocabulary(db, exact, { buckets: BUCKETS, minShare: 0.05 })).toBe(true);
    await expect(indexer.writeDocuments(stale)).rejects.toThrow(/vocabulary changed/);
    expect(Number((await sql<{ n: string }>`select count(*) as n from search_docs`.execute(db)).rows[0]?.n)).toBe(0);

    await indexer.indexDocuments(documents(corpus));
    const row = (await sql<{ generation: number; common: number[]; sampled: number }>`select generation, common, sampled from search_vocabulary`.execute(db)).rows[0];
    expect(row?.sampled).toBe(ITEMS);
    // Learning again would change the codes under the rows now written: refused, the vocabulary kept.
    expect(await learnVocabulary(db, exact, { buckets: 2, minShare: 0.5 })).toBe(false);
    expect((await sql<{ generation: number }>`select generation from search_vocabulary`.execute(db)).rows[0]?.generation).toBe(row?.generation);

    const common = new Set(row?.common ?? []);
    expect(common.size).toBeGreaterThan(20);
    const codes = (await sql<{ code: number }>`select distinct code from search_docs, unnest(terms_a) as code where code >= ${0x110000}`.execute(db)).rows.map((r) => r.code);
    // Exact bigram codes are the common ones only; every other bigram is one of the buckets.
    expect(codes.filter((c) => c < BUCKET_BASE).every((c) => common.has(c))).toBe(true);
    expect(codes.filter((c) => c >= BUCKET_BASE).length).toBeGreaterThan(BUCKETS / 2);
    expect(codes.every((c) => c < BUCKET_BASE + BUCKETS)).toBe(true);

    // 蓄洪 is rare here: its bucket holds rows without it, which the search checks away.
    const vocabulary = { generation: row?.generation ?? 0, buckets: BUCKETS, common };
    const rare = tokenCode('蓄洪', vocabulary);
    expect(rare.exact).toBe(false);
    const inBucket = Number((await sql<{ n: string }>`select count(*) as n from search_docs where terms_a @> array[${sql.lit(rare.code)}]::int4[]`.execute(db)).rows[0]?.n);
    const want = holding('蓄洪').map((it) => it.record.id).sort();
    expect(want.length).toBeGreaterThan(0);
    expect(inBucket).toBeGreaterThan(want.length);
    expect(await search('蓄洪')).toEqual(want);
    // A common bigram is one exact posting list; a phrase of rare ones is checked on the row too.
    expect(tokenCode('通知', vocabulary).exact).toBe(true);
    for (const q of ['通知', '按照属地管理原则', '安全生产']) expect(await search(q), q).toEqual(holding(q).map((it) => it.record.id).sort());
  }, 120_000);

  it('tells from its sample how small a query is, and counts a small one without first asking the index’s sample', async () => {
    const { indexer } = t.app.services;
    const db = t.app.database.db;
    const row = (await sql<{ common: number[]; counts: number[]; sampled: number; generation: number }>`select common, counts, sampled, generation from search_vocabulary`.execute(db)).rows[0];
    if (!row) throw new Error('no vocabulary');
    expect(row.counts).toHaveLength(row.common.length);
    const vocabulary = { generation: row.generation, buckets: BUCKETS, common: new Set(row.common) };
    const bound = (q: string) => indexer.dialect.read(db, async () => indexer.dialect.shareBound(parseQuery(q).root));
    const holdingCode = async (token: string) => Number((await sql<{ n: string }>`select count(*) as n from search_docs where terms_a @> array[${sql.lit(tokenCode(token, vocabulary).code)}]::int4[]`.execute(db)).rows[0]?.n) / ITEMS;
    // The sample was every item written: a common bigram's share is its share of the index.
    const notice = await holdingCode('通知');
    expect(notice).toBeGreaterThan(0);
    expect(await bound('通知')).toBe(notice);
    // A bucketed bigram was in fewer items than the least common bigram.
    const least = Math.min(...row.counts) / ITEMS;
    const rare = await bound('蓄洪');
    expect(rare).toBe(least);
    const all = (text: string) => corpus.filter((it) => [it.record.title, it.record.responsible, it.record.docNumber ?? '', it.text].some((f) => normalize(f).includes(text))).length / ITEMS;
    expect(rare).toBeGreaterThanOrEqual(all('蓄洪'));
    // A phrase is in no more items than its rarest bigram, AND than its rarest part, OR than its parts together.
    const shareOfBigram = async (token: string) => (tokenCode(token, vocabulary).exact ? holdingCode(token) : least);
    const safety = Math.min(await shareOfBigram('安全'), await shareOfBigram('全生'), await shareOfBigram('生产'));
    expect(safety).toBeGreaterThanOrEqual(all('安全生产'));
    expect(await bound('安全生产')).toBe(safety);
    expect(await bound('通知 蓄洪')).toBe(Math.min(notice, least));
    expect(await bound('通知 OR 安全生产')).toBeCloseTo(notice + safety, 10);
    // Nothing known of NOT, a 档号 prefix, a character or a Latin word.
    for (const q of ['-通知', 'J005-WS·2011', '档', 'abc', '通知 OR 档']) expect(await bound(q), q).toBeNull();

    // A service that estimates beyond 40 % of an index of any size: a query known to be under
    // 20 % (a margin of two) is counted at once, without the statement that counts the sample.
    let sampled = 0;
    const counting: KyselyPlugin = {
      transformQuery: (args) => {
        const fragments = args.node.kind === 'RawNode' ? (args.node as { sqlFragments?: readonly string[] }).sqlFragments ?? [] : [];
        if (fragments.some((f) => f.includes('select m.key from m where'))) sampled++;
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const service = createSearchService({ database: { ...t.app.database, db: db.withPlugin(counting) }, catalog: t.app.services.catalog, organisations, estimate: { from: 1, sampleKeys: 50, exactUpTo: Math.floor(ITEMS * 0.4) } });
    const answer = async (q: string) => {
      sampled = 0;
      const r = await service.search(anonymousViewer('lan'), searchQuerySchema.parse({ q, pageSize: 100, sort: 'date-asc' }));
      return { sampled, ids: r.hits.map((h) => h.id).sort(), total: r.total, approximate: r.approximate };
    };
    expect(least * ITEMS * 2).toBeLessThanOrEqual(ITEMS * 0.4);
    const known = await answer('蓄洪');
    expect(known).toEqual({ sampled: 0, ids: holding('蓄洪').map((it) => it.record.id).sort(), total: holding('蓄洪').length, approximate: false });
    // Of a character nothing is known: the sample is asked first.
    expect((await answer('档')).sampled).toBe(1);
  }, 120_000);
});
