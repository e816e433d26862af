import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import etag from '@fastify/etag';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import pino, { type Logger } from 'pino';
import { z } from 'zod';
import type { Config } from './config.ts';
import type { AppContext, AppModule } from './context.ts';
import type { Db } from './db/db.ts';
import { errorBody } from './errors.ts';
import { MAPLIBRE_FILES, MAPLIBRE_PREFIX } from './geo/carte.ts';
import { contentSecurityPolicy, framable } from './http/csp.ts';
import { clientErrorHandler, registerErrorHandling } from './http/error-pages.ts';
import { page, type Site } from './http/layout.ts';
import { pgRateLimitStore } from './http/rate-limit-store.ts';
import { registerSecurity } from './http/security.ts';
import { ImportEvents } from './imports/events.ts';
import { jobsByName, PROCESS_INSTANCE, runImport } from './imports/runner.ts';
import { MODULES } from './modules.ts';
import type { Dataset } from './opendata/dataset.ts';
import type { PersonalDataProvider } from './opendata/personal-data.ts';
import { registerBackupHandoff } from './ops/backup-handoff.ts';
import { createMetrics, measureRequests, registerMetricsRoute } from './ops/metrics.ts';
import { registerReadiness } from './ops/readiness.ts';
import { regionByCode } from './territories/queries.ts';

z.config(z.locales.fr());

type AppDeps = { db: Db; log?: Logger; modules?: AppModule[]; internalToken?: string; instance?: string };

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const pkgDir = (name: string) => path.dirname(require.resolve(`${name}/package.json`));

export function allJobs(modules: AppModule[] = MODULES) {
  return jobsByName(modules.flatMap((m) => m.jobs ?? []));
}

/** Every module's open-data datasets by id; two with one id is a programming error. */
function datasetsByName(modules: AppModule[]): Map<string, Dataset> {
  const m = new Map<string, Dataset>();
  for (const x of modules)
    for (const d of x.datasets ?? []) {
      if (m.has(d.id)) throw new Error(`dataset ${d.id} declared twice`);
      m.set(d.id, { ...d, module: x.name });
    }
  return m;
}

/**
 * Every module's personal-data providers; the account's (`compte`) last, since the others look for the
 * e-mail and name it erases. Two with one name is a programming error.
 */
function personalDataProviders(modules: AppModule[]): PersonalDataProvider[] {
  const all = modules.flatMap((m) => m.personalData ?? []);
  const names = new Set(all.map((p) => p.name));
  if (names.size !== all.length) throw new Error('personal-data provider declared twice');
  return [...all.filter((p) => p.name !== 'compte'), ...all.filter((p) => p.name === 'compte')];
}

