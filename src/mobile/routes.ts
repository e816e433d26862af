import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext, TerritorySection } from '../context.ts';
import { AppError } from '../errors.ts';
import { fmtDay, fmtInt, html } from '../http/html.ts';
import { alert } from '../http/layout.ts';
import { dataSource, LICENCES } from '../http/licences.ts';
import { IsoDate } from '../http/schemas.ts';
import { sourcesBlock } from '../http/sources.ts';
import { resolveScope } from '../observatory/service.ts';
import { renderTable, type TableDef, toCsv, toJson } from '../observatory/tables.ts';
import { getTerritory } from '../territories/service.ts';
import { measureAggregates, TECHNOS } from './measures.ts';
import { aggregatesTable, METHOD_TEXT } from './measures-routes.ts';
import type { Snapshot } from './queries.ts';
import {
  departementTable,
  mobileIndicators,
  mobileSeries,
  nationalReference,
  siteMap,
  snapshotsOf,
} from './service.ts';
import {
  citationOf,
  departementLongTable,
  departementTableOf,
  historyTable,
  INDICATOR_METHOD,
  indicatorTable,
  keyFigures,
  METHOD,
  operatorTable,
  referenceTable,
  seriesChart,
  siteMapBlock,
  siteMapTable,
} from './views.ts';
import { OPERATEUR_LABEL, OPERATEURS } from './vocab.ts';

const PageQuerySchema = z.object({ date: IsoDate.optional() });
const DownloadQuerySchema = z.object({
  date: IsoDate.optional(),
  niveau: z.enum(['region', 'departement', 'epci', 'commune', 'france']).optional(),
  code: z
    .string()
    .trim()
    .max(12)
    .regex(/^[0-9A-Za-z]*$/, 'code INSEE ou SIREN attendu')
    .optional(),
});

const MapQuerySchema = z.object({
  niveau: z.enum(['departement', 'epci', 'commune']).default('departement'),
  code: z
    .string()
    .trim()
    .max(12)
    .regex(/^[0-9A-Za-z]*$/, 'code INSEE ou SIREN attendu')
    .optional(),
  operateur: z.enum(OPERATEURS).default('orange'),
  techno: z.enum(TECHNOS).default('4G'),
  date: IsoDate.optional(),
});

/** The snapshot asked for, else the latest; null when none was imported. */
function chosen(snaps: Snapshot[], date: string | undefined): Snapshot | null {
  return snaps.find((s) => s.date === date) ?? snaps[snaps.length - 1] ?? null;
}

function downloadLinks(qs: string) {
  const sep = qs ? `?${qs}` : '';
  return html`<ul class="fr-text--sm">
    <li>Sites par département, opérateur et génération : <a href="/observatoire/mobile/donnees/departements.csv${sep}" download>CSV</a> · <a href="/observatoire/mobile/donnees/departements.json${sep}">JSON</a></li>
  </ul>`;
}

