/**
 * A whole Lantai on a real test database (SQLite file or fresh PostgreSQL database)
 * and a temporary folder store, for tests through app.inject().
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { buildApp, type App } from '../app.js';
import { loadConfig } from '../config.js';
import { createEmptyDatabase, type Dialect } from '../platform/db/test-support/databases.js';

export interface TestApp {
  app: App;
  dir: string;
  close(): Promise<void>;
}

export async function createTestApp(dialect: Dialect, env: Record<string, string> = {}): Promise<TestApp> {
  const empty = await createEmptyDatabase(dialect);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-app-'));
  const config = loadConfig({
    LANTAI_DATABASE_URL: empty.config.url,
    LANTAI_STORES: `primary=${path.join(dir, 'blobs')}`,
    LANTAI_DATA_DIR: dir,
    LANTAI_PORT: '0',
    ...env,
  });
  const app = await buildApp(config, { log: pino({ level: process.env.LANTAI_TEST_LOG ?? 'silent' }), webRoot: path.join(dir, 'no-web') });
  return {
    app,
    dir,
    async close() {
      await app.close();
      await empty.drop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
