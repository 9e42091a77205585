/**
 * Hand-overs (移交, /api/transfers): an agency's drafts, their items and files, the
 * four-property checks (自检 before submitting, the archive's check after) and the
 * report both sides read, the archive's return with reasons or its acceptance
 * (接收进馆), and the agency's new version. Shapes follow src/modules/transfer/
 * model.ts and report.ts; the resumable file upload is in transfer-uploads.ts.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import * as z from 'zod/mini';
import { apiGet, apiSend } from './client.js';
import { retryUnlessRefused } from './catalog.js';

export const transferStatuses = ['draft', 'submitted', 'checking', 'checked', 'accepted', 'returned'] as const;
export type TransferStatus = (typeof transferStatuses)[number];
/** Results of one check, as DA/T 70 reports them (the server's own words). */
export const checkResults = ['通过', '警告', '不通过', '未检测'] as const;
export type CheckResult = (typeof checkResults)[number];
export const properties = ['authenticity', 'integrity', 'usability', 'security'] as const;
export const carrierTypes = ['光盘', '硬盘', 'U盘', '磁带', '其他'] as const;

const countsSchema = z.record(z.string(), z.number());

export const checkSummarySchema = z.object({
  checkedAt: z.string(),
  /** A self-check of a draft (自检), not the archive's check. */
  draft: z.boolean(),
  items: z.number(),
  files: z.number(),
  bytes: z.number(),
  passedItems: z.number(),
  passRate: z.number(),
  counts: countsSchema,
  byProperty: z.record(z.string(), countsSchema),
  package: z.array(z.object({ checkId: z.string(), result: z.string(), message: z.string() })),
  /** The virus scanner and the age of its signatures (null: no scanner configured). */
  virusDatabase: z.optional(z.nullable(z.object({ zh: z.string(), en: z.string(), ageDays: z.nullable(z.number()) }))),
});
export type CheckSummary = z.infer<typeof checkSummarySchema>;

export const carrierSchema = z.object({ type: z.enum(carrierTypes), label: z.string(), number: z.string() });
export type Carrier = z.infer<typeof carrierSchema>;

export const transferSchema = z.object({
  id: z.string(),
  agencyId: z.string(),
  agencyName: z.string(),
  fondsId: z.string(),
  categoryId: z.string(),
  title: z.string(),
  yearFrom: z.number(),
  yearTo: z.number(),
  declaredItems: z.number(),
  opennessOpinion: z.nullable(z.string()),
  channel: z.string(),
  carrier: z.nullable(carrierSchema),
  status: z.enum(transferStatuses),
  version: z.number(),
  previousId: z.nullable(z.string()),
  items: z.number(),
  files: z.number(),
  bytes: z.number(),
  summary: z.nullable(checkSummarySchema),
  returnReason: z.nullable(z.string()),
  createdAt: z.string(),
  submittedAt: z.nullable(z.string()),
  checkedAt: z.nullable(z.string()),
  decidedAt: z.nullable(z.string()),
});
export type Transfer = z.infer<typeof transferSchema>;

export const reportFindingSchema = z.object({
  checkId: z.string(),
  name: z.string(),
  result: z.enum(checkResults),
  message: z.string(),
  expected: z.optional(z.unknown()),
  found: z.optional(z.unknown()),
  file: z.nullable(z.string()),
});
export type ReportFinding = z.infer<typeof reportFindingSchema>;

export const reportItemSchema = z.object({
  id: z.string(),
  position: z.number(),
  title: z.string(),
  archivalCode: z.nullable(z.string()),
  result: z.nullable(z.string()),
  returnReason: z.nullable(z.string()),
  findings: z.array(reportFindingSchema),
});
export type ReportItem = z.infer<typeof reportItemSchema>;

export const reportSchema = z.object({
  transfer: z.object({ id: z.string(), title: z.string(), status: z.string(), version: z.number(), channel: z.string(), submittedAt: z.nullable(z.string()), checkedAt: z.nullable(z.string()) }),
  summary: z.nullable(checkSummarySchema),
  checks: z.array(z.object({ id: z.string(), property: z.string(), clause: z.string(), name: z.string() })),
  package: z.array(reportFindingSchema),
  items: z.array(reportItemSchema),
});
export type TransferReport = z.infer<typeof reportSchema>;

export interface TransferFilters {
  status?: TransferStatus;
  agencyId?: string;
}

/** What a new hand-over needs; an archivist registering an offline one adds the agency and the carrier. */
export interface NewTransfer {
  fondsId: string;
  categoryId: string;
  title: string;
  yearFrom: number;
  yearTo: number;
  declaredItems: number;
  opennessOpinion?: string | null;
  agencyId?: string;
  carrier?: Carrier | null;
}

/** One item as the agency describes it (DA/T 46 fields as the catalog takes them) with the files it names. */
export interface TransferItemInput {
  metadata: {
    title: string;
    responsible: string;
    date: string;
    year: number;
    retention: string;
    classification: string;
    archivalCode?: string;
    docNumber?: string;
    pageCount?: number;
  };
  openness_opinion?: string | null;
  files: Array<{ path: string; role?: string; sha256?: string }>;
}

const idSchema = z.object({ id: z.string() });
const jobSchema = z.object({ jobId: z.string() });
const okSchema = z.object({ ok: z.literal(true) });
const base = (id: string) => `/api/transfers/${encodeURIComponent(id)}`;

