/** The search SQL, as a reviewer should see it change: one representative query per database. */
import Sqlite from 'better-sqlite3';
import { Kysely, PostgresDialect, sql, SqliteDialect } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { Capabilities } from '../../platform/db/database.js';
import { anonymousViewer } from '../accounts/viewer.js';
import { indexDialect } from './index-sql.js';
import { searchQuerySchema } from './model.js';
import { compileQuery, orderBy } from './query-sql.js';
import { parseQuery } from './query.js';

const dialects = {
  sqlite: () => new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Sqlite(':memory:') }) }),
  postgres: () => new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ max: 1 }) }) }),
};

describe.each(Object.keys(dialects) as Array<keyof typeof dialects>)('the compiled search SQL on %s', (name) => {
  it('matches terms by phrase, metadata only for catalog-visible items, with filters and the tiered score', async () => {
    const db = dialects[name]();
    const query = searchQuerySchema.parse({ q: '分类监管 J001-WS·2011 NOT 秘密', year: '2011', format: 'pdf' });
    const publicUser = { ...anonymousViewer('lan'), userId: 'u-public', roles: ['public_user' as const] };
    const compiled = compileQuery(indexDialect({ dialect: name } as Capabilities), publicUser, parseQuery(query.q).root, query, {}, new Date('2026-01-01T00:00:00Z'));
    const statement = sql`select d.key, ${compiled.score} as score from search_docs as d where ${compiled.where} order by ${orderBy('relevance', true)}`.compile(db);
    expect(statement.sql).toMatchSnapshot();
    expect(statement.parameters).toMatchSnapshot();
    await db.destroy();
  });

  it('matches one set, with no catalog-only branch, for a viewer who sees all they may see as content', async () => {
    const db = dialects[name]();
    const query = searchQuerySchema.parse({ q: '分类监管' });
    const compiled = compileQuery(indexDialect({ dialect: name } as Capabilities), anonymousViewer('lan'), parseQuery(query.q).root, query, {}, new Date('2026-01-01T00:00:00Z'));
    const statement = sql`select d.key from search_docs as d where ${compiled.where}`.compile(db);
    expect(statement.sql).toMatchSnapshot();
    await db.destroy();
  });
});
