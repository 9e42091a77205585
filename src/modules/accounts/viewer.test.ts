import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../platform/db/test-support/databases.js';
import { platformMigrations } from '../../platform/db/migrations/platform.js';
import { accountsMigrations } from './migrations.js';
import { agencyScopesOf } from './agency-scopes.js';
import { activeGrants } from './grants-repo.js';
import { CLASSIFICATIONS, CONTROLS, OPENNESS, type Classification, type Role } from './model.js';
import { anonymousViewer, contentWhereVisible, scopeRecords, visibility, type RecordSubject, type Viewer, type ViewerPolicy } from './viewer.js';
import type { Zone } from '../../config.js';

// A record table made by the test: the catalog does not exist yet.
interface TestRecords {
  test_records: { id: string; classification: string; control: string | null; openness: string; agency_id: string | null; volume_id: string | null; fonds_id: string | null };
}

const NOW = new Date('2026-11-27T08:00:00.000Z');
const AGENCY_A = 'org-agency-a';
const AGENCY_B = 'org-agency-b';
const GOV = 'org-gov';
const ARCHIVE = 'org-archive';

const subjects: RecordSubject[] = [];
for (const classification of CLASSIFICATIONS)
  for (const openness of OPENNESS)
    for (const control of [null, ...CONTROLS])
      for (const agencyId of [AGENCY_A, AGENCY_B]) {
        const n = subjects.length;
        subjects.push({ id: `rec-${n}`, classification, openness, control, agencyId, volumeId: `vol-${n % 5}`, fondsId: n % 2 === 0 ? 'fonds-even' : 'fonds-odd' });
      }

/** A 非密 控制 record of agency B without a control marking. */
const CONTROLLED_OF_B = (subjects.find((s) => s.classification === '非密' && s.openness === '控制' && s.control === null && s.agencyId === AGENCY_B) as RecordSubject).id;

function viewer(userId: string | null, roles: Role[], organisationId: string | null, clearance: Classification = '非密', zone: Zone = 'lan', policy?: ViewerPolicy): Viewer {
  return { userId, roles, organisationId, clearance, zone, grants: [], ...(policy ? { policy } : {}) };
}
const GOVERNMENT_CATALOG: ViewerPolicy = { controlledCatalogForGovernment: true, controlledCatalogForPublic: false };
const PUBLIC_CATALOG: ViewerPolicy = { controlledCatalogForGovernment: false, controlledCatalogForPublic: true };
const BOTH_CATALOGS: ViewerPolicy = { controlledCatalogForGovernment: true, controlledCatalogForPublic: true };
const STAFF: readonly Role[] = ['archivist', 'reading_room', 'approver'];

const viewers: Record<string, Viewer> = {
  anonymous: anonymousViewer('lan'),
  'anonymous on the internet node': anonymousViewer('internet'),
  'public user': viewer('u-public', ['public_user'], null),
  'clerk of the owning agency': viewer('u-clerk-a', ['agency_clerk'], AGENCY_A),
  'clerk of another agency': viewer('u-clerk-b', ['agency_clerk'], AGENCY_B),
  'government user with grants': viewer('u-gov-granted', ['government_user'], GOV, '非密', 'gov'),
  'government user without a grant': viewer('u-gov-plain', ['government_user'], GOV, '非密', 'gov'),
  'archivist cleared to 绝密': viewer('u-archivist', ['archivist'], ARCHIVE, '绝密'),
  'archivist without clearance (涉密 installation)': viewer('u-archivist-nc', ['archivist'], ARCHIVE, '非密'),
  'archivist on the government node': viewer('u-archivist-gov', ['archivist'], ARCHIVE, '绝密', 'gov'),
  'reading-room staff cleared to 秘密': viewer('u-reading', ['reading_room'], ARCHIVE, '秘密'),
  // Scopes come from the database (user_agency_scopes), as the session loads them.
  'archivist scoped to agency A (with a catalog grant in agency B)': viewer('u-archivist-scoped', ['archivist'], ARCHIVE, '绝密'),
  'reading-room staff scoped to agencies A and B, cleared to 秘密': viewer('u-reading-scoped', ['reading_room'], ARCHIVE, '秘密'),
  // The access policy's catalog settings, as the session copies them onto the Viewer.
  'government user under the government catalog policy': viewer('u-gov-plain', ['government_user'], GOV, '非密', 'gov', GOVERNMENT_CATALOG),
  'government user with grants under the government catalog policy': viewer('u-gov-granted', ['government_user'], GOV, '非密', 'gov', GOVERNMENT_CATALOG),
  'government user on the LAN under the public catalog policy only': viewer('u-gov-plain', ['government_user'], GOV, '非密', 'lan', PUBLIC_CATALOG),
  'public user under the public catalog policy': viewer('u-public', ['public_user'], null, '非密', 'lan', PUBLIC_CATALOG),
  'public user on the internet node under both catalog policies': viewer('u-public', ['public_user'], null, '非密', 'internet', BOTH_CATALOGS),
  'clerk of another agency under both catalog policies': viewer('u-clerk-b', ['agency_clerk'], AGENCY_B, '非密', 'lan', BOTH_CATALOGS),
  'anonymous under both catalog policies': { ...anonymousViewer('lan'), policy: BOTH_CATALOGS },
  'system admin': viewer('u-sysadmin', ['system_admin'], ARCHIVE, '绝密'),
  'security admin': viewer('u-secadmin', ['security_admin'], ARCHIVE, '绝密'),
  auditor: viewer('u-auditor', ['auditor'], ARCHIVE, '绝密'),
};

