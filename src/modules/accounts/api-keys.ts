/**
 * API keys for a filing agency's office-automation system (协同办公/OA): one key
 * belongs to one agency, opens the filing API only (`/api/filing/…`), expires,
 * can be revoked, and is stored as a SHA-256 hash — the key is shown once, at issue.
 * Format: `lt_<id>_<secret>`, so a key is found by id and compared in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { Db, Executor, Tx } from '../../platform/db/database.js';
import { accountsErrors } from './errors.js';
import { credentialStatus, type ApiKeyView } from './model.js';
import type { Actor, AuditSink } from './service.js';
import './tables.js';

export const FILING_API_PREFIX = '/api/filing/';
const MAX_DAYS = 366;

const sha256 = (s: string) => createHash('sha256').update(s).digest();

export interface ApiKeyPrincipal {
  keyId: string;
  organisationId: string;
}

export function createApiKeys(deps: { audit: AuditSink }) {
  return {
    /** System admin issues a key for an agency; the returned `key` is never shown again. */
    async issue(tx: Tx, actor: Actor, input: { organisationId: string; name: string; days: number }): Promise<{ id: string; key: string; expiresAt: string }> {
      if (!actor.roles.includes('system_admin')) throw accountsErrors.FORBIDDEN_ROLE({ role: '当前用户', roleEn: 'user', action: '签发接口密钥 / issue an API key' });
      const org = await tx.selectFrom('organisations').select(['id', 'kind', 'name']).where('id', '=', input.organisationId).executeTakeFirst();
      if (!org) throw accountsErrors.ORGANISATION_NOT_FOUND({ id: input.organisationId });
      if (org.kind !== 'agency') throw accountsErrors.API_KEY_AGENCY_ONLY();
      const id = uuidv7().replace(/-/g, '');
      const secret = randomBytes(32).toString('base64url');
      const expiresAt = new Date(Date.now() + Math.min(input.days, MAX_DAYS) * 86_400_000).toISOString();
      await tx.insertInto('api_keys').values({ id, organisation_id: org.id, name: input.name, secret_hash: sha256(secret).toString('hex'), created_by: actor.userId ?? 'lantai', created_at: new Date().toISOString(), expires_at: expiresAt, revoked_at: null, last_used_at: null }).execute();
      await deps.audit.append(tx, { actor: { ...actor, roles: [...actor.roles] }, action: 'accounts.api-key.issue', target: { type: 'api_key', id, label: input.name }, result: 'ok', details: { organisationId: org.id, expiresAt } });
      return { id, key: `lt_${id}_${secret}`, expiresAt };
    },

    async revoke(tx: Tx, actor: Actor, id: string): Promise<void> {
      if (!actor.roles.includes('system_admin')) throw accountsErrors.FORBIDDEN_ROLE({ role: '当前用户', roleEn: 'user', action: '吊销接口密钥 / revoke an API key' });
      await tx.updateTable('api_keys').set({ revoked_at: new Date().toISOString() }).where('id', '=', id).where('revoked_at', 'is', null).execute();
      await deps.audit.append(tx, { actor: { ...actor, roles: [...actor.roles] }, action: 'accounts.api-key.revoke', target: { type: 'api_key', id }, result: 'ok' });
    },

    /** System admin only: every key, newest first, with its agency and who issued it; never the secret or its hash. */
    async list(db: Executor, actor: Actor, now: Date = new Date()): Promise<ApiKeyView[]> {
      if (!actor.roles.includes('system_admin')) throw accountsErrors.FORBIDDEN_ROLE({ role: '当前用户', roleEn: 'user', action: '查看接口密钥 / list API keys' });
      const rows = await db
        .selectFrom('api_keys as k')
        .innerJoin('organisations as o', 'o.id', 'k.organisation_id')
        .leftJoin('users as u', 'u.id', 'k.created_by')
        .select(['k.id', 'k.organisation_id', 'o.name as organisation_name', 'k.name', 'k.created_at', 'k.created_by', 'u.username as created_by_username', 'k.expires_at', 'k.revoked_at', 'k.last_used_at'])
        .orderBy('k.created_at', 'desc')
        .orderBy('k.id', 'desc')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        organisationId: r.organisation_id,
        organisationName: r.organisation_name,
        name: r.name,
        createdAt: r.created_at,
        createdBy: { id: r.created_by, username: r.created_by_username },
        expiresAt: r.expires_at,
        revokedAt: r.revoked_at,
        lastUsedAt: r.last_used_at,
        status: credentialStatus(r.revoked_at, r.expires_at, now),
      }));
    },

    /** Resolves `Authorization: Bearer lt_…` to its agency, or throws API_KEY_INVALID. */
    async authenticate(db: Db, presented: string): Promise<ApiKeyPrincipal> {
      const match = /^lt_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/.exec(presented);
      if (!match?.[1] || !match[2]) throw accountsErrors.API_KEY_INVALID();
      const row = await db.selectFrom('api_keys').selectAll().where('id', '=', match[1]).executeTakeFirst();
      const now = new Date().toISOString();
      if (!row || row.revoked_at !== null || row.expires_at <= now) throw accountsErrors.API_KEY_INVALID();
      if (!timingSafeEqual(sha256(match[2]), Buffer.from(row.secret_hash, 'hex'))) throw accountsErrors.API_KEY_INVALID();
      await db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', row.id).execute();
      return { keyId: row.id, organisationId: row.organisation_id };
    },
  };
}

export type ApiKeys = ReturnType<typeof createApiKeys>;
