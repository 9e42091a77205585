import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { anonymousViewer } from '../src/modules/accounts/viewer.js';
import { indexDialect } from '../src/modules/search/index-sql.js';
import { searchQuerySchema } from '../src/modules/search/model.js';
import { compileQuery } from '../src/modules/search/query-sql.js';
import { parseQuery } from '../src/modules/search/query.js';
import type { Capabilities } from '../src/platform/db/database.js';
const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: process.argv[3] }) }) });
const q = process.argv[2] as string;
const c = compileQuery(indexDialect({ dialect: 'postgres' } as Capabilities), anonymousViewer('lan'), parseQuery(q).root, searchQuerySchema.parse({ q }), process.argv[4] ? { range: { from: 1, to: Number(process.argv[4]) } } : {});
await sql`set enable_seqscan = off`.execute(db); await sql`set work_mem = '64MB'`.execute(db);
for (let i = 0; i < 2; i++) {
  const r = await sql<{ 'QUERY PLAN': string }>`explain (analyze, buffers) select count(*) from search_docs as d where ${c.where}`.execute(db);
  if (i === 1) console.log(r.rows.map((x) => x['QUERY PLAN']).join('\n'));
}
await db.destroy();
