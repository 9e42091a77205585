/** The platform's own endpoints: health, facts about this node, job progress. */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Database } from '../db/database.js';
import type { Stores } from '../storage/stores.js';
import type { JobQueue } from '../jobs/queue.js';
import { jobViewSchema } from '../jobs/model.js';
import type { HttpServer } from './server.js';

// The parts after `status` name paths, hosts, free space and store names: for the archive's own staff only.
const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  database: z.object({ ok: z.boolean(), detail: z.string() }).optional().describe('staff only'),
  stores: z.array(z.object({ name: z.string(), kind: z.enum(['folder', 's3']), ok: z.boolean(), detail: z.string() })).optional().describe('staff only'),
});

const metaSchema = z.object({
  name: z.string(),
  version: z.string(),
  demo: z.boolean(),
  zone: z.enum(['lan', 'gov', 'internet']),
  classified: z.boolean(),
});

export interface PlatformRouteDeps {
  database: Database;
  stores: Stores;
  jobs: JobQueue;
  meta: z.infer<typeof metaSchema>;
  /** Whether the caller may see the health details (the accounts module decides: archive staff and admins). */
  mayReadHealthDetail(request: FastifyRequest): boolean;
}

export function registerPlatformRoutes(app: HttpServer, deps: PlatformRouteDeps): void {
  app.get(
    '/api/health',
    {
      schema: {
        tags: ['platform'],
        summary: '健康检查 / health of the database and each store',
        description: 'Anyone gets `status` (503 when degraded); the database and store details are for signed-in archive staff and admins.',
        response: { 200: healthSchema, 503: healthSchema },
      },
    },
    async (request, reply) => {
      const [database, stores] = await Promise.all([
        deps.database.ping(),
        Promise.all(
          [...deps.stores.all.values()].map(async (s) => {
            const h = await s.health().catch((err: Error) => ({ ok: false, detail: err.message }));
            return { name: s.name, kind: s.kind, ...h };
          }),
        ),
      ]);
      const ok = database.ok && stores.every((s) => s.ok);
      const status = ok ? 'ok' : 'degraded';
      return reply.status(ok ? 200 : 503).send(deps.mayReadHealthDetail(request) ? { status, database, stores } : { status });
    },
  );

  app.get('/api/meta', { schema: { tags: ['platform'], summary: '本节点信息 / facts about this node', response: { 200: metaSchema } } }, async () => deps.meta);

  app.get(
    '/api/jobs/:id',
    {
      schema: {
        tags: ['platform'],
        summary: '作业进度 / a job and its progress',
        params: z.object({ id: z.string().min(1).max(64) }),
        response: { 200: jobViewSchema },
      },
    },
    async (request) => deps.jobs.get(deps.database.db, request.params.id),
  );

  app.post(
    '/api/jobs/:id/cancel',
    {
      schema: {
        tags: ['platform'],
        summary: '取消作业（运行中的作业在下一个检查点停止）/ cancel a job (a running one stops at its next checkpoint)',
        params: z.object({ id: z.string().min(1).max(64) }),
        response: { 200: jobViewSchema },
      },
    },
    async (request) => deps.database.db.transaction().execute((tx) => deps.jobs.cancel(tx, request.params.id)),
  );
}
