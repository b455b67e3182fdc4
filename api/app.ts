import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import jwt from '@fastify/jwt';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Client } from '@temporalio/client';
import {
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type pg from 'pg';
import client from 'prom-client';
import { z } from 'zod';
import { errorBody, HttpError, type ErrorDetail } from './errors';
import { registerBusinessMetrics } from './metrics';
import { isDatabaseUnavailable, RETRY_AFTER_SECONDS } from './outage';
import casesRoutes from './routes/cases';
import supervisionRoutes from './routes/supervision';
import workOrderRoutes from './routes/work-orders';
import referenceRoutes from './routes/reference';
import adminRoutes from './routes/admin';
import calendarRoutes from './routes/calendar';
import { calendarWarnings, PACKAGE_CALENDAR } from '../domain/holiday-calendar';
import { publishedSchedules } from '../activities/holiday-calendars';
import publicRoutes from './routes/public';
import disclosureRoutes from './routes/disclosure';
import inboxRoutes from './routes/inbox';
import webhooksRoutes from './routes/webhooks';
import open311Routes from './routes/open311';
import open311AdminRoutes from './routes/open311-admin';
import { DEFAULT_DELIVERY_SETTINGS, type DeliverySettings } from '../delivery/settings';
import sessionRoutes from './routes/session';
import accountsRoutes from './routes/accounts';
import inspectionsRoutes from './routes/inspections';
import { authenticateBearerOrSession } from './session-auth';
import webConsole from './web-console';
import summonsRoutes from './routes/summons';
import registriesRoutes from './routes/registries';
import enforcementObjectsRoutes from './routes/enforcement-objects';

export interface AppDeps {
  pool: pg.Pool;
  temporal: { client: Client; taskQueue: string };
  jwtSecret: string;
  /** Fastify's logger option: false (default), true, or pino options. */
  logger?: FastifyServerOptions['logger'];
  /** Rate limit of POST /v1/cases per caller (token subject, else IP). Default 600 per minute. */
  caseCreationRateLimit?: { max: number; timeWindow: number | string };
  /** How long GET /v1/cases/{id} waits for the workflow's live view before answering from the read model. Default 5 s. */
  caseQueryTimeoutMs?: number;
  /** Largest accepted request body in bytes. Default 256 KiB. */
  bodyLimit?: number;
  /** Delivery: private endpoint URLs allowed, secret rotation grace (delivery/settings.ts); defaults otherwise. */
  delivery?: Partial<Pick<DeliverySettings, 'allowPrivateUrls' | 'secretRotationGraceMs'>>;
  /** Inbox stream: LISTEN/NOTIFY (default) or polling (embedded PGlite has one connection, none to listen on). */
  inboxFeed?: { mode: 'listen' | 'poll'; pollMs?: number; heartbeatMs?: number };
  /** The built web console (dist/web) to serve at `/`; none when unset. */
  webRoot?: string;
  /** How long /metrics reuses its read-model figures (api/metrics.ts). Default 15 s. */
  businessMetricsCacheMs?: number;
}

const PART_NAMES: Record<string, string> = {
  body: 'body',
  querystring: 'querystring',
  params: 'params',
  headers: 'headers',
};

/** `a.b.0.c` under the request part that failed: `body.location.address`, `params.action`. */
function detailPath(part: string | undefined, instancePath: string): string {
  const prefix = part ? (PART_NAMES[part] ?? part) : 'body';
  const rest = instancePath
    .split('/')
    .filter((s) => s.length > 0)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  return [prefix, ...rest].join('.');
}

const healthSchema = z.object({ status: z.string() }).describe('liveness');
const readySchema = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    checks: z.object({ postgres: z.enum(['ok', 'down']), temporal: z.enum(['ok', 'down']) }),
    warnings: z.array(z.string()).optional().describe('ready, but an operator should act: e.g. next year\'s holiday calendar is missing'),
  })
  .describe('readiness');