/** Statuses in which the archive's check is still to finish. */
export const checkPending = (status: TransferStatus) => status === 'submitted' || status === 'checking';

export const useTransfers = (filters: TransferFilters) =>
  useQuery({
    queryKey: ['transfers', 'list', filters],
    queryFn: ({ signal }) => {
      const params = new URLSearchParams(Object.entries(filters).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== ''));
      return apiGet(`/api/transfers?${params.toString()}`, z.array(transferSchema), { signal });
    },
    retry: retryUnlessRefused,
    // Hand-overs being checked change by themselves.
    refetchInterval: (query) => (query.state.data?.some((t) => checkPending(t.status)) ? 3000 : false),
  });

/** One hand-over; asked again every second while `poll` (a check runs) or while the archive's check is pending. */
export const useTransfer = (id: string | null, poll = false) =>
  useQuery({
    queryKey: ['transfers', 'one', id],
    queryFn: ({ signal }) => apiGet(base(id ?? ''), transferSchema, { signal }),
    enabled: id !== null,
    retry: retryUnlessRefused,
    refetchInterval: (query) => (poll || (query.state.data && checkPending(query.state.data.status)) ? 1000 : false),
  });

/** The report of this hand-over as it stands: asked again when its status or check time changes. */
export const useTransferReport = (transfer: Transfer | undefined) =>
  useQuery({
    queryKey: ['transfers', 'report', transfer?.id, transfer?.status, transfer?.checkedAt],
    queryFn: ({ signal }) => apiGet(`${base(transfer?.id ?? '')}/report`, reportSchema, { signal }),
    enabled: transfer !== undefined,
    retry: retryUnlessRefused,
    placeholderData: (previous) => (previous?.transfer.id === transfer?.id ? previous : undefined),
  });

/** The printable report (A4), to open in a new tab. */
export const reportHtmlPath = (id: string) => `${base(id)}/report?format=html`;

/** A mutation that refreshes every hand-over query when it succeeds. */
function useTransferMutation<I, O>(send: (input: I) => Promise<O>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: send, onSuccess: () => queryClient.invalidateQueries({ queryKey: ['transfers'] }) });
}

export const useCreateTransfer = () => useTransferMutation((input: NewTransfer) => apiSend('POST', '/api/transfers', idSchema, input));

export const useAddItems = () =>
  useTransferMutation(({ id, items }: { id: string; items: TransferItemInput[] }) => apiSend('POST', `${base(id)}/items`, z.object({ ids: z.array(z.string()) }), { items }));

export const useUpdateTransferItem = () =>
  useTransferMutation(({ id, itemId, item }: { id: string; itemId: string; item: TransferItemInput }) => apiSend('PUT', `${base(id)}/items/${encodeURIComponent(itemId)}`, okSchema, item));

export const useSelfCheck = () => useTransferMutation((id: string) => apiSend('POST', `${base(id)}/self-check`, jobSchema));

export const useSubmitTransfer = () => useTransferMutation((id: string) => apiSend('POST', `${base(id)}/submit`, jobSchema));

export const useReturnTransfer = () =>
  useTransferMutation(({ id, reason, items }: { id: string; reason: string; items: Record<string, string> }) => apiSend('POST', `${base(id)}/return`, okSchema, { reason, items }));

/**
 * What the archivist decides at 接收进馆: the items taken in (all when absent; the rest
 * go back to the agency as a returned hand-over of their own, with the reason), and
 * whether the records get the archive's next archival codes instead of the agency's.
 */
export interface AcceptOptions {
  itemIds?: string[];
  returnReason?: string;
  recode?: boolean;
}

/** What an accepted hand-over became: catalog records, their files and bytes, the items sent back (and the hand-over holding them), the records re-coded. */
export const acceptanceSchema = z.object({
  records: z.number(),
  files: z.number(),
  bytes: z.number(),
  returned: z.number(),
  returnedTransferId: z.nullable(z.string()),
  recoded: z.number(),
});
export type Acceptance = z.infer<typeof acceptanceSchema>;

export const acceptCodeSchema = z.object({ position: z.number(), title: z.string(), agencyCode: z.nullable(z.string()), newCode: z.nullable(z.string()) });
export type AcceptCode = z.infer<typeof acceptCodeSchema>;
/** What an accept with these options would do, each record's code included; nothing is written. */
export const acceptPreviewSchema = z.extend(acceptanceSchema, { codes: z.array(acceptCodeSchema) });
export type AcceptPreview = z.infer<typeof acceptPreviewSchema>;

/** The server's answer to an accept with these options, or the error it would give. */
export const useAcceptPreview = () =>
  useMutation({ mutationFn: ({ id, ...options }: AcceptOptions & { id: string }) => apiSend('POST', `${base(id)}/accept/preview`, acceptPreviewSchema, options) });

/** 接收进馆: the hand-over's records and files enter the catalog, so the catalog's queries are refreshed too. */
export function useAcceptTransfer() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...options }: AcceptOptions & { id: string }) => apiSend('POST', `${base(id)}/accept`, acceptanceSchema, options),
    onSuccess: () => Promise.all([queryClient.invalidateQueries({ queryKey: ['transfers'] }), queryClient.invalidateQueries({ queryKey: ['catalog'] })]),
  });
}

export const useNewVersion = () => useTransferMutation((id: string) => apiSend('POST', `${base(id)}/new-version`, idSchema));
