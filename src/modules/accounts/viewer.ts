/**
 * The Viewer: who is looking, and what they may see of a record (DESIGN.md
 * "Interfaces every module relies on"). The same rule exists twice — in memory
 * (`visibility`) and as SQL (`scopeRecords`) — and a test checks on both databases
 * that the two agree for every viewer and subject.
 *
 * The rule, strictest first:
 *  1. the three admin roles read no records (三员分立: operations and security are not business);
 *  2. above the viewer's clearance, or above what the zone may serve (gov: 非密 only;
 *     internet: 非密, 开放, no control marking), nothing;
 *  3. 开放 without a control marking: content for everyone;
 *  4. otherwise content for archive staff — within their organisation scope when the
 *     security admin set one — and for the record's own agency;
 *  5. otherwise, for signed-in users, the catalog of 控制 items where the access
 *     policy opens it to their kind (政务用户, registered public users), and what an
 *     unexpired, unrevoked grant gives (record, volume or fonds; to the user or to
 *     their organisation), the better of the two; anonymous visitors get neither.
 */
import { sql, type Expression, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { Zone } from '../../config.js';
import {
  ARCHIVE_STAFF_ROLES,
  CLASSIFICATIONS,
  classificationRank,
  isAdminRole,
  type Classification,
  type Control,
  type GrantLevel,
  type GrantSubject,
  type Openness,
  type Role,
  type Visibility,
} from './model.js';

export interface ViewerGrant {
  subjectType: GrantSubject;
  subjectId: string;
  level: GrantLevel;
  /** ISO time; null for no expiry. */
  expiresAt: string | null;
}

export interface Viewer {
  userId: string | null;
  roles: readonly Role[];
  clearance: Classification;
  organisationId: string | null;
  zone: Zone;
  /** Active grants to the user or their organisation, loaded with the session. */
  grants: readonly ViewerGrant[];
  /**
   * The filing agencies an archive-staff user's staff privilege covers, loaded with
   * the session; null or absent: every agency (no scope set).
   */
  scopes?: readonly string[] | null;
  /** The access policy's catalog settings, loaded with the session; absent: all off. */
  policy?: ViewerPolicy;
}

/** What the access policy (access-policy.ts) adds to the default rule: the catalog of 控制 items, never their content. */
export interface ViewerPolicy {
  controlledCatalogForGovernment: boolean;
  controlledCatalogForPublic: boolean;
}

export interface RecordSubject {
  id: string;
  classification: Classification;
  control: Control | null;
  openness: Openness;
  agencyId: string | null;
  volumeId?: string | null;
  fondsId?: string | null;
}

/** An anonymous visitor of the given zone. */
export function anonymousViewer(zone: Zone): Viewer {
  return { userId: null, roles: [], clearance: '非密', organisationId: null, zone, grants: [] };
}

const ZONE_CAP: Record<Zone, Classification> = { lan: '绝密', gov: '非密', internet: '非密' };
const OWN_AGENCY_ROLES: readonly Role[] = ['agency_clerk', 'government_user'];

function maxRank(viewer: Viewer): number {
  return Math.min(classificationRank(viewer.clearance), classificationRank(ZONE_CAP[viewer.zone]));
}

const isStaff = (viewer: Viewer) => viewer.roles.some((r) => ARCHIVE_STAFF_ROLES.includes(r));
const readsOwnAgency = (viewer: Viewer) => viewer.organisationId !== null && viewer.roles.some((r) => OWN_AGENCY_ROLES.includes(r));
const isAdmin = (viewer: Viewer) => viewer.roles.some(isAdminRole);

/** Whether the staff privilege covers records of `agencyId`: every agency, or those of the viewer's scope. */
function staffCovers(viewer: Viewer, agencyId: string | null): boolean {
  if (!isStaff(viewer)) return false;
  const scopes = viewer.scopes ?? null;
  return scopes === null || (agencyId !== null && scopes.includes(agencyId));
}

/** Whether the access policy shows this signed-in viewer the catalog of 控制 items. */
function policyOpensCatalog(viewer: Viewer): boolean {
  const policy = viewer.policy;
  if (viewer.userId === null || !policy) return false;
  return (policy.controlledCatalogForGovernment && viewer.roles.includes('government_user')) || (policy.controlledCatalogForPublic && viewer.roles.includes('public_user'));
}

/** What `viewer` may see of `subject`, in memory. */
export function visibility(viewer: Viewer, subject: RecordSubject, now: Date = new Date()): Visibility {
  if (isAdmin(viewer)) return 'none';
  if (classificationRank(subject.classification) > maxRank(viewer)) return 'none';
  const openToAll = subject.openness === '开放' && subject.control === null;
  if (viewer.zone === 'internet' && !openToAll) return 'none';
  if (openToAll) return 'content';
  if (staffCovers(viewer, subject.agencyId)) return 'content';
  if (readsOwnAgency(viewer) && subject.agencyId === viewer.organisationId) return 'content';
  if (viewer.userId === null) return 'none';
  let best: Visibility = policyOpensCatalog(viewer) && subject.openness === '控制' ? 'catalog' : 'none';
  const at = now.toISOString();
  for (const g of viewer.grants) {
    if (g.expiresAt !== null && g.expiresAt <= at) continue;
    const target = g.subjectType === 'record' ? subject.id : g.subjectType === 'volume' ? subject.volumeId : subject.fondsId;
    if (target === undefined || target === null || target !== g.subjectId) continue;
    if (g.level === 'content') return 'content';
    best = 'catalog';
  }
  return best;
}

/**
 * Whether everything this viewer may see, they may see as content (never as catalog only):
 * anonymous visitors and the internet zone (open records only), archive staff without a
 * scope, and the admins (who see nothing). Search uses it to drop the catalog-only branch
 * of its condition, which otherwise costs the database an OR of two sets.
 */
export function contentWhereVisible(viewer: Viewer): boolean {
  if (isAdmin(viewer) || viewer.userId === null || viewer.zone === 'internet') return true;
  return isStaff(viewer) && (viewer.scopes ?? null) === null;
}

/** Column names (qualified as needed, e.g. `records.id`) of a record table, for `scopeRecords`. */
export interface RecordColumns {
  id: string;
  classification: string;
  control: string;
  openness: string;
  agencyId: string;
  volumeId?: string;
  fondsId?: string;
}

declare const scopedBrand: unique symbol;
/** A query the Viewer has scoped: repositories that return records accept only these. */
export type ScopedQuery<Q> = Q & { readonly [scopedBrand]: true };

const FALSE = sql<SqlBool>`1 = 0`;
const TRUE = sql<SqlBool>`1 = 1`;

function rankSql(column: string) {
  const cases = CLASSIFICATIONS.map((c, i) => sql`when ${c} then ${sql.lit(i)}`);
  return sql<number>`(case ${sql.ref(column)} ${sql.join(cases, sql` `)} else ${sql.lit(99)} end)`;
}

/** The grants subquery, handed out by the accounts module (it owns access_grants). */
function grantExists(viewer: Viewer, columns: RecordColumns, level: GrantLevel | 'any', now: string): Expression<SqlBool> {
  if (viewer.userId === null) return FALSE;
  const targets = [sql`(g.subject_type = 'record' and g.subject_id = ${sql.ref(columns.id)})`];
  if (columns.volumeId) targets.push(sql`(g.subject_type = 'volume' and g.subject_id = ${sql.ref(columns.volumeId)})`);
  if (columns.fondsId) targets.push(sql`(g.subject_type = 'fonds' and g.subject_id = ${sql.ref(columns.fondsId)})`);
  const grantee = viewer.organisationId
    ? sql`(g.grantee_user_id = ${viewer.userId} or g.grantee_organisation_id = ${viewer.organisationId})`
    : sql`g.grantee_user_id = ${viewer.userId}`;
  const levelClause = level === 'any' ? TRUE : sql<SqlBool>`g.level = ${level}`;
  return sql<SqlBool>`exists (select 1 from access_grants g where g.revoked_at is null and (g.expires_at is null or g.expires_at > ${now}) and ${grantee} and ${levelClause} and (${sql.join(targets, sql` or `)}))`;
}

/** The rule as two SQL expressions: may the row be seen at all, and is it content (else catalog)? */
export function visibilitySql(viewer: Viewer, columns: RecordColumns, now: Date = new Date()): { visible: Expression<SqlBool>; content: Expression<SqlBool> } {
  if (isAdmin(viewer)) return { visible: FALSE, content: FALSE };
  const at = now.toISOString();
  const openToAll = sql<SqlBool>`(${sql.ref(columns.openness)} = '开放' and ${sql.ref(columns.control)} is null)`;
  const withinClearance = sql<SqlBool>`${rankSql(columns.classification)} <= ${sql.lit(maxRank(viewer))}`;
  if (viewer.zone === 'internet') {
    return { visible: sql<SqlBool>`(${withinClearance} and ${openToAll})`, content: TRUE };
  }
  const privileged = privilegedSql(viewer, columns);
  // Terms that do not apply are left out rather than written as 1 = 0, so the SQL stays as short as the viewer's rule.
  const policyCatalog = policyOpensCatalog(viewer) ? [sql<SqlBool>`${sql.ref(columns.openness)} = '控制'`] : [];
  const visible = sql<SqlBool>`(${withinClearance} and (${sql.join([openToAll, privileged, ...policyCatalog, grantExists(viewer, columns, 'any', at)], sql` or `)}))`;
  const content = sql<SqlBool>`(${openToAll} or ${privileged} or ${grantExists(viewer, columns, 'content', at)})`;
  return { visible, content };
}

/** Content by who the viewer is: archive staff (within their scope) or the record's own agency. */
function privilegedSql(viewer: Viewer, columns: RecordColumns): Expression<SqlBool> {
  const terms: Expression<SqlBool>[] = [];
  const scopes = viewer.scopes ?? null;
  if (isStaff(viewer)) {
    if (scopes === null) return TRUE;
    // `agency_id in (…)` is null for a record without an agency, which counts as not covered, as in memory.
    if (scopes.length > 0) terms.push(sql<SqlBool>`${sql.ref(columns.agencyId)} in (${sql.join(scopes)})`);
  }
  if (readsOwnAgency(viewer)) terms.push(sql<SqlBool>`${sql.ref(columns.agencyId)} = ${viewer.organisationId}`);
  if (terms.length === 0) return FALSE;
  return terms.length === 1 ? (terms[0] ?? FALSE) : sql<SqlBool>`(${sql.join(terms, sql` or `)})`;
}

/**
 * Restricts a query over a record table to what the viewer may see, and adds a
 * `visibility` column ('catalog' | 'content') computed by the same rule.
 * @example
 * const q = scopeRecords(db.selectFrom('records').selectAll(), viewer, { id: 'records.id', … });
 * const rows = await catalogRepo.list(q); // accepts only ScopedQuery
 */
export function scopeRecords<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  viewer: Viewer,
  columns: RecordColumns,
  now: Date = new Date(),
): ScopedQuery<SelectQueryBuilder<DB, TB, O & { visibility: 'catalog' | 'content' }>> {
  const { visible, content } = visibilitySql(viewer, columns, now);
  const scoped = query
    .where(() => visible)
    .select(() => sql<'catalog' | 'content'>`case when ${content} then 'content' else 'catalog' end`.as('visibility'));
  return scoped as unknown as ScopedQuery<SelectQueryBuilder<DB, TB, O & { visibility: 'catalog' | 'content' }>>;
}
