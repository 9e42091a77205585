/**
 * Catalog at scale, on SQLite and PostgreSQL (issue "Catalog"):
 *  - with 1,000,000 items, the workbench's page of 50 (filter fonds + year +
 *    category, sort by 档号, with the total) p95 < 100 ms, for an archivist and for
 *    a public visitor (whose Viewer predicates are the most selective);
 *  - importing 100,000 spreadsheet rows (check incl. validation, stage, apply) at
 *    ≥ 5,000 rows/s.
 * The peer for the page is the same indexed query without the Viewer and without
 * the count, measured in the same run.
 *
 *   npm run bench -- catalog [--items 1000000] [--queries 300] [--rows 100000] [--db sqlite|postgres|both]
 */
import path from 'node:path';
import pino from 'pino';
import { sql } from 'kysely';
import { buildApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createEmptyDatabase, type Dialect } from '../src/platform/db/test-support/databases.js';
import { SYSTEM_ACTOR } from '../src/modules/accounts/service.js';
import { anonymousViewer, type Viewer } from '../src/modules/accounts/viewer.js';
import { createCatalogImport } from '../src/modules/catalog/import/service.js';
import { largeCatalogCsv } from '../src/modules/catalog/test-support/large-catalog.js';
import type { BenchContext, BenchRow } from './benchmark.js';

const FONDS = 10;
const CATEGORIES = ['WS', 'ZP', 'SJ', 'YJ', 'WY'];
const YEARS = 34;

function p95(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? 0;
}

/** 1,000,000 items spread over 10 fonds × 5 categories × 34 years, coded, a third of each openness. */
async function fillCatalog(app: App, items: number, log: (m: string) => void): Promise<{ fonds: string[]; categories: Map<string, string> }> {
  const { db } = app.database;
  const archivist = { ...SYSTEM_ACTOR, roles: ['archivist' as const], userId: 'bench' };
  const fonds: string[] = [];
  await db.transaction().execute(async (tx) => {
    const agency = await app.services.accounts.createOrganisation(tx, SYSTEM_ACTOR, { kind: 'agency', code: 'B001', name: '基准测试单位', parentId: null });
    for (let f = 0; f < FONDS; f++) fonds.push(await app.services.catalog.createFonds(tx, archivist, { code: `F00${f}`, name: `全宗${f}`, agencyId: agency, history: null }));
  });
  const categories = new Map((await app.services.catalog.listCategories(db)).map((c) => [c.code, c.id]));
  const agencyId = (await db.selectFrom('fonds').select('agency_id').executeTakeFirstOrThrow()).agency_id;
  await sql`create temporary table bench_fonds (n integer, id text, code text)`.execute(db);
  await sql`create temporary table bench_categories (n integer, id text, code text)`.execute(db);
  for (let f = 0; f < FONDS; f++) await sql`insert into bench_fonds values (${f}, ${fonds[f]}, ${`F00${f}`})`.execute(db);
  for (const [i, code] of CATEGORIES.entries()) await sql`insert into bench_categories values (${i}, ${categories.get(code)}, ${code})`.execute(db);
  const caps = app.database.caps;
  const chunk = 100_000;
  for (let start = 0; start < items; start += chunk) {
    const end = Math.min(items, start + chunk) - 1;
    const series = caps.dialect === 'postgres' ? sql`select generate_series(${start}::int, ${end}::int) as i` : sql`with recursive s(i) as (select ${start} union all select i + 1 from s where i < ${end}) select i from s`;
    const pad = (expr: ReturnType<typeof sql>, width: number) => (caps.dialect === 'postgres' ? sql`lpad((${expr})::text, ${width}, '0')` : sql`printf('%0${sql.raw(String(width))}d', ${expr})`);
    const div = (a: ReturnType<typeof sql>, b: number) => (caps.dialect === 'postgres' ? sql`(${a}) / ${sql.lit(b)}` : sql`cast((${a}) / ${sql.lit(b)} as integer)`);
    const year = sql`(1990 + ${div(sql`n.i`, FONDS * CATEGORIES.length)} % ${sql.lit(YEARS)})`;
    const itemNo = sql`(${div(sql`n.i`, FONDS * CATEGORIES.length * YEARS)} + 1)`;
    const classKey = sql`f.code || '-' || c.code || '·' || ${year} || '-Y'`;
    const ts = caps.timestampType === 'timestamptz' ? sql`now()` : sql`'2026-11-27T00:00:00.000Z'`;
    const ext = caps.jsonType === 'jsonb' ? sql`'{}'::jsonb` : sql`'{}'`;
    await sql`insert into records (id, fonds_id, category_id, agency_id, volume_id, archival_code, class_key, item_no, aggregation_level, year, retention, org_code, title, responsible, date,
        classification, secrecy_term, control, openness, openness_due_year, openness_reviewed_at, agency_openness_opinion, combination_type, doc_number, doc_type, urgency,
        main_recipients, copy_recipients, page_count, subject_terms, keywords, abstract, remarks, extensions, created_by, created_at, updated_at, version)
      select ${pad(sql`n.i`, 8)} || '-bench', f.id, c.id, ${agencyId}, null, ${classKey} || '-' || ${pad(itemNo, 5)}, ${classKey}, ${itemNo}, '件', ${year}, 'Y', null,
        '关于第' || n.i || '项工作的通知', '基准测试单位', ${year} || '0315', '非密', null, null,
        case n.i % 3 when 0 then '开放' when 1 then '控制' else '待定' end, ${year} + 25, null, null, '单件', null, null, null, null, null, 3, null, null, null, null, ${ext}, null, ${ts}, ${ts}, 1
      from (${series}) n join bench_fonds f on f.n = n.i % ${sql.lit(FONDS)} join bench_categories c on c.n = ${div(sql`n.i`, FONDS)} % ${sql.lit(CATEGORIES.length)}`.execute(db);
    log(`  ${end + 1} items`);
  }
  if (caps.dialect === 'postgres') await sql`analyze`.execute(db);
  else await sql`analyze`.execute(db);
  return { fonds, categories };
}

