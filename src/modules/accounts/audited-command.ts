/**
 * One user action in one transaction, opened at the edge (a route or a CLI
 * command). A refusal (401/403) rolls the action back, so it is audited in a
 * transaction of its own: the security audit log records every refusal.
 */
import type { Db, Tx } from '../../platform/db/database.js';
import { LantaiError } from '../../platform/http/errors.js';
import type { Actor, AuditSink } from './service.js';

export async function auditedCommand<T>(
  deps: { db: Db; audit: AuditSink },
  actor: Actor,
  action: string,
  target: { type: string; id: string | null; label?: string },
  command: (tx: Tx, actor: Actor) => Promise<T>,
): Promise<T> {
  try {
    return await deps.db.transaction().execute((tx) => command(tx, actor));
  } catch (err) {
    if (err instanceof LantaiError && (err.status === 401 || err.status === 403)) {
      await deps.db.transaction().execute((tx) => deps.audit.append(tx, { actor: { ...actor, roles: [...actor.roles] }, action, target, result: 'refused', reason: err.code }));
    }
    throw err;
  }
}
