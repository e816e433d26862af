import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { communeShapesOf, shapeOf } from '../geo/service.ts';
import { fmtInt, type Html, html } from '../http/html.ts';
import type { Crumb } from '../http/layout.ts';
import { PageNumberSchema, pageHref, pagerOf, pagination, rangeLabel } from '../http/pagination.ts';
import { sourcesBlock } from '../http/sources.ts';
import { regionExamples, territorySearchExample } from './examples.ts';
import * as Q from './queries.ts';
import { NIVEAU_LABEL, TerritoryParamsSchema } from './schema.ts';
import { getTerritory, searchTerritories, type TerritoryDetail } from './service.ts';
import {
  codesTable,
  communeTable,
  keyFigures,
  mapOrTable,
  POPULATION_CITATIONS,
  searchForm,
  territoryHeader,
  territoryHref,
} from './views.ts';

/** Rows per page of the commune and EPCI lists: keeps the heaviest territory page under 150 KB. */
const PER_PAGE = 100;
const PageQuerySchema = z.object({ page: PageNumberSchema, page_epci: PageNumberSchema });

/** One page of the communes of a territory, with links that keep the rest of the query string. */
async function communesPage(
  ctx: AppContext,
  t: { niveau: TerritoryDetail['niveau']; code: string },
  page: number,
  url: string,
) {
  let list = await Q.communesOf(ctx.db, t.niveau, t.code, PER_PAGE, (page - 1) * PER_PAGE);
  const pager = pagerOf(list.total, page, PER_PAGE);
  // A page past the end (stale link): show the last one.
  if (pager.offset !== (page - 1) * PER_PAGE)
    list = await Q.communesOf(ctx.db, t.niveau, t.code, PER_PAGE, pager.offset);
  return communeTable('Communes', list.items, list.total, {
    pager,
    hrefOf: (n) => pageHref(url, 'page', n, 'communes'),
  });
}

function crumbs(t: TerritoryDetail): Crumb[] {
  const up = [...t.parents]
    .reverse()
    .filter((p) => p.niveau === 'region' || p.niveau === 'departement' || p.niveau === 'epci');
  // An EPCI across départements: show only its main one in the trail.
  const seen = new Set<string>();
  const trail = up.filter((p) => {
    if (seen.has(p.niveau)) return false;
    seen.add(p.niveau);
    return true;
  });
  return [
    { label: 'Territoires', href: '/territoires' },
    ...trail.map((p) => ({ label: p.nom, href: territoryHref(p.niveau, p.code) })),
    { label: t.nom },
  ];
}

