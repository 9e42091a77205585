/**
 * The format risk registry (格式风险登记, after GB/T 18894 and DA/T 70's usability
 * concern that a kept format stays readable): for every format the archive keeps —
 * keyed by its PRONOM identifier, or its MIME type where PRONOM has none (OFD) — how
 * many files and bytes there are, in which fonds, and what the archivists judge of it:
 * 正常 (ok, also every format never judged), 关注 (watch) or 高风险 (at-risk), with a
 * note. The holdings in formats judged at risk or watched are listed through the
 * Viewer, so each reader sees only the records they may see.
 *
 * Archive staff and the system admin read the registry; only archivists judge, each
 * judgement audited in its own transaction. Migrating the files themselves is left to
 * a later migration step (PREMIS "migration" events).
 */
import type { Executor, Tx } from '../../platform/db/database.js';
import { accountsErrors } from '../accounts/errors.js';
import { ROLE_LABELS, type Role } from '../accounts/model.js';
import { findUserNames } from '../accounts/organisations.js';
import type { Actor, AuditSink } from '../accounts/service.js';
import type { Viewer } from '../accounts/viewer.js';
import { scopedItems } from '../catalog/repo.js';
import type { FormatRegistry, FormatRisk, FormatRiskInput, FormatRiskStatus, Holdings, HoldingsQuery } from './format-risk-model.js';
import * as repo from './format-risk-repo.js';

export const FORMAT_RISK_SET_ACTION = 'preservation.format-risk.set';

/** Who reads the registry: the archive's staff and the system admin (storage is theirs to run). */
export const REGISTRY_READERS: readonly Role[] = ['archivist', 'reading_room', 'approver', 'system_admin'];
/** Who lists the records in formats at risk: archive staff and agencies' clerks, each through their Viewer; the three admins read no records. */
export const HOLDINGS_READERS: readonly Role[] = ['archivist', 'reading_room', 'approver', 'agency_clerk'];

/**
 * Refuses an anonymous caller (401) or one holding none of `roles` (403); returns the caller's user id.
 * @example
 * const userId = requireRole(actor, ['archivist'], '设置格式风险 / set a format’s risk');
 */
export function requireRole(actor: Actor, roles: readonly Role[], action: string): string {
  if (actor.userId === null) throw accountsErrors.AUTH_REQUIRED();
  if (actor.roles.some((r) => roles.includes(r))) return actor.userId;
  const held = actor.roles[0];
  throw accountsErrors.FORBIDDEN_ROLE({ role: held ? ROLE_LABELS[held].zh : '当前用户', roleEn: held ? ROLE_LABELS[held].en.toLowerCase() : 'user', action });
}

const status = (value: string | undefined): FormatRiskStatus => (value === 'watch' || value === 'at-risk' ? value : 'ok');

export function createFormatRisks(deps: { audit: AuditSink }) {
  const { audit } = deps;

  /** What the archive thinks of each judged format (unjudged ones are ok). */
  async function statuses(db: Executor): Promise<Map<string, FormatRiskStatus>> {
    return new Map((await repo.risks(db)).map((r) => [r.format_key, status(r.status)]));
  }

  return {
    statuses,

    /** Every format held with its files, bytes and fonds, and every format judged even when none is held. */
    async registry(db: Executor, actor: Actor): Promise<FormatRegistry> {
      requireRole(actor, REGISTRY_READERS, '查看格式风险登记 / read the format risk registry');
      const [held, byFonds, judged] = await Promise.all([repo.formatsHeld(db), repo.formatsByFonds(db), repo.risks(db)]);
      const judgement = new Map(judged.map((r) => [r.format_key, r]));
      const names = await findUserNames(db, judged.map((r) => r.set_by));
      const riskOf = (format: string): Omit<FormatRisk, 'format'> => {
        const row = judgement.get(format);
        return { status: status(row?.status), note: row?.note ?? null, setBy: row ? (names.get(row.set_by) ?? row.set_by) : null, setAt: row?.set_at ?? null };
      };
      const formats = held.map((h) => ({ ...h, ...riskOf(h.format), byFonds: byFonds.filter((b) => b.format === h.format).map(({ format: _f, ...rest }) => rest) }));
      const heldKeys = new Set(held.map((h) => h.format));
      for (const row of judged) {
        if (heldKeys.has(row.format_key)) continue;
        formats.push({ format: row.format_key, puid: null, mime: null, name: null, version: null, files: 0, bytes: 0, ...riskOf(row.format_key), byFonds: [] });
      }
      return { formats, totals: { files: held.reduce((n, h) => n + h.files, 0), bytes: held.reduce((n, h) => n + h.bytes, 0) } };
    },

    /** Judges a format (archivists only), audited in the caller's transaction. */
    async set(tx: Tx, actor: Actor, input: FormatRiskInput): Promise<FormatRisk> {
      const userId = requireRole(actor, ['archivist'], '设置格式风险 / set a format’s risk');
      const previous = await repo.risk(tx, input.format);
      const row = { format_key: input.format, status: input.status, note: input.note && input.note.length > 0 ? input.note : null, set_by: userId, set_at: new Date().toISOString() };
      await repo.saveRisk(tx, row);
      await audit.append(tx, {
        actor: { ...actor, roles: [...actor.roles] },
        action: FORMAT_RISK_SET_ACTION,
        target: { type: 'format', id: input.format, label: input.format },
        result: 'ok',
        details: { status: row.status, previous: status(previous?.status), note: row.note },
      });
      const names = await findUserNames(tx, [row.set_by]);
      return { format: row.format_key, status: input.status, note: row.note, setBy: names.get(row.set_by) ?? row.set_by, setAt: row.set_at };
    },

    /** The records with files in formats judged at risk or watched (or just `query.status` / `query.format`) that the viewer may see. */
    async holdings(db: Executor, actor: Actor, viewer: Viewer, query: HoldingsQuery): Promise<Holdings> {
      requireRole(actor, HOLDINGS_READERS, '查看高风险格式的馆藏 / list holdings in formats at risk');
      const judged = await repo.formatsWithStatus(db, query.status ? [query.status] : ['watch', 'at-risk'], query.format);
      if (judged.length === 0) return { items: [], total: 0 };
      const keys = judged.map((r) => r.format_key);
      const judgement = new Map(judged.map((r) => [r.format_key, status(r.status)]));
      const { rows, total } = await repo.holdingsPage(repo.withFilesIn(scopedItems(db, viewer), keys), query);
      const files = await repo.recordFormats(db, rows.map((r) => r.id), keys);
      return {
        items: rows.map((r) => ({
          id: r.id,
          archivalCode: r.archival_code,
          title: r.title,
          fondsCode: r.fonds_code,
          year: r.year,
          openness: r.openness as Holdings['items'][number]['openness'],
          visibility: r.visibility,
          formats: files.filter((f) => f.recordId === r.id).map((f) => ({ format: f.format, name: f.name, status: judgement.get(f.format) ?? 'ok', files: f.files, bytes: f.bytes })),
        })),
        total,
      };
    },
  };
}

export type FormatRisks = ReturnType<typeof createFormatRisks>;
