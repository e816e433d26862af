import crypto from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import client from 'prom-client';
import { addressIndexStatus } from '../addresses/service.ts';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import type { ImportRun } from '../imports/queries.ts';

/**
 * Prometheus metrics of one app: its own registry (tests build many apps in one process), the
 * default process metrics (CPU, memory, event-loop lag, GC), request durations by route pattern
 * (never the raw URL: one series per route, whatever the codes in the path), import runs and
 * durations by job and status, and the size of the in-memory indexes.
 */
type Metrics = {
  registry: client.Registry;
  observeRun(run: ImportRun): ImportRun;
};

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export function createMetrics(): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'plateforme_', eventLoopMonitoringPrecision: 20 });
  const runs = new client.Counter({
    name: 'plateforme_import_runs_total',
    help: 'Import runs finished by this process, by job and status',
    labelNames: ['job', 'status'],
    registers: [registry],
  });
  const durations = new client.Histogram({
    name: 'plateforme_import_duration_seconds',
    help: 'Import run duration (recorded start to end), by job and status',
    labelNames: ['job', 'status'],
    buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 1200, 3600],
    registers: [registry],
  });
  return {
    registry,
    observeRun(run) {
      runs.inc({ job: run.job, status: run.status });
      const start = new Date(run.started_at).getTime();
      const end = run.ended_at ? new Date(run.ended_at).getTime() : Number.NaN;
      if (Number.isFinite(start) && Number.isFinite(end))
        durations.observe({ job: run.job, status: run.status }, Math.max(0, (end - start) / 1000));
      return run;
    },
  };
}

/** Request durations: added first in buildApp so that every route, static files included, is measured. */
export function measureRequests(app: FastifyInstance, metrics: Metrics): void {
  const requests = new client.Histogram({
    name: 'plateforme_http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [metrics.registry],
  });
  app.addHook('onResponse', async (req, reply) => {
    requests.observe(
      { method: req.method, route: req.routeOptions.url ?? '(aucune route)', status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
}

/**
 * Who may read /metrics: with METRICS_TOKEN, whoever sends it as a bearer token; without, only a
 * direct loopback client. A request relayed by a reverse proxy on the same host also comes from
 * loopback, so one carrying a forwarding header is refused.
 */
function mayRead(req: FastifyRequest, token: string | undefined): boolean {
  if (token) {
    const got = Buffer.from(req.headers.authorization ?? '');
    const want = Buffer.from(`Bearer ${token}`);
    return got.length === want.length && crypto.timingSafeEqual(got, want);
  }
  const relayed =
    req.headers['x-forwarded-for'] !== undefined ||
    req.headers.forwarded !== undefined ||
    req.headers['x-real-ip'] !== undefined;
  return LOOPBACK.has(req.socket.remoteAddress ?? '') && !relayed;
}

export function registerMetricsRoute(app: FastifyInstance, ctx: AppContext, metrics: Metrics): void {
  new client.Gauge({
    name: 'plateforme_index_entries',
    help: 'Entries in the in-memory indexes (addresses: address points)',
    labelNames: ['index'],
    registers: [metrics.registry],
    collect() {
      this.set({ index: 'adresses' }, addressIndexStatus(ctx).size);
    },
  });
  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    if (!mayRead(req, ctx.config.metricsToken))
      throw new AppError('INTERDIT', 'metrics: not loopback and no valid token');
    return reply
      .type(metrics.registry.contentType)
      .header('cache-control', 'no-store')
      .send(await metrics.registry.metrics());
  });
}
