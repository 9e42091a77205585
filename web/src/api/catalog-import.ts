/**
 * Importing a catalog spreadsheet (归档文件目录, xlsx or CSV) into a fonds and
 * category: the file is uploaded as it is and checked row by row (a dry run);
 * the archivist corrects the reported values one by one, each row checked again
 * on the server, and applies the import once no errors remain.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import * as z from 'zod/mini';
import { apiSend, apiSendBytes } from './client.js';
import { itemQueryString, type ItemFilters } from './catalog.js';

export const importProblemSchema = z.object({
  /** The file's row number (the header row for problems of the whole file). */
  row: z.number(),
  column: z.string(),
  /** The item field of the column; empty for problems of no one field. */
  field: z.string(),
  value: z.string(),
  severity: z.enum(['error', 'warning']),
  problem: z.string(),
  problemEn: z.string(),
  suggestion: z.string(),
});
export type ImportProblem = z.infer<typeof importProblemSchema>;

export const importSummarySchema = z.object({
  id: z.string(),
  status: z.enum(['checking', 'checked', 'applied', 'failed']),
  fileName: z.string(),
  sheet: z.nullable(z.string()),
  totalRows: z.number(),
  errorRows: z.number(),
  columns: z.array(z.object({ header: z.string(), field: z.nullable(z.string()) })),
  problems: z.array(importProblemSchema),
});
export type ImportSummary = z.infer<typeof importSummarySchema>;

/** The blank catalog spreadsheet with this category's columns. */
export function importTemplatePath(categoryId: string): string {
  return `/api/catalog/import/template?${itemQueryString({ categoryId })}`;
}

/** The catalog as an Excel workbook, filtered as the table is. */
export function exportPath(filters: ItemFilters): string {
  return `/api/catalog/export.xlsx?${itemQueryString(filters)}`;
}

/** The print-ready 归档文件目录 and 备考表, filtered as the table is. */
export function printPath(filters: ItemFilters): string {
  return `/api/catalog/print?${itemQueryString(filters)}`;
}

export interface ImportUpload {
  fondsId: string;
  categoryId: string;
  file: File;
}

export const useUploadImport = () =>
  useMutation({
    mutationFn: ({ fondsId, categoryId, file }: ImportUpload) =>
      apiSendBytes('POST', `/api/catalog/imports?${new URLSearchParams({ fondsId, categoryId, fileName: file.name }).toString()}`, importSummarySchema, file),
  });

export const useFixImportRow = () =>
  useMutation({
    mutationFn: ({ importId, row, values }: { importId: string; row: number; values: Record<string, string> }) =>
      apiSend('PATCH', `/api/catalog/imports/${encodeURIComponent(importId)}/rows/${row}`, importSummarySchema, { values }),
  });

export function useApplyImport() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (importId: string) => apiSend('POST', `/api/catalog/imports/${encodeURIComponent(importId)}/apply`, z.object({ imported: z.number() })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['catalog'] }),
  });
}