export function registerMobilePages(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/observatoire/mobile', { schema: { querystring: PageQuerySchema } }, async (req, reply) => {
    const region = await resolveScope(ctx.db, 'region', ctx.config.region);
    const snaps = await snapshotsOf(ctx.db);
    const snap = chosen(snaps, req.query.date);
    const title = 'Observatoire de la couverture mobile';
    const crumbs = [{ label: 'Observatoire', href: '/observatoire' }, { label: 'Mobile' }];
    if (!snap)
      return ctx.render(req, reply, {
        title,
        breadcrumb: crumbs,
        main: html`<h1 class="fr-mt-2w">${title}</h1>
        ${alert('info', 'Aucun relevé de sites mobiles importé', html`<p>Un administrateur importe la liste des sites mobiles de l’Arcep : <code>npm run cli -- import sites-mobiles &lt;fichier&gt; --option date=AAAA-MM-JJ</code>, après les contours des communes (<code>import contours</code>).</p>`)}
        <p><a href="/observatoire/mobile/mesures">Mesures de débit participatives : résultats et formulaire</a> · <a href="/observatoire/mobile/couverture-ciblee">Dispositif de couverture ciblée</a></p>`,
      });
    const { series } = await mobileSeries(ctx.db, 'region', region.code);
    const point = series.find((s) => s.date === snap.date)!;
    const [ind] = await mobileIndicators(ctx.db, 'region', region.code, [point]);
    const deps = await departementTable(ctx.db, region.code, snap);
    const covered = OPERATEURS.filter((o) => snap.operateurs.includes(o));
    const cite = sourcesBlock([citationOf(snap)]);
    const qs = new URLSearchParams({ date: snap.date }).toString();
    const history = historyTable(series, region.nom);
    return ctx.render(req, reply, {
      title: `${title} — ${region.nom}`,
      breadcrumb: crumbs,
      main: html`<h1 class="fr-mt-2w">${title}</h1>
      <p class="fr-text--lead">Sites mobiles des quatre opérateurs en ${region.nom}, par génération (2G, 3G, 4G, 5G), à chaque relevé de l’Arcep importé.</p>
      ${
        snaps.length > 1
          ? html`<form method="get" action="/observatoire/mobile" class="fr-mb-3w"><div class="fr-select-group"><label class="fr-label" for="date">Relevé</label>
          <select class="fr-select" id="date" name="date">${snaps.map((s) => html`<option value="${s.date}"${s.date === snap.date ? html` selected` : ''}>${fmtDay(s.date)} (${s.fichier})</option>`)}</select></div>
          <button class="fr-btn fr-btn--secondary" type="submit">Afficher</button></form>`
          : ''
      }
      <h2>Chiffres clés</h2>
      ${keyFigures(point, snap, region.nom)}
      ${METHOD}
      ${referenceTable(await nationalReference(ctx.db))}
      <h2 class="fr-mt-4w">Indicateurs</h2>
      ${ind ? html`${renderTable(indicatorTable(ind, region.nom, snap.date))}${INDICATOR_METHOD}` : html`<p>Indicateurs non calculés pour ce relevé (importé avant leur mise en place) : importez-le de nouveau.</p>`}
      <h2 class="fr-mt-4w">Par département</h2>
      <p><a href="/observatoire/mobile/carte?date=${snap.date}">Carte des sites par département, opérateur et technologie, avec les débits mesurés</a></p>
      ${renderTable(departementTableOf(deps, 'total', snap, region.nom))}
      ${covered.map((o) => renderTable(departementTableOf(deps, o, snap, region.nom)))}
      ${cite}
      <h2 class="fr-mt-4w">Évolution</h2>
      ${seriesChart(series, region.nom, 'mobile-evolution')}
      ${renderTable(history)}${sourcesBlock(snaps.map(citationOf))}
      <h2 class="fr-mt-4w">Télécharger les données</h2>
      ${downloadLinks(qs)}
      <p class="fr-text--sm">API : <a href="/api/v1/observatoire/mobile/region/${region.code}">/api/v1/observatoire/mobile/region/${region.code}</a> (<a href="/api/docs">documentation</a>). Chaque fiche de territoire a sa section « Couverture mobile ».</p>
      <h2 class="fr-mt-4w">Dispositif de couverture ciblée</h2>
      <p><a href="/observatoire/mobile/couverture-ciblee">Sites demandés par les départements (New Deal mobile) : arrêtés, échéances, avancement</a></p>
      <h2 class="fr-mt-4w">Mesures participatives</h2>
      <p><a href="/observatoire/mobile/mesures">Résultats des mesures de débit envoyées par les habitants, et formulaire pour en ajouter une</a> (API : <code>POST /api/v1/mobile/mesures</code>).</p>`,
    });
  });

  r.get('/observatoire/mobile/carte', { schema: { querystring: MapQuerySchema } }, async (req, reply) => {
    const region = await resolveScope(ctx.db, 'region', ctx.config.region);
    const snaps = await snapshotsOf(ctx.db);
    const snap = chosen(snaps, req.query.date);
    if (!snap) throw new AppError('INTROUVABLE', 'no mobile snapshot');
    const deps = await departementTable(ctx.db, region.code, snap);
    const { niveau, operateur, techno } = req.query;
    const code = req.query.code || (niveau === 'departement' ? deps[0]?.code : undefined);
    if (!code) throw new AppError('INTROUVABLE', 'no territory for the map');
    const scope = await resolveScope(ctx.db, niveau, code);
    const map = await siteMap(ctx.db, niveau, scope.code, snap.date, operateur, techno);
    const o = { territoire: scope.nom, operateur, techno, date: snap.date };
    const title = `Carte des sites mobiles — ${scope.nom}`;
    const sel = (v: string, cur: string) => (v === cur ? html` selected` : '');
    return ctx.render(req, reply, {
      title,
      breadcrumb: [
        { label: 'Observatoire', href: '/observatoire' },
        { label: 'Mobile', href: '/observatoire/mobile' },
        { label: 'Carte' },
      ],
      main: html`<h1 class="fr-mt-2w">${title}</h1>
      <form method="get" action="/observatoire/mobile/carte" class="fr-mb-3w">
        ${niveau === 'departement' ? html`<div class="fr-select-group"><label class="fr-label" for="code">Département</label><select class="fr-select" id="code" name="code">${deps.map((d) => html`<option value="${d.code}"${sel(d.code, scope.code)}>${d.nom} (${d.code})</option>`)}</select></div>` : html`<input type="hidden" name="niveau" value="${niveau}"><input type="hidden" name="code" value="${scope.code}">`}
        <div class="fr-select-group"><label class="fr-label" for="operateur">Opérateur</label><select class="fr-select" id="operateur" name="operateur">${OPERATEURS.filter((x) => snap.operateurs.includes(x)).map((x) => html`<option value="${x}"${sel(x, operateur)}>${OPERATEUR_LABEL[x]}</option>`)}</select></div>
        <div class="fr-select-group"><label class="fr-label" for="techno">Technologie</label><select class="fr-select" id="techno" name="techno">${TECHNOS.map((x) => html`<option value="${x}"${sel(x, techno)}>${x}</option>`)}</select></div>
        <input type="hidden" name="date" value="${snap.date}">
        <button class="fr-btn fr-btn--secondary" type="submit">Afficher</button>
      </form>
      ${siteMapBlock(map, o)}
      ${renderTable(siteMapTable(map.communes, o), { limit: 150 })}
      ${sourcesBlock([citationOf(snap)])}
      <p class="fr-text--sm">${METHOD_TEXT}</p>`,
    });
  });

  r.get(
    '/observatoire/mobile/donnees/:fichier',
    {
      schema: {
        params: z.object({
          fichier: z.enum(['departements.csv', 'departements.json', 'historique.csv', 'historique.json']),
        }),
        querystring: DownloadQuerySchema,
      },
    },
    async (req, reply) => {
      const [name, ext] = req.params.fichier.split('.') as ['departements' | 'historique', 'csv' | 'json'];
      const snaps = await snapshotsOf(ctx.db);
      let table: TableDef;
      if (name === 'departements') {
        const snap = chosen(snaps, req.query.date);
        if (!snap) throw new AppError('INTROUVABLE', 'no mobile snapshot');
        const region = await resolveScope(ctx.db, 'region', ctx.config.region);
        table = departementLongTable(await departementTable(ctx.db, region.code, snap), snap, region.nom);
      } else {
        const niveau = req.query.niveau ?? 'region';
        const { scope, series } = await mobileSeries(
          ctx.db,
          niveau,
          req.query.code || (niveau === 'region' ? ctx.config.region : 'FR'),
        );
        table = historyTable(series, scope.nom);
      }
      const file = `sites-mobiles-${name}${req.query.date ? `-${req.query.date}` : ''}.${ext}`;
      reply.header('content-disposition', `attachment; filename="${file}"`);
      if (ext === 'json') return reply.type('application/json; charset=utf-8').send(toJson(table));
      return reply.type('text/csv; charset=utf-8').send(toCsv(table));
    },
  );
}

