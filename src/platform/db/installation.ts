/**
 * Whether a database belongs to a demo or a real installation (DESIGN.md "Demo vs
 * real"): a demo database is refused by a non-demo serve and the reverse, and a
 * real one must have been set up first.
 */
import type { Executor, Tx } from './database.js';
import { platformErrors } from '../http/errors.js';

export type InstallationMode = 'demo' | 'production';

export async function installationMode(db: Executor): Promise<InstallationMode | null> {
  const row = await db.selectFrom('installation').select('value').where('key', '=', 'mode').executeTakeFirst();
  return row ? (row.value as InstallationMode) : null;
}

export async function markInstallation(tx: Tx, mode: InstallationMode): Promise<void> {
  await tx
    .insertInto('installation')
    .values([
      { key: 'mode', value: mode },
      { key: 'created_at', value: new Date().toISOString() },
    ])
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
}

/** Throws unless a server in `wanted` mode may serve this database. A demo server claims an empty one. */
export async function assertInstallation(db: Executor, wanted: InstallationMode): Promise<'claimed' | 'ok'> {
  const mode = await installationMode(db);
  if (mode === null) {
    if (wanted === 'production') throw platformErrors.INSTALLATION_NOT_SET_UP();
    return 'claimed';
  }
  if (mode === 'demo' && wanted === 'production') throw platformErrors.INSTALLATION_IS_DEMO();
  if (mode === 'production' && wanted === 'demo') throw platformErrors.INSTALLATION_IS_REAL();
  return 'ok';
}
