/**
 * Accepting part of a hand-over and re-coding at accept, over HTTP on both databases:
 * the archivist previews (nothing written), accepts the passing items and sends the
 * failing one back as a returned hand-over the agency can correct; re-coding gives the
 * archive's next numbers and keeps the agency's codes in the code history.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DIALECTS } from '../../platform/db/test-support/databases.js';
import { createCatalogFixture, type CatalogFixture, type Session } from '../catalog/test-support/fixture.js';
import { makeFixtureFiles, type FixtureFiles } from './test-support/files.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe.each(DIALECTS)('partial accept and re-coding on %s', (dialect) => {
  let f: CatalogFixture;
  let files: FixtureFiles;
  let dir = '';

  const meta = (n: number, year = 2022) => ({ title: `关于第${n}项工作的请示`, responsible: '演示市人民政府办公室', date: `${year}0305`, year, retention: 'Y', classification: '非密', archivalCode: `J001-WS·${year}-Y-${String(n).padStart(4, '0')}` });

  async function upload(s: Session, transferId: string, filePath: string, bytes: Buffer) {
    const started = (await f.call(s, 'POST', `/api/transfers/${transferId}/uploads`, { path: filePath, size: bytes.length, sha256: sha256(bytes) })).json();
    const res = await f.call(s, 'PUT', `/api/transfers/${transferId}/uploads/${started.id}?offset=0`, bytes, { 'content-type': 'application/octet-stream', 'x-chunk-sha256': sha256(bytes) });
    expect(res.statusCode, res.body).toBe(200);
  }

  /** A checked hand-over of `numbers.length` items, each with a PDF; `bad` positions get an encrypted PDF (不通过). */
  async function checkedHandOver(title: string, numbers: number[], bad: number[] = [], year = 2022) {
    const clerk = f.sessions.clerk;
    const created = await f.call(clerk, 'POST', '/api/transfers', { fondsId: f.fondsId, categoryId: f.categories.WS, title, yearFrom: year, yearTo: year, declaredItems: numbers.length });
    const id = created.json().id as string;
    const items = [];
    for (const [i, n] of numbers.entries()) {
      const name = `${title}/${n}.pdf`;
      await upload(clerk, id, name, bad.includes(i + 1) ? files.encryptedPdf : files.pdf);
      items.push({ metadata: meta(n, year), files: [{ path: name, role: '正本' }] });
    }
    expect((await f.call(clerk, 'POST', `/api/transfers/${id}/items`, { items })).statusCode).toBe(201);
    expect((await f.call(clerk, 'POST', `/api/transfers/${id}/submit`)).statusCode).toBe(200);
    await vi.waitFor(async () => expect((await f.call(clerk, 'GET', `/api/transfers/${id}`)).json().status).toBe('checked'), { timeout: 60_000, interval: 200 });
    const listed = await f.t.app.database.db.selectFrom('transfer_items').select(['id', 'position', 'result']).where('transfer_id', '=', id).orderBy('position').execute();
    return { id, items: listed };
  }

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lantai-partial-'));
    files = await makeFixtureFiles(dir);
    f = await createCatalogFixture(dialect);
    f.t.app.startWorkers();
  }, 180_000);
  afterAll(async () => {
    await f?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('previews, then accepts the passing items and returns the failing one to the agency as a hand-over of its own', { timeout: 120_000 }, async () => {
    const db = f.t.app.database.db;
    const { id, items } = await checkedHandOver('部分接收批次', [1, 2, 3], [2]);
    expect(items.map((i) => i.result)).toEqual(['通过', '不通过', '通过']);
    const archivist = f.sessions.archivist;

    // The whole hand-over cannot be accepted, nor a selection holding the failing item.
    const whole = await f.call(archivist, 'POST', `/api/transfers/${id}/accept`);
    expect(whole.json(), whole.body).toMatchObject({ code: 'TRANSFER_ACCEPT_FAILED_ITEMS' });
    expect((await f.call(archivist, 'POST', `/api/transfers/${id}/accept/preview`, { itemIds: items.map((i) => i.id), returnReason: 'x' })).json()).toMatchObject({ code: 'TRANSFER_ACCEPT_FAILED_ITEMS' });
    const passing = [items[0]?.id, items[2]?.id] as string[];
    // Leaving items out needs a reason for the agency; an empty choice is refused.
    expect((await f.call(archivist, 'POST', `/api/transfers/${id}/accept/preview`, { itemIds: passing })).json()).toMatchObject({ code: 'TRANSFER_RETURN_REASON' });
    expect((await f.call(archivist, 'POST', `/api/transfers/${id}/accept`, { itemIds: [], returnReason: '全部退回' })).json()).toMatchObject({ code: 'TRANSFER_ACCEPT_NOTHING' });

    const choice = { itemIds: passing, returnReason: '第 2 件 PDF 加密，无法长期保存，请解密后重新移交' };
    const preview = await f.call(archivist, 'POST', `/api/transfers/${id}/accept/preview`, choice);
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.json()).toMatchObject({ records: 2, files: 2, returned: 1, recoded: 0, codes: [{ position: 1, agencyCode: meta(1).archivalCode, newCode: meta(1).archivalCode }, { position: 3, agencyCode: meta(3).archivalCode, newCode: meta(3).archivalCode }] });
    // The preview wrote nothing.
    expect((await f.call(archivist, 'GET', `/api/transfers/${id}`)).json().status).toBe('checked');
    expect(await db.selectFrom('records').select('id').where('archival_code', 'like', 'J001-WS·2022-Y-%').execute()).toEqual([]);
    expect(await db.selectFrom('transfers').select('id').where('previous_id', '=', id).execute()).toEqual([]);

    const accepted = await f.call(archivist, 'POST', `/api/transfers/${id}/accept`, choice);
    expect(accepted.statusCode, accepted.body).toBe(200);
    const result = accepted.json();
    expect(result).toMatchObject({ records: 2, files: 2, bytes: files.pdf.length * 2, returned: 1, recoded: 0 });
    expect((await db.selectFrom('records').select('archival_code').where('archival_code', 'like', 'J001-WS·2022-Y-%').orderBy('archival_code').execute()).map((r) => r.archival_code)).toEqual([meta(1).archivalCode, meta(3).archivalCode]);

    // The agency sees the rest as a returned hand-over, with the reason and the finding, and hands it over again corrected.
    const clerk = f.sessions.clerk;
    const returned = (await f.call(clerk, 'GET', `/api/transfers/${result.returnedTransferId}`)).json();
    expect(returned).toMatchObject({ status: 'returned', title: '部分接收批次（退回部分）', returnReason: choice.returnReason });
    const summary = JSON.parse((await db.selectFrom('transfers').select('summary').where('id', '=', result.returnedTransferId).executeTakeFirstOrThrow()).summary as string);
    expect(summary).toMatchObject({ items: 1, files: 1, bytes: files.encryptedPdf.length, passedItems: 0, passRate: 0 });
    // Each accepted record numbers its own files from 1.
    expect((await db.selectFrom('record_files as k').innerJoin('records as r', 'r.id', 'k.record_id').select('k.position').where('r.archival_code', '=', meta(3).archivalCode).execute()).map((k) => k.position)).toEqual([1]);
    const returnedItems = await db.selectFrom('transfer_items').select(['position', 'result', 'metadata']).where('transfer_id', '=', result.returnedTransferId).execute();
    expect(returnedItems.map((i) => [i.position, i.result, JSON.parse(i.metadata).archivalCode])).toEqual([[2, '不通过', meta(2).archivalCode]]);
    const findings = await db.selectFrom('transfer_check_results').select(['check_id', 'result']).where('transfer_id', '=', result.returnedTransferId).where('result', '=', '不通过').execute();
    expect(findings.length).toBeGreaterThan(0);
    const staged = await db.selectFrom('transfer_files').select('staged_path').where('transfer_id', '=', result.returnedTransferId).executeTakeFirstOrThrow();
    expect((await fs.stat(staged.staged_path)).size).toBe(files.encryptedPdf.length);
    const again = await f.call(clerk, 'POST', `/api/transfers/${result.returnedTransferId}/new-version`);
    expect(again.statusCode, again.body).toBe(201);
    const audit = await db.selectFrom('audit_entries').select(['details']).where('action', '=', 'transfer.accept').where('target_id', '=', id).where('result', '=', 'ok').executeTakeFirstOrThrow();
    expect(JSON.parse(audit.details as string)).toMatchObject({ records: 2, returned: 1, returnedTransferId: result.returnedTransferId });
  });

  it('re-codes at accept with the archive’s next numbers, keeping the agency’s codes in the history', { timeout: 120_000 }, async () => {
    const db = f.t.app.database.db;
    const archivist = f.sessions.archivist;
    // The archive already holds 2023 items 1–2 of this class; the agency numbered its own from 51.
    const first = await checkedHandOver('先前批次', [1, 2], [], 2023);
    expect((await f.call(archivist, 'POST', `/api/transfers/${first.id}/accept`)).statusCode).toBe(200);
    const { id } = await checkedHandOver('重新编号批次', [51, 52], [], 2023);
    const preview = (await f.call(archivist, 'POST', `/api/transfers/${id}/accept/preview`, { recode: true })).json();
    expect(preview).toMatchObject({ records: 2, recoded: 2, codes: [{ agencyCode: meta(51, 2023).archivalCode, newCode: meta(3, 2023).archivalCode }, { agencyCode: meta(52, 2023).archivalCode, newCode: meta(4, 2023).archivalCode }] });
    const res = await f.call(archivist, 'POST', `/api/transfers/${id}/accept`, { recode: true });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ records: 2, recoded: 2, returned: 0, returnedTransferId: null });
    const records = await db.selectFrom('records').select(['id', 'archival_code', 'item_no']).where('archival_code', 'in', [meta(3, 2023).archivalCode, meta(4, 2023).archivalCode]).orderBy('archival_code').execute();
    expect(records.map((r) => r.item_no)).toEqual([3, 4]);
    expect(await db.selectFrom('records').select('id').where('archival_code', 'in', [meta(51, 2023).archivalCode, meta(52, 2023).archivalCode]).execute()).toEqual([]);
    const history = (await f.call(archivist, 'GET', `/api/catalog/items/${records[0]?.id}`)).json().codeHistory;
    expect(history).toEqual([expect.objectContaining({ oldCode: meta(51, 2023).archivalCode, newCode: meta(3, 2023).archivalCode, reason: expect.stringContaining('接收时重新编制档号') })]);
    const accession = await db.selectFrom('preservation_events').select('detail').where('record_id', '=', records[0]?.id as string).where('event_type', '=', 'accession').executeTakeFirstOrThrow();
    expect(accession.detail).toContain(`立档单位档号 ${meta(51, 2023).archivalCode} 已按本馆规则重新编制`);
  });
});