/** The mobile part of every territory page: the latest snapshot per operator, the history, downloads. */
export function mobileTerritorySection(ctx: AppContext): TerritorySection {
  return async (t) => {
    const { series, snapshots } = await mobileSeries(ctx.db, t.niveau, t.code);
    const measures = await measureAggregates(ctx.db, t.niveau, t.code);
    const last = series[series.length - 1];
    if (!last && !measures.total) return null;
    const [ind] = last ? await mobileIndicators(ctx.db, t.niveau, t.code, [last]) : [];
    const population = (await getTerritory(ctx.db, t.niveau, t.code)).population;
    const pop = dataSource('populations');
    const qs = new URLSearchParams({ niveau: t.niveau, code: t.code }).toString();
    return html`<section class="fr-mt-4w" aria-labelledby="observatoire-mobile"><h2 id="observatoire-mobile">Couverture mobile : sites des opérateurs</h2>
      ${
        last
          ? html`${renderTable(operatorTable(last, t.nom, population))}
      ${ind ? html`${renderTable(indicatorTable(ind, t.nom, last.date))}${INDICATOR_METHOD}` : ''}
      ${series.length > 1 ? html`${seriesChart(series, t.nom, 'mobile-evolution-territoire')}${renderTable(historyTable(series, t.nom))}` : ''}
      ${sourcesBlock(snapshots.map(citationOf))}
      ${t.niveau === 'departement' || t.niveau === 'epci' || t.niveau === 'commune' ? html`<p class="fr-text--sm"><a href="/observatoire/mobile/carte?${new URLSearchParams({ niveau: t.niveau, code: t.code }).toString()}">Carte des sites mobiles et des débits mesurés, ${t.nom}</a></p>` : ''}
      ${population ? html`<p class="fr-text--sm">Sites 4G pour 10 000 habitants : population de ${fmtInt(population)} habitants (${pop.producteur}, ${pop.jeu}, ${LICENCES[pop.licence].court}).</p>` : ''}
      ${METHOD}`
          : html`<p>Aucun relevé de sites mobiles importé.</p>`
      }
      ${measures.total ? html`<h3 class="fr-h6">Mesures de débit participatives</h3>${aggregatesTable(measures)}<p class="fr-text--sm">${METHOD_TEXT} Licence Ouverte 2.0. API : <a href="/api/v1/mobile/mesures/${t.niveau}/${t.code}">/api/v1/mobile/mesures/${t.niveau}/${t.code}</a></p>` : ''}
      <p class="fr-text--sm">Évolution : <a href="/observatoire/mobile/donnees/historique.csv?${qs}" download>CSV</a> · <a href="/observatoire/mobile/donnees/historique.json?${qs}">JSON</a> · API : <a href="/api/v1/observatoire/mobile/${t.niveau}/${t.code}">/api/v1/observatoire/mobile/${t.niveau}/${t.code}</a> · <a href="/observatoire/mobile">Observatoire de la couverture mobile</a></p>
    </section>`;
  };
}