describe.each(DIALECTS)('the Viewer rule on %s', (dialect) => {
  let t: TestDatabase;
  let db: Kysely<TestRecords>;
  const columns = {
    id: 'test_records.id', classification: 'test_records.classification', control: 'test_records.control', openness: 'test_records.openness', agencyId: 'test_records.agency_id', volumeId: 'test_records.volume_id', fondsId: 'test_records.fonds_id',
  };
  beforeAll(async () => {
    t = await createTestDatabase(dialect, [...platformMigrations, ...accountsMigrations]);
    const adb = t.database.db;
    db = adb as unknown as Kysely<TestRecords>;
    await db.schema
      .createTable('test_records')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('classification', 'text', (c) => c.notNull())
      .addColumn('control', 'text')
      .addColumn('openness', 'text', (c) => c.notNull())
      .addColumn('agency_id', 'text')
      .addColumn('volume_id', 'text')
      .addColumn('fonds_id', 'text')
      .execute();
    await db
      .insertInto('test_records')
      .values(subjects.map((s) => ({ id: s.id, classification: s.classification, control: s.control, openness: s.openness, agency_id: s.agencyId, volume_id: s.volumeId ?? null, fonds_id: s.fondsId ?? null })))
      .execute();
    const at = NOW.toISOString();
    await adb
      .insertInto('organisations')
      .values([
        { id: ARCHIVE, kind: 'archive', code: 'DAG', name: '市档案馆', parent_id: null, disabled: 0, created_at: at },
        { id: AGENCY_A, kind: 'agency', code: 'A01', name: '市发展和改革委员会', parent_id: null, disabled: 0, created_at: at },
        { id: AGENCY_B, kind: 'agency', code: 'B02', name: '市财政局', parent_id: null, disabled: 0, created_at: at },
        { id: GOV, kind: 'government', code: 'G03', name: '市审计局', parent_id: null, disabled: 0, created_at: at },
      ])
      .execute();
    const users = [...new Map(Object.values(viewers).filter((v) => v.userId !== null).map((v) => [v.userId, v])).values()];
    await adb
      .insertInto('users')
      .values(users.map((v) => ({ id: v.userId ?? '', username: v.userId ?? '', display_name: v.userId ?? '', organisation_id: v.organisationId ?? ARCHIVE, password_hash: 'x', must_change_password: 0, password_changed_at: null, clearance: v.clearance, totp_secret: null, totp_enabled: 0, disabled: 0, created_at: at, updated_at: at })))
      .execute();
    const grant = (id: string, user: string | null, org: string | null, subjectType: 'record' | 'volume' | 'fonds', subjectId: string, level: 'catalog' | 'content', extra: { expires_at?: string; revoked_at?: string } = {}) => ({
      id, grantee_user_id: user, grantee_organisation_id: org, subject_type: subjectType, subject_id: subjectId, level, expires_at: extra.expires_at ?? null, granted_by: 'u-secadmin', granted_at: at, revoked_at: extra.revoked_at ?? null, revoked_by: null,
    });
    await adb
      .insertInto('access_grants')
      .values([
        grant('g1', 'u-gov-granted', null, 'record', 'rec-1', 'content'),
        grant('g2', 'u-gov-granted', null, 'fonds', 'fonds-odd', 'catalog'),
        grant('g3', 'u-gov-granted', null, 'volume', 'vol-2', 'content', { expires_at: '2026-01-01T00:00:00.000Z' }),
        grant('g4', 'u-gov-granted', null, 'record', 'rec-4', 'content', { revoked_at: at }),
        grant('g5', null, AGENCY_B, 'record', 'rec-2', 'catalog'),
        grant('g6', 'u-public', null, 'record', 'rec-3', 'content'),
        grant('g7', 'u-sysadmin', null, 'record', 'rec-1', 'content'),
        grant('g8', 'u-archivist-scoped', null, 'record', CONTROLLED_OF_B, 'catalog'),
      ])
      .execute();
    await adb
      .insertInto('user_agency_scopes')
      .values([
        { user_id: 'u-archivist-scoped', agency_id: AGENCY_A, granted_by: 'u-secadmin', granted_at: at },
        { user_id: 'u-reading-scoped', agency_id: AGENCY_A, granted_by: 'u-secadmin', granted_at: at },
        { user_id: 'u-reading-scoped', agency_id: AGENCY_B, granted_by: 'u-secadmin', granted_at: at },
      ])
      .execute();
    for (const v of Object.values(viewers)) {
      if (!v.userId) continue;
      const scopes = v.roles.some((r) => STAFF.includes(r)) ? await agencyScopesOf(adb, v.userId) : null;
      Object.assign(v, { grants: await activeGrants(adb, v.userId, v.organisationId, NOW), scopes });
    }
  });
  afterAll(async () => t?.drop());

  it.each(Object.keys(viewers))('gives %s the same answer in SQL as in memory for every subject', async (name) => {
    const v = viewers[name] as Viewer;
    const rows = await scopeRecords(db.selectFrom('test_records').select('id'), v, columns, NOW).execute();
    const fromSql = Object.fromEntries(rows.map((r) => [r.id, r.visibility]));
    const inMemory = Object.fromEntries(subjects.map((s) => [s.id, visibility(v, s, NOW)]).filter(([, vis]) => vis !== 'none'));
    expect(fromSql).toEqual(inMemory);
  });

  const seen = (name: string) => subjects.filter((s) => visibility(viewers[name] as Viewer, s, NOW) !== 'none');

  it('shows anonymous visitors and the public only open, unmarked, unclassified records (plus the public user’s own grant)', () => {
    expect(seen('anonymous').every((s) => s.openness === '开放' && s.control === null && s.classification === '非密')).toBe(true);
    expect(seen('anonymous').length).toBe(2);
    expect(seen('anonymous on the internet node')).toEqual(seen('anonymous'));
    expect(seen('public user').map((s) => s.id).sort()).toEqual([...seen('anonymous').map((s) => s.id), 'rec-3'].sort());
  });

  it('lets an agency clerk read its own controlled records but not another agency’s', () => {
    const controlledOfA = subjects.find((s) => s.openness === '控制' && s.agencyId === AGENCY_A && s.classification === '非密' && s.control === null) as RecordSubject;
    expect(visibility(viewers['clerk of the owning agency'] as Viewer, controlledOfA, NOW)).toBe('content');
    expect(visibility(viewers['clerk of another agency'] as Viewer, controlledOfA, NOW)).toBe('none');
  });

  it('gives a government user what its grants say, ignoring expired and revoked grants', () => {
    const g = viewers['government user with grants'] as Viewer;
    const byId = (id: string) => visibility(g, subjects.find((s) => s.id === id) as RecordSubject, NOW);
    expect(byId('rec-1')).toBe('content'); // record grant
    expect(byId('rec-3')).toBe('catalog'); // fonds-odd catalog grant
    expect(byId('rec-2')).toBe('none'); // vol-2 grant expired
    expect(byId('rec-4')).toBe('none'); // revoked
    expect(seen('government user without a grant').every((s) => s.openness === '开放' && s.control === null)).toBe(true);
  });

  it('never lets the government or internet node serve classified records, whatever the clearance', () => {
    expect(seen('archivist on the government node').every((s) => s.classification === '非密')).toBe(true);
    expect(seen('archivist cleared to 绝密').length).toBe(subjects.length);
    expect(seen('archivist without clearance (涉密 installation)').every((s) => s.classification === '非密')).toBe(true);
    expect(seen('reading-room staff cleared to 秘密').every((s) => s.classification === '非密' || s.classification === '秘密')).toBe(true);
  });

  it('lets none of the three admins read records, even with a grant', () => {
    for (const admin of ['system admin', 'security admin', 'auditor']) expect(seen(admin)).toEqual([]);
  });

  const answers = (name: string) => subjects.map((s) => visibility(viewers[name] as Viewer, s, NOW));

  it('confines a scoped archivist’s staff privilege to its agencies, where grants still apply outside them', () => {
    const scoped = viewers['archivist scoped to agency A (with a catalog grant in agency B)'] as Viewer;
    expect(scoped.scopes).toEqual([AGENCY_A]);
    for (const s of subjects) {
      const expected = s.agencyId === AGENCY_A || (s.openness === '开放' && s.control === null) ? 'content' : s.id === CONTROLLED_OF_B ? 'catalog' : 'none';
      expect(visibility(scoped, s, NOW), s.id).toBe(expected);
    }
    // Scoped to every agency there is, staff see what unscoped staff see.
    expect(answers('reading-room staff scoped to agencies A and B, cleared to 秘密')).toEqual(answers('reading-room staff cleared to 秘密'));
  });

  /** What the catalog policy should add to `base`: the catalog of 控制 items within the zone's cap, nothing more. */
  const withCatalogOfControlled = (base: string, cap: Classification) =>
    subjects.map((s, i) => (answers(base)[i] === 'none' && s.openness === '控制' && s.classification === cap ? 'catalog' : answers(base)[i]));

  it('shows government users, under the policy, the catalog of other agencies’ 控制 items but no more', () => {
    expect(answers('government user under the government catalog policy')).toEqual(withCatalogOfControlled('government user without a grant', '非密'));
    expect(answers('government user with grants under the government catalog policy')).toEqual(withCatalogOfControlled('government user with grants', '非密'));
    expect(seen('government user under the government catalog policy').some((s) => s.openness === '控制')).toBe(true);
    expect(seen('government user on the LAN under the public catalog policy only').every((s) => s.openness === '开放' && s.control === null)).toBe(true);
  });

  it('shows registered public users, under the policy, the catalog of 控制 items, never their content, and the anonymous nothing more', () => {
    expect(answers('public user under the public catalog policy')).toEqual(withCatalogOfControlled('public user', '非密'));
    expect(answers('public user on the internet node under both catalog policies')).toEqual(answers('anonymous on the internet node'));
    expect(answers('clerk of another agency under both catalog policies')).toEqual(answers('clerk of another agency'));
    expect(answers('anonymous under both catalog policies')).toEqual(answers('anonymous'));
  });

  it('keeps the visibility SQL reviewable', async () => {
    const q = scopeRecords(db.selectFrom('test_records').select('id'), viewers['government user with grants'] as Viewer, columns, NOW);
    expect(q.compile().sql).toMatchSnapshot();
  });

  it('keeps the SQL of a scoped archivist and of the catalog policy reviewable', async () => {
    for (const name of ['archivist scoped to agency A (with a catalog grant in agency B)', 'government user under the government catalog policy']) {
      expect(scopeRecords(db.selectFrom('test_records').select('id'), viewers[name] as Viewer, columns, NOW).compile().sql, name).toMatchSnapshot();
    }
  });
});

describe('viewers who see everything they may see as content', () => {
  it('never see a record as catalog only when contentWhereVisible says so, with or without grants', () => {
    const grants = [{ subjectType: 'record' as const, subjectId: CONTROLLED_OF_B, level: 'catalog' as const, expiresAt: null }];
    const flagged: string[] = [];
    for (const [name, v] of Object.entries(viewers)) {
      for (const withGrants of [v, { ...v, grants }]) {
        if (!contentWhereVisible(withGrants)) continue;
        flagged.push(name);
        for (const s of subjects) expect(visibility(withGrants, s, NOW), `${name} / ${s.id}`).not.toBe('catalog');
      }
    }
    expect(flagged).toEqual(expect.arrayContaining(['anonymous', 'anonymous on the internet node', 'archivist cleared to 绝密', 'system admin']));
    expect(contentWhereVisible(viewers['public user'] as Viewer)).toBe(false);
    expect(contentWhereVisible(viewers['government user with grants'] as Viewer)).toBe(false);
    expect(contentWhereVisible({ ...(viewers['archivist cleared to 绝密'] as Viewer), scopes: [AGENCY_A] })).toBe(false);
  });
});
