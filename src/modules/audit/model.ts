/**
 * Shapes of the security audit log: what a caller hands to `append`, what a
 * reviewer reads back, and what `verify` reports.
 *
 * Review is split after 三员分立 (GB/T 22239 level 3, DESIGN.md "Who uses it"): the
 * security admin reviews ordinary users' entries, the auditor reviews the system
 * admin's and the security admin's. Each entry stores the class of its actor, so
 * the split is a column predicate, not a join on roles that may have changed.
 */
import { z } from 'zod';

export const auditActorSchema = z.object({
  userId: z.string().nullable(),
  username: z.string().nullable(),
  organisationId: z.string().nullable(),
  roles: z.array(z.string()),
  /** Network address of the request (or `cli@host` for the command line). */
  address: z.string().nullable(),
});
export type AuditActor = z.infer<typeof auditActorSchema>;

export const AUDIT_RESULTS = ['ok', 'refused', 'failed'] as const;
export const auditResultSchema = z.enum(AUDIT_RESULTS);

/** `module.noun.verb`, lower case, e.g. `accounts.user.create`, `catalog.record.view`. */
export const ACTION_NAME = /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)+$/;
export type AuditResult = z.infer<typeof auditResultSchema>;

export const auditEntryInputSchema = z.object({
  actor: auditActorSchema,
  action: z.string().regex(ACTION_NAME, 'module.noun.verb, lower case').max(200),
  target: z.object({ type: z.string().min(1).max(100), id: z.string().max(200).nullable(), label: z.string().max(2000).optional() }).nullable(),
  result: auditResultSchema,
  reason: z.string().max(2000).optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type AuditEntryInput = z.infer<typeof auditEntryInputSchema>;

export const ACTOR_CLASSES = ['system_admin', 'security_admin', 'auditor', 'user', 'anonymous'] as const;
export const actorClassSchema = z.enum(ACTOR_CLASSES);
export type ActorClass = z.infer<typeof actorClassSchema>;

/** The admin role an actor holds decides its class; anyone else is a user, or anonymous without an account. */
export function actorClassOf(actor: Pick<AuditActor, 'userId' | 'roles'>): ActorClass {
  for (const admin of ['system_admin', 'security_admin', 'auditor'] as const) if (actor.roles.includes(admin)) return admin;
  return actor.userId ? 'user' : 'anonymous';
}

export const reviewerClassSchema = z.enum(['security_admin', 'auditor']);
export type ReviewerClass = z.infer<typeof reviewerClassSchema>;

/** Whose entries each reviewer sees. Nobody else sees any. */
export const REVIEW_SCOPE: Readonly<Record<ReviewerClass, readonly ActorClass[]>> = {
  security_admin: ['user', 'anonymous'],
  auditor: ['system_admin', 'security_admin'],
};

/** One entry as a reviewer reads it (HTTP, CSV and the service speak this shape). */
export const auditEntrySchema = z.object({
  seq: z.number().int(),
  id: z.string(),
  at: z.string(),
  actorUserId: z.string().nullable(),
  actorUsername: z.string().nullable(),
  actorOrganisationId: z.string().nullable(),
  actorRoles: z.array(z.string()),
  actorClass: actorClassSchema,
  actorAddress: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  targetLabel: z.string().nullable(),
  result: auditResultSchema,
  reason: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const reviewFiltersSchema = z.object({
  /** ISO-8601 times; `from` inclusive, `to` exclusive. */
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  action: z.string().max(200).optional(),
  /** Username of the actor. */
  actor: z.string().max(200).optional(),
  result: auditResultSchema.optional(),
  targetType: z.string().max(100).optional(),
  targetId: z.string().max(200).optional(),
});
export type ReviewFilters = z.infer<typeof reviewFiltersSchema>;

export const reviewPageSchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  /** Keyset paging, newest first: entries with a smaller seq than this. */
  before: z.coerce.number().int().min(1).optional(),
});
export type ReviewPage = z.infer<typeof reviewPageSchema>;

/**
 * The manifest written beside an archived segment and kept in the database with
 * its record; `hmac` is HMAC-SM3 over the canonical JSON of the other fields, with
 * the checkpoint key.
 */
export const segmentManifestSchema = z.object({
  format: z.literal('lantai-audit-segment/1'),
  chain: z.string(),
  fromSeq: z.number().int().min(1),
  toSeq: z.number().int().min(1),
  entries: z.number().int().min(1),
  prevHash: z.string(),
  headHash: z.string(),
  firstAt: z.string(),
  lastAt: z.string(),
  file: z.string(),
  bytes: z.number().int().min(0),
  sha256: z.string(),
  sm3: z.string(),
  createdAt: z.string(),
  hmac: z.string(),
});
export type SegmentManifest = z.infer<typeof segmentManifestSchema>;

/** What kind of damage verify found; the first one in chain order is reported. */
export type BreakKind =
  | 'altered' // the entry's content no longer gives its hash
  | 'relinked' // the entry does not link to the one before it (reordered, or its predecessor replaced)
  | 'missing' // a sequence number is absent (deleted)
  | 'rewritten' // the chain is self-consistent but disagrees with a signed checkpoint
  | 'truncated' // signed checkpoints reach further than the log
  | 'head' // the chain head row disagrees with the entries
  | 'segment' // an archived-segment record is unsigned, forged or out of line
  | 'checkpoint'; // a line of the checkpoint file is unreadable or its signature is wrong

export interface VerifyReport {
  ok: boolean;
  /** Entries checked in the database (archived ones are counted by segment). */
  entries: number;
  /** Highest seq detached into signed archive segments (0 when none). */
  archivedThrough: number;
  /** Checkpoint lines compared with the chain. */
  checkpointsChecked: number;
  /** Highest seq covered by a matching signed checkpoint; entries after it rest on the chain alone. */
  anchoredThrough: number | null;
  /** The first damage in chain order: where, what kind, and why in Chinese and English. */
  firstBroken: { seq: number; id: string | null; kind: BreakKind; zh: string; en: string } | null;
}
