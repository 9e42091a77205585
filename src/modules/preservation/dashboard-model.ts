/**
 * The storage dashboard's shape (保存 › 存储概览): stores, growth, holdings by format
 * and year, audits, replica lag, files at risk, alerts and offline volumes. The route's
 * reply schema, the OpenAPI document and the web client derive from it.
 */
import { z } from 'zod';
import { formatRiskStatusSchema } from './format-risk-model.js';

const counts = { files: z.number(), bytes: z.number() };

export const fixityRunSchema = z.object({
  id: z.string(),
  store: z.string(),
  /** running (or interrupted, when its heartbeat is old), completed, failed (store unreachable), abandoned. */
  status: z.string(),
  samplePercent: z.number(),
  blobs: z.number(),
  bytes: z.number(),
  ok: z.number(),
  missing: z.number(),
  damaged: z.number(),
  repaired: z.number(),
  atRisk: z.number(),
  detail: z.string().nullable(),
  startedBy: z.string(),
  startedAt: z.string(),
  heartbeatAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type FixityRunView = z.infer<typeof fixityRunSchema>;

export const dashboardSchema = z.object({
  generatedAt: z.string(),
  totals: z.object({
    records: z.number(),
    ...counts,
    /** Distinct blobs the catalog refers to (kept files and access copies) and their bytes: what each store should hold. */
    blobs: z.number(),
    blobBytes: z.number(),
  }),
  stores: z.array(
    z.object({
      name: z.string(),
      kind: z.enum(['folder', 's3']),
      primary: z.boolean(),
      ok: z.boolean(),
      detail: z.string(),
      /** Free space, where the store reports it (folders); null otherwise. */
      freeBytes: z.number().nullable(),
      /** The last known state of the copies in this store, from the audits and replication. */
      copies: z.object({ ok: z.number(), repaired: z.number(), missing: z.number(), damaged: z.number(), unreachable: z.number() }),
    }),
  ),
  /** Bytes and files accepted per month (UTC), oldest first. */
  growth: z.array(z.object({ month: z.string(), ...counts })),
  /** Formats held, most bytes first, with the registry's judgement. */
  formats: z.array(z.object({ format: z.string(), name: z.string().nullable(), version: z.string().nullable(), status: formatRiskStatusSchema, ...counts })),
  /** Holdings by the records' year (年度). */
  years: z.array(z.object({ year: z.number(), records: z.number(), ...counts })),
  /** The last audits of each store, newest first. */
  audits: z.array(fixityRunSchema),
  /** The last audits of each store that failed or found a missing or damaged copy. */
  auditFailures: z.array(fixityRunSchema),
  /** Per replica: referenced blobs it does not hold verified yet. */
  replicaLag: z.array(z.object({ store: z.string(), blobs: z.number(), bytes: z.number() })),
  atRisk: z.object({
    /** Distinct files (blobs) with an open at-risk alert. */
    blobs: z.number(),
    alerts: z.array(
      z.object({
        id: z.string(),
        store: z.string().nullable(),
        sha256: z.string().nullable(),
        message: z.string(),
        createdAt: z.string(),
        /** The records keeping this file that the viewer may see (none for the system admin, who reads no records). */
        records: z.array(z.object({ id: z.string(), archivalCode: z.string().nullable(), title: z.string() })),
      }),
    ),
  }),
  /** Open alerts, newest first: the notification list. */
  alerts: z.array(z.object({ id: z.string(), kind: z.string(), store: z.string().nullable(), sha256: z.string().nullable(), message: z.string(), createdAt: z.string() })),
  /** Offline volumes (离线介质) and their last verification. */
  volumes: z.array(
    z.object({
      id: z.string(),
      label: z.string(),
      set: z.string(),
      status: z.string(),
      bytes: z.number(),
      files: z.number(),
      writtenAt: z.string().nullable(),
      location: z.string().nullable(),
      lastVerifiedAt: z.string().nullable(),
      lastVerifyResult: z.string().nullable(),
    }),
  ),
});
export type Dashboard = z.infer<typeof dashboardSchema>;
