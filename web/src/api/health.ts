/** GET /api/health: whether the installation is healthy and, for staff, whether the database and each blob store answer. */
import { useQuery } from '@tanstack/react-query';
import * as z from 'zod/mini';
import { apiGet } from './client.js';

const checkSchema = z.object({ ok: z.boolean(), detail: z.nullish(z.string()) });

const storeSchema = z.extend(checkSchema, { name: z.string(), kind: z.string() });

/** `database` and `stores` come only to the archive's staff and admins; others get `status` alone. */
export const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  database: z.optional(checkSchema),
  stores: z.optional(z.array(storeSchema)),
});

export type Health = z.infer<typeof healthSchema>;
export type StoreHealth = z.infer<typeof storeSchema>;

/** The health check, refreshed every 30 seconds while a page shows it. */
export function useHealth() {
  return useQuery({
    queryKey: ['health'],
    // A degraded installation answers 503 with the same body.
    queryFn: ({ signal }) => apiGet('/api/health', healthSchema, { signal, acceptStatus: [503] }),
    refetchInterval: 30_000,
  });
}
