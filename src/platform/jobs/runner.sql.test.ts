import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../db/test-support/databases.js';
import { nextJobQuery } from './runner.js';

// The lease query decides who runs what on every node: keep its SQL visible in review.
describe.each(DIALECTS)('job lease query on %s', (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
  });
  afterAll(async () => t?.drop());

  it('compiles to the reviewed SQL', () => {
    const { sql, parameters } = nextJobQuery(t.database.db, t.database.caps, ['ocr', 'thumbnail'], '2026-11-27T00:00:00.000Z').compile();
    expect({ sql, parameters }).toMatchSnapshot();
  });
});
