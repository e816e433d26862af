import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { html } from '../http/html.ts';
import { alert } from '../http/layout.ts';
import { PageNumberSchema } from '../http/pagination.ts';
import { NIVEAU_LABEL } from '../territories/schema.ts';
import { epcisOf } from '../territories/service.ts';
import { territoryHref } from '../territories/views.ts';
import { clearObservatoryCache, stateOf } from './cache.ts';
import { chartsOf, filterForm, keyFiguresOf, mapOf } from './dashboard-views.ts';
import { scopeData } from './presenter.ts';
import * as Q from './queries.ts';
import {
  DENOMINATEURS,
  INDICATEURS,
  type Indicateur,
  PERIMETRE_LABEL,
  type PerimetreMci,
  resolveScope,
  type Scope,
} from './service.ts';
import { renderTable, toCsv, toJson } from './tables.ts';
import { freshness, targetsFor } from './targets.ts';
import { registerTargetPages } from './targets-routes.ts';
import { registerTerritorySection } from './territory-section.ts';
import { downloads, sourcesOf, targetsTable } from './views.ts';

export { clearObservatoryCache } from './cache.ts';

const HEAD = html`<link rel="stylesheet" href="/static/observatory.css">`;
const code = z
  .string()
  .trim()
  .max(12)
  .regex(/^[0-9A-Za-z]*$/, 'code INSEE ou SIREN attendu');

const DashboardQuerySchema = z.object({
  niveau: z.enum(['region', 'departement', 'epci', 'france']).optional(),
  code: code.optional(),
  departement: code.optional(),
  epci: code.optional(),
  indicateur: z.enum(INDICATEURS).optional(),
  perimetre: z.enum(['toutes', 'terrestre', 'filaire', 'dsl']).default('toutes'),
  trimestre: z
    .string()
    .regex(/^\d{4}-T[1-4]$/, 'trimestre attendu sous la forme 2018-T1')
    .optional(),
  // One page parameter per long table, so that each pages on its own.
  page_carte: PageNumberSchema,
  page_debits: PageNumberSchema,
  page_epci: PageNumberSchema,
  page_controle: PageNumberSchema,
});
type DashboardQuery = z.infer<typeof DashboardQuerySchema>;

async function scopeOf(ctx: AppContext, q: DashboardQuery): Promise<Scope> {
  if (q.niveau && (q.code || q.niveau === 'france')) return resolveScope(ctx.db, q.niveau, q.code || 'FR');
  if (q.epci) return resolveScope(ctx.db, 'epci', q.epci);
  if (q.departement) return resolveScope(ctx.db, 'departement', q.departement);
  return resolveScope(ctx.db, 'region', ctx.config.region);
}

function qsOf(scope: Scope, perimetre: string): string {
  const p = new URLSearchParams({ niveau: scope.niveau, code: scope.code });
  if (perimetre !== 'toutes') p.set('perimetre', perimetre);
  return p.toString();
}

/** The scope asked for when it has been imported, otherwise the all-technology one (or the only one imported). */
async function effectivePerimetre(ctx: AppContext, asked: string) {
  const imported = await Q.importedPerimetres(ctx.db);
  const perimetre =
    !imported.length || imported.includes(asked) ? asked : imported.includes('toutes') ? 'toutes' : imported[0]!;
  return { imported, perimetre };
}

