/**
 * Ground for the format risk and storage dashboard tests: hand-overs by either agency's clerk,
 * checked and accepted for real, an OFD file (a format PRONOM has no PUID for), and an
 * archivist whose staff privilege the security admin scoped to one agency.
 */
import { expect } from 'vitest';
import yazl from 'yazl';
import { createAgencyScopes } from '../../accounts/agency-scopes.js';
import { SESSION_COOKIE } from '../../accounts/routes.js';
import { SYSTEM_ACTOR } from '../../accounts/service.js';
import { DEMO_PASSWORD } from '../../accounts/setup.js';
import type { CatalogFixture, Session } from '../../catalog/test-support/fixture.js';
import { upload, waitChecked, type HandOverItem, type KeptRecord } from './hand-overs.js';

/** A hand-over of these items (one file each) by `clerk` into `fondsId`, checked and accepted by the archivist; its records in item order. */
export async function keptHandOver(
  f: CatalogFixture,
  input: { clerk: Session; fondsId: string; categoryId: string; title: string; years: [number, number]; items: readonly HandOverItem[] },
): Promise<KeptRecord[]> {
  const created = await f.call(input.clerk, 'POST', '/api/transfers', { fondsId: input.fondsId, categoryId: input.categoryId, title: input.title, yearFrom: input.years[0], yearTo: input.years[1], declaredItems: input.items.length });
  expect(created.statusCode, created.body).toBe(201);
  const id = created.json().id as string;
  for (const item of input.items) await upload(f, input.clerk, id, `${input.title}/${item.file.name}`, item.file.bytes);
  const items = input.items.map((item) => ({ metadata: item.metadata, files: [{ path: `${input.title}/${item.file.name}`, role: item.file.role ?? '正本' }] }));
  const added = await f.call(input.clerk, 'POST', `/api/transfers/${id}/items`, { items });
  expect(added.statusCode, added.body).toBe(201);
  expect((await f.call(input.clerk, 'POST', `/api/transfers/${id}/submit`)).statusCode).toBe(200);
  await waitChecked(f, input.clerk, id);
  const accepted = await f.call(f.sessions.archivist, 'POST', `/api/transfers/${id}/accept`);
  expect(accepted.statusCode, accepted.body).toBe(200);
  const db = f.t.app.database.db;
  const ids = (await db.selectFrom('preservation_files').select('record_id').distinct().where('transfer_id', '=', id).execute()).map((r) => r.record_id);
  const rows = await db.selectFrom('records').select(['id', 'archival_code', 'title']).where('id', 'in', ids).execute();
  return input.items.map((item) => {
    const row = rows.find((r) => r.title === item.metadata.title);
    if (!row) throw new Error(`no record titled ${String(item.metadata.title)}`);
    return { id: row.id, archivalCode: row.archival_code, title: row.title };
  });
}

/** A minimal OFD (GB/T 33190) document: a zip with OFD.xml and one document. */
export async function ofdFile(docId: string): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  zip.addBuffer(
    Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.1" DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:DocID>${docId}</ofd:DocID><ofd:Creator>数科OFD版式办公套件</ofd:Creator><ofd:CreatorVersion>3.0</ofd:CreatorVersion></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>\n`),
    'OFD.xml',
  );
  zip.addBuffer(Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Document xmlns:ofd="http://www.ofdspec.org/2016"><ofd:CommonData><ofd:MaxUnitID>1</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea></ofd:CommonData><ofd:Pages/></ofd:Document>\n'), 'Doc_0/Document.xml');
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Signs in a user created in the test. */
export async function signIn(f: CatalogFixture, username: string): Promise<Session> {
  const res = await f.t.app.http.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: DEMO_PASSWORD } });
  expect(res.statusCode, res.body).toBe(200);
  return { cookie: `${SESSION_COOKIE}=${res.cookies.find((c) => c.name === SESSION_COOKIE)?.value ?? ''}`, csrf: res.json().csrfToken };
}

/** An archivist (`username`) whose staff privilege covers only `agencyId`, signed in. */
export async function scopedArchivist(f: CatalogFixture, username: string, agencyId: string): Promise<Session> {
  const security = { ...SYSTEM_ACTOR, roles: ['security_admin' as const], userId: 'test' };
  await f.t.app.database.db.transaction().execute(async (tx) => {
    const accounts = f.t.app.services.accounts;
    const archive = await tx.selectFrom('organisations').select('id').where('kind', '=', 'archive').executeTakeFirstOrThrow();
    const user = await accounts.createUser(tx, SYSTEM_ACTOR, { username, displayName: '负责一个立档单位的档案业务人员', organisationId: archive.id, password: DEMO_PASSWORD });
    await accounts.setRoles(tx, SYSTEM_ACTOR, user, ['archivist'], true);
    await tx.updateTable('users').set({ must_change_password: 0 }).where('id', '=', user).execute();
    await createAgencyScopes({ audit: f.t.app.services.audit }).set(tx, security, user, [agencyId]);
  });
  return signIn(f, username);
}
