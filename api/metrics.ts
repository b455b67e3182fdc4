import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import client from 'prom-client';
import { STAGES } from '../domain/stages';

/**
 * Business metrics of `/metrics` (issue 7), beside the process and HTTP metrics of api/app.ts:
 *
 * - `enforcement_open_cases{stage}`                open cases by stage;
 * - `enforcement_overdue_cases{level}`             open cases past their due time, by escalation level
 *                                                   (0: due passed, escalation not yet recorded);
 * - `enforcement_escalations_total{level}`         escalations recorded so far (timeline deadline_breached);
 * - `enforcement_action_duration_seconds{action,outcome}`  latency of each human step and case opening
 *                                                   as this API process answered it (outcome ok/refused/error);
 * - `enforcement_business_metrics_age_seconds`     how old the read-model figures are;
 * - `enforcement_webhook_deliveries{state}`        webhook deliveries not delivered: `due` (to be sent now),
 *                                                   `scheduled` (a retry later), `dead` (given up after the
 *                                                   retry schedule or a 410; replayable);
 * - `enforcement_webhook_delivery_lag_seconds`     how long the oldest due delivery has waited past its time
 *                                                   (0 when none: the dispatchers keep up);
 * - `enforcement_webhook_endpoints{state}`         subscriptions enabled and disabled (a 410, or by hand);
 * - `enforcement_delivery_backlog{source}`         outbox notifications and timeline entries not yet fanned out
 *                                                   to the inbox and the webhook deliveries, and
 * - `enforcement_delivery_backlog_age_seconds{source}`  how old the oldest of them is.
 *
 * The read-model figures come from queries on partial indexes (db/migrations/1733300000000_…,
 * 1733200000000_delivery.sql, 1734600000000_delivery-metrics.sql): index scans of the open cases, the
 * escalation rows, the pending and dead deliveries and the undispatched rows, never a whole table. They are computed on
 * scrape but at most once per `cacheMs` (default 15 s) per process, and concurrent scrapes share one
 * refresh; when Postgres is down the last figures stay (their age says so) and /metrics still answers.
 */
export interface BusinessMetricsOptions {
  pool: Pool;
  registry: client.Registry;
  /** How long read-model figures are reused. Default 15 000 ms. */
  cacheMs?: number;
}

interface Figures {
  openByStage: Map<string, number>;
  overdueByLevel: Map<string, number>;
  escalationsByLevel: Map<string, number>;
  deliveries: Map<string, number>;
  deliveryLagSeconds: number;
  endpoints: Map<string, number>;
  backlog: Map<string, number>;
  backlogAgeSeconds: Map<string, number>;
  at: number;
}

const LEVELS = ['0', '1', '2'];

/** The route of a human step or case opening → its action label; undefined for other routes. */
export function actionOfRoute(method: string, route: string | undefined): string | undefined {
  if (method !== 'POST' || !route) return undefined;
  if (route === '/v1/cases') return 'open';
  const m = /^\/v1\/cases\/:caseId\/(?:actions\/([a-z-]+)|(county-response)|(judicial|court)\/([a-z-]+))$/.exec(route);
  if (!m) return undefined;
  return m[1] ?? m[2] ?? `${m[3]}/${m[4]}`;
}

