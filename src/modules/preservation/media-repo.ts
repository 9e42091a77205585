/** Every query of the offline media library (the register of volumes and of which kept file is on which). */
import type { Insertable, Selectable } from 'kysely';
import type { Executor, Tx } from '../../platform/db/database.js';
import type { MediaVerifyResult, MediaVolumeFilesTable, MediaVolumesTable } from './media-tables.js';

export type MediaVolumeRow = Selectable<MediaVolumesTable>;
export type MediaVolumeFileRow = Selectable<MediaVolumeFilesTable>;

const CHUNK = 500;

/** Accepted records with a kept file that no volume holds yet (planned or written); the caller scopes them by the Viewer. */
export async function recordsNotOnMedia(db: Executor): Promise<string[]> {
  const rows = await db
    .selectFrom('preservation_files as pf')
    .select('pf.record_id')
    .distinct()
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('media_volume_files as mvf').select('mvf.file_id').whereRef('mvf.file_id', '=', 'pf.id'))))
    .execute();
  return rows.map((r) => r.record_id);
}

/** Labels already given that start with `prefix` (volumes and sets), to number the next ones. */
export async function labelsStartingWith(db: Executor, prefix: string): Promise<string[]> {
  const rows = await db.selectFrom('media_volumes').select(['label', 'set_label']).where((eb) => eb.or([eb('label', 'like', `${prefix}%`), eb('set_label', 'like', `${prefix}%`)])).execute();
  return rows.flatMap((r) => [r.label, r.set_label]);
}

export async function insertVolume(tx: Tx, volume: Insertable<MediaVolumesTable>, files: readonly Insertable<MediaVolumeFilesTable>[]): Promise<void> {
  await tx.insertInto('media_volumes').values(volume).execute();
  for (let i = 0; i < files.length; i += CHUNK) await tx.insertInto('media_volume_files').values(files.slice(i, i + CHUNK)).execute();
}

/** The volume with this label, or the volumes of the set with this label, in set order. */
export async function volumesLabelled(db: Executor, label: string): Promise<MediaVolumeRow[]> {
  const one = await db.selectFrom('media_volumes').selectAll().where('label', '=', label).execute();
  if (one.length > 0) return one;
  return db.selectFrom('media_volumes').selectAll().where('set_label', '=', label).orderBy('position').execute();
}

export async function volumeById(db: Executor, id: string): Promise<MediaVolumeRow | undefined> {
  return db.selectFrom('media_volumes').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The files the register puts on a volume. */
export async function volumeFiles(db: Executor, volumeId: string): Promise<MediaVolumeFileRow[]> {
  return db.selectFrom('media_volume_files').selectAll().where('volume_id', '=', volumeId).orderBy('record_id').orderBy('file_id').execute();
}

/** Marks a volume written and records where each file went (rows replaced: one statement per chunk, not one per file). */
export async function markWritten(tx: Tx, volumeId: string, written: { at: string; by: string; isoSha256: string | null }, files: readonly MediaVolumeFileRow[]): Promise<void> {
  await tx.updateTable('media_volumes').set({ status: 'written', written_at: written.at, written_by: written.by, iso_sha256: written.isoSha256 }).where('id', '=', volumeId).execute();
  await tx.deleteFrom('media_volume_files').where('volume_id', '=', volumeId).execute();
  for (let i = 0; i < files.length; i += CHUNK) await tx.insertInto('media_volume_files').values(files.slice(i, i + CHUNK)).execute();
}

export async function setLocation(tx: Tx, volumeId: string, location: string): Promise<void> {
  await tx.updateTable('media_volumes').set({ location }).where('id', '=', volumeId).execute();
}

export async function recordVerification(tx: Tx, volumeId: string, verification: { at: string; result: MediaVerifyResult; details: Record<string, unknown> }): Promise<void> {
  await tx
    .updateTable('media_volumes')
    .set({ last_verified_at: verification.at, last_verify_result: verification.result, last_verify_details: JSON.stringify(verification.details) })
    .where('id', '=', volumeId)
    .execute();
}

/** The register, newest set first, volumes in set order. */
export async function listVolumes(db: Executor, filters: { set?: string; status?: string }): Promise<MediaVolumeRow[]> {
  let q = db.selectFrom('media_volumes').selectAll();
  if (filters.set) q = q.where('set_label', '=', filters.set);
  if (filters.status) q = q.where('status', '=', filters.status);
  return q.orderBy('planned_at', 'desc').orderBy('set_label', 'desc').orderBy('position').execute();
}
