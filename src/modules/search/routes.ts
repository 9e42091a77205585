/**
 * GET /api/search: the search box and the advanced form for every caller, answered
 * through the caller's Viewer. Anonymous callers are rate-limited per address
 * (LANTAI_SEARCH_RATE_LIMIT a minute); signed-in users are not.
 */
import type { FastifyRequest } from 'fastify';
import type { HttpServer } from '../../platform/http/server.js';
import { viewerOf } from '../accounts/request-session.js';
import type { Viewer } from '../accounts/viewer.js';
import { searchQuerySchema, searchResultSchema } from './model.js';
import type { SearchService } from './service.js';

export interface SearchRouteDeps {
  search: SearchService;
  zone: Viewer['zone'];
  /** Searches a minute per anonymous address. */
  anonymousPerMinute: number;
}

export function registerSearchRoutes(app: HttpServer, deps: SearchRouteDeps): void {
  app.get(
    '/api/search',
    {
      schema: {
        tags: ['search'],
        summary: '档案检索：题名、责任者、文件编号、全文、档号；AND/OR/NOT、短语、日期范围；分面统计、高亮摘要；只返回您有权看到的内容 / search records the caller may see',
        querystring: searchQuerySchema,
        response: { 200: searchResultSchema },
      },
      config: {
        rateLimit: {
          max: deps.anonymousPerMinute,
          timeWindow: 60_000,
          // After the sign-in hook, so the session is known: signed-in users are not limited.
          hook: 'preHandler',
          allowList: (request: FastifyRequest) => request.session !== null,
        },
      },
    },
    async (request) => deps.search.search(viewerOf(request, deps.zone), request.query),
  );
}
