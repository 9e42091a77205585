/**
 * Access copies (利用副本) of a record's files: a thumbnail and reading-size page
 * images (JPEG, long side 1600 px), made by a background job a few seconds after
 * accession. Shapes follow src/modules/preservation/access-routes.ts. The list is
 * empty when the viewer may see the record as a catalog entry only.
 */
import { useQuery } from '@tanstack/react-query';
import * as z from 'zod/mini';
import { apiGet } from './client.js';
import { retryUnlessRefused } from './catalog.js';

export const filePreviewSchema = z.object({
  fileId: z.string(),
  thumbnail: z.boolean(),
  pages: z.array(z.object({ page: z.number(), width: z.number(), height: z.number() })),
});
export type FilePreview = z.infer<typeof filePreviewSchema>;
export type PreviewPage = FilePreview['pages'][number];

/** How often, and how many times, to ask again while a file has no copies yet (the job runs seconds after accession). */
const pollMs = 3000;
const pollTimes = 15;

/** Formats the access-copy job renders (access-copies.ts on the server): PDF, images (JPEG 2000 included), video. */
const rendered = (mime: string | null) => mime === 'application/pdf' || (mime?.startsWith('image/') ?? false) || (mime?.startsWith('video/') ?? false);

const item = (id: string) => `/api/catalog/items/${encodeURIComponent(id)}`;

/**
 * The access copies of each of a record's files. Asked again every 3 s for up to
 * 45 s while a file of a format the job renders has none yet (the job runs seconds
 * after accession), and no longer: a file that stays without copies has none coming.
 */
export const useFilePreviews = (itemId: string, files: ReadonlyArray<{ id: string; mime: string | null }>) =>
  useQuery({
    queryKey: ['catalog', 'previews', itemId],
    queryFn: ({ signal }) => apiGet(`${item(itemId)}/previews`, z.array(filePreviewSchema), { signal }),
    retry: retryUnlessRefused,
    refetchInterval: (query) => {
      const waiting = query.state.data?.some((p) => !p.thumbnail && p.pages.length === 0 && rendered(files.find((f) => f.id === p.fileId)?.mime ?? null)) ?? false;
      return waiting && query.state.dataUpdateCount <= pollTimes ? pollMs : false;
    },
  });

/** A file's thumbnail (JPEG, at most 320 px). */
export const thumbnailPath = (itemId: string, fileId: string) => `${item(itemId)}/files/${encodeURIComponent(fileId)}/thumbnail`;

/** One page of a file as a reading-size image (JPEG, long side 1600 px). */
export const pagePath = (itemId: string, fileId: string, page: number) => `${item(itemId)}/files/${encodeURIComponent(fileId)}/pages/${page}`;