export function registerBusinessMetrics(app: FastifyInstance, options: BusinessMetricsOptions): void {
  const { pool, registry } = options;
  const cacheMs = options.cacheMs ?? 15_000;
  let figures: Figures | undefined;
  let refreshing: Promise<Figures | undefined> | undefined;

  async function query(): Promise<Figures> {
    const [open, escalations, deliveries, endpoints, backlog] = await Promise.all([
      pool.query<{ stage: string; level: number; open: number; overdue: number }>(
        `SELECT stage, escalation_level AS level, count(*)::int AS open,
                count(*) FILTER (WHERE current_due_at < now())::int AS overdue
           FROM cases WHERE status = 'open' GROUP BY stage, escalation_level`,
      ),
      pool.query<{ level: string; n: number }>(
        `SELECT data ->> 'level' AS level, count(*)::int AS n
           FROM case_events WHERE type = 'deadline_breached' GROUP BY 1`,
      ),
      pool.query<{ due: number; scheduled: number; dead: number; lag: number }>(
        `SELECT count(*) FILTER (WHERE next_attempt_at <= now())::int AS due,
                count(*) FILTER (WHERE next_attempt_at > now())::int AS scheduled,
                (SELECT count(*)::int FROM webhook_deliveries WHERE status = 'dead') AS dead,
                COALESCE(EXTRACT(EPOCH FROM now() - min(next_attempt_at) FILTER (WHERE next_attempt_at <= now())), 0)::float8 AS lag
           FROM webhook_deliveries WHERE status = 'pending'`,
      ),
      pool.query<{ enabled: boolean; n: number }>(
        'SELECT enabled, count(*)::int AS n FROM webhook_endpoints WHERE deleted_at IS NULL GROUP BY enabled',
      ),
      pool.query<{ source: string; n: number; age: number }>(
        `SELECT 'outbox' AS source, count(*)::int AS n, COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS age
           FROM outbox WHERE dispatched_at IS NULL
         UNION ALL
         SELECT 'timeline', count(*)::int, COALESCE(EXTRACT(EPOCH FROM now() - min(at)), 0)::float8
           FROM case_events WHERE published_at IS NULL`,
      ),
    ]);
    const openByStage = new Map<string, number>(STAGES.map((s) => [s, 0]));
    const overdueByLevel = new Map<string, number>(LEVELS.map((l) => [l, 0]));
    for (const r of open.rows) {
      openByStage.set(r.stage, (openByStage.get(r.stage) ?? 0) + r.open);
      overdueByLevel.set(String(r.level), (overdueByLevel.get(String(r.level)) ?? 0) + r.overdue);
    }
    const escalationsByLevel = new Map<string, number>(LEVELS.slice(1).map((l) => [l, 0]));
    for (const r of escalations.rows) escalationsByLevel.set(r.level ?? 'unknown', r.n);
    const d = deliveries.rows[0] ?? { due: 0, scheduled: 0, dead: 0, lag: 0 };
    return {
      openByStage,
      overdueByLevel,
      escalationsByLevel,
      deliveries: new Map([
        ['due', d.due],
        ['scheduled', d.scheduled],
        ['dead', d.dead],
      ]),
      // a lag of a few milliseconds is a delivery being claimed right now, not a dispatcher behind
      deliveryLagSeconds: Math.max(0, d.lag),
      endpoints: new Map([
        ['enabled', endpoints.rows.find((r) => r.enabled)?.n ?? 0],
        ['disabled', endpoints.rows.find((r) => !r.enabled)?.n ?? 0],
      ]),
      backlog: new Map(backlog.rows.map((r) => [r.source, r.n])),
      backlogAgeSeconds: new Map(backlog.rows.map((r) => [r.source, Math.max(0, r.age)])),
      at: Date.now(),
    };
  }

  /** The figures, refreshed when older than cacheMs; the last ones (or none) when the refresh fails. */
  function current(): Promise<Figures | undefined> {
    if (figures && Date.now() - figures.at < cacheMs) return Promise.resolve(figures);
    refreshing ??= query()
      .then(
        (fresh) => (figures = fresh),
        (err: unknown) => {
          app.log.warn({ err }, 'business metrics: read model unavailable; keeping the last figures');
          return figures;
        },
      )
      .finally(() => {
        refreshing = undefined;
      });
    return refreshing;
  }

  /** A gauge of read-model figures by one label, set afresh from the figures at each scrape. */
  const figureGauge = <L extends string>(name: string, help: string, label: L, values: (f: Figures) => Map<string, number>) =>
    new client.Gauge<L>({
      name,
      help,
      labelNames: [label],
      registers: [registry],
      async collect() {
        const f = await current();
        if (!f) return;
        this.reset();
        for (const [k, v] of values(f)) this.set({ [label]: k } as Partial<Record<L, string>>, v);
      },
    });

  figureGauge('enforcement_open_cases', 'Open cases by stage (read model)', 'stage', (f) => f.openByStage);
  figureGauge('enforcement_overdue_cases', 'Open cases past their due time by escalation level (read model; 0: escalation not yet recorded)', 'level', (f) => f.overdueByLevel);
  new client.Counter({
    name: 'enforcement_escalations_total',
    help: 'Escalations recorded (deadline breaches: level 1 township leader, level 2 county supervisor)',
    labelNames: ['level'] as const,
    registers: [registry],
    async collect() {
      const f = await current();
      if (!f) return;
      // The rows are append-only, so the count never decreases: a counter, set to the database's figure.
      this.reset();
      for (const [level, n] of f.escalationsByLevel) this.inc({ level }, n);
    },
  });
  new client.Gauge({
    name: 'enforcement_business_metrics_age_seconds',
    help: 'Age of the read-model figures above (grows while Postgres is unreachable)',
    registers: [registry],
    async collect() {
      const f = await current();
      this.set(f ? (Date.now() - f.at) / 1000 : -1);
    },
  });

  figureGauge('enforcement_webhook_deliveries', 'Webhook deliveries not delivered, by state: due (to be sent now), scheduled (a retry later), dead (given up; replayable)', 'state', (f) => f.deliveries);
  new client.Gauge({
    name: 'enforcement_webhook_delivery_lag_seconds',
    help: 'How long the oldest due webhook delivery has waited past its time (0: the dispatchers keep up)',
    registers: [registry],
    async collect() {
      const f = await current();
      if (f) this.set(f.deliveryLagSeconds);
    },
  });
  figureGauge('enforcement_webhook_endpoints', 'Webhook subscriptions by state: enabled, disabled (the endpoint answered 410 Gone, or disabled by hand)', 'state', (f) => f.endpoints);
  figureGauge('enforcement_delivery_backlog', 'Outbox notifications and timeline entries not yet fanned out to the inbox and the webhook deliveries, by source', 'source', (f) => f.backlog);
  figureGauge('enforcement_delivery_backlog_age_seconds', 'Age of the oldest outbox notification or timeline entry not yet fanned out, by source (0 when none)', 'source', (f) => f.backlogAgeSeconds);

  const actionDuration = new client.Histogram({
    name: 'enforcement_action_duration_seconds',
    help: 'Latency of case opening and each human step as this API answered it, by action and outcome',
    labelNames: ['action', 'outcome'] as const,
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    const action = actionOfRoute(request.method, request.routeOptions.url);
    if (!action) return;
    const outcome = reply.statusCode < 400 ? 'ok' : reply.statusCode < 500 ? 'refused' : 'error';
    actionDuration.observe({ action, outcome }, reply.elapsedTime / 1000);
  });
}
