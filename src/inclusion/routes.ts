import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { MAP_CSS, MAP_SCRIPT, mapBlock, sendMapCsp } from '../geo/carte.ts';
import { fmtDate, fmtDay, fmtInt, type Html, html, raw } from '../http/html.ts';
import { pageHref, pagerOf, pagination, rangeLabel } from '../http/pagination.ts';
import { IdParams } from '../http/schemas.ts';
import { type Citation, sourcesBlock } from '../http/sources.ts';
import { featureCollection, placeFilterOf } from './api.ts';
import { LAYOUT_LABEL, type Layout } from './parse.ts';
import * as Q from './queries.ts';
import { ExportQuerySchema, PlacesPageQuerySchema } from './schema.ts';
import { CATEGORIES, type Categorie, JOURS, weekOfOsm } from './vocab.ts';

const CRUMB = { label: 'Inclusion numérique', href: '/inclusion' };
const PER_PAGE = 50;
const EXPORT_MAX = 50_000;
export const NIVEAUX = { commune: 'Commune', epci: 'EPCI', departement: 'Département', region: 'Région' } as const;

const FORMAT_LABEL: Record<string, string> = { ...LAYOUT_LABEL, 'anct-csv': 'liste CSV des France Services (ANCT)' };
const PRODUCER: Record<string, string> = {
  'france-services': 'ANCT — programme France Services',
  'cnfs-cartographie': 'ANCT — cartographie nationale des conseillers numériques',
  'data-inclusion': 'data·inclusion (GIP Plateforme de l’inclusion)',
};

const catLabel = (c: string) => CATEGORIES[c as Categorie] ?? c;

/** One citation per dataset and file behind the places. */
export function placeCitations(files: Awaited<ReturnType<typeof Q.sourceFiles>>): Citation[] {
  return files.map((f) => ({
    producteur: PRODUCER[f.source] ?? `Jeu « ${f.source} » (schéma national des lieux de médiation numérique)`,
    jeu: `${FORMAT_LABEL[f.format as Layout] ?? f.format}, ${fmtInt(f.n)} fiches`,
    fichier: f.fichier,
    donneesAu: f.date_max,
    importeLe: f.importe_le,
    licence: f.licence,
  }));
}

export const OUVERTURE = { maintenant: 'Ouvert maintenant', samedi: 'Ouvert le samedi' };

export const select = (name: string, label: string, options: [string, string][], current: string | undefined) =>
  html`<div class="fr-select-group"><label class="fr-label" for="f-${name}">${label}</label>
  <select class="fr-select" id="f-${name}" name="${name}"><option value="">— tous —</option>${options.map(([v, l]) => html`<option value="${v}"${current === v ? raw(' selected') : ''}>${l}</option>`)}</select></div>`;

const tags = (xs: string[]) =>
  html`<ul class="fr-tags-group">${xs.map((x) => html`<li><p class="fr-tag fr-tag--sm">${catLabel(x)}</p></li>`)}</ul>`;

/** Query string of the current filters (for the export links). */
export function filterQuery(q: Record<string, unknown>): string {
  const p = new URLSearchParams();
  for (const k of ['categorie', 'niveau', 'code', 'q', 'ouvert']) if (q[k]) p.set(k, String(q[k]));
  const s = p.toString();
  return s ? `?${s}` : '';
}

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r;]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** The national schema's columns (LieuxDeMediationNumerique), plus the categories and sources of the merge. */
const CSV_COLUMNS = [
  'id',
  'nom',
  'pivot',
  'commune',
  'code_postal',
  'code_insee',
  'adresse',
  'latitude',
  'longitude',
  'telephone',
  'courriel',
  'site_web',
  'horaires',
  'services',
  'source',
  'date_maj',
  'categories',
  'precision',
] as const;

