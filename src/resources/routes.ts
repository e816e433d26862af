import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { fmtDay, fmtInt, type Html, html, raw } from '../http/html.ts';
import { pageHref, pagerOf, pagination, rangeLabel } from '../http/pagination.ts';
import { IdParams } from '../http/schemas.ts';
import { sourcesBlock } from '../http/sources.ts';
import { alertForm } from './alerts-routes.ts';
import { aideFilterOf } from './api.ts';
import * as Q from './queries.ts';
import { AidesQuerySchema, SearchPageQuerySchema } from './schema.ts';
import { searchFacets, searchResources } from './search.ts';
import { territoryAndParents } from './service.ts';
import { BENEFICIAIRES, SEARCH_TYPES, TYPES_AIDE } from './vocab.ts';

export const CRUMB = { label: 'Ressources', href: '/ressources' };
const PER_PAGE = 50;
const NIVEAUX = { commune: 'Commune', epci: 'EPCI', departement: 'Département', region: 'Région' } as const;

const FORMAT_LABEL: Record<string, string> = {
  'api-json': 'réponse de l’API (JSON)',
  'schema-csv': 'fichier du schéma d’import (CSV)',
  'export-csv': 'export CSV du site',
};

/** Where the aids come from: one citation per file imported. */
async function aidsSources(ctx: AppContext): Promise<Html> {
  const files = await Q.aideSources(ctx.db);
  return sourcesBlock(
    files.map((f) => ({
      producteur: 'Aides-territoires (ANCT, beta.gouv.fr) et ses fournisseurs de données',
      jeu: `${FORMAT_LABEL[f.format] ?? f.format}, ${fmtInt(f.n)} aides`,
      fichier: f.fichier,
      importeLe: f.importe_le,
      licence: 'Licence Ouverte 2.0',
      note: 'Chaque aide renvoie à la fiche de son porteur : seule celle-ci fait foi (montants, dates, conditions).',
    })),
  );
}

const select = (name: string, label: string, options: [string, string][], current: string | undefined) =>
  html`<div class="fr-select-group"><label class="fr-label" for="f-${name}">${label}</label>
  <select class="fr-select" id="f-${name}" name="${name}"><option value="">— tous —</option>${options.map(([v, l]) => html`<option value="${v}"${current === v ? raw(' selected') : ''}>${l}</option>`)}</select></div>`;

const chips = (xs: string[], labels: Record<string, string>) =>
  xs.length
    ? html`<ul class="fr-tags-group">${xs.map((x) => html`<li><p class="fr-tag fr-tag--sm">${labels[x] ?? x}</p></li>`)}</ul>`
    : '';