async function onDialect(dialect: Dialect, { workDir, flags, log }: BenchContext): Promise<BenchRow[]> {
  const items = Number(flags.get('items') || 1_000_000);
  const queries = Number(flags.get('queries') || 300);
  const rows = Number(flags.get('rows') || 100_000);
  const empty = await createEmptyDatabase(dialect);
  const config = loadConfig({ LANTAI_DATABASE_URL: empty.config.url, LANTAI_STORES: `primary=${path.join(workDir, dialect, 'blobs')}`, LANTAI_DATA_DIR: path.join(workDir, dialect), LANTAI_PORT: '0' });
  const app = await buildApp(config, { log: pino({ level: 'silent' }), webRoot: path.join(workDir, 'no-web') });
  try {
    log(`${dialect}: filling ${items} items`);
    const started = performance.now();
    const { fonds, categories } = await fillCatalog(app, items, log);
    log(`${dialect}: filled in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    const archivist: Viewer = { userId: 'bench', roles: ['archivist'], clearance: '非密', organisationId: null, zone: 'lan', grants: [] };
    const visitor = anonymousViewer('lan');
    const codes = CATEGORIES.map((c) => categories.get(c) as string);
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const measure = async (viewer: Viewer) => {
      const samples: number[] = [];
      for (let q = 0; q < queries; q++) {
        const filter = { fondsId: fonds[next(FONDS)] as string, categoryId: codes[next(codes.length)] as string, year: 1990 + next(YEARS) };
        // Mostly the first pages, sometimes deep ones (an archivist paging through a year).
        const offset = next(4) === 0 ? next(10) * 50 : 0;
        const t = performance.now();
        const page = await app.services.catalog.listItems(app.database.db, viewer, { ...filter, sort: 'archivalCode', order: 'asc', offset, limit: 50 });
        samples.push(performance.now() - t);
        if (page.items.length === 0 && offset === 0) throw new Error(`empty page for ${JSON.stringify(filter)}`);
      }
      return p95(samples);
    };
    const peerSamples: number[] = [];
    for (let q = 0; q < queries; q++) {
      const t = performance.now();
      await app.database.db.selectFrom('records').select(['id', 'archival_code', 'title']).where('fonds_id', '=', fonds[next(FONDS)] as string).where('category_id', '=', codes[next(codes.length)] as string).where('year', '=', 1990 + next(YEARS)).orderBy('archival_code').limit(50).execute();
      peerSamples.push(performance.now() - t);
    }
    const staff = await measure(archivist);
    const anonymous = await measure(visitor);

    log(`${dialect}: importing ${rows} rows`);
    const imports = createCatalogImport({ db: app.database.db, caps: app.database.caps, catalog: app.services.catalog, audit: app.services.audit });
    const ws = await app.services.catalog.getCategory(app.database.db, categories.get('WS') as string);
    const actor = { ...SYSTEM_ACTOR, roles: ['archivist' as const], userId: 'bench' };
    await app.database.db.transaction().execute((tx) => app.services.catalog.updateCategory(tx, actor, ws.id, { ...ws, pattern: ws.pattern.map((s) => (s.segment === 'item' ? { ...s, width: 6 } : s)) }));
    const bytes = largeCatalogCsv(rows, 'F000', 2030);
    const t0 = performance.now();
    const report = await imports.check(actor, archivist, { fondsId: fonds[0] as string, categoryId: ws.id, fileName: 'bench.csv', bytes });
    const t1 = performance.now();
    if (report.errorRows !== 0) throw new Error(`import check found ${report.errorRows} bad rows: ${JSON.stringify(report.problems.slice(0, 3))}`);
    const applied = await app.database.db.transaction().execute((tx) => imports.apply(tx, actor, report.id));
    const t2 = performance.now();
    if (applied.imported !== rows) throw new Error(`imported ${applied.imported} of ${rows}`);
    const rate = rows / ((t2 - t0) / 1000);
    return [
      { benchmark: `${dialect}: page of 50, no Viewer, no count (peer)`, figure: p95(peerSamples), unit: 'ms p95', note: `${items} items` },
      { benchmark: `${dialect}: page of 50 + total, archivist`, figure: staff, unit: 'ms p95', limit: 100, target: { atMostPercent: 100 }, note: `fonds+category+year, by 档号; peer ${p95(peerSamples).toFixed(1)} ms` },
      { benchmark: `${dialect}: page of 50 + total, public visitor`, figure: anonymous, unit: 'ms p95', limit: 100, target: { atMostPercent: 100 }, note: 'open items only' },
      { benchmark: `${dialect}: import ${rows} rows (check+apply)`, figure: Math.round(rate), unit: 'rows/s', limit: 5000, target: { atLeastPercent: 100 }, note: `check ${((t1 - t0) / 1000).toFixed(1)} s, apply ${((t2 - t1) / 1000).toFixed(1)} s, with ${items} items already in` },
    ];
  } finally {
    await app.close();
    await empty.drop();
  }
}

export default async function catalogBench(context: BenchContext): Promise<BenchRow[]> {
  const which = context.flags.get('db') || 'both';
  const dialects: Dialect[] = which === 'both' ? ['sqlite', 'postgres'] : [which as Dialect];
  const out: BenchRow[] = [];
  for (const d of dialects) out.push(...(await onDialect(d, context)));
  return out;
}