function hoursTable(p: Q.PlaceRow): Html {
  if (!p.horaires) return html`<p>Horaires non renseignés par les sources.</p>`;
  const week = weekOfOsm(p.horaires);
  if (!week) return html`<p>Horaires (format OpenStreetMap, tels que publiés) : <code>${p.horaires}</code></p>`;
  return html`<div class="fr-table fr-table--no-caption"><table><caption>Horaires d’ouverture</caption>
  <thead><tr><th scope="col">Jour</th><th scope="col">Horaires</th></tr></thead>
  <tbody>${JOURS.map((j, i) => html`<tr><th scope="row">${j}</th><td>${week[i] ?? 'fermé'}</td></tr>`)}</tbody></table></div>
  <p class="fr-text--xs">Au format OpenStreetMap : <code>${p.horaires}</code></p>`;
}

/** The shared MapLibre map of the filtered places (the list `#lieux` is its text alternative). */
export function placesMap(ctx: AppContext, filter: Q.PlaceFilter, fq: string, embed?: { base: string }) {
  const territory = filter.niveau && filter.code ? `${filter.niveau}/${filter.code}` : `region/${ctx.config.region}`;
  return mapBlock({
    config: ctx.config,
    dataUrl: `/api/v1/inclusion/lieux.geojson${fq}`,
    placeHref: `${embed?.base ?? ''}/inclusion/lieux/{id}`,
    contoursUrl: `/api/v1/territoires/${territory}/communes/contours`,
    label: 'Carte des lieux d’inclusion numérique',
    listId: 'lieux',
    dataAttribution: 'Lieux : ANCT, data·inclusion (Licence Ouverte 2.0)',
    ...(embed ? { newTab: true, height: 420 } : {}),
  });
}

