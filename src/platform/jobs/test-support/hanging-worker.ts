/**
 * A worker process for the kill -9 test: takes a job that never finishes, prints
 * "started <id>" and waits to be killed.
 */
import pino from 'pino';
import { parseDatabaseUrl } from '../../../config.js';
import { openDatabase } from '../../db/database.js';
import { createJobQueue } from '../queue.js';
import { startRunner } from '../runner.js';

const [url = ''] = process.argv.slice(2);
const database = await openDatabase(parseDatabaseUrl(url, process.cwd()));
const queue = createJobQueue();
queue.define('index-text', async (_payload, ctx) => {
  process.stdout.write(`started ${ctx.id}\n`);
  await new Promise(() => undefined);
});
startRunner({ database, queue, log: pino({ level: 'silent' }), leaseMs: 1000, pollMs: 50 });
