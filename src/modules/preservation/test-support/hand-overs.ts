/**
 * Kept records for the export tests, made the way they are made for real: an
 * agency clerk hands them over (uploads, items, submit), the four-property checks
 * run, and the archivist accepts them.
 */
import { createHash } from 'node:crypto';
import { expect, vi } from 'vitest';
import type { CatalogFixture, Session } from '../../catalog/test-support/fixture.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export interface HandOverItem {
  metadata: Record<string, unknown>;
  file: { name: string; bytes: Buffer; role?: string };
}

export interface KeptRecord {
  id: string;
  archivalCode: string | null;
  title: string;
}

/** Uploads one file of a draft hand-over in one chunk. */
export async function upload(f: CatalogFixture, s: Session, transferId: string, filePath: string, bytes: Buffer): Promise<void> {
  const started = await f.call(s, 'POST', `/api/transfers/${transferId}/uploads`, { path: filePath, size: bytes.length, sha256: sha256(bytes) });
  expect(started.statusCode, started.body).toBeLessThan(300);
  const res = await f.call(s, 'PUT', `/api/transfers/${transferId}/uploads/${started.json().id}?offset=0`, bytes, { 'content-type': 'application/octet-stream', 'x-chunk-sha256': sha256(bytes) });
  expect(res.statusCode, res.body).toBe(200);
}

/** Waits until the hand-over's checks are done. */
export async function waitChecked(f: CatalogFixture, s: Session, transferId: string): Promise<void> {
  await vi.waitFor(async () => expect((await f.call(s, 'GET', `/api/transfers/${transferId}`)).json().status).toBe('checked'), { timeout: 60_000, interval: 200 });
}

/** A hand-over of these items (one file each) by the clerk of the fixture's agency, checked and accepted; its id and its records, in item order. */
export async function acceptedHandOver(f: CatalogFixture, input: { categoryId: string; title: string; items: readonly HandOverItem[] }): Promise<{ id: string; records: KeptRecord[] }> {
  const clerk = f.sessions.clerk;
  const created = await f.call(clerk, 'POST', '/api/transfers', { fondsId: f.fondsId, categoryId: input.categoryId, title: input.title, yearFrom: 2024, yearTo: 2024, declaredItems: input.items.length });
  expect(created.statusCode, created.body).toBe(201);
  const id = created.json().id as string;
  for (const item of input.items) await upload(f, clerk, id, `${input.title}/${item.file.name}`, item.file.bytes);
  const items = input.items.map((item) => ({ metadata: item.metadata, files: [{ path: `${input.title}/${item.file.name}`, role: item.file.role ?? '正本' }] }));
  const added = await f.call(clerk, 'POST', `/api/transfers/${id}/items`, { items });
  expect(added.statusCode, added.body).toBe(201);
  expect((await f.call(clerk, 'POST', `/api/transfers/${id}/submit`)).statusCode).toBe(200);
  await waitChecked(f, clerk, id);
  const accepted = await f.call(f.sessions.archivist, 'POST', `/api/transfers/${id}/accept`);
  expect(accepted.statusCode, accepted.body).toBe(200);
  const db = f.t.app.database.db;
  const ids = (await db.selectFrom('preservation_files').select('record_id').distinct().where('transfer_id', '=', id).execute()).map((r) => r.record_id);
  const rows = await db.selectFrom('records').select(['id', 'archival_code', 'title']).where('id', 'in', ids).execute();
  const records = input.items.map((item) => {
    const row = rows.find((r) => r.title === item.metadata.title);
    if (!row) throw new Error(`no record titled ${String(item.metadata.title)}`);
    return { id: row.id, archivalCode: row.archival_code, title: row.title };
  });
  return { id, records };
}
