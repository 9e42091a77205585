/**
 * One conformance suite for both index backends: the same synthetic corpus indexed into
 * SQLite (FTS5) and PostgreSQL (tsvector/GIN) gives the same totals, the same hits in the
 * same order (relevance — Lantai's own score —, date and 档号 sorts), the same facet
 * counts; and every substring query finds exactly what a brute-force scan of the corpus
 * finds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/app.js';
import { anonymousViewer } from '../accounts/viewer.js';
import { searchQuerySchema, type SearchQueryInput } from './model.js';
import { corpusItem, loadVocabulary, PLANTED, type CorpusItem } from './test-support/corpus.js';
import { normalize } from './tokenize.js';

const ITEMS = 1500;
const viewer = anonymousViewer('lan');

describe('the two index backends', () => {
  const apps: Record<'sqlite' | 'postgres', TestApp | null> = { sqlite: null, postgres: null };
  let corpus: CorpusItem[] = [];

  beforeAll(async () => {
    const vocabulary = loadVocabulary();
    corpus = Array.from({ length: ITEMS }, (_, n) => corpusItem(vocabulary, n));
    for (const dialect of ['sqlite', 'postgres'] as const) {
      const t = await createTestApp(dialect);
      apps[dialect] = t;
      for (let i = 0; i < corpus.length; i += 500) {
        await t.app.services.indexer.indexDocuments(corpus.slice(i, i + 500).map((it) => ({ record: it.record, pages: [{ fileId: `${it.record.id}-f1`, page: 1, text: it.text }] })));
      }
    }
  }, 300_000);
  afterAll(async () => {
    await apps.sqlite?.close();
    await apps.postgres?.close();
  });

  const run = async (dialect: 'sqlite' | 'postgres', input: SearchQueryInput) => {
    const app = apps[dialect]?.app;
    if (!app) throw new Error(`${dialect} did not start`);
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
    const [a, b] = [await run('sqlite', input), await run('postgres', input)];
    expect(b.total).toBe(a.total);
    expect(b.hits.map((h) => h.id)).toEqual(a.hits.map((h) => h.id));
    expect(b.facets).toEqual(a.facets);
    expect(b.approximate).toBe(a.approximate);
  });

  it('finds exactly what a brute-force scan finds, for every substring query, on both', async () => {
    for (const p of PLANTED) {
      const want = corpus
        .filter((it) => it.record.openness === '开放' && [it.record.title, it.record.responsible, it.record.docNumber ?? '', it.text].some((f) => normalize(f).includes(p.text)))
        .map((it) => it.record.id)
        .sort();
      for (const dialect of ['sqlite', 'postgres'] as const) {
        const ids: string[] = [];
        for (let page = 1; ; page++) {
          const r = await run(dialect, { q: p.text, page, sort: 'date-asc' });
          ids.push(...r.hits.map((h) => h.id));
          if (r.hits.length < 100) break;
        }
        expect(ids.sort(), `${dialect} ${p.text}`).toEqual(want);
      }
    }
  }, 120_000);
});
