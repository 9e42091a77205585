/**
 * The accept of one hand-over in a process of its own, for the crash-loop test
 * (accept-crash.test.ts), which kills it with SIGKILL at random moments. Reads the
 * installation from the usual LANTAI_* variables; argv: <transferId> <username>.
 * Prints "accepting" when it starts, "stored <n>" as each file is in the store, "recording" when the
 * transaction begins and "accepted <records>" when done.
 */
import pino from 'pino';
import { buildApp } from '../../../app.js';
import { loadConfig } from '../../../config.js';

const [transferId, username] = process.argv.slice(2);
const app = await buildApp(loadConfig(process.env), { log: pino({ level: 'silent' }), migrate: false });
const user = await app.database.db.selectFrom('users').select(['id', 'organisation_id']).where('username', '=', username as string).executeTakeFirstOrThrow();
const actor = { userId: user.id, username: username as string, roles: ['archivist' as const], organisationId: user.organisation_id, address: 'crash-test' };
const viewer = { userId: user.id, roles: ['archivist' as const], clearance: '非密' as const, organisationId: user.organisation_id, zone: 'lan' as const, grants: [] };
process.stdout.write('accepting\n');
const result = await app.services.accession.accept(actor, viewer, transferId as string, {}, (p) => {
  if (p.phase === 'recording') process.stdout.write('recording\n');
  else process.stdout.write(`stored ${p.done}\n`);
});
process.stdout.write(`accepted ${result.records}\n`);
await app.close();
