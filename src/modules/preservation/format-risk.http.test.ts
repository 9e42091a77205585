/**
 * The format risk registry over HTTP on both databases, from hand-overs of two agencies
 * checked and accepted for real: the registry counts the files and bytes of each format
 * (by PUID, or by MIME type for OFD) and each fonds exactly as accepted, unjudged formats
 * counting as 正常; only archivists judge a format (a clerk and the system admin are
 * refused), every judgement and refusal audited; the holdings in formats at risk list
 * only the records each viewer may see, paged; and the holdings query's SQL is kept
 * visible in a snapshot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../platform/db/test-support/databases.js';
import type { Viewer } from '../accounts/viewer.js';
import { scopedItems } from '../catalog/repo.js';
import { createCatalogFixture, type CatalogFixture, type Session } from '../catalog/test-support/fixture.js';
import { withFilesIn } from './format-risk-repo.js';
import { FORMAT_RISK_SET_ACTION } from './format-risk.js';
import { keptHandOver, ofdFile, scopedArchivist } from './test-support/format-risk-fixture.js';
import type { KeptRecord } from './test-support/hand-overs.js';

const text = (n: number) => Buffer.from(`关于第${n}项工作的通知\n${'各单位：请按要求做好档案归档和移交工作。\n'.repeat(10 + n)}`);
const xml = (n: number) => Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<说明><题名>移交说明${n}</题名>${'<段>说明</段>'.repeat(n)}</说明>\n`);
const TXT = 'x-fmt/111';
const XML = 'fmt/101';

describe.each(DIALECTS)('the format risk registry on %s', (dialect) => {
  let f: CatalogFixture;
  let scoped: Session;
  let ofd: Buffer;
  /** J001 (the clerk's agency): 1 open txt, 2 controlled xml, 3 controlled txt, 4 controlled OFD. J002: 1 controlled txt, 2 controlled xml. */
  let own: KeptRecord[];
  let other: KeptRecord[];
  let ofdKey = '';
  const files = { own: [text(1), xml(2), text(3)], other: [text(4), xml(5)] };

  const meta = (code: string, n: number, extra: Record<string, unknown> = {}) => ({ title: `${code}第${n}号文件`, responsible: '演示市人民政府办公室', date: '20240305', year: 2024, retention: 'Y', classification: '非密', openness: '控制', archivalCode: `${code}-WS·2024-Y-${String(n).padStart(4, '0')}`, ...extra });
  const audits = (action: string) => f.t.app.database.db.selectFrom('audit_entries').select(['result', 'reason', 'actor_username', 'target_type', 'target_id', 'details']).where('action', '=', action).orderBy('seq').execute();
  const holdings = async (s: Session, query = '') => {
    const res = await f.call(s, 'GET', `/api/preservation/formats/holdings${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { items: Array<{ id: string; title: string; formats: Array<{ format: string; status: string; files: number; bytes: number }> }>; total: number };
  };
  const titles = (h: { items: Array<{ title: string }> }) => h.items.map((i) => i.title);

  beforeAll(async () => {
    f = await createCatalogFixture(dialect);
    f.t.app.startWorkers();
    ofd = await ofdFile('e2e-ofd-1');
    const WS = f.categories.WS as string;
    own = await keptHandOver(f, {
      clerk: f.sessions.clerk, fondsId: f.fondsId, categoryId: WS, title: '办公室二〇二四年', years: [2024, 2024],
      items: [
        { metadata: meta('J001', 1, { openness: '开放' }), file: { name: '1.txt', bytes: files.own[0] as Buffer } },
        { metadata: meta('J001', 2), file: { name: '2.xml', bytes: files.own[1] as Buffer } },
        { metadata: meta('J001', 3), file: { name: '3.txt', bytes: files.own[2] as Buffer } },
        { metadata: meta('J001', 4), file: { name: '4.ofd', bytes: ofd } },
      ],
    });
    other = await keptHandOver(f, {
      clerk: f.sessions.otherClerk, fondsId: f.otherFondsId, categoryId: WS, title: '教育局二〇二四年', years: [2024, 2024],
      items: [
        { metadata: meta('J002', 1, { responsible: '演示市教育局' }), file: { name: '1.txt', bytes: files.other[0] as Buffer } },
        { metadata: meta('J002', 2, { responsible: '演示市教育局' }), file: { name: '2.xml', bytes: files.other[1] as Buffer } },
      ],
    });
    const ofdRow = await f.t.app.database.db.selectFrom('preservation_files').select(['puid', 'mime']).where('record_id', '=', (own[3] as KeptRecord).id).executeTakeFirstOrThrow();
    expect(ofdRow.puid).toBeNull();
    ofdKey = ofdRow.mime as string;
    scoped = await scopedArchivist(f, 'archivist-j002', f.otherAgencyId);
  }, 240_000);
  afterAll(async () => {
    await f?.close();
  });

  it('counts the files and bytes of each format held, and of each fonds, as they were accepted; unjudged formats are 正常', async () => {
    const res = await f.call(f.sessions.archivist, 'GET', '/api/preservation/formats');
    expect(res.statusCode, res.body).toBe(200);
    const registry = res.json() as { formats: Array<{ format: string; files: number; bytes: number; status: string; setBy: string | null; name: string | null; byFonds: Array<{ fondsCode: string; files: number; bytes: number }> }>; totals: { files: number; bytes: number } };
    const size = (...b: Buffer[]) => b.reduce((n, x) => n + x.length, 0);
    const [t1, x2, t3] = files.own as [Buffer, Buffer, Buffer];
    const [t4, x5] = files.other as [Buffer, Buffer];
    const entry = (format: string) => registry.formats.find((e) => e.format === format);
    expect(registry.formats.map((e) => e.format).sort()).toEqual([TXT, XML, ofdKey].sort());
    expect(entry(TXT)).toMatchObject({ files: 3, bytes: size(t1, t3, t4), status: 'ok', setBy: null, byFonds: [{ fondsCode: 'J001', files: 2, bytes: size(t1, t3) }, { fondsCode: 'J002', files: 1, bytes: size(t4) }] });
    expect(entry(XML)).toMatchObject({ files: 2, bytes: size(x2, x5), status: 'ok', byFonds: [{ fondsCode: 'J001', files: 1, bytes: size(x2) }, { fondsCode: 'J002', files: 1, bytes: size(x5) }] });
    expect(entry(ofdKey)).toMatchObject({ files: 1, bytes: ofd.length, status: 'ok', byFonds: [{ fondsCode: 'J001', files: 1, bytes: ofd.length }] });
    expect(registry.totals).toEqual({ files: 6, bytes: size(t1, x2, t3, t4, x5, ofd) });
    // Most bytes first.
    expect(registry.formats.map((e) => e.bytes)).toEqual([...registry.formats.map((e) => e.bytes)].sort((a, b) => b - a));
    // The system admin reads the registry too (formats, not records); an agency's clerk does not.
    expect((await f.call(f.sessions.sysadmin, 'GET', '/api/preservation/formats')).statusCode).toBe(200);
    const refused = await f.call(f.sessions.clerk, 'GET', '/api/preservation/formats');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('FORBIDDEN_ROLE');
  });

  it('lets only archivists judge a format: a clerk and the system admin are refused, and the judgement and the refusals are audited', async () => {
    const body = { format: TXT, status: 'at-risk', note: '纯文本缺少版式信息，计划转换为 OFD' };
    const anonymous = await f.call(f.anonymous, 'PUT', '/api/preservation/formats', body);
    expect(anonymous.statusCode).toBe(401);
    for (const s of [f.sessions.clerk, f.sessions.sysadmin]) {
      const res = await f.call(s, 'PUT', '/api/preservation/formats', body);
      expect(res.statusCode, res.body).toBe(403);
      expect(res.json()).toMatchObject({ code: 'FORBIDDEN_ROLE' });
      expect(res.json().message).toContain('设置格式风险');
    }
    const bad = await f.call(f.sessions.archivist, 'PUT', '/api/preservation/formats', { ...body, format: '../etc' });
    expect(bad.statusCode).toBe(400);
    const set = await f.call(f.sessions.archivist, 'PUT', '/api/preservation/formats', body);
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ format: TXT, status: 'at-risk', note: body.note, setBy: expect.stringContaining('archivist') });

    const entries = await audits(FORMAT_RISK_SET_ACTION);
    expect(entries.map((e) => [e.result, e.reason, e.actor_username])).toEqual([
      ['refused', 'AUTH_REQUIRED', null],
      ['refused', 'FORBIDDEN_ROLE', 'clerk'],
      ['refused', 'FORBIDDEN_ROLE', 'sysadmin'],
      ['ok', null, 'archivist'],
    ]);
    expect(entries[3]).toMatchObject({ target_type: 'format', target_id: TXT });
    expect(JSON.parse(entries[3]?.details ?? '{}')).toMatchObject({ status: 'at-risk', previous: 'ok', note: body.note });

    const registry = (await f.call(f.sessions.archivist, 'GET', '/api/preservation/formats')).json() as { formats: Array<{ format: string; status: string; note: string | null; setAt: string | null }> };
    expect(registry.formats.find((e) => e.format === TXT)).toMatchObject({ status: 'at-risk', note: body.note, setAt: expect.any(String) });
    expect(registry.formats.find((e) => e.format === XML)).toMatchObject({ status: 'ok', note: null });
  });

  it('lists the records kept in formats at risk that each viewer may see, and leaves out the others', async () => {
    await f.call(f.sessions.archivist, 'PUT', '/api/preservation/formats', { format: TXT, status: 'at-risk', note: null });
    const [t1, , t3] = files.own as [Buffer, Buffer, Buffer];
    const all = await holdings(f.sessions.archivist);
    expect(all.total).toBe(3);
    expect(titles(all)).toEqual([own[0], own[2], other[0]].map((r) => r?.title));
    expect(all.items[0]?.formats).toEqual([{ format: TXT, name: expect.any(String), status: 'at-risk', files: 1, bytes: t1.length }]);
    expect(all.items[1]?.formats).toEqual([{ format: TXT, name: expect.any(String), status: 'at-risk', files: 1, bytes: t3.length }]);
    // Paged: the same order, no overlap.
    const first = await holdings(f.sessions.archivist, '?limit=2');
    const second = await holdings(f.sessions.archivist, '?limit=2&offset=2');
    expect([...titles(first), ...titles(second)]).toEqual(titles(all));
    expect(second.total).toBe(3);

    // An archivist scoped to 教育局 and 教育局's clerk: their agency's record and the open one, not J001's controlled record.
    for (const s of [scoped, f.sessions.otherClerk]) {
      const seen = await holdings(s);
      expect(titles(seen)).toEqual([own[0], other[0]].map((r) => r?.title));
      expect(seen.total).toBe(2);
      expect(JSON.stringify(seen)).not.toContain((own[2] as KeptRecord).title);
    }
    // The clerk of J001 sees the agency's own records.
    expect(titles(await holdings(f.sessions.clerk))).toEqual([own[0], own[2]].map((r) => r?.title));
    // The three admins read no records.
    expect((await f.call(f.sessions.sysadmin, 'GET', '/api/preservation/formats/holdings')).statusCode).toBe(403);
    expect((await f.call(f.sessions.citizen, 'GET', '/api/preservation/formats/holdings')).statusCode).toBe(403);
  });

  it('keys a format without a PUID by its MIME type (OFD), and lists a watched format’s holdings on their own', async () => {
    const set = await f.call(f.sessions.archivist, 'PUT', '/api/preservation/formats', { format: ofdKey, status: 'watch', note: '关注 OFD 阅读器的可用性' });
    expect(set.statusCode, set.body).toBe(200);
    const watched = await holdings(f.sessions.archivist, `?status=watch`);
    expect(titles(watched)).toEqual([own[3]?.title]);
    expect(watched.items[0]?.formats).toEqual([{ format: ofdKey, name: expect.any(String), status: 'watch', files: 1, bytes: ofd.length }]);
    expect(titles(await holdings(f.sessions.archivist, `?format=${encodeURIComponent(ofdKey)}`))).toEqual([own[3]?.title]);
    // Both statuses by default; back to 正常 takes a format out.
    expect((await holdings(f.sessions.archivist)).total).toBe(4);
    await f.call(f.sessions.archivist, 'PUT', '/api/preservation/formats', { format: ofdKey, status: 'ok', note: null });
    expect((await holdings(f.sessions.archivist)).total).toBe(3);
    expect(await holdings(f.sessions.archivist, `?format=${XML}`)).toEqual({ items: [], total: 0 });
  });

  it('keeps the holdings query visible: the Viewer’s rule and the format test in one statement', () => {
    const viewer: Viewer = { userId: 'u1', roles: ['archivist'], clearance: '非密', organisationId: 'org-archive', zone: 'lan', grants: [], scopes: ['agency-1'] };
    const compiled = withFilesIn(scopedItems(f.t.app.database.db, viewer), [TXT, ofdKey]).compile();
    expect(compiled.sql).toMatchSnapshot();
    expect(compiled.parameters).toEqual(expect.arrayContaining(['agency-1', TXT, ofdKey]));
  });
});
