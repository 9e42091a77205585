/**
 * A record's preservation metadata (/api/catalog/items/:id/preservation), for
 * archivists: each file's preservation record — SHA-256 and SM3 digests, format
 * identified against PRONOM, creating application — and the PREMIS event timeline
 * (接收, 摘要计算, 格式识别, …, 进馆). Shapes follow src/modules/preservation/routes.ts;
 * the same as PREMIS 3.0 XML is at premisPath.
 */
import { useQuery } from '@tanstack/react-query';
import * as z from 'zod/mini';
import { apiGet } from './client.js';
import { retryUnlessRefused } from './catalog.js';

/** PREMIS event types as the server records them (PREMIS 3.0 event type vocabulary). */
export const eventTypes = ['ingestion', 'message digest calculation', 'format identification', 'validation', 'virus check', 'accession', 'fixity check', 'repair', 'replication', 'migration', 'creation'] as const;
export type EventType = (typeof eventTypes)[number];
export const eventOutcomes = ['success', 'warning', 'failure', 'not checked'] as const;
export type EventOutcome = (typeof eventOutcomes)[number];

export const preservationFileSchema = z.object({
  id: z.string(),
  sha256: z.string(),
  sm3: z.string(),
  size: z.number(),
  mime: z.nullable(z.string()),
  puid: z.nullable(z.string()),
  formatName: z.nullable(z.string()),
  formatVersion: z.nullable(z.string()),
  creatingApplication: z.nullable(z.string()),
  originalName: z.string(),
  originalPath: z.string(),
  createdAt: z.string(),
});
export type PreservationFile = z.infer<typeof preservationFileSchema>;

export const preservationEventSchema = z.object({
  id: z.string(),
  subjectType: z.enum(['file', 'record']),
  subjectId: z.string(),
  type: z.enum(eventTypes),
  at: z.string(),
  outcome: z.enum(eventOutcomes),
  detail: z.string(),
  agents: z.array(z.object({ role: z.string(), name: z.string(), id: z.optional(z.nullable(z.string())), version: z.optional(z.nullable(z.string())) })),
});
export type PreservationEvent = z.infer<typeof preservationEventSchema>;

export const preservationSchema = z.object({ files: z.array(preservationFileSchema), events: z.array(preservationEventSchema) });
export type Preservation = z.infer<typeof preservationSchema>;

const base = (id: string) => `/api/catalog/items/${encodeURIComponent(id)}`;

/** The record's preservation records and events; `enabled` only for archivists (the server refuses others). */
export const usePreservation = (id: string, enabled: boolean) =>
  useQuery({
    queryKey: ['catalog', 'preservation', id],
    queryFn: ({ signal }) => apiGet(`${base(id)}/preservation`, preservationSchema, { signal }),
    enabled,
    retry: retryUnlessRefused,
  });

/** The record's preservation metadata as PREMIS 3.0 XML (a download). */
export const premisPath = (id: string) => `${base(id)}/premis.xml`;