export function registerObservatoryPages(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/observatoire', { schema: { querystring: DashboardQuerySchema } }, async (req, reply) => {
    const scope = await scopeOf(ctx, req.query);
    // Only what has been imported is offered; a scope asked for but not imported falls back, and says so.
    const asked = req.query.perimetre;
    const { imported, perimetre } = await effectivePerimetre(ctx, asked);
    const quarters = (await Q.ftthPeriods(ctx.db)).map((x) => x.periode);
    const trimestre = req.query.trimestre && quarters.includes(req.query.trimestre) ? req.query.trimestre : undefined;
    const { p, series, tables } = await scopeData(ctx, scope, perimetre, trimestre);
    const available = INDICATEURS.filter((i) => series.some((s) => s[i] !== null));
    const wanted: Indicateur = req.query.indicateur ?? (p.mci ? 'part_thd100' : 'taux_ftth');
    const indicateur: Indicateur = available.includes(wanted) || !available.length ? wanted : available[0]!;
    const pg = {
      carte: req.query.page_carte,
      debits: req.query.page_debits,
      epci: req.query.page_epci,
      controle: req.query.page_controle,
    };
    const pageKey = `${scope.niveau}:${scope.code}:${asked}:${perimetre}:${indicateur}:${req.query.epci ?? ''}:${req.query.trimestre ?? ''}:${Object.values(pg).join(',')}`;
    // Pagination links keep every other parameter of the request and change only their own.
    const paging = (param: keyof typeof pg, perPage: number, noun: string) => ({
      url: req.url,
      param: `page_${param}`,
      page: pg[param],
      perPage,
      anchor: `tableau-${param}`,
      noun,
    });
    const fragments = stateOf(ctx).pages;
    let main = fragments.get(pageKey);
    if (!main) {
      const region =
        scope.niveau === 'region'
          ? scope.code
          : (scope.parents.find((x) => x.niveau === 'region')?.code ?? ctx.config.region);
      const depts = (
        await ctx.db.query<{ code: string; nom: string }>(
          'SELECT code, nom FROM departement WHERE region = $1 ORDER BY code',
          [region],
        )
      ).rows;
      const epciScope =
        scope.niveau === 'departement'
          ? { n: 'departement' as const, c: scope.code }
          : { n: 'region' as const, c: region };
      const epcis = await epcisOf(ctx.db, epciScope.n, epciScope.c);
      const { map, table } = await mapOf(ctx, scope, tables, indicateur, p, paging('carte', 50, 'territoires'));
      const f = freshness(ctx.config.obsMaxAgeMonths);
      const targets = await targetsFor(ctx.db, scope, f);
      const qs = `${qsOf(scope, perimetre)}${trimestre ? `&trimestre=${trimestre}` : ''}`;
      const charts = chartsOf({
        idPrefix: 'graphique-',
        indicateurs: available,
        series,
        targets,
        territoire: scope.nom,
        perimetre,
        f,
      });
      // Each table cites only the files its figures come from.
      const ftthNow = series.filter((s) => s.jeu === 'arcep-deploiements' && s.periode === p.ftth);
      const mciNow = series.filter((s) => s.jeu === 'mci-communes' && s.periode === p.mci);
      const scopeLabel =
        scope.niveau === 'france' ? 'France' : `${NIVEAU_LABEL[scope.niveau as 'region']} ${scope.nom}`;
      main = html`<h1 class="fr-mt-2w">Observatoire du haut et très haut débit fixe</h1>
      <p class="fr-text--lead">${scopeLabel} : déploiement de la fibre (FttH) et débits disponibles, dans le temps et face aux objectifs (mobile : <a href="/observatoire/mobile">observatoire de la couverture mobile</a>). ${scope.niveau !== 'france' ? html`<a href="${territoryHref(scope.niveau as 'region', scope.code)}">Fiche du territoire</a>` : ''}</p>
      ${asked !== perimetre ? alert('info', `Aucun fichier « ${PERIMETRE_LABEL[asked as PerimetreMci] ?? asked} » de Ma connexion internet n’a été importé : les débits affichés sont ceux du périmètre « ${PERIMETRE_LABEL[perimetre as PerimetreMci] ?? perimetre} ».`) : ''}
      ${req.query.trimestre && !trimestre ? alert('info', `Le trimestre ${req.query.trimestre} n’a pas été importé : les tableaux montrent le dernier trimestre importé (${p.ftth ?? '—'}).`) : ''}
      ${filterForm(scope, depts, epcis, { perimetre }, indicateur, { perimetres: imported, indicateurs: available, trimestres: quarters, trimestre: p.ftth })}
      <h2>Chiffres clés</h2>
      ${keyFiguresOf(series, scope, f)}
      <h2 class="fr-mt-4w">Carte</h2>
      ${map}${table}${sourcesOf(indicateur === 'taux_ftth' ? ftthNow : mciNow)}
      <h2 class="fr-mt-4w">Évolution et objectifs</h2>
      ${targetsTable(targets, `Objectifs applicables à ${scope.nom} : chacun mesuré sur ses technologies, valeur actuelle, date des données, écart et évaluation`, f.maxAgeMonths)}
      ${charts}
      ${tables.series ? html`${renderTable(tables.series)}${sourcesOf(series)}` : ''}
      ${tables.debits ? html`<h2 class="fr-mt-4w">Répartition par classe de débit</h2><p class="fr-text--sm">Classes exclusives déduites des effectifs cumulés publiés par l’Arcep (elig_hd05 − elig_hd3 = locaux entre 0,5 et 3 Mbit/s, etc.). Dénominateur : ${DENOMINATEURS.nbr}.</p>${renderTable(tables.debits, { paging: paging('debits', 50, 'lignes'), note: html`<p class="fr-text--sm">Les effectifs de locaux de chaque classe sont dans le téléchargement <a href="/observatoire/donnees/debits.csv?${qs}" download>CSV</a> ou <a href="/observatoire/donnees/debits.json?${qs}">JSON</a> de ce tableau.</p>` })}${sourcesOf(mciNow)}` : ''}
      ${tables['moins-couvertes-ftth'] ? html`<h2 class="fr-mt-4w">Territoires les moins couverts</h2>${renderTable(tables['moins-couvertes-thd']!)}${sourcesOf(mciNow)}${renderTable(tables['moins-couvertes-ftth']!)}${sourcesOf(ftthNow)}` : ''}
      ${tables.epci ? html`${renderTable(tables.epci, { paging: paging('epci', 50, 'EPCI') })}${sourcesOf([...ftthNow, ...mciNow])}` : ''}
      ${tables.controle ? html`<h2 class="fr-mt-4w">Contrôle des totaux</h2><p class="fr-text--sm">Les totaux de la plateforme sont recalculés à partir des lignes communales, rattachées aux communes d’aujourd’hui. Ils sont comparés aux feuilles départements et régions publiées par l’Arcep ; chaque écart est montré et expliqué.</p>${renderTable(tables.controle, { paging: paging('controle', 40, 'lignes') })}${sourcesOf(series.filter((s) => s.jeu === 'arcep-deploiements'))}` : ''}
      <h2 class="fr-mt-4w">Télécharger les données</h2>
      ${downloads(
        '/observatoire/donnees',
        qs,
        Object.values(tables).map((t) => ({ table: t.key, label: t.titre })),
      )}
      <p class="fr-text--sm">API : <a href="/api/v1/observatoire/fixe/${scope.niveau}/${scope.code}">/api/v1/observatoire/fixe/${scope.niveau}/${scope.code}</a> (<a href="/api/docs">documentation</a>). Objectifs : <a href="/observatoire/objectifs">liste et administration</a>.</p>`;
      if (fragments.size > 200) fragments.clear();
      fragments.set(pageKey, main);
    }
    return ctx.render(req, reply, {
      title: `Observatoire du haut et très haut débit fixe — ${scope.nom}`,
      head: HEAD,
      breadcrumb: [{ label: 'Observatoire', href: '/observatoire' }, { label: scope.nom }],
      main,
    });
  });

  r.get(
    '/observatoire/donnees/:fichier',
    {
      schema: {
        params: z.object({
          fichier: z.string().regex(/^[a-z-]+\.(csv|json)$/, 'nom de fichier attendu, par exemple communes.csv'),
        }),
        querystring: DashboardQuerySchema.extend({
          niveau: z.enum(['region', 'departement', 'epci', 'commune', 'france']).optional(),
        }),
      },
    },
    async (req, reply) => {
      const [name, ext] = req.params.fichier.split('.') as [string, 'csv' | 'json'];
      const scope =
        req.query.niveau === 'commune' && req.query.code
          ? await resolveScope(ctx.db, 'commune', req.query.code)
          : await scopeOf(ctx, req.query as DashboardQuery);
      const quarters = (await Q.ftthPeriods(ctx.db)).map((x) => x.periode);
      const trimestre = req.query.trimestre && quarters.includes(req.query.trimestre) ? req.query.trimestre : undefined;
      const { tables } = await scopeData(
        ctx,
        scope,
        (await effectivePerimetre(ctx, req.query.perimetre)).perimetre,
        trimestre,
      );
      const t = tables[name];
      if (!t)
        throw new AppError(
          'INTROUVABLE',
          `table ${name}`,
          `Tableau inconnu : « ${name} ». Tableaux disponibles : ${Object.keys(tables).join(', ')}.`,
        );
      const file = `observatoire-${t.key}-${scope.niveau}-${scope.code}.${ext}`;
      reply.header('content-disposition', `attachment; filename="${file}"`);
      if (ext === 'csv') return reply.type('text/csv; charset=utf-8').send(toCsv(t));
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(toJson(t)));
    },
  );
  registerTerritorySection(ctx);

  ctx.onImported(() => clearObservatoryCache(ctx));
  registerTargetPages(app, ctx);
}