export function registerInclusionPages(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/inclusion', { schema: { querystring: PlacesPageQuerySchema } }, async (req, reply) => {
    const q = req.query;
    const at = new Date();
    const filter = await placeFilterOf(ctx, q, at);
    let res = await Q.listPlaces(ctx.db, filter, PER_PAGE, (q.page - 1) * PER_PAGE);
    const pager = pagerOf(res.total, q.page, PER_PAGE);
    if (!res.items.length && res.total) res = await Q.listPlaces(ctx.db, filter, PER_PAGE, pager.offset);
    const counts = await Q.categoryCounts(ctx.db, { ...filter, categorie: undefined });
    const fq = filterQuery(q);
    sendMapCsp(reply, ctx.config);
    return ctx.render(req, reply, {
      title: 'Inclusion numérique : les lieux',
      breadcrumb: [{ label: 'Inclusion numérique' }],
      head: MAP_CSS,
      scripts: [MAP_SCRIPT],
      main: html`<h1 class="fr-mt-2w">Lieux d’inclusion numérique</h1>
      <p class="fr-text--lead">Les lieux de médiation numérique, les France Services et les lieux des conseillers numériques, réunis depuis les fichiers nationaux : un lieu décrit par plusieurs sources n’apparaît qu’une fois, avec chacune de ses sources.</p>
      <form method="get" action="/inclusion" class="fr-mb-4w"><fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Filtrer les lieux</legend>
      <div class="fr-grid-row fr-grid-row--gutters">
        <div class="fr-col-12 fr-col-md-4">${select(
          'categorie',
          'Catégorie',
          Object.entries(CATEGORIES).map(([k, l]) => [
            k,
            `${l} (${fmtInt(counts.find((c) => c.categorie === k)?.n ?? 0)})`,
          ]),
          q.categorie,
        )}</div>
        <div class="fr-col-12 fr-col-md-4"><div class="fr-input-group"><label class="fr-label" for="f-q">Nom, commune ou adresse</label>
          <input class="fr-input" type="search" id="f-q" name="q" value="${q.q ?? ''}" maxlength="100"></div></div>
        <div class="fr-col-12 fr-col-md-2">${select('niveau', 'Territoire : niveau', Object.entries(NIVEAUX), q.niveau)}</div>
        <div class="fr-col-12 fr-col-md-2"><div class="fr-input-group"><label class="fr-label" for="f-code">Territoire : code<span class="fr-hint-text">code INSEE, ou SIREN de l’EPCI</span></label>
          <input class="fr-input" id="f-code" name="code" value="${q.code ?? ''}" maxlength="12"></div></div>
        <div class="fr-col-12 fr-col-md-4">${select('ouvert', 'Ouverture', Object.entries(OUVERTURE), q.ouvert)}</div>
      </div>
      <button class="fr-btn fr-mt-2w" type="submit">Filtrer</button> <a class="fr-link fr-ml-2w" href="/inclusion">Effacer les filtres</a></fieldset></form>
      ${q.ouvert ? html`<p class="fr-text--sm">${q.ouvert === 'maintenant' ? `Lieux ouverts le ${fmtDate(at)} (heure de Paris)` : 'Lieux ouverts à un moment du samedi qui vient'}, d’après les horaires publiés par leurs sources (format OpenStreetMap, jours fériés compris) : un lieu sans horaires, ou aux horaires illisibles, n’est pas compté.</p>` : ''}
      <p>Exporter cette sélection (${fmtInt(res.total)} lieux, au schéma national des lieux de médiation numérique) :
        <a class="fr-link fr-link--download" download href="/inclusion/export.csv${fq}">CSV</a>
        <a class="fr-link fr-link--download fr-ml-2w" download href="/inclusion/export.geojson${fq}">GeoJSON</a></p>
      ${res.total ? placesMap(ctx, filter, fq) : ''}
      <p><a class="fr-link" href="/inclusion/integrer${fq}">Intégrer cette carte sur un autre site</a></p>
      ${
        res.items.length
          ? html`<div class="fr-table" id="lieux"><table><caption>Lieux — ${rangeLabel(pager, 'lieux')}</caption>
      <thead><tr><th scope="col">Lieu</th><th scope="col">Catégories</th><th scope="col">Commune</th><th scope="col">Adresse</th><th scope="col">Sources</th></tr></thead>
      <tbody>${res.items.map((p) => html`<tr><td><a href="/inclusion/lieux/${p.id}">${p.nom}</a></td><td>${p.categories.map(catLabel).join(', ')}</td><td>${p.commune ?? '—'}${p.code_insee ? ` (${p.code_insee})` : ''}</td><td>${p.adresse ?? '—'}${p.precision === 'commune' ? ' (placé à la commune)' : ''}</td><td>${p.sources.map((s) => s.source).join(', ')}</td></tr>`)}</tbody></table></div>
      ${pagination(pager, (n) => pageHref(req.url, 'page', n, 'lieux'), 'liste des lieux')}`
          : html`<p>Aucun lieu ne correspond à ces critères.</p>`
      }
      ${sourcesBlock(placeCitations(await Q.sourceFiles(ctx.db)))}
      <p>Pour les développeurs : <a href="/api/docs">API</a> <code>GET /api/v1/inclusion/lieux</code> (JSON, ou GeoJSON avec <code>Accept: application/geo+json</code>).</p>`,
    });
  });

  r.get('/inclusion/lieux/:id', { schema: { params: IdParams } }, async (req, reply) => {
    const p = await Q.placeById(ctx.db, req.params.id);
    if (!p) throw new AppError('INTROUVABLE', `lieu ${req.params.id}`, 'Ce lieu n’existe pas (ou plus).');
    const contribs = await Q.contributionsOfPlaces(ctx.db, [p.id]);
    const fs = contribs.find((c) => c.donnees.horaires_jours);
    return ctx.render(req, reply, {
      title: p.nom,
      breadcrumb: [CRUMB, { label: p.nom }],
      main: html`<h1 class="fr-mt-2w">${p.nom}</h1>
      ${tags(p.categories)}
      <div class="fr-grid-row fr-grid-row--gutters">
        <div class="fr-col-12 fr-col-md-6"><h2>Adresse et contact</h2>
          <p>${p.adresse ?? 'Adresse non renseignée'}<br>${p.code_postal ?? ''} ${p.commune ?? ''}${p.code_insee ? html` (<a href="/territoires/commune/${p.code_insee}">commune ${p.code_insee}</a>)` : ''}</p>
          <p class="fr-text--sm">Position : ${p.lat.toFixed(5)}, ${p.lon.toFixed(5)} — ${p.precision === 'commune' ? 'placé dans sa commune (la source ne donne pas de coordonnées)' : 'placé à son adresse (coordonnées de la source, ou adresse retrouvée dans l’index d’adresses de la plateforme)'}${p.itinerant ? ' — service itinérant' : ''}.</p>
          <ul>${p.telephone ? html`<li>Téléphone : ${p.telephone}</li>` : ''}${p.courriel ? html`<li>Courriel : ${p.courriel}</li>` : ''}${p.site_web && /^https?:\/\//.test(p.site_web) ? html`<li>Site : <a href="${p.site_web}" rel="noopener">${p.site_web}</a></li>` : ''}${p.siret ? html`<li>SIRET : ${p.siret}</li>` : ''}</ul></div>
        <div class="fr-col-12 fr-col-md-6"><h2>Horaires</h2>${hoursTable(p)}
          ${fs?.donnees.commentaire ? html`<p class="fr-text--sm">${fs.donnees.commentaire}</p>` : ''}</div>
      </div>
      <h2>Services</h2>
      ${p.services.length ? html`<ul>${p.services.map((s) => html`<li>${s}</li>`)}</ul>` : html`<p>Non renseignés.</p>`}
      <h2>Sources de cette fiche</h2>
      <div class="fr-table"><table><caption>Fiches des sources réunies dans ce lieu</caption>
      <thead><tr><th scope="col">Jeu</th><th scope="col">Identifiant</th><th scope="col">Nom dans la source</th><th scope="col">Mise à jour</th><th scope="col">Fichier</th><th scope="col">Licence</th></tr></thead>
      <tbody>${contribs.map((c) => html`<tr><td>${c.source}${c.donnees.origine ? ` (${c.donnees.origine})` : ''}</td><td>${c.source_id}</td><td>${c.donnees.nom}</td><td>${c.date_maj ? fmtDay(c.date_maj) : 'non datée'}</td><td>${c.fichier}</td><td><a href="/licences#${c.licence}">${c.licence === 'licence-ouverte-2.0' ? 'Licence Ouverte 2.0' : c.licence}</a></td></tr>`)}</tbody></table></div>
      <p class="fr-text--sm">Les fiches sont réunies quand elles ont le même SIRET à moins de 200 m, ou le même nom à moins de 100 m. Les champs affichés viennent de la fiche la plus récente.</p>
      ${sourcesBlock(
        placeCitations(
          (await Q.sourceFiles(ctx.db)).filter((f) =>
            contribs.some((c) => c.source === f.source && c.fichier === f.fichier),
          ),
        ),
      )}`,
    });
  });

  r.get('/inclusion/export.csv', { schema: { querystring: ExportQuerySchema } }, async (req, reply) => {
    const res = await Q.listPlaces(ctx.db, await placeFilterOf(ctx, req.query), EXPORT_MAX, 0);
    const lines = [CSV_COLUMNS.join(',')];
    for (const p of res.items)
      lines.push(
        [
          p.id,
          p.nom,
          p.siret,
          p.commune,
          p.code_postal,
          p.code_insee,
          p.adresse,
          p.lat,
          p.lon,
          p.telephone,
          p.courriel,
          p.site_web,
          p.horaires,
          p.services.join('|'),
          p.sources.map((s) => `${s.source}:${s.id}`).join('|'),
          p.date_maj,
          p.categories.join('|'),
          p.precision,
        ]
          .map(csvCell)
          .join(','),
      );
    reply.header('content-disposition', 'attachment; filename="lieux-inclusion-numerique.csv"');
    return reply.type('text/csv; charset=utf-8').send(`\uFEFF${lines.join('\r\n')}\r\n`);
  });

  r.get('/inclusion/export.geojson', { schema: { querystring: ExportQuerySchema } }, async (req, reply) => {
    const res = await Q.listPlaces(ctx.db, await placeFilterOf(ctx, req.query), EXPORT_MAX, 0);
    reply.header('content-disposition', 'attachment; filename="lieux-inclusion-numerique.geojson"');
    return reply
      .type('application/geo+json; charset=utf-8')
      .send(JSON.stringify(featureCollection(res.total, res.items)));
  });
}
