import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../context.ts';
import { MAP_CSS, MAP_SCRIPT, sendMapCsp } from '../geo/carte.ts';
import { fmtInt, html } from '../http/html.ts';
import { bareLayout } from '../http/layout.ts';
import { getTerritory } from '../territories/service.ts';
import { placeFilterOf } from './api.ts';
import * as Q from './queries.ts';
import { filterQuery, NIVEAUX, OUVERTURE, placesMap, select } from './routes.ts';
import { EmbedFormQuerySchema, ExportQuerySchema } from './schema.ts';
import { CATEGORIES, type Categorie } from './vocab.ts';

const EMBED_LIST = 100;

/** Where the partner's page will load the frame from: PUBLIC_URL, else this request's scheme and host. */
const baseUrl = (ctx: AppContext, req: FastifyRequest) =>
  (ctx.config.publicUrl ?? `${req.protocol}://${req.host}`).replace(/\/+$/, '');

type Filters = { niveau?: Q.PlaceFilter['niveau']; code?: string | undefined; categorie?: string; q?: string };

/** What the map shows, in words (the frame's title and the page's heading). */
async function selectionLabel(ctx: AppContext, f: Filters): Promise<string> {
  const parts = ['Lieux d’inclusion numérique'];
  if (f.categorie) parts.push(`(${CATEGORIES[f.categorie as Categorie] ?? f.categorie})`);
  if (f.niveau && f.code) parts.push(`— ${(await getTerritory(ctx.db, f.niveau, f.code)).nom}`);
  else parts.push(`— ${ctx.site().regionNom}`);
  if (f.q) parts.push(`— « ${f.q} »`);
  return parts.join(' ');
}

/** The `<iframe>` a partner pastes: the embeddable map of these filters, lazy, titled for screen readers. */
function iframeSnippet(src: string, title: string, height: number): string {
  const attr = (s: string) =>
    s.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  return `<iframe src="${attr(src)}" title="${attr(title)}" width="100%" height="${height}" style="border:0" loading="lazy" referrerpolicy="no-referrer-when-downgrade"></iframe>`;
}

/** `/inclusion/integrer` (snippet builder, a plain GET form) and `/inclusion/carte` (the framable map). */
export function registerInclusionEmbed(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/inclusion/integrer', { schema: { querystring: EmbedFormQuerySchema } }, async (req, reply) => {
    const { hauteur, ...q } = req.query;
    await placeFilterOf(ctx, { ...q, ouvert: undefined }); // an unknown territory is a 404 here, not in the frame
    const src = `${baseUrl(ctx, req)}/inclusion/carte${filterQuery(q)}`;
    const title = await selectionLabel(ctx, q);
    const snippet = iframeSnippet(src, title, hauteur);
    return ctx.render(req, reply, {
      title: 'Intégrer la carte des lieux d’inclusion numérique',
      breadcrumb: [{ label: 'Inclusion numérique', href: '/inclusion' }, { label: 'Intégrer la carte' }],
      main: html`<h1 class="fr-mt-2w">Intégrer la carte sur votre site</h1>
      <p class="fr-text--lead">Choisissez le territoire et les filtres, puis copiez le code ci-dessous dans une page de votre site : la carte, en lecture seule, montre les lieux à jour de la plateforme, avec leur liste pour qui navigue sans JavaScript.</p>
      <form method="get" action="/inclusion/integrer" class="fr-mb-4w"><fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Lieux à montrer</legend>
      <div class="fr-grid-row fr-grid-row--gutters">
        <div class="fr-col-12 fr-col-md-4">${select('categorie', 'Catégorie', Object.entries(CATEGORIES), q.categorie)}</div>
        <div class="fr-col-12 fr-col-md-4"><div class="fr-input-group"><label class="fr-label" for="f-q">Nom, commune ou adresse</label>
          <input class="fr-input" type="search" id="f-q" name="q" value="${q.q ?? ''}" maxlength="100"></div></div>
        <div class="fr-col-12 fr-col-md-2">${select('niveau', 'Territoire : niveau', Object.entries(NIVEAUX), q.niveau)}</div>
        <div class="fr-col-12 fr-col-md-2"><div class="fr-input-group"><label class="fr-label" for="f-code">Territoire : code<span class="fr-hint-text">code INSEE, ou SIREN de l’EPCI</span></label>
          <input class="fr-input" id="f-code" name="code" value="${q.code ?? ''}" maxlength="12"></div></div>
        <div class="fr-col-12 fr-col-md-4">${select('ouvert', 'Ouverture', Object.entries(OUVERTURE), q.ouvert)}</div>
        <div class="fr-col-12 fr-col-md-2"><div class="fr-input-group"><label class="fr-label" for="f-hauteur">Hauteur (pixels)<span class="fr-hint-text">de 250 à 1 200</span></label>
          <input class="fr-input" type="number" id="f-hauteur" name="hauteur" min="250" max="1200" value="${hauteur}"></div></div>
      </div>
      <button class="fr-btn fr-mt-2w" type="submit">Mettre à jour le code</button></fieldset></form>
      <h2>Code à copier</h2>
      <div class="fr-input-group"><label class="fr-label" for="code-integration">Code HTML de la carte : ${title}</label>
        <textarea class="fr-input" id="code-integration" rows="4" readonly>${snippet}</textarea></div>
      <p class="fr-text--sm">Adresse de la carte seule : <a href="${src}">${src}</a>. Les lieux viennent des fichiers nationaux (ANCT, data·inclusion) sous Licence Ouverte 2.0 ; la carte les cite.</p>
      <h2>Aperçu</h2>
      <iframe src="${src}" title="${title}" width="100%" height="${hauteur}" style="border:0" loading="lazy"></iframe>`,
    });
  });

  r.get('/inclusion/carte', { schema: { querystring: ExportQuerySchema } }, async (req, reply) => {
    const q = req.query;
    const filter = await placeFilterOf(ctx, q);
    const res = await Q.listPlaces(ctx.db, filter, EMBED_LIST, 0);
    const base = baseUrl(ctx, req);
    const fq = filterQuery(q);
    const title = await selectionLabel(ctx, q);
    sendMapCsp(reply, ctx.config, '*');
    const body = bareLayout({
      site: ctx.site(),
      title,
      head: MAP_CSS,
      scripts: [MAP_SCRIPT],
      main: html`<h1 class="fr-h6 fr-mb-1w">${title}</h1>
      ${res.total ? placesMap(ctx, filter, fq, { base }) : ''}
      ${
        res.items.length
          ? html`<div id="lieux"><p class="fr-text--sm fr-mb-1w">${fmtInt(res.total)} lieux${res.total > res.items.length ? `, dont les ${fmtInt(res.items.length)} premiers` : ''} :</p>
      <ul class="fr-text--sm">${res.items.map((p) => html`<li><a href="${base}/inclusion/lieux/${p.id}" target="_blank" rel="noopener">${p.nom}</a>${p.commune ? ` — ${p.commune}` : ''}</li>`)}</ul></div>`
          : html`<p id="lieux">Aucun lieu ne correspond à ces critères.</p>`
      }
      <p class="fr-text--sm"><a href="${base}/inclusion${fq}" target="_blank" rel="noopener">Tous ces lieux sur ${ctx.site().name}</a> — lieux : ANCT, data·inclusion, Licence Ouverte 2.0.</p>`,
    });
    return reply.type('text/html; charset=utf-8').header('cache-control', 'public, max-age=300').send(body.value);
  });
}
