/**
 * The access policy: the few settings the security admin sets (三员分立: and only
 * they), each audited — whether 政务用户 and registered public users see the
 * catalog of controlled items without a grant (off by default; never the content),
 * the password policy's minimum length (8 by default, GB/T 22239 level 3), and an
 * override of the configured session idle timeout.
 *
 * Stored one row per setting (a JSON value), so a new setting needs no migration;
 * a missing or unreadable row falls back to its default. Read on every request (the
 * session builds the Viewer from it), so each node keeps a copy for at most
 * POLICY_MAX_AGE_MS and drops it when a change commits here; another node sees
 * the change within that time.
 */
import type { Executor, Tx } from '../../platform/db/database.js';
import { DEFAULT_ACCESS_POLICY, accessPolicyPatchSchema, accessPolicySchema, type AccessPolicy, type AccessPolicyView } from './model.js';
import { requireRole, type Actor, type AuditSink } from './service.js';
import './tables.js';

/** How long a node trusts its copy of the policy. */
export const POLICY_MAX_AGE_MS = 30_000;

/** What sign-in, the Viewer and the password check need: the policy now in force. */
export interface AccessPolicyReader {
  /** Pass the transaction when inside one (SQLite has a single connection). */
  current(db: Executor): Promise<AccessPolicy>;
}

const KEYS = Object.keys(accessPolicySchema.shape) as Array<keyof AccessPolicy>;

interface StoredPolicy {
  policy: AccessPolicy;
  updatedAt: string | null;
  updatedBy: string | null;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function readStored(db: Executor): Promise<StoredPolicy> {
  const rows = await db
    .selectFrom('access_policy as p')
    .leftJoin('users as u', 'u.id', 'p.updated_by')
    .select(['p.key', 'p.value', 'p.updated_at', 'p.updated_by', 'u.username'])
    .execute();
  const valid: Record<string, unknown> = {};
  let latest: (typeof rows)[number] | undefined;
  for (const row of rows) {
    const key = KEYS.find((k) => k === row.key);
    if (key === undefined) continue;
    const parsed = accessPolicySchema.shape[key].safeParse(parseJson(row.value));
    if (parsed.success) valid[key] = parsed.data;
    if (!latest || row.updated_at > latest.updated_at) latest = row;
  }
  return {
    policy: accessPolicySchema.parse({ ...DEFAULT_ACCESS_POLICY, ...valid }),
    updatedAt: latest?.updated_at ?? null,
    updatedBy: latest ? (latest.username ?? latest.updated_by) : null,
  };
}


export function createAccessPolicy(deps: { audit: AuditSink; configuredSessionIdleMinutes: number; maxAgeMs?: number; clock?: () => number }) {
  const maxAgeMs = deps.maxAgeMs ?? POLICY_MAX_AGE_MS;
  const clock = deps.clock ?? Date.now;
  let cached: { policy: AccessPolicy; readAt: number } | null = null;
  // Bumped by invalidate(), so a read that began before a change does not cache the old policy.
  let generation = 0;

  return {
    async current(db: Executor): Promise<AccessPolicy> {
      const now = clock();
      if (cached && now - cached.readAt < maxAgeMs) return cached.policy;
      const started = generation;
      const { policy } = await readStored(db);
      if (started === generation) cached = { policy, readAt: now };
      return policy;
    },

    /** Drops this node's copy; call after the transaction that changed the policy commits. */
    invalidate(): void {
      generation += 1;
      cached = null;
    },

    /** Security admin only: the settings as stored, the configured idle timeout, and who changed them last. */
    async view(db: Executor, actor: Actor): Promise<AccessPolicyView> {
      requireRole(actor, ['security_admin'], '查看访问策略 / view the access policy');
      const stored = await readStored(db);
      return { ...stored.policy, configuredSessionIdleMinutes: deps.configuredSessionIdleMinutes, updatedAt: stored.updatedAt, updatedBy: stored.updatedBy };
    },

    /** Security admin only: changes some settings, audited with their values before and after. */
    async update(tx: Tx, actor: Actor, raw: unknown): Promise<AccessPolicy> {
      requireRole(actor, ['security_admin'], '设置访问策略 / set the access policy');
      const patch = accessPolicyPatchSchema.parse(raw);
      const before = (await readStored(tx)).policy;
      const after = accessPolicySchema.parse({ ...before, ...patch });
      const changed = KEYS.filter((k) => before[k] !== after[k]);
      const at = new Date().toISOString();
      const by = actor.userId ?? 'lantai';
      for (const key of changed) {
        const value = JSON.stringify(after[key]);
        await tx
          .insertInto('access_policy')
          .values({ key, value, updated_by: by, updated_at: at })
          .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_by: by, updated_at: at }))
          .execute();
      }
      const pick = (p: AccessPolicy) => Object.fromEntries(changed.map((k) => [k, p[k]]));
      await deps.audit.append(tx, { actor: { ...actor, roles: [...actor.roles] }, action: 'accounts.policy.update', target: { type: 'access_policy', id: null }, result: 'ok', details: { before: pick(before), after: pick(after) } });
      return after;
    },
  };
}

export type AccessPolicyStore = ReturnType<typeof createAccessPolicy>;
