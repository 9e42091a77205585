/**
 * Checks, before any test runs, that what the suite needs is there. Nothing skips
 * silently: a missing PostgreSQL fails the run with a message saying how to fix it.
 */
import pg from 'pg';
import { testPostgresUrl } from '../src/config.js';

export default async function globalSetup(): Promise<void> {
  const url = testPostgresUrl();
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (err) {
    throw new Error(
      `PostgreSQL is not reachable at ${url} (${(err as Error).message}).\n` +
        'Run scripts/setup.sh as root (it installs and starts PostgreSQL and sets the test password), ' +
        'or set LANTAI_TEST_PG_URL to a server where the suite may create databases.',
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}