/** NUL and unpaired UTF-16 surrogates: valid JSON, but Postgres text/jsonb refuses them (a case could never be recorded). */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The path of the first string (value or key) under `value` that Postgres cannot store, if any. */
export function findUnstorable(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path : undefined;
  if (value === null || typeof value !== 'object' || depth > 64) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorable(value[i], `${path}.${i}`, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  for (const [k, v] of Object.entries(value)) {
    if (UNSTORABLE.test(k)) return path;
    const found = findUnstorable(v, `${path}.${k}`, depth + 1);
    if (found) return found;
  }
  return undefined;
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** Builds the HTTP API (api.md), ready to `listen` or `inject`. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: deps.bodyLimit ?? 256 * 1024,
    // Ids of our own; Fastify's default counter restarts with every process.
    genReqId: () => crypto.randomUUID(),
    // Errors raised before routing (a malformed or over-long URL component) in api.md's shape too.
    frameworkErrors: (err, _request, reply) => {
      const status = typeof err.statusCode === 'number' && err.statusCode >= 400 ? err.statusCode : 400;
      const code = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'uri_too_long' : 'bad_request';
      void (reply as unknown as FastifyReply).code(status).send(errorBody(code, err.message, [{ path: 'params', message: err.message }]));
    },
  });
  // JSON only (api.md "Conventions"): without this, a JSON body sent as text/plain reached validation as
  // one string and came back as a misleading "expected object" 400; now it is a 415 naming the type.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // ---- metrics (a registry per app so tests can build several apps in one process)
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const httpRequests = new client.Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers: [registry],
  });
  const httpDuration = new client.Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status_code: String(reply.statusCode),
    };
    httpRequests.inc(labels);
    httpDuration.observe(labels, reply.elapsedTime / 1000);
  });
  registerBusinessMetrics(app, { pool: deps.pool, registry, cacheMs: deps.businessMetricsCacheMs });

  // ---- one error shape for everything (api.md "Errors")
  app.setErrorHandler((err: FastifyError | HttpError | Error, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const part = (err as FastifyError).validationContext;
      const details: ErrorDetail[] = err.validation.map((v) => ({
        path: detailPath(part, v.instancePath),
        message: v.message ?? 'invalid',
      }));
      return reply.code(400).send(errorBody('invalid_request', `invalid ${part ?? 'request'}`, details));
    }
    if (err instanceof HttpError) {
      if (err.statusCode === 503) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      return reply.code(err.statusCode).send(errorBody(err.code, err.message, err.details));
    }
    if (isDatabaseUnavailable(err)) {
      // An outage, not a bug: the client may retry (api.md "Errors"); the detail goes to the log only.
      request.log.warn({ err }, 'postgres unavailable');
      reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      return reply.code(503).send(errorBody('unavailable', 'the case database is unavailable; retry later'));
    }
    if (isResponseSerializationError(err as never) && (err as FastifyError).code === 'FST_ERR_RESPONSE_SERIALIZATION') {
      request.log.error({ err }, 'response does not match its schema');
      return reply.code(500).send(errorBody('internal', 'internal error'));
    }
    const fe = err as FastifyError;
    const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
    if (status >= 400 && status < 500) {
      // Fastify's own client errors: malformed JSON, empty body, unsupported media type, too large, rate limit…
      const code =
        status === 429
          ? 'rate_limited'
          : status === 413
            ? 'payload_too_large'
            : status === 415
              ? 'unsupported_media_type'
              : status === 401
                ? 'unauthorized'
                : status === 404
                  ? 'not_found'
                  : 'bad_request';
      if (status === 415) {
        // Name what we expect: a JSON body sent as text/plain (a common curl or fetch slip) says so plainly.
        const sent = request.headers['content-type'] ?? '(none)';
        const message = `the body must be sent as application/json (Content-Type: ${sent} is not accepted)`;
        return reply.code(415).send(errorBody(code, message, [{ path: 'headers.content-type', message: 'expected application/json' }]));
      }
      const part = fe.code?.startsWith('FST_ERR_CTP') ? 'body' : 'request';
      return reply.code(status).send(errorBody(code, fe.message, [{ path: part, message: fe.message }]));
    }
    request.log.error({ err }, 'unhandled error');
    return reply.code(status >= 500 && status < 600 ? status : 500).send(errorBody('internal', 'internal error'));
  });
  // Text Postgres cannot store is refused up front, for every route (400 naming the field).
  app.addHook('preValidation', async (request) => {
    const bad = findUnstorable(request.body, 'body') ?? findUnstorable(request.query, 'querystring');
    if (bad) {
      throw new HttpError(400, 'invalid_request', 'text must not contain NUL characters or unpaired surrogates', [
        { path: bad, message: 'contains a NUL character or an unpaired UTF-16 surrogate' },
      ]);
    }
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(errorBody('not_found', `no route ${request.method} ${request.url.split('?')[0]}`));
  });

  // ---- external plugins
  await app.register(helmet, {
    // swagger-ui's static page brings its own CSP (staticCSP below)
    contentSecurityPolicy: false,
  });
  await app.register(cookie);
  await app.register(jwt, {
    secret: deps.jwtSecret,
    // Tokens this app signs (app.jwt.sign) expire too unless the caller sets its own expiresIn.
    sign: { algorithm: 'HS256', expiresIn: '12h' },
    // A token without exp would never expire: refuse it (api/auth.ts names the reason). An upstream system
    // sends the same token with every request: fast-jwt remembers a verified token (LRU of 1,000, by its
    // SHA-256) until its exp or 10 minutes, whichever is first, instead of checking the HMAC and parsing it
    // again; refusals are not remembered (errorCacheTTL -1, the library's default).
    verify: { algorithms: ['HS256'], requiredClaims: ['exp'], cache: 1000, cacheTTL: 600_000 },
    messages: { authorizationTokenInvalid: (err: Error) => `Authorization token is invalid: ${err.message}` },
  });
  await app.register(rateLimit, {
    global: false,
    keyGenerator: (request) => {
      // Bearer token subject when there is one (not verified here; verification follows), else the IP.
      const auth = request.headers.authorization;
      if (auth?.startsWith('Bearer ')) {
        try {
          const decoded = app.jwt.decode<{ sub?: unknown }>(auth.slice(7));
          if (decoded && typeof decoded.sub === 'string') return `sub:${decoded.sub}`;
        } catch {
          /* fall through */
        }
      }
      return `ip:${request.ip}`;
    },
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Township comprehensive law-enforcement cases (一支队伍管执法)',
        description:
          'Durable case orchestration: the eight-stage closed loop, county transfers, judicial and court children. ' +
          'Every route: JSON bodies only (application/json, else 415); text must not contain NUL characters or unpaired ' +
          'UTF-16 surrogates (400 naming the field); bearer tokens are HS256 with an exp claim; a 503 carries Retry-After.',
        version: '1.0.0',
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });

  app.decorate('authenticate', authenticateBearerOrSession(deps.pool));

  // ---- operational endpoints (no auth)
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get(
    '/healthz',
    { schema: { tags: ['ops'], summary: 'Liveness', response: { 200: healthSchema } } },
    async () => ({ status: 'ok' }),
  );
  typed.get(
    '/readyz',
    { schema: { tags: ['ops'], summary: 'Readiness: Postgres and Temporal reachable', response: { 200: readySchema, 503: readySchema } } },
    async (request, reply) => {
      const [pgCheck, temporalCheck] = await Promise.allSettled([
        withTimeout(deps.pool.query('select 1'), 3000),
        deps.temporal.client.withDeadline(Date.now() + 3000, () =>
          deps.temporal.client.workflowService.getSystemInfo({}),
        ),
      ]);
      // Unauthenticated: say up or down only; the reason (addresses, gRPC messages) goes to the log.
      const describe = (name: string, r: PromiseSettledResult<unknown>): 'ok' | 'down' => {
        if (r.status === 'fulfilled') return 'ok';
        request.log.warn({ err: r.reason, dependency: name }, 'readiness check failed');
        return 'down';
      };
      const checks = { postgres: describe('postgres', pgCheck), temporal: describe('temporal', temporalCheck) };
      const ready = pgCheck.status === 'fulfilled' && temporalCheck.status === 'fulfilled';
      const warnings = ready
        ? calendarWarnings(Date.now(), PACKAGE_CALENDAR.with(await publishedSchedules(deps.pool).catch(() => [])))
        : [];
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks, ...(warnings.length ? { warnings } : {}) });
    },
  );
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });

  // ---- routes
  await app.register(casesRoutes, {
    pool: deps.pool,
    temporal: deps.temporal,
    rateLimit: deps.caseCreationRateLimit ?? { max: 600, timeWindow: '1 minute' },
    ...(deps.caseQueryTimeoutMs !== undefined ? { queryTimeoutMs: deps.caseQueryTimeoutMs } : {}),
  });
  await app.register(workOrderRoutes, { pool: deps.pool, temporal: deps.temporal });
  await app.register(supervisionRoutes, { pool: deps.pool });
  await app.register(referenceRoutes, { pool: deps.pool });
  await app.register(adminRoutes, { pool: deps.pool });
  await app.register(calendarRoutes, { pool: deps.pool, temporal: deps.temporal });
  await app.register(publicRoutes, { pool: deps.pool });
  await app.register(disclosureRoutes, { pool: deps.pool, temporal: deps.temporal });
  await app.register(inboxRoutes, {
    pool: deps.pool,
    feedMode: deps.inboxFeed?.mode ?? 'listen',
    feedPollMs: deps.inboxFeed?.pollMs ?? 1000,
    heartbeatMs: deps.inboxFeed?.heartbeatMs ?? 25_000,
  });
  await app.register(webhooksRoutes, { pool: deps.pool, settings: { ...DEFAULT_DELIVERY_SETTINGS, ...deps.delivery } });
  await app.register(open311Routes, { pool: deps.pool });
  await app.register(open311AdminRoutes, { pool: deps.pool });
  await app.register(sessionRoutes, { pool: deps.pool });
  await app.register(accountsRoutes, { pool: deps.pool });
  await app.register(summonsRoutes, { pool: deps.pool, temporal: deps.temporal });
  await app.register(registriesRoutes, { pool: deps.pool });
  await app.register(enforcementObjectsRoutes, { pool: deps.pool });
  await app.register(inspectionsRoutes, { pool: deps.pool, temporal: deps.temporal });
  if (deps.webRoot) await app.register(webConsole, { root: deps.webRoot });

  await app.ready();
  return app;
}
