/** GET /api/meta: what this installation is (name, version, demo, zone, classified). */
import { useQuery } from '@tanstack/react-query';
import * as z from 'zod/mini';
import { apiGet } from './client.js';

export const metaSchema = z.object({
  name: z.string(),
  version: z.string(),
  demo: z.boolean(),
  zone: z.enum(['lan', 'gov', 'internet']),
  classified: z.boolean(),
});

export type Meta = z.infer<typeof metaSchema>;

/** The installation's description; it does not change while the page is open. */
export function useMeta() {
  return useQuery({
    queryKey: ['meta'],
    queryFn: ({ signal }) => apiGet('/api/meta', metaSchema, { signal }),
    staleTime: Infinity,
  });
}
