/**
 * Real databases for tests: a temporary SQLite file, or a fresh PostgreSQL database
 * created on the test server (LANTAI_TEST_PG_URL) and dropped afterwards. Every
 * data-layer suite runs once per entry of DIALECTS.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { testPostgresUrl } from '../../../config.js';
import type { DatabaseConfig } from '../../../config.js';
import { openDatabase, type Database } from '../database.js';
import { migrateToLatest, type Migration } from '../migrations.js';
import { platformMigrations } from '../migrations/platform.js';

export const DIALECTS = ['sqlite', 'postgres'] as const;
export type Dialect = (typeof DIALECTS)[number];

export interface TestDatabase {
  config: DatabaseConfig;
  database: Database;
  /** Closes and removes the database. */
  drop(): Promise<void>;
}

/** Makes an empty database of the given dialect (no migrations run). */
export async function createEmptyDatabase(dialect: Dialect): Promise<{ config: DatabaseConfig; drop(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-db-'));
    const file = path.join(dir, 'lantai.db');
    return { config: { kind: 'sqlite', file, url: `sqlite:${file}` }, drop: () => fs.rm(dir, { recursive: true, force: true }) };
  }
  const server = testPostgresUrl();
  const name = `lantai_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    config: { kind: 'postgres', url: url.toString() },
    async drop() {
      const c = new pg.Client({ connectionString: server });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Makes a migrated database of the given dialect. */
export async function createTestDatabase(dialect: Dialect, migrations: readonly Migration[] = platformMigrations): Promise<TestDatabase> {
  const empty = await createEmptyDatabase(dialect);
  const database = await openDatabase(empty.config);
  await migrateToLatest(database, migrations);
  return {
    config: empty.config,
    database,
    async drop() {
      await database.close();
      await empty.drop();
    },
  };
}
