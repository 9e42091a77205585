/**
 * The SM3 hash chain (GB/T 32905 SM3; GB/T 22239 level 3 asks that audit records
 * be protected against deletion, modification and overwriting).
 *
 *   hash(n) = SM3( prev_hash ‖ canonical JSON of entry n )        (both as UTF-8)
 *   prev_hash(1) = 64 zeros; prev_hash(n) = hash(n − 1)
 *
 * The canonical JSON is the object below with keys sorted by UTF-16 code unit
 * (as RFC 8785) and no whitespace; every stored column except prev_hash and hash
 * is in it, so no column can change unseen. `roles` and `details` enter as the
 * JSON values their columns hold (an array and an object), not as text. An
 * auditor's own tool can recompute a chain from an exported segment with nothing
 * but this comment:
 *
 *   { seq, id, at,
 *     actor: { userId, username, organisationId, roles, address, class },
 *     action, target: { type, id, label }, result, reason, details }
 *
 * The JSON columns are stored as text on both databases (not jsonb): the stored
 * text is then exactly the canonical JSON that was hashed, which is what an
 * exported segment carries and an outside tool reads.
 */
import { createHash } from 'node:crypto';
import { GENESIS_HASH } from './migrations.js';
import { actorClassOf, type AuditEntry, type AuditEntryInput } from './model.js';
import type { EntryRow } from './repo.js';

export { GENESIS_HASH };

/** JSON with object keys sorted and no whitespace; `undefined` members are left out, as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .filter((k) => record[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`);
    return `{${members.join(',')}}`;
  }
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`${typeof value} has no JSON form`);
  return text;
}

/**
 * A string both databases store exactly as given. PostgreSQL refuses NUL in text,
 * and a lone UTF-16 surrogate comes back from either database as U+FFFD; either
 * would make the stored entry differ from what was hashed (a false tamper alarm)
 * or, worse, let a crafted username make its own refusal unrecordable.
 */
export function storable(text: string): string {
  return text.replace(/\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

const storableOrNull = (text: string | null | undefined): string | null => (text === null || text === undefined ? null : storable(text));

/** A stored JSON column as a value; text that no longer parses stays a string (and so no longer matches its hash). */
function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export type EntryFields = Omit<EntryRow, 'prev_hash' | 'hash'>;

/**
 * SM3(prev_hash ‖ canonical JSON of the entry). `json` passes the values of the two
 * JSON columns when the caller already holds them (append); otherwise they are
 * parsed from the stored text (verify).
 */
export function entryHash(prevHash: string, e: EntryFields, json?: { roles: unknown; details: unknown }): string {
  const document = {
    seq: e.seq,
    id: e.id,
    at: e.at,
    actor: { userId: e.actor_user_id, username: e.actor_username, organisationId: e.actor_organisation_id, roles: json ? json.roles : parsed(e.actor_roles), address: e.actor_address, class: e.actor_class },
    action: e.action,
    target: { type: e.target_type, id: e.target_id, label: e.target_label },
    result: e.result,
    reason: e.reason,
    details: json ? json.details : parsed(e.details),
  };
  return createHash('sm3').update(prevHash, 'utf8').update(canonicalJson(document), 'utf8').digest('hex');
}

/** The stored columns of a new entry (prev_hash and hash are added by the chain), with the values of its JSON columns. */
export function entryFields(seq: number, id: string, at: string, input: AuditEntryInput): { fields: EntryFields; json: { roles: string[]; details: unknown } } {
  // Through JSON once: Dates become strings, undefined members disappear, as they will when read back.
  const details = JSON.parse(JSON.stringify(input.details ?? {})) as unknown;
  const roles = [...new Set(input.actor.roles.map(storable))].sort();
  const fields: EntryFields = {
    seq,
    id,
    at,
    actor_user_id: storableOrNull(input.actor.userId),
    actor_username: storableOrNull(input.actor.username),
    actor_organisation_id: storableOrNull(input.actor.organisationId),
    actor_roles: canonicalJson(roles),
    actor_class: actorClassOf(input.actor),
    actor_address: storableOrNull(input.actor.address),
    action: input.action,
    target_type: storableOrNull(input.target?.type),
    target_id: storableOrNull(input.target?.id),
    target_label: storableOrNull(input.target?.label),
    result: input.result,
    reason: storableOrNull(input.reason),
    details: canonicalJson(details),
  };
  return { fields, json: { roles, details } };
}

function asObject(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
}

/** A stored row as reviewers read it. */
export function toAuditEntry(row: EntryRow): AuditEntry {
  const roles = parsed(row.actor_roles);
  return {
    seq: row.seq,
    id: row.id,
    at: row.at,
    actorUserId: row.actor_user_id,
    actorUsername: row.actor_username,
    actorOrganisationId: row.actor_organisation_id,
    actorRoles: Array.isArray(roles) ? roles.map(String) : [],
    actorClass: row.actor_class,
    actorAddress: row.actor_address,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    targetLabel: row.target_label,
    result: row.result,
    reason: row.reason,
    details: asObject(parsed(row.details)),
  };
}
