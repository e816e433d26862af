import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../context.ts';
import { html } from '../http/html.ts';
import { type Distribution, distribution, streamOf } from './cache.ts';
import { baseUrl, dataJson, dcatCatalog, filesOf, type Stamp, stampOf, tableSchemaJson } from './catalog.ts';
import { collectivitesOf, rateHistory, ratesByDepartement, statusSources } from './collectivites.ts';
import type { Dataset } from './dataset.ts';
import { parseView, runView, ViewError, type ViewResult } from './explore.ts';
import { explorePage } from './explore-views.ts';
import { FORMATS, type Format, formatsOf, previewRows } from './formats.ts';
import { PublicationError } from './publication.ts';
import { CatalogQuerySchema, CollectivitesPageQuery, DatasetParams, ExploreQuery, FileParams } from './schema.ts';
import { CRUMB, catalogPage, collectivitesPage, datasetPage, notFoundPage } from './views.ts';

/** Whether the client's copy (If-None-Match, else If-Modified-Since) is current. */
function fresh(req: FastifyRequest, s: Stamp): boolean {
  const inm = req.headers['if-none-match'];
  if (inm) return inm.split(',').some((t) => t.trim().replace(/^W\//, '') === s.etag || t.trim() === '*');
  const ims = req.headers['if-modified-since'];
  if (!ims) return false;
  const t = Date.parse(ims);
  return !Number.isNaN(t) && Math.floor(s.modified.getTime() / 1000) <= Math.floor(t / 1000);
}

const cacheHeaders = (reply: FastifyReply, s: Stamp) =>
  reply
    .header('etag', s.etag)
    .header('last-modified', s.modified.toUTCString())
    .header('cache-control', 'public, max-age=300');

export function registerOpendataRoutes(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const dctx = { db: ctx.db, config: ctx.config };

  const notFound = (req: FastifyRequest, reply: FastifyReply, what: string) =>
    ctx.render(req, reply, {
      title: 'Jeu de données introuvable',
      breadcrumb: [CRUMB, { label: 'Introuvable' }],
      main: notFoundPage(what),
      status: 404,
    });

  r.get('/donnees', { schema: { querystring: CatalogQuerySchema } }, async (req, reply) => {
    const all = [...ctx.datasets.values()].sort((a, b) => a.title.localeCompare(b.title, 'fr'));
    const { theme, module } = req.query;
    const shown = all.filter((d) => (!theme || d.themes.includes(theme)) && (!module || d.module === module));
    const items = await Promise.all(shown.map(async (d) => ({ d, stamp: await stampOf(ctx, d) })));
    return ctx.render(req, reply, {
      title: 'Données ouvertes',
      breadcrumb: [{ label: 'Données ouvertes' }],
      main: catalogPage(ctx, items, all, { theme, module }),
    });
  });

  r.get('/donnees/collectivites', { schema: { querystring: CollectivitesPageQuery } }, async (req, reply) => {
    const region = req.query.region ?? ctx.config.region;
    const [a, rates, sources, history] = await Promise.all([
      collectivitesOf(ctx.db, 'region', region),
      ratesByDepartement(ctx.db, region),
      statusSources(ctx.db),
      rateHistory(ctx.db, 'region', region),
    ]);
    return ctx.render(req, reply, {
      title: `Ouverture des données des collectivités — ${a.nom}`,
      breadcrumb: [CRUMB, { label: 'Collectivités' }],
      main: collectivitesPage(a, rates, sources, history),
    });
  });

  r.get('/donnees/catalogue.jsonld', async (req, reply) =>
    reply
      .type('application/ld+json; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .send(JSON.stringify(await dcatCatalog(ctx, baseUrl(ctx, req)))),
  );

  r.get('/donnees/data.json', async (req, reply) =>
    reply
      .type('application/json; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .send(JSON.stringify(await dataJson(ctx, baseUrl(ctx, req)))),
  );

  r.get('/donnees/:jeu/schema.json', { schema: { params: DatasetParams } }, async (req, reply) => {
    const d = ctx.datasets.get(req.params.jeu);
    if (!d) return notFound(req, reply, `Aucun jeu de données ne s’appelle « ${req.params.jeu} ».`);
    return reply.type('application/json; charset=utf-8').send(JSON.stringify(tableSchemaJson(d)));
  });

  // Datalab: a server-side view of a dataset, its state in the URL (see explore.ts).
  r.get(
    '/donnees/:jeu/explorer',
    { schema: { params: DatasetParams, querystring: ExploreQuery } },
    async (req, reply) => {
      const d = ctx.datasets.get(req.params.jeu);
      if (!d) return notFound(req, reply, `Aucun jeu de données ne s’appelle « ${req.params.jeu} ».`);
      let result: ViewResult | null = null;
      let error: string | null = null;
      try {
        result = await runView(d, dctx, parseView(d, req.query), ctx.config.datalabMaxRows);
      } catch (err) {
        if (!(err instanceof ViewError)) throw err;
        error = err.message;
      }
      return ctx.render(req, reply, {
        title: `Explorer « ${d.title} »`,
        breadcrumb: [CRUMB, { label: d.title, href: `/donnees/${d.id}` }, { label: 'Explorer' }],
        status: error ? 400 : 200,
        main: explorePage(d, req.query, { result, error, maxRows: ctx.config.datalabMaxRows }),
      });
    },
  );

  r.get('/donnees/:fichier', { schema: { params: FileParams } }, async (req, reply) => {
    const m = /^([a-z0-9-]+)(?:\.([a-z0-9]+))?$/.exec(req.params.fichier);
    const d = m ? ctx.datasets.get(m[1]!) : undefined;
    if (!m || !d) return notFound(req, reply, `Aucun jeu de données ne s’appelle « ${req.params.fichier} ».`);
    const format = m[2];
    if (!format) return datasetPageAnswer(req, reply, d);
    if (!(formatsOf(d) as string[]).includes(format))
      return notFound(
        req,
        reply,
        `Le jeu « ${d.title} » n’est pas publié au format « ${format} » (formats : ${formatsOf(d).join(', ')}).`,
      );
    return download(req, reply, d, format as Format);
  });

  async function datasetPageAnswer(req: FastifyRequest, reply: FastifyReply, d: Dataset) {
    const [stamp, preview] = await Promise.all([stampOf(ctx, d), previewRows(d, dctx)]);
    const files = await filesOf(ctx, d, stamp);
    return ctx.render(req, reply, {
      title: d.title,
      breadcrumb: [CRUMB, { label: d.title }],
      main: datasetPage(ctx, d, stamp, baseUrl(ctx, req), preview, files),
    });
  }

  async function download(req: FastifyRequest, reply: FastifyReply, d: Dataset, format: Format) {
    const stamp = await stampOf(ctx, d);
    cacheHeaders(reply, stamp);
    if (fresh(req, stamp)) return reply.code(304).send();
    let file: Distribution;
    try {
      file = await distribution(ctx, d, format, stamp);
    } catch (err) {
      if (!(err instanceof PublicationError)) throw err;
      req.log.error({ dataset: d.id, problems: err.problems }, 'open data: publication refused');
      reply.removeHeader('etag').removeHeader('last-modified').header('cache-control', 'no-store');
      return ctx.render(req, reply, {
        title: 'Publication refusée',
        breadcrumb: [CRUMB, { label: d.title, href: `/donnees/${d.id}` }, { label: 'Publication refusée' }],
        status: 500,
        main: html`<h1 class="fr-mt-2w">Publication refusée</h1>
        <p>Le fichier « ${d.title} » n’est pas publié : le contrôle de publication a trouvé des colonnes non déclarées publiques ou des données personnelles. L’incident est enregistré.</p>
        <p>Retour au <a href="/donnees">catalogue des données ouvertes</a>.</p>`,
      });
    }
    const stream = streamOf(file);
    stream.on('error', (err) => req.log.error({ err, dataset: d.id }, 'open data: download cut'));
    return reply
      .type(FORMATS[format].contentType)
      .header('content-length', file.bytes)
      .header('digest', `sha-256=${Buffer.from(file.sha256, 'hex').toString('base64')}`)
      .header('content-disposition', `inline; filename="${d.id}.${format}"`)
      .send(stream);
  }
}
