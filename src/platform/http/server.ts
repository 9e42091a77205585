/**
 * Fastify assembly: request ids, security headers, body limits, zod schemas for
 * validation and OpenAPI, the one error mapper, and the built web UI.
 * Modules register their routes on the instance this returns (see app.ts).
 */
import rateLimit from '@fastify/rate-limit';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, {
  LogController,
  type FastifyError,
  type FastifyInstance,
  type FastifyRequest,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import { v7 as uuidv7 } from 'uuid';
import { LantaiError, platformErrors, preferredLanguage } from './errors.js';

export type HttpServer = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, Logger, ZodTypeProvider>;

export interface HttpOptions {
  log: Logger;
  version: string;
  /** Folder of the built web UI (web/dist); absent in API-only tests. */
  webRoot?: string;
  /** Largest JSON body accepted (files go through streamed uploads, not JSON). */
  bodyLimit?: number;
}

/** Where `npm run build` puts the web UI, relative to this file in src/ or dist/src/. */
export function defaultWebRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, '../../../web/dist'), path.resolve(here, '../../../../web/dist')];
  return candidates.find((c) => fs.existsSync(path.join(c, 'index.html'))) ?? candidates[0] ?? 'web/dist';
}

function errorBody(err: LantaiError, request: FastifyRequest) {
  const language = preferredLanguage(request.headers['accept-language']);
  return { code: err.code, message: err.messageFor(language), details: err.details, requestId: request.id };
}

function mapError(error: FastifyError & { validation?: unknown[] }, request: FastifyRequest): LantaiError | null {
  if (error instanceof LantaiError) return error;
  // A schema checked inside a service (not by the route) reports the same way as the route's would.
  if (error instanceof ZodError) {
    const summary = error.issues.map((i) => `${i.path.join('.') || 'body'} ${i.message}`).join('; ');
    return platformErrors.VALIDATION_FAILED({ summary }, { issues: error.issues.map((i) => ({ path: `/${i.path.join('/')}`, message: i.message })) });
  }
  if (error.validation) {
    const issues = error.validation as Array<{ instancePath?: string; message?: string; params?: { issue?: { path?: unknown[] } } }>;
    const summary = issues.map((i) => `${i.instancePath || (error.validationContext ?? 'body')} ${i.message ?? ''}`.trim()).join('; ');
    return platformErrors.VALIDATION_FAILED({ summary }, { issues: issues.map((i) => ({ path: i.instancePath, message: i.message })) });
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return platformErrors.MALFORMED_BODY();
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return platformErrors.BODY_TOO_LARGE();
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return platformErrors.UNSUPPORTED_MEDIA_TYPE({ type: String(request.headers['content-type'] ?? '') });
    default:
      if (error.statusCode === 429) return platformErrors.RATE_LIMITED();
      if (error instanceof SyntaxError && error.statusCode === 400) return platformErrors.MALFORMED_BODY();
      return null;
  }
}

export async function createHttpServer(options: HttpOptions): Promise<HttpServer> {
  const app = Fastify({
    loggerInstance: options.log,
    genReqId: () => uuidv7(),
    requestIdHeader: false,
    // Fastify's own per-request lines are off; the onResponse hook logs requests at debug.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 2 * 1024 * 1024,
    trustProxy: true,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.debug({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  await app.register(cookie);
  // Routes opt in (config.rateLimit): the anonymous search API, for one.
  await app.register(rateLimit, { global: false });
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        // Ant Design and Swagger UI inject <style> elements at run time.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        frameAncestors: ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
    // Allow documents (PDF previews, IIIF) to be embedded by our own pages.
    crossOriginEmbedderPolicy: false,
  });

  await app.register(swagger, {
    openapi: {
      info: { title: '兰台 Lantai API', version: options.version, description: '兰台数字档案馆系统接口 / Lantai digital archive API' },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    staticCSP: true,
    // Swagger UI sets one inline style; allow inline styles as the app does, but no remote origins.
    transformStaticCSP: (header) => header.replace("style-src 'self' https:", "style-src 'self' 'unsafe-inline'"),
    uiConfig: { docExpansion: 'list', deepLinking: true },
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const mapped = mapError(error, request);
    if (mapped) {
      if (mapped.status >= 500) request.log.error({ err: error, code: mapped.code }, mapped.en);
      else request.log.info({ code: mapped.code, url: request.url }, mapped.en);
      return reply.status(mapped.status).send(errorBody(mapped, request));
    }
    request.log.error({ err: error }, 'unhandled error');
    const internal = platformErrors.INTERNAL({ requestId: request.id });
    return reply.status(500).send(errorBody(internal, request));
  });

  const webRoot = options.webRoot;
  const hasWeb = webRoot !== undefined && fs.existsSync(path.join(webRoot, 'index.html'));
  if (hasWeb) {
    await app.register(fastifyStatic, { root: webRoot, wildcard: false, index: false, maxAge: '1h' });
  }

  app.setNotFoundHandler((request, reply) => {
    const isPage = request.method === 'GET' && !request.url.startsWith('/api/') && request.url !== '/api';
    if (isPage && hasWeb) {
      // Single-page app: every non-API path renders index.html and the router takes over.
      return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').sendFile('index.html');
    }
    if (isPage) {
      return reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('网页界面尚未构建，请运行 npm run build。\nThe web UI has not been built; run npm run build.\n');
    }
    const err = platformErrors.ROUTE_NOT_FOUND({ method: request.method, url: request.url.split('?')[0] ?? '' });
    return reply.status(404).send(errorBody(err, request));
  });

  return app;
}