export function registerTerritoryPages(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/', async (req, reply) => {
    const site = ctx.site();
    const region = await Q.regionByCode(ctx.db, ctx.config.region);
    const depts = region ? await Q.departementsOfRegion(ctx.db, region.code) : [];
    const f = region ? await Q.figuresOf(ctx.db, 'region', region.code) : null;
    const modules = [
      {
        href: '/observatoire',
        title: 'Observatoire des réseaux',
        desc: 'Fibre, très haut débit et couverture mobile par territoire, dans le temps, face aux objectifs.',
      },
      {
        href: '/eligibilite',
        title: 'Éligibilité à l’adresse',
        desc: 'Technologies, débits, opérateurs et date prévue de la fibre à votre adresse.',
      },
      {
        href: '/inclusion',
        title: 'Inclusion numérique',
        desc: 'Lieux de médiation numérique, tiers-lieux et France Services près de chez vous.',
      },
      {
        href: '/strategie',
        title: 'Stratégie régionale',
        desc: 'Enjeux, défis, orientations et actions, avec leurs indicateurs et leur avancement.',
      },
      {
        href: '/ressources',
        title: 'Ressources partagées',
        desc: 'Acteurs, projets, guides, aides, agenda et groupes de travail.',
      },
      { href: '/donnees', title: 'Données ouvertes', desc: 'Catalogue des jeux de données, API et licences.' },
    ];
    return ctx.render(req, reply, {
      title: 'Accueil',
      main: html`<h1 class="fr-mt-4w">${region ? html`${region.nom} : l’aménagement numérique du territoire` : site.name}</h1>
      <p class="fr-text--lead">Suivre le déploiement de la fibre et du mobile, connaître les offres disponibles à son adresse, trouver un lieu d’accompagnement au numérique : la plateforme partagée de la Région, de l’État et de leurs partenaires.</p>
      ${searchForm('', 'recherche-territoire', territorySearchExample(await regionExamples(ctx)))}
      ${
        f
          ? html`<h2>La région en chiffres</h2>${keyFigures([
              { label: 'habitants', value: fmtInt(Number(f.population)), hint: 'population municipale' },
              { label: 'départements', value: fmtInt(depts.length) },
              {
                label: 'EPCI à fiscalité propre',
                value: fmtInt(f.epci),
                hint: 'ayant au moins une commune dans la région',
              },
              { label: 'communes', value: fmtInt(f.communes), hint: 'au 1er janvier 2026' },
            ])}${sourcesBlock(POPULATION_CITATIONS)}`
          : html`<p>Le découpage administratif n’est pas encore chargé.</p>`
      }
      ${
        depts.length
          ? html`<div class="fr-table"><table><caption>Les départements de la région</caption>
        <thead><tr><th scope="col">Département</th><th scope="col">Code</th><th scope="col" class="pan-num">Population</th><th scope="col" class="pan-num">Communes</th><th scope="col" class="pan-num">EPCI</th></tr></thead>
        <tbody>${depts.map((d) => html`<tr><td><a href="${territoryHref('departement', d.code)}">${d.nom}</a></td><td>${d.code}</td><td class="pan-num">${fmtInt(Number(d.population))}</td><td class="pan-num">${fmtInt(d.communes)}</td><td class="pan-num">${fmtInt(d.epci)}</td></tr>`)}</tbody></table></div>
        <p><a class="fr-link fr-icon-arrow-right-line fr-link--icon-right" href="${territoryHref('region', ctx.config.region)}">Fiche de la région</a></p>`
          : ''
      }
      <h2 class="fr-mt-4w">Les services de la plateforme</h2>
      <div class="fr-grid-row fr-grid-row--gutters">${modules.map((m) => html`<div class="fr-col-12 fr-col-md-4"><div class="fr-card fr-enlarge-link"><div class="fr-card__body"><div class="fr-card__content"><h3 class="fr-card__title"><a href="${m.href}">${m.title}</a></h3><p class="fr-card__desc">${m.desc}</p></div></div></div></div>`)}</div>`,
    });
  });

  r.get('/territoires', async (req, reply) => {
    const regions = (
      await ctx.db.query<{ code: string; nom: string }>(
        `SELECT code, nom FROM region WHERE zone IN ('metro', 'drom') ORDER BY nom`,
      )
    ).rows;
    return ctx.render(req, reply, {
      title: 'Territoires',
      breadcrumb: [{ label: 'Territoires' }],
      main: html`<h1 class="fr-mt-2w">Territoires</h1>
      <p>Régions, départements, EPCI et communes selon le Code officiel géographique en vigueur. Les anciens codes de communes (communes déléguées, associées ou fusionnées) mènent à la commune actuelle.</p>
      ${searchForm('', 'recherche-territoire', territorySearchExample(await regionExamples(ctx)))}
      <h2>Toutes les régions</h2>
      <ul>${regions.map((x) => html`<li><a href="${territoryHref('region', x.code)}"${x.code === ctx.config.region ? html` aria-current="true"` : ''}>${x.nom}</a>${x.code === ctx.config.region ? ' (région de cette plateforme)' : ''}</li>`)}</ul>`,
    });
  });

  r.get(
    '/territoires/recherche',
    { schema: { querystring: z.object({ q: z.string().max(100).optional().default('') }) } },
    async (req, reply) => {
      const q = req.query.q.trim();
      const rows = q ? await searchTerritories(ctx.db, q, 50) : [];
      if (rows.length === 1 && rows[0]) return reply.redirect(territoryHref(rows[0].niveau, rows[0].code), 303);
      return ctx.render(req, reply, {
        title: q ? `Recherche « ${q} »` : 'Recherche de territoire',
        breadcrumb: [{ label: 'Territoires', href: '/territoires' }, { label: 'Recherche' }],
        main: html`<h1 class="fr-mt-2w">Rechercher un territoire</h1>
      ${searchForm(q, 'recherche-territoire', territorySearchExample(await regionExamples(ctx)))}
      ${q ? html`<h2 aria-live="polite">${rows.length ? `${rows.length} résultat${rows.length > 1 ? 's' : ''} pour « ${q} »` : `Aucun territoire ne correspond à « ${q} »`}</h2>` : ''}
      ${rows.length ? html`<ul class="fr-mb-4w">${rows.map((x) => html`<li><a href="${territoryHref(x.niveau, x.code)}">${x.nom}</a> — ${NIVEAU_LABEL[x.niveau]} ${x.code}${x.detail ? html`, ${x.detail}` : ''}</li>`)}</ul>` : q ? html`<p>Vérifiez l’orthographe, ou essayez un code postal ou un code INSEE.</p>` : ''}`,
      });
    },
  );

  r.get(
    '/territoires/:niveau/:code',
    { schema: { params: TerritoryParamsSchema, querystring: PageQuerySchema } },
    async (req, reply) => {
      const t = await getTerritory(ctx.db, req.params.niveau, req.params.code);
      if (t.code !== req.params.code && !t.ancienCode) return reply.redirect(territoryHref(t.niveau, t.code), 301);
      const figures = t.niveau === 'commune' ? null : await Q.figuresOf(ctx.db, t.niveau, t.code);
      const sections: Html[] = [];

      if (t.niveau === 'region') {
        const depts = await Q.departementsOfRegion(ctx.db, t.code);
        sections.push(html`<div class="fr-table"><table><caption>Départements (${depts.length})</caption>
        <thead><tr><th scope="col">Département</th><th scope="col">Code</th><th scope="col" class="pan-num">Population</th><th scope="col" class="pan-num">Communes</th><th scope="col" class="pan-num">EPCI</th></tr></thead>
        <tbody>${depts.map((d) => html`<tr><td><a href="${territoryHref('departement', d.code)}">${d.nom}</a></td><td>${d.code}</td><td class="pan-num">${fmtInt(Number(d.population))}</td><td class="pan-num">${fmtInt(d.communes)}</td><td class="pan-num">${fmtInt(d.epci)}</td></tr>`)}</tbody></table></div>`);
      }
      if (t.niveau === 'region' || t.niveau === 'departement') {
        const all = await Q.epcisOf(ctx.db, t.niveau, t.code);
        const pager = pagerOf(all.length, req.query.page_epci, PER_PAGE);
        const epcis = all.slice(pager.offset, pager.offset + PER_PAGE);
        sections.push(html`<div class="fr-table" id="epci"><table><caption>EPCI à fiscalité propre (${all.length})${pager.pages > 1 ? ` — ${rangeLabel(pager)}` : ''}</caption>
        <thead><tr><th scope="col">EPCI</th><th scope="col">SIREN</th><th scope="col">Nature</th><th scope="col" class="pan-num">Population</th><th scope="col" class="pan-num">Communes (dont ici)</th></tr></thead>
        <tbody>${epcis.map((e) => html`<tr><td><a href="${territoryHref('epci', e.code)}">${e.nom}</a></td><td>${e.code}</td><td>${e.type}</td><td class="pan-num">${fmtInt(e.population)}</td><td class="pan-num">${fmtInt(e.communes)}${e.communes_ici !== e.communes ? ` (${fmtInt(e.communes_ici)})` : ''}</td></tr>`)}</tbody></table></div>
        ${pagination(pager, (n) => pageHref(req.url, 'page_epci', n, 'epci'), 'EPCI à fiscalité propre')}`);
      }
      let shapes: Parameters<typeof mapOrTable>[0] = [];
      if (t.niveau === 'commune') {
        // The commune among the other communes of its EPCI, for context.
        const epci = t.parents.find((p) => p.niveau === 'epci');
        const around = epci ? await communeShapesOf(ctx.db, 'epci', epci.code) : [];
        if (around.some((s) => s.code === t.code)) shapes = around.map((s) => ({ ...s, highlight: s.code === t.code }));
        else {
          const s = await shapeOf(ctx.db, 'commune', t.code);
          if (s) shapes = [{ code: t.code, nom: t.nom, geometrie: s.geometrie, highlight: true }];
        }
      } else if (t.niveau !== 'region') {
        shapes = await communeShapesOf(ctx.db, t.niveau, t.code);
      } else {
        const depts = await ctx.db.query<{ code: string; nom: string; geometrie: never }>(
          `SELECT d.code, d.nom, g.geometrie_simplifiee AS geometrie FROM departement d JOIN territoire_geometrie g ON g.niveau = 'departement' AND g.code = d.code WHERE d.region = $1`,
          [t.code],
        );
        shapes = depts.rows;
      }
      if (t.niveau !== 'region' && t.niveau !== 'commune') {
        sections.push(await communesPage(ctx, t, req.query.page, req.url));
      }
      if (t.niveau === 'commune') {
        const arr = await Q.communesOf(ctx.db, 'commune', t.code, 100, 0);
        const others = arr.items.filter((c) => c.code !== t.code);
        if (others.length) sections.push(communeTable('Arrondissements municipaux', others, others.length));
      }
      const extra: Html[] = [];
      for (const s of ctx.territorySections) {
        const h = await s({ niveau: t.niveau, code: t.code, nom: t.nom }, req);
        if (h) extra.push(h);
      }
      return ctx.render(req, reply, {
        title: `${t.nom} (${NIVEAU_LABEL[t.niveau]})`,
        breadcrumb: crumbs(t),
        main: html`${territoryHeader(t, figures)}
      <div class="fr-grid-row fr-grid-row--gutters fr-mt-2w">
        <div class="fr-col-12 fr-col-md-5">${codesTable(t)}
          <p class="fr-text--sm">Données en JSON : <a href="/api/v1/territoires/${t.niveau}/${t.code}">/api/v1/territoires/${t.niveau}/${t.code}</a></p></div>
        <div class="fr-col-12 fr-col-md-7">${mapOrTable(shapes, t)}</div>
      </div>
      ${extra}
      ${sections}`,
      });
    },
  );

  r.get(
    '/territoires/:niveau/:code/communes',
    { schema: { params: TerritoryParamsSchema, querystring: z.object({ page: PageNumberSchema }) } },
    async (req, reply) => {
      const t = await getTerritory(ctx.db, req.params.niveau, req.params.code);
      return ctx.render(req, reply, {
        title: `Communes — ${t.nom}${req.query.page > 1 ? ` (page ${req.query.page})` : ''}`,
        breadcrumb: [
          ...crumbs(t).slice(0, -1),
          { label: t.nom, href: territoryHref(t.niveau, t.code) },
          { label: 'Communes' },
        ],
        main: html`<h1 class="fr-mt-2w">Communes — ${t.nom}</h1>${await communesPage(ctx, t, req.query.page, req.url)}`,
      });
    },
  );
}