export function registerResourcesPages(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/ressources', async (req, reply) => {
    const [aides, acteurs] = [await Q.countAides(ctx.db), (await Q.listActeurs(ctx.db, {}, 1, 0)).total];
    return ctx.render(req, reply, {
      title: 'Ressources partagées',
      breadcrumb: [{ label: 'Ressources' }],
      main: html`<h1 class="fr-mt-2w">Ressources partagées</h1>
      <p class="fr-text--lead">L’espace de ressources mutualisées de la stratégie régionale : le guichet unique des aides financières, l’annuaire des acteurs du numérique du territoire et une recherche commune.</p>
      <form method="get" action="/ressources/recherche" role="search" class="fr-mb-4w"><div class="fr-search-bar" id="recherche-ressources">
        <label class="fr-label" for="q-ressources">Rechercher dans les ressources</label>
        <input class="fr-input" type="search" id="q-ressources" name="q" placeholder="ex. transformation numerique des collectivites">
        <button class="fr-btn" type="submit">Rechercher</button></div></form>
      <div class="fr-grid-row fr-grid-row--gutters">
        <div class="fr-col-12 fr-col-md-6"><div class="fr-card fr-enlarge-link"><div class="fr-card__body"><div class="fr-card__content">
          <h2 class="fr-card__title"><a href="/ressources/aides">Aides financières</a></h2>
          <p class="fr-card__desc">${fmtInt(aides)} aides importées d’Aides-territoires, filtrables par bénéficiaire, territoire, thème, type et date limite.</p></div></div></div></div>
        <div class="fr-col-12 fr-col-md-6"><div class="fr-card fr-enlarge-link"><div class="fr-card__body"><div class="fr-card__content">
          <h2 class="fr-card__title"><a href="/ressources/acteurs">Annuaire des acteurs</a></h2>
          <p class="fr-card__desc">${fmtInt(acteurs)} acteurs (collectivités, syndicats, opérateurs, associations, entreprises, tiers-lieux…) par thème et territoire.</p></div></div></div></div>
        <div class="fr-col-12 fr-col-md-6"><div class="fr-card fr-enlarge-link"><div class="fr-card__body"><div class="fr-card__content">
          <h2 class="fr-card__title"><a href="/ressources/bibliotheque">Bibliothèque</a></h2>
          <p class="fr-card__desc">Guides, méthodes, modèles de CCTP, de CCAP et de conventions, études, avec leur licence et leurs versions.</p></div></div></div></div>
        <div class="fr-col-12 fr-col-md-6"><div class="fr-card fr-enlarge-link"><div class="fr-card__body"><div class="fr-card__content">
          <h2 class="fr-card__title"><a href="/ressources/agenda">Agenda et veille</a></h2>
          <p class="fr-card__desc">Les événements du numérique en région (flux iCalendar) et les actualités suivies (flux RSS et Atom).</p></div></div></div></div>
        <div class="fr-col-12 fr-col-md-6"><div class="fr-card fr-enlarge-link"><div class="fr-card__body"><div class="fr-card__content">
          <h2 class="fr-card__title"><a href="/ressources/projets">Projets et cas d’usage</a></h2>
          <p class="fr-card__desc">Les projets numériques innovants du territoire : statut, partenaires, budget et financements, résultats, lien vers l’action de la stratégie.</p></div></div></div></div>
        <div class="fr-col-12 fr-col-md-6"><div class="fr-card fr-enlarge-link"><div class="fr-card__body"><div class="fr-card__content">
          <h2 class="fr-card__title"><a href="/ressources/groupes">Groupes de travail</a></h2>
          <p class="fr-card__desc">Les groupes thématiques trimestriels : organisations membres, réunions de l’agenda, comptes rendus et échanges réservés aux membres.</p></div></div></div></div>
      </div>
      <p class="fr-mt-4w"><a href="/ressources/maturite">Autodiagnostic de maturité numérique</a> : entreprises, associations et collectivités situent leur structure, sans compte ; <a href="/ressources/maturite/indicateurs">indicateurs par territoire</a>.</p>
      <p class="fr-mt-4w">Pour les développeurs : <a href="/api/docs">API</a> <code>GET /api/v1/aides</code> et <code>GET /api/v1/ressources/recherche?q=…</code>.</p>`,
    });
  });

  r.get('/ressources/aides', { schema: { querystring: AidesQuerySchema } }, async (req, reply) => {
    const q = req.query;
    const filter = await aideFilterOf(ctx, q);
    let res = await Q.listAides(ctx.db, filter, PER_PAGE, (q.page - 1) * PER_PAGE);
    const pager = pagerOf(res.total, q.page, PER_PAGE);
    if (!res.items.length && res.total) res = await Q.listAides(ctx.db, filter, PER_PAGE, pager.offset);
    const themes = await Q.aideThemes(ctx.db);
    return ctx.render(req, reply, {
      title: 'Aides financières',
      breadcrumb: [CRUMB, { label: 'Aides financières' }],
      main: html`<h1 class="fr-mt-2w">Aides financières</h1>
      <p>Le guichet unique des aides pour les projets numériques et d’aménagement du territoire : subventions, prêts, ingénierie, appels à projets. Pour les aides ouvertes à votre commune, choisissez le niveau « Commune » et saisissez son code INSEE : les aides de son intercommunalité, de son département, de sa région et les aides nationales sont comprises.</p>
      <form method="get" action="/ressources/aides" class="fr-mb-4w"><fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Filtrer les aides</legend>
      <div class="fr-grid-row fr-grid-row--gutters">
        <div class="fr-col-12 fr-col-md-4">${select('beneficiaire', 'Bénéficiaire', Object.entries(BENEFICIAIRES), q.beneficiaire)}</div>
        <div class="fr-col-12 fr-col-md-4">${select('type', 'Type d’aide', Object.entries(TYPES_AIDE), q.type)}</div>
        <div class="fr-col-12 fr-col-md-4">${select(
          'theme',
          'Thème',
          themes.map((t) => [t.theme, `${t.theme} (${t.n})`]),
          q.theme,
        )}</div>
        <div class="fr-col-12 fr-col-md-4">${select('niveau', 'Territoire : niveau', Object.entries(NIVEAUX), q.niveau)}</div>
        <div class="fr-col-12 fr-col-md-4"><div class="fr-input-group"><label class="fr-label" for="f-code">Territoire : code<span class="fr-hint-text">code INSEE de la commune, du département ou de la région, SIREN de l’EPCI</span></label>
          <input class="fr-input" id="f-code" name="code" value="${q.code ?? ''}" maxlength="12"></div></div>
        <div class="fr-col-12 fr-col-md-4"><div class="fr-input-group"><label class="fr-label" for="f-echeance">Date limite au plus tard le</label>
          <input class="fr-input" type="date" id="f-echeance" name="echeance_avant" value="${q.echeance_avant ?? ''}"></div></div>
      </div>
      <button class="fr-btn fr-mt-2w" type="submit">Filtrer</button> <a class="fr-link fr-ml-2w" href="/ressources/aides">Effacer les filtres</a></fieldset></form>
      ${alertForm(req, { beneficiaire: q.beneficiaire, niveau: q.niveau, code: q.code, theme: q.theme, type: q.type })}
      ${
        res.items.length
          ? html`<div class="fr-table" id="aides"><table><caption>Aides — ${rangeLabel(pager, 'aides')}</caption>
      <thead><tr><th scope="col">Aide</th><th scope="col">Porteurs</th><th scope="col">Types</th><th scope="col">Périmètre</th><th scope="col">Date limite</th></tr></thead>
      <tbody>${res.items.map((a) => html`<tr><td><a href="/ressources/aides/${a.id}">${a.nom}</a></td><td>${a.porteurs.join(', ') || '—'}</td><td>${a.types.map((t) => TYPES_AIDE[t as keyof typeof TYPES_AIDE] ?? t).join(', ') || '—'}</td><td>${a.perimetre ?? 'non précisé'}</td><td>${a.date_echeance ? fmtDay(a.date_echeance) : 'permanente ou non précisée'}</td></tr>`)}</tbody></table></div>
      ${pagination(pager, (n) => pageHref(req.url, 'page', n, 'aides'), 'liste des aides')}`
          : html`<p>Aucune aide ne correspond à ces critères.</p>`
      }
      ${await aidsSources(ctx)}`,
    });
  });

  r.get('/ressources/aides/:id', { schema: { params: IdParams } }, async (req, reply) => {
    const a = await Q.aideById(ctx.db, req.params.id);
    if (!a) throw new AppError('INTROUVABLE', `aide ${req.params.id}`, 'Cette aide n’existe pas (ou plus).');
    const territoires = await Q.aideTerritoires(ctx.db, a.id);
    const row = (label: string, v: Html | string | null | undefined) =>
      v ? html`<tr><th scope="row">${label}</th><td>${v}</td></tr>` : '';
    const para = (s: string | null) => (s ? html`${s.split(/\n{2,}/).map((p) => html`<p>${p}</p>`)}` : '');
    return ctx.render(req, reply, {
      title: a.nom,
      breadcrumb: [CRUMB, { label: 'Aides financières', href: '/ressources/aides' }, { label: a.nom }],
      main: html`<h1 class="fr-mt-2w">${a.nom}</h1>
      ${chips(a.types, TYPES_AIDE)}
      <div class="fr-table"><table><caption>Caractéristiques</caption><tbody>
      ${row('Porteurs', a.porteurs.join(', '))}
      ${row('Bénéficiaires', a.beneficiaires_libelles.join(', '))}
      ${row('Types d’aide', a.types_libelles.join(', ') || (a.appel_a_projets ? 'Appel à projets' : null))}
      ${row('Appel à projets ou à manifestation d’intérêt', a.appel_a_projets ? 'Oui' : null)}
      ${row('Thèmes', a.themes.join(', '))}
      ${row('Périmètre', territoires.length ? territoires.map((t) => t.libelle).join(', ') : (a.perimetre ?? 'non précisé par la source'))}
      ${row('Récurrence', a.recurrence)}
      ${row('Date d’ouverture', a.date_ouverture ? fmtDay(a.date_ouverture) : null)}
      ${row('Date de clôture', a.date_echeance ? fmtDay(a.date_echeance) : 'non précisée (aide permanente ou date inconnue)')}
      ${row('Taux', a.taux)}
      ${row('Contact', a.contact)}
      ${row('Fiche de l’aide', a.lien ? html`<a href="${a.lien}" rel="noopener external">${a.lien}</a>` : null)}
      </tbody></table></div>
      ${a.description ? html`<h2>Description</h2>${para(a.description)}` : ''}
      ${a.eligibilite ? html`<h2>Éligibilité</h2>${para(a.eligibilite)}` : ''}
      ${sourcesBlock([
        {
          producteur: 'Aides-territoires (ANCT, beta.gouv.fr) et ses fournisseurs de données',
          jeu: FORMAT_LABEL[a.format] ?? a.format,
          fichier: a.fichier,
          importeLe: a.importe_le,
          licence: 'Licence Ouverte 2.0',
          note: 'La fiche du porteur fait foi.',
        },
      ])}`,
    });
  });

  r.get('/ressources/recherche', { schema: { querystring: SearchPageQuerySchema } }, async (req, reply) => {
    const { q, type, theme, niveau, code, page } = req.query;
    const territoires =
      niveau && code
        ? (await territoryAndParents(ctx.db, niveau, code)).map((t) => `${t.niveau}:${t.code}`)
        : undefined;
    const res = q ? await searchResources(ctx.db, { q, type, theme, territoires }, 20, (page - 1) * 20) : null;
    const facets = q ? await searchFacets(ctx.db, { q, theme, territoires }) : [];
    const pager = pagerOf(res?.total ?? 0, page, 20);
    const facetHref = (t: string | null) => {
      const u = new URLSearchParams(req.url.split('?')[1] ?? '');
      u.delete('page');
      if (t) u.set('type', t);
      else u.delete('type');
      return `/ressources/recherche?${u.toString()}`;
    };
    return ctx.render(req, reply, {
      title: q ? `Recherche « ${q} »` : 'Recherche dans les ressources',
      breadcrumb: [CRUMB, { label: 'Recherche' }],
      main: html`<h1 class="fr-mt-2w">Recherche dans les ressources</h1>
      <form method="get" action="/ressources/recherche" role="search" class="fr-mb-3w"><div class="fr-search-bar">
        <label class="fr-label" for="q">Mots recherchés</label>
        <input class="fr-input" type="search" id="q" name="q" value="${q ?? ''}">
        ${type ? html`<input type="hidden" name="type" value="${type}">` : ''}
        <button class="fr-btn" type="submit">Rechercher</button></div>
        <p class="fr-hint-text fr-mt-1w">Les accents et les terminaisons ne comptent pas : « numerique » trouve « numériques ». Une expression entre guillemets est cherchée telle quelle ; un mot précédé de « - » est exclu.</p></form>
      ${
        res
          ? html`${
              facets.length
                ? html`<ul class="fr-tags-group fr-mb-2w"><li><a class="fr-tag" href="${facetHref(null)}"${type ? '' : raw(' aria-current="true"')}>Tout (${fmtInt(facets.reduce((s, f) => s + f.n, 0))})</a></li>${facets.map((f) => html`<li><a class="fr-tag" href="${facetHref(f.type)}"${type === f.type ? raw(' aria-current="true"') : ''}>${SEARCH_TYPES[f.type as keyof typeof SEARCH_TYPES] ?? f.type} (${fmtInt(f.n)})</a></li>`)}</ul>`
                : ''
            }
      <p>${res.total ? rangeLabel(pager, 'résultats') : 'Aucun résultat.'}</p>
      <ol class="pan-resultats" id="resultats">${res.items.map((it) => html`<li class="fr-mb-2w"><p class="fr-mb-0"><span class="fr-badge fr-badge--sm">${SEARCH_TYPES[it.type as keyof typeof SEARCH_TYPES] ?? it.type}</span> <a href="${it.url}"><strong>${it.titre}</strong></a></p><p class="fr-text--sm fr-mb-0">${raw(it.extrait)}</p></li>`)}</ol>
      ${pagination(pager, (n) => pageHref(req.url, 'page', n, 'resultats'), 'résultats de recherche')}`
          : ''
      }`,
    });
  });
}