/** Builds the whole platform; `listen()` is the caller's business (see main.ts). */
export async function buildApp(config: Config, deps: AppDeps): Promise<{ app: FastifyInstance; ctx: AppContext }> {
  const log = deps.log ?? pino({ level: config.logLevel });
  let frameworkError: ReturnType<typeof registerErrorHandling> | undefined;
  const app = Fastify({
    // Errors met before routing (undecodable URL) and by Node's parser (431, 400) answer in French too.
    frameworkErrors: ((err: FastifyError, req: FastifyRequest, reply: FastifyReply) =>
      frameworkError ? frameworkError(err, req, reply) : reply.code(400).send(errorBody('REQUETE_INVALIDE'))) as never,
    clientErrorHandler,
    loggerInstance: log as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    // A hop count becomes proxy-addr's function form (Fastify's types only take booleans, lists or functions).
    trustProxy:
      typeof config.trustProxy === 'number'
        ? (
            (hops: number) => (_addr: string, i: number) =>
              i < hops
          )(config.trustProxy)
        : config.trustProxy,
    routerOptions: { ignoreTrailingSlash: true },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const metrics = createMetrics();
  measureRequests(app, metrics);

  const modules = deps.modules ?? MODULES;
  const jobs = allJobs(modules);
  const instance = deps.instance ?? PROCESS_INSTANCE;
  const events = new ImportEvents({ db: deps.db, log, instance });

  let site: Site | undefined;
  const region = await regionByCode(deps.db, config.region).catch(() => undefined);
  const computeSite = (): Site => ({
    name: config.instanceName ?? (region ? `Numérique en ${region.nom}` : 'Plateforme régionale du numérique'),
    regionCode: config.region,
    regionNom: region?.nom ?? `région ${config.region}`,
  });

  const ctx: AppContext = {
    db: deps.db,
    config,
    log,
    site: () => (site ??= computeSite()),
    jobs,
    datasets: datasetsByName(modules),
    personalData: personalDataProviders(modules),
    runImport: async (req) =>
      metrics.observeRun(
        await runImport({ db: deps.db, config, log, jobs, instance, onImported: (ev) => events.dispatch(ev) }, req),
      ),
    onImported: (l, name) => events.on(l, name),
    dispatchImported: (ev) => events.dispatch(ev),
    retryFollowUps: (runId) => events.retry(runId),
    instance,
    territorySections: [],
    internalToken: deps.internalToken,
    render(req, reply, o) {
      const body = page({
        site: ctx.site(),
        title: o.title,
        path: req.url.split('?')[0]!,
        viewer: req.viewer ? { nom: req.viewer.nom, role: req.viewer.role } : null,
        csrf: req.csrfToken,
        breadcrumb: o.breadcrumb ?? [],
        main: o.main,
        ...(o.head ? { head: o.head } : {}),
        ...(o.scripts ? { scripts: o.scripts } : {}),
      });
      return reply
        .code(o.status ?? 200)
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(body.value);
    },
  };

  await app.register(cookie);
  await app.register(formbody, { bodyLimit: 1024 * 1024 });
  await app.register(multipart, { limits: { fileSize: config.uploadMaxBytes, files: 1, fields: 20 } });
  // Shared by every instance on a PostgreSQL server (see http/rate-limit-store.ts).
  await app.register(rateLimit, {
    global: false,
    ...(deps.db.kind === 'postgres' ? { store: pgRateLimitStore(deps.db) as never } : {}),
  });
  await app.register(etag);

  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) {
      // A page may have widened its policy (interactive maps, embeddable map): see http/csp.ts.
      const own = reply.getHeader('content-security-policy');
      const csp = typeof own === 'string' ? own : contentSecurityPolicy();
      reply.header('content-security-policy', csp);
      if (!framable(csp)) reply.header('x-frame-options', 'DENY');
    }
    if (
      req.method === 'GET' &&
      req.url.startsWith('/api/v1/') &&
      reply.statusCode === 200 &&
      !reply.getHeader('cache-control')
    ) {
      reply.header('cache-control', 'public, max-age=300');
    }
    return payload;
  });

  await app.register(fastifyStatic, {
    root: path.join(pkgDir('@gouvfr/dsfr'), 'dist'),
    prefix: '/static/dsfr/',
    maxAge: '7d',
  });
  // MapLibre from node_modules (no CDN, no copy in the repository), under its version: cached for a year.
  await app.register(fastifyStatic, {
    root: path.join(pkgDir('maplibre-gl'), 'dist'),
    prefix: `${MAPLIBRE_PREFIX}/`,
    decorateReply: false,
    allowedPath: (p) => MAPLIBRE_FILES.has(p.replace(/^\//, '')),
    maxAge: '365d',
    immutable: true,
  });
  await app.register(fastifyStatic, {
    root: path.join(ROOT, 'public'),
    prefix: '/static/',
    decorateReply: false,
    maxAge: '1h',
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'API de la plateforme régionale d’aménagement numérique',
        description:
          'Territoires, observatoire des réseaux, éligibilité à l’adresse, inclusion numérique. Codes INSEE stables dans toutes les réponses. Données sous Licence Ouverte 2.0 sauf mention contraire.',
        version: '1.0.0',
        license: { name: 'Licence Ouverte 2.0', url: 'https://www.etalab.gouv.fr/licence-ouverte-open-licence/' },
      },
    },
    transform: jsonSchemaTransform,
    hideUntagged: true,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { docExpansion: 'list' }, staticCSP: false });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(cors, {
    origin: (_origin, cb) => cb(null, true),
    methods: ['GET', 'HEAD'],
    hook: 'onRequest',
    delegator: (req, cb) =>
      cb(null, req.url.startsWith('/api/') ? { origin: '*', methods: ['GET', 'HEAD'] } : { origin: false }),
  });

  registerSecurity(app, { db: deps.db, config });
  frameworkError = registerErrorHandling(app, ctx);

  app.get(
    '/api/health',
    {
      schema: {
        tags: ['santé'],
        summary: 'État du service',
        response: {
          200: z.object({ statut: z.literal('ok'), base: z.enum(['pglite', 'postgres']), territoires: z.number() }),
        },
      },
    },
    async () => {
      const r = await deps.db.query<{ n: number }>('SELECT count(*)::int AS n FROM commune');
      return { statut: 'ok' as const, base: deps.db.kind, territoires: r.rows[0]?.n ?? 0 };
    },
  );

  registerReadiness(app, ctx);
  registerMetricsRoute(app, ctx, metrics);
  registerBackupHandoff(app, ctx);

  for (const m of modules) await m.register?.(app, ctx);
  app.addHook('onClose', async () => events.stop());
  return { app, ctx };
}
