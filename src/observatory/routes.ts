import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { audit } from '../accounts/audit.ts';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { fmtInt, fmtPct, html, type Html } from '../http/html.ts';
import { CsrfField, Id, IsoDate, OptionalId, text } from '../http/schemas.ts';
import { authorizeObjectif, dropObjectifOwner, objectifEditing, saveObjectifOwner } from './policy.ts';
import { alert } from '../http/layout.ts';
import { epcisOf } from '../territories/queries.ts';
import { NIVEAU_LABEL } from '../territories/schema.ts';
import { keyFigures, territoryHref } from '../territories/views.ts';
import { controleLines } from './api.ts';
import * as Q from './queries.ts';
import {
  INDICATEUR_COURT, INDICATEUR_LABEL, INDICATEURS, DENOMINATEURS, rates, resolveScope, seriesFor, SPEED_CLASSES, speedClasses, targetsFor, pointsOf,
  type Indicateur, type Scope, type SeriesItem, type SourceRef,
} from './service.ts';
import { communeHref, departementHref, epciHref, renderTable, toCsv, toJson, type TableDef } from './tables.ts';
import { chartBlock, choropleth, downloads, sourcesLine, targetsTable } from './views.ts';

const HEAD = html`<link rel="stylesheet" href="/static/observatory.css">`;
const LICENCE = 'Licence Ouverte 2.0 (Etalab)';
const code = z.string().trim().max(12).regex(/^[0-9A-Za-z]*$/, 'code INSEE ou SIREN attendu');

export const DashboardQuerySchema = z.object({
  niveau: z.enum(['region', 'departement', 'epci', 'france']).optional(),
  code: code.optional(),
  departement: code.optional(),
  epci: code.optional(),
  indicateur: z.enum(INDICATEURS).optional(),
  perimetre: z.enum(['toutes', 'terrestre', 'filaire', 'dsl']).default('toutes'),
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

type Periods = { ftth?: string; mci?: string; perimetre: string };
async function periodsOf(ctx: AppContext, perimetre: string): Promise<Periods & { ftthDate?: string; mciDate?: string }> {
  const [f, m] = await Promise.all([Q.latestPeriode(ctx.db, 'arcep-deploiements', 'ftth'), Q.latestPeriode(ctx.db, 'mci-communes', perimetre)]);
  return { ftth: f?.periode, mci: m?.periode, perimetre, ftthDate: f?.date_fin, mciDate: m?.date_fin };
}

const latestCols = (first: { key: string; label: string; href?: (r: Record<string, unknown>) => string }) => [
  { key: first.key, label: first.label, kind: 'link' as const, ...(first.href ? { href: first.href } : {}) },
  { key: 'code', label: 'Code', kind: 'text' as const },
  { key: 'locaux', label: 'Locaux (Arcep)', kind: 'int' as const },
  { key: 'locaux_raccordables', label: 'Locaux raccordables FttH', kind: 'int' as const },
  { key: 'taux_ftth', label: 'Taux FttH', kind: 'pct' as const },
  { key: 'nbr', label: 'Locaux (Ma connexion internet)', kind: 'int' as const },
  { key: 'part_bhd8', label: 'Bon haut débit (≥ 8 Mbit/s)', kind: 'pct' as const },
  { key: 'part_thd30', label: 'Très haut débit (≥ 30 Mbit/s)', kind: 'pct' as const },
  { key: 'part_thd100', label: '≥ 100 Mbit/s', kind: 'pct' as const },
  { key: 'part_thd1g', label: '≥ 1 Gbit/s', kind: 'pct' as const },
];

function latestRows(rows: Q.LatestRow[]) {
  return rows.map((r) => ({ ...r, ...rates(r) }));
}

function sourceText(p: Periods): string {
  const parts: string[] = [];
  if (p.ftth) parts.push(`Arcep, observatoire trimestriel des déploiements FttH (${p.ftth})`);
  if (p.mci) parts.push(`Arcep, Ma connexion internet (${p.mci})`);
  return parts.join(' ; ') || 'aucune donnée importée';
}

function seriesTable(scope: Scope, p: Periods, series: SeriesItem[]): TableDef {
  return {
    key: 'series', titre: `Évolution — ${scope.nom}`, source: sourceText(p), licence: LICENCE,
    columns: [
      { key: 'periode', label: 'Période', kind: 'text' }, { key: 'jeu', label: 'Jeu de données', kind: 'text' },
      { key: 'locaux_raccordables', label: 'Locaux raccordables FttH', kind: 'int' }, { key: 'locaux', label: 'Locaux (Arcep)', kind: 'int' },
      { key: 'taux_ftth', label: 'Taux FttH', kind: 'pct' }, { key: 'nbr', label: 'Locaux (Ma connexion internet)', kind: 'int' },
      { key: 'part_bhd8', label: '≥ 8 Mbit/s', kind: 'pct' }, { key: 'part_thd30', label: '≥ 30 Mbit/s', kind: 'pct' },
      { key: 'part_thd100', label: '≥ 100 Mbit/s', kind: 'pct' }, { key: 'part_thd1g', label: '≥ 1 Gbit/s', kind: 'pct' },
      { key: 'fichiers', label: 'Fichiers sources', kind: 'text' },
    ],
    rows: series.map((s) => ({ ...s, jeu: s.jeu === 'mci-communes' ? 'Ma connexion internet' : 'Observatoire trimestriel', fichiers: [...new Set(s.sources.map((x) => x.fichier))].join(', ') })),
  };
}

/**
 * Pages read precomputed figures, but a région's tables still join thousands of rows: they are
 * kept in memory per scope until the next import or target change.
 */
type State = {
  cache: Map<string, Promise<{ p: Periods; series: SeriesItem[]; tables: Record<string, TableDef> }>>;
  controle: Map<string, Promise<Awaited<ReturnType<typeof controleLines>>>>;
  regionDepts: Map<string, Set<string>>;
  /** Rendered dashboard bodies (no user data in them: the layout adds the viewer and CSRF token). */
  pages: Map<string, Html>;
};
const states = new WeakMap<AppContext, State>();
function stateOf(ctx: AppContext): State {
  let st = states.get(ctx);
  if (!st) states.set(ctx, (st = { cache: new Map(), controle: new Map(), regionDepts: new Map(), pages: new Map() }));
  return st;
}
export function clearObservatoryCache(ctx: AppContext) {
  const st = stateOf(ctx);
  st.cache.clear();
  st.controle.clear();
  st.regionDepts.clear();
  st.pages.clear();
}
function cached(ctx: AppContext, scope: Scope, perimetre: string) {
  const { cache, regionDepts } = stateOf(ctx);
  const key = `${scope.niveau}:${scope.code}:${perimetre}`;
  let v = cache.get(key);
  if (!v) {
    v = (async () => {
      if (!regionDepts.size) await loadRegionDepts(ctx);
      const p = await periodsOf(ctx, perimetre);
      const series = await seriesFor(ctx.db, scope, perimetre);
      return { p, series, tables: await buildTables(ctx, scope, p, series) };
    })();
    if (cache.size > 500) cache.clear();
    cache.set(key, v);
    v.catch(() => cache.delete(key));
  }
  return v;
}
function controleCached(ctx: AppContext, niveau: 'departement' | 'region') {
  const controleCache = stateOf(ctx).controle;
  let v = controleCache.get(niveau);
  if (!v) {
    v = controleLines(ctx, niveau, null);
    controleCache.set(niveau, v);
    v.catch(() => controleCache.delete(niveau));
  }
  return v;
}

/** All the tables of a scope, for the page and the downloads. */
async function buildTables(ctx: AppContext, scope: Scope, p: Periods, series: SeriesItem[]): Promise<Record<string, TableDef>> {
  const src = sourceText(p);
  const tables: Record<string, TableDef> = {};
  tables.series = seriesTable(scope, p, series);
  if (scope.niveau !== 'commune') {
    const communes = latestRows(await Q.communesLatest(ctx.db, { niveau: scope.niveau as 'region', code: scope.code }, p));
    tables.communes = { key: 'communes', titre: `Communes — ${scope.nom} (dernières valeurs)`, source: src, licence: LICENCE, columns: latestCols({ key: 'nom', label: 'Commune', href: communeHref }), rows: communes };
    const worst = (k: 'taux_ftth' | 'part_thd30' | 'part_thd100') => communes.filter((c) => c[k] !== null).sort((a, b) => (a[k]! - b[k]!) || ((b.nbr ?? b.locaux ?? 0) - (a.nbr ?? a.locaux ?? 0))).slice(0, 20);
    tables['moins-couvertes-ftth'] = { ...tables.communes, key: 'moins-couvertes-ftth', titre: `Les 20 communes les moins couvertes en fibre (FttH, ${p.ftth ?? '—'}) — ${scope.nom}`, rows: worst('taux_ftth') };
    tables['moins-couvertes-thd'] = { ...tables.communes, key: 'moins-couvertes-thd', titre: `Les 20 communes les moins couvertes à 100 Mbit/s (Ma connexion internet, ${p.mci ?? '—'}) — ${scope.nom}`, rows: worst('part_thd100') };
    let children: Q.LatestRow[] = [];
    let childLabel = 'Territoire';
    let href = communeHref;
    if (scope.niveau === 'region') { children = await Q.departementsLatest(ctx.db, scope.code, p); childLabel = 'Département'; href = departementHref; }
    else if (scope.niveau === 'france') { children = await Q.departementsLatest(ctx.db, null, p); childLabel = 'Département'; href = departementHref; }
    else if (scope.niveau === 'departement') { children = await Q.epcisLatest(ctx.db, { niveau: 'departement', code: scope.code }, p); childLabel = 'EPCI'; href = epciHref; }
    else { children = await Q.communesLatest(ctx.db, { niveau: 'epci', code: scope.code }, p); childLabel = 'Commune'; }
    const total = scope.niveau === 'france' ? [] : (await Q.seriesOf(ctx.db, scope.niveau, scope.code, p.perimetre)).filter((s) => s.jeu === 'mci-communes' && s.periode === p.mci);
    const debitRows = [...children, ...total.map((s) => ({ ...s, nom: `Total ${scope.nom}`, code: scope.code }))].map((r) => {
      const cl = speedClasses(r) ?? {};
      const out: Record<string, unknown> = { nom: r.nom, code: r.code, nbr: r.nbr };
      for (const c of SPEED_CLASSES) {
        const v = (cl as Record<string, number | null>)[c.key] ?? null;
        out[c.key] = v;
        out[`${c.key}_part`] = v === null || !r.nbr ? null : v / r.nbr;
      }
      Object.assign(out, rates(r));
      return out;
    });
    tables.debits = {
      key: 'debits', titre: `Locaux par classe de débit, par ${childLabel.toLowerCase()} — ${scope.nom} (Ma connexion internet, ${p.mci ?? '—'}, ${p.perimetre === 'toutes' ? 'toutes technologies' : `technologies ${p.perimetre}`})`, source: src, licence: LICENCE,
      columns: [
        { key: 'nom', label: childLabel, kind: 'link', href: (r) => (r.nom as string).startsWith('Total ') ? '#' : href(r) }, { key: 'code', label: 'Code', kind: 'text' },
        { key: 'nbr', label: 'Locaux', kind: 'int' },
        ...SPEED_CLASSES.map((c) => ({ key: `${c.key}_part`, label: c.label, kind: 'pct' as const })),
        { key: 'part_bhd8', label: 'Bon haut débit (≥ 8)', kind: 'pct' }, { key: 'part_thd30', label: 'THD (≥ 30)', kind: 'pct' },
        ...SPEED_CLASSES.map((c) => ({ key: c.key, label: `${c.label} (locaux)`, kind: 'int' as const })),
      ],
      rows: debitRows,
    };
    if (scope.niveau === 'region') {
      const epcis = latestRows(await Q.epcisLatest(ctx.db, { niveau: 'region', code: scope.code }, p));
      tables.epci = { key: 'epci', titre: `EPCI — ${scope.nom} (dernières valeurs)`, source: src, licence: LICENCE, columns: latestCols({ key: 'nom', label: 'EPCI', href: epciHref }), rows: epcis };
    }
  }
  const targets = await targetsFor(ctx.db, scope, series);
  tables.objectifs = {
    key: 'objectifs', titre: `Objectifs applicables — ${scope.nom}`, source: `${src} ; objectifs des stratégies régionales et européenne`, licence: LICENCE,
    columns: [
      { key: 'libelle', label: 'Objectif', kind: 'text' }, { key: 'strategie', label: 'Stratégie', kind: 'text' }, { key: 'indicateur', label: 'Indicateur', kind: 'text' },
      { key: 'cible', label: 'Cible', kind: 'pct' }, { key: 'echeance', label: 'Échéance', kind: 'text' }, { key: 'actuel', label: 'Valeur actuelle', kind: 'pct' },
      { key: 'periode_actuelle', label: 'Mesure', kind: 'text' }, { key: 'ecart', label: 'Écart', kind: 'pct' }, { key: 'date_projetee', label: 'Date projetée', kind: 'text' },
      { key: 'message', label: 'Projection', kind: 'text' },
    ],
    rows: targets.map((x) => ({ ...x.objectif, indicateur: INDICATEUR_LABEL[x.objectif.indicateur as Indicateur], ...x.projection })),
  };
  if (scope.niveau === 'region' || scope.niveau === 'departement' || scope.niveau === 'france') {
    const deps = (await controleCached(ctx, 'departement')).filter((l) => scope.niveau === 'france' || (scope.niveau === 'departement' ? l.code === scope.code : scope.niveau === 'region' && stateOf(ctx).regionDepts.get(scope.code)?.has(l.code)));
    const regs = scope.niveau === 'departement' ? [] : (await controleCached(ctx, 'region')).filter((l) => scope.niveau === 'france' || l.code === scope.code);
    tables.controle = {
      key: 'controle', titre: `Contrôle : totaux publiés par l’Arcep et recalculés depuis les communes — ${scope.nom}`, source: 'Arcep, observatoire trimestriel (feuilles communes, départements, régions)', licence: LICENCE,
      columns: [
        { key: 'nom', label: 'Territoire', kind: 'text' }, { key: 'code', label: 'Code', kind: 'text' }, { key: 'periode', label: 'Trimestre', kind: 'text' },
        { key: 'publie', label: 'Publié par l’Arcep', kind: 'int' }, { key: 'somme_communes_publiees', label: 'Somme des communes (géographie du fichier)', kind: 'int' },
        { key: 'recalcule', label: 'Recalculé (communes actuelles)', kind: 'int' }, { key: 'ecart', label: 'Écart', kind: 'int' }, { key: 'explication', label: 'Explication', kind: 'text' },
      ],
      rows: [...regs, ...deps],
    };
  }
  return tables;
}

async function loadRegionDepts(ctx: AppContext) {
  const { regionDepts } = stateOf(ctx);
  const rows = (await ctx.db.query<{ code: string; region: string }>('SELECT code, region FROM departement')).rows;
  regionDepts.clear();
  for (const r of rows) {
    const s = regionDepts.get(r.region) ?? new Set<string>();
    s.add(r.code);
    regionDepts.set(r.region, s);
  }
}

function keyFiguresOf(series: SeriesItem[], scope: Scope): Html {
  const f = [...series].reverse().find((s) => s.jeu === 'arcep-deploiements');
  const m = [...series].reverse().find((s) => s.jeu === 'mci-communes');
  const items: { label: string; value: string; hint?: string }[] = [];
  if (f) {
    items.push({ label: 'locaux raccordables à la fibre (FttH)', value: fmtInt(f.locaux_raccordables), hint: `${f.periode}, observatoire Arcep` });
    items.push({ label: 'taux de couverture FttH', value: fmtPct(f.taux_ftth), hint: f.denominateur_taux_ftth === 'logements_insee' ? 'rapporté aux logements Insee' : `rapporté à ${fmtInt(f.locaux)} locaux (logements + établissements)` });
    if (scope.niveau !== 'commune') items.push({ label: 'communes entièrement / pas du tout couvertes en FttH', value: `${fmtInt(f.communes_ftth_completes)} / ${fmtInt(f.communes_ftth_nulles)}`, hint: `sur ${fmtInt(f.communes)} communes, ${f.periode}` });
  }
  if (m) {
    items.push({ label: 'des locaux en bon haut débit (≥ 8 Mbit/s)', value: fmtPct(m.part_bhd8), hint: `${m.periode}, Ma connexion internet` });
    items.push({ label: 'des locaux en très haut débit (≥ 30 Mbit/s)', value: fmtPct(m.part_thd30), hint: `toutes technologies, ${m.periode}` });
    items.push({ label: 'des locaux à 100 Mbit/s ou plus', value: fmtPct(m.part_thd100), hint: `${fmtInt(m.elig_thd100)} sur ${fmtInt(m.nbr)} locaux, ${m.periode}` });
    items.push({ label: 'des locaux à 1 Gbit/s ou plus', value: fmtPct(m.part_thd1g), hint: m.periode });
    if (scope.niveau !== 'commune') items.push({ label: 'communes entièrement / pas du tout en THD (≥ 30 Mbit/s)', value: `${fmtInt(m.communes_thd_completes)} / ${fmtInt(m.communes_thd_nulles)}`, hint: `sur ${fmtInt(m.communes)} communes, ${m.periode}` });
  }
  if (!items.length) return html`<p>Aucune donnée du haut et très haut débit fixe n’a encore été importée pour ce territoire.</p>`;
  const sources: SourceRef[] = [...(f?.sources ?? []), ...(m?.sources ?? [])];
  return html`${keyFigures(items)}${sourcesLine(sources, null)}`;
}

function filterForm(scope: Scope, depts: { code: string; nom: string }[], epcis: { code: string; nom: string }[], q: DashboardQuery, indicateur: Indicateur): Html {
  const dSel = scope.niveau === 'departement' ? scope.code : (scope.parents.find((p) => p.niveau === 'departement')?.code ?? '');
  const eSel = scope.niveau === 'epci' ? scope.code : '';
  return html`<form method="get" action="/observatoire" class="fr-mb-4w pan-filtres">
  <fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Filtrer</legend>
  <div class="fr-fieldset__element fr-fieldset__element--inline"><div class="fr-select-group"><label class="fr-label" for="f-dep">Département</label>
    <select class="fr-select" id="f-dep" name="departement"><option value="">Toute la région</option>${depts.map((d) => html`<option value="${d.code}"${d.code === dSel ? html` selected` : ''}>${d.nom} (${d.code})</option>`)}</select></div></div>
  <div class="fr-fieldset__element fr-fieldset__element--inline"><div class="fr-select-group"><label class="fr-label" for="f-epci">EPCI (prioritaire sur le département)</label>
    <select class="fr-select" id="f-epci" name="epci"><option value="">—</option>${epcis.map((e) => html`<option value="${e.code}"${e.code === eSel ? html` selected` : ''}>${e.nom}</option>`)}</select></div></div>
  <div class="fr-fieldset__element fr-fieldset__element--inline"><div class="fr-select-group"><label class="fr-label" for="f-ind">Indicateur de la carte</label>
    <select class="fr-select" id="f-ind" name="indicateur">${INDICATEURS.map((i) => html`<option value="${i}"${i === indicateur ? html` selected` : ''}>${INDICATEUR_LABEL[i]}</option>`)}</select></div></div>
  <div class="fr-fieldset__element fr-fieldset__element--inline"><div class="fr-select-group"><label class="fr-label" for="f-per">Technologies (Ma connexion internet)</label>
    <select class="fr-select" id="f-per" name="perimetre">${(['toutes', 'terrestre', 'filaire', 'dsl'] as const).map((x) => html`<option value="${x}"${x === q.perimetre ? html` selected` : ''}>${x}</option>`)}</select></div></div>
  <div class="fr-fieldset__element fr-fieldset__element--inline"><button class="fr-btn" type="submit">Afficher</button></div>
  </fieldset></form>`;
}

/** Map of the scope: EPCI (or départements) for a région, communes below. */
async function mapOf(ctx: AppContext, scope: Scope, tables: Record<string, TableDef>, indicateur: Indicateur): Promise<{ map: Html; table: Html }> {
  let level = 'commune';
  let rows = tables.communes?.rows ?? [];
  let label = 'Commune';
  let href = communeHref;
  if (scope.niveau === 'region' || scope.niveau === 'france') {
    const epciRows = tables.epci?.rows ?? [];
    const epciShapes = scope.niveau === 'region' ? await Q.shapesOf(ctx.db, 'epci', epciRows.map((r) => String(r.code))) : [];
    if (epciShapes.length) { level = 'epci'; rows = epciRows; label = 'EPCI'; href = epciHref; }
    else { level = 'departement'; rows = (tables.debits?.rows ?? []).filter((r) => !String(r.nom).startsWith('Total ')); label = 'Département'; href = departementHref; }
  }
  const shapes = await Q.shapesOf(ctx.db, level, rows.map((r) => String(r.code)));
  const byCode = new Map(rows.map((r) => [String(r.code), r]));
  const mapShapes = shapes.map((s) => {
    const r = byCode.get(s.code);
    const v = (r?.[indicateur] ?? null) as number | null;
    return { code: s.code, nom: String(r?.nom ?? s.code), geometrie: s.geometrie as never, value: v };
  });
  const title = `${INDICATEUR_LABEL[indicateur]} par ${label.toLowerCase()} — ${scope.nom}`;
  const map = choropleth(mapShapes, { id: 'carte-observatoire', title, description: `Carte choroplèthe : ${mapShapes.length} territoires colorés selon l’indicateur, du plus clair (0 %) au plus foncé (100 %).`, indicateur: INDICATEUR_LABEL[indicateur] });
  const tdef: TableDef = {
    key: 'carte', titre: `${title} : données de la carte`, source: '', licence: LICENCE,
    columns: [{ key: 'nom', label, kind: 'link', href }, { key: 'code', label: 'Code', kind: 'text' }, { key: indicateur, label: INDICATEUR_COURT[indicateur], kind: 'pct' }],
    rows: [...rows].sort((a, b) => String(a.nom).localeCompare(String(b.nom), 'fr')),
  };
  return { map, table: html`<details class="fr-mb-4w"><summary>Tableau des données de la carte (${fmtInt(rows.length)} lignes)</summary>${renderTable(tdef)}</details>` };
}

export function registerObservatoryPages(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/observatoire', { schema: { querystring: DashboardQuerySchema } }, async (req, reply) => {
    const scope = await scopeOf(ctx, req.query);
    const { p, series, tables } = await cached(ctx, scope, req.query.perimetre);
    const indicateur: Indicateur = req.query.indicateur ?? (p.mci ? 'part_thd100' : 'taux_ftth');
    const pageKey = `${scope.niveau}:${scope.code}:${req.query.perimetre}:${indicateur}:${req.query.epci ?? ''}`;
    const fragments = stateOf(ctx).pages;
    let main = fragments.get(pageKey);
    if (!main) {
    const region = scope.niveau === 'region' ? scope.code : (scope.parents.find((x) => x.niveau === 'region')?.code ?? ctx.config.region);
    const depts = (await ctx.db.query<{ code: string; nom: string }>('SELECT code, nom FROM departement WHERE region = $1 ORDER BY code', [region])).rows;
    const epciScope = scope.niveau === 'departement' ? { n: 'departement' as const, c: scope.code } : { n: 'region' as const, c: region };
    const epcis = await epcisOf(ctx.db, epciScope.n, epciScope.c);
    const { map, table } = await mapOf(ctx, scope, tables, indicateur);
    const targets = await targetsFor(ctx.db, scope, series);
    const qs = qsOf(scope, req.query.perimetre);
    const charts = INDICATEURS.map((ind) => chartBlock({
      id: `graphique-${ind}`, indicateur: ind, points: pointsOf(series, ind), territoire: scope.nom,
      targets: targets.filter((x) => x.objectif.indicateur === ind), sources: series.filter((s) => s[ind] !== null).flatMap((s) => s.sources),
    }));
    const scopeLabel = scope.niveau === 'france' ? 'France' : `${NIVEAU_LABEL[scope.niveau as 'region']} ${scope.nom}`;
    main = html`<h1 class="fr-mt-2w">Observatoire du haut et très haut débit fixe</h1>
      <p class="fr-text--lead">${scopeLabel} : déploiement de la fibre (FttH) et débits disponibles, dans le temps et face aux objectifs. ${scope.niveau !== 'france' ? html`<a href="${territoryHref(scope.niveau as 'region', scope.code)}">Fiche du territoire</a>` : ''}</p>
      ${filterForm(scope, depts, epcis, req.query, indicateur)}
      <h2>Chiffres clés</h2>
      ${keyFiguresOf(series, scope)}
      <h2 class="fr-mt-4w">Carte</h2>
      ${map}${table}
      <h2 class="fr-mt-4w">Évolution et objectifs</h2>
      ${targetsTable(targets, `Objectifs applicables à ${scope.nom} : valeur actuelle, écart et projection`)}
      ${charts}
      ${tables.series ? renderTable(tables.series) : ''}
      ${tables.debits ? html`<h2 class="fr-mt-4w">Répartition par classe de débit</h2><p class="fr-text--sm">Classes exclusives déduites des effectifs cumulés publiés par l’Arcep (elig_hd05 − elig_hd3 = locaux entre 0,5 et 3 Mbit/s, etc.). Dénominateur : ${DENOMINATEURS.nbr}.</p>${renderTable(tables.debits)}` : ''}
      ${tables['moins-couvertes-ftth'] ? html`<h2 class="fr-mt-4w">Territoires les moins couverts</h2>${renderTable(tables['moins-couvertes-thd']!)}${renderTable(tables['moins-couvertes-ftth']!)}` : ''}
      ${tables.epci ? renderTable(tables.epci, { limit: 400 }) : ''}
      ${tables.controle ? html`<h2 class="fr-mt-4w">Contrôle des totaux</h2><p class="fr-text--sm">Les totaux de la plateforme sont recalculés à partir des lignes communales, rattachées aux communes d’aujourd’hui. Ils sont comparés aux feuilles départements et régions publiées par l’Arcep ; chaque écart est montré et expliqué.</p>${renderTable(tables.controle)}` : ''}
      <h2 class="fr-mt-4w">Télécharger les données</h2>
      ${downloads('/observatoire/donnees', qs, Object.values(tables).map((t) => ({ table: t.key, label: t.titre })))}
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

  r.get('/observatoire/donnees/:fichier', {
    schema: {
      params: z.object({ fichier: z.string().regex(/^[a-z-]+\.(csv|json)$/, 'nom de fichier attendu, par exemple communes.csv') }),
      querystring: DashboardQuerySchema.extend({ niveau: z.enum(['region', 'departement', 'epci', 'commune', 'france']).optional() }),
    },
  }, async (req, reply) => {
    const [name, ext] = req.params.fichier.split('.') as [string, 'csv' | 'json'];
    const scope = req.query.niveau === 'commune' && req.query.code ? await resolveScope(ctx.db, 'commune', req.query.code) : await scopeOf(ctx, req.query as DashboardQuery);
    const { tables } = await cached(ctx, scope, req.query.perimetre);
    const t = tables[name];
    if (!t) throw new AppError('INTROUVABLE', `table ${name}`, `Tableau inconnu : « ${name} ». Tableaux disponibles : ${Object.keys(tables).join(', ')}.`);
    const file = `observatoire-${t.key}-${scope.niveau}-${scope.code}.${ext}`;
    reply.header('content-disposition', `attachment; filename="${file}"`);
    if (ext === 'csv') return reply.type('text/csv; charset=utf-8').send(toCsv(t));
    return reply.type('application/json; charset=utf-8').send(JSON.stringify(toJson(t)));
  });

  ctx.territorySections.push(async (terr) => {
    const scope = await resolveScope(ctx.db, terr.niveau, terr.code);
    const series = await seriesFor(ctx.db, scope);
    if (!series.length) return null;
    const targets = await targetsFor(ctx.db, scope, series);
    const p = await periodsOf(ctx, 'toutes');
    let ranks: Html = html``;
    if (terr.niveau === 'commune') {
      const lines: Html[] = [];
      for (const within of ['epci', 'departement'] as const) {
        for (const ind of ['ftth', 'thd'] as const) {
          const rk = await Q.communeRank(ctx.db, terr.code, within, ind, p);
          if (rk && rk.valeur !== null && rk.total) {
            lines.push(html`<li>${ind === 'ftth' ? `Taux FttH (${p.ftth})` : `Très haut débit ≥ 30 Mbit/s (${p.mci})`} : ${fmtPct(rk.valeur)}, ${rk.rang}${rk.rang === 1 ? 're' : 'e'} sur ${rk.total} communes ${within === 'epci' ? 'de l’EPCI' : 'du département'}.</li>`);
          }
        }
      }
      if (lines.length) ranks = html`<h3 class="fr-h6">Place dans l’EPCI et le département</h3><ul>${lines}</ul>`;
    }
    const sTable = seriesTable(scope, p, series);
    const charts = (['taux_ftth', 'part_thd30', 'part_thd100'] as const).map((ind) => chartBlock({
      id: `graphique-territoire-${ind}`, indicateur: ind, points: pointsOf(series, ind), territoire: scope.nom,
      targets: targets.filter((x) => x.objectif.indicateur === ind), sources: series.filter((s) => s[ind] !== null).flatMap((s) => s.sources),
    }));
    const qs = new URLSearchParams({ niveau: scope.niveau, code: scope.code }).toString();
    return html`<section class="fr-mt-4w" aria-labelledby="observatoire-fixe"><h2 id="observatoire-fixe">Haut et très haut débit fixe</h2>
      ${keyFiguresOf(series, scope)}
      ${ranks}
      ${targetsTable(targets, `Objectifs applicables à ${scope.nom}`)}
      ${charts}
      ${renderTable(sTable)}
      ${downloads('/observatoire/donnees', qs, [{ table: 'series', label: 'Évolution' }, { table: 'objectifs', label: 'Objectifs' }])}
      <p class="fr-text--sm">${terr.niveau !== 'commune' ? html`<a href="/observatoire?${qs}">Tableau de bord de l’observatoire pour ${scope.nom}</a> · ` : ''}API : <a href="/api/v1/observatoire/fixe/${scope.niveau}/${scope.code}">/api/v1/observatoire/fixe/${scope.niveau}/${scope.code}</a></p>
    </section>`;
  });

  ctx.onImported(() => clearObservatoryCache(ctx));
  registerTargetPages(app, ctx);
}

const pct = z.string().trim().transform((s) => Number(s.replace(',', '.').replace('%', ''))).pipe(z.number({ error: 'nombre attendu' }).gt(0, 'la cible doit être supérieure à 0 %').max(100, 'la cible ne peut dépasser 100 %'));
export const ObjectifFormSchema = z.object({
  ...CsrfField,
  libelle: text(200, 3, 'libellé trop court'),
  strategie: text(200, 2, 'stratégie à préciser'),
  territoire_niveau: z.enum(['france', 'region', 'departement', 'epci', 'commune']),
  territoire_code: z.string().trim().toUpperCase().regex(/^[0-9A-Z]{2,9}$/, 'code INSEE, SIREN ou FR attendu'),
  indicateur: z.enum(INDICATEURS),
  cible_pct: pct,
  echeance: IsoDate,
  source: text(500, 2, 'source à préciser'),
  note: text(1000).optional().default(''),
  actif: z.string().max(10).optional(),
  organisationId: OptionalId.optional(),
});

function objectifForm(o: Partial<Q.ObjectifRow> & { id?: number }, csrf: string, ownerField: Html = html``): Html {
  const id = o.id ?? 'nouveau';
  const f = (name: string) => `obj-${id}-${name}`;
  return html`<form method="post" action="${o.id ? `/observatoire/objectifs/${o.id}` : '/observatoire/objectifs'}" class="fr-mb-3w">
  <input type="hidden" name="_csrf" value="${csrf}">
  <div class="fr-grid-row fr-grid-row--gutters">
  <div class="fr-col-12 fr-col-md-6 fr-input-group"><label class="fr-label" for="${f('libelle')}">Libellé</label><input class="fr-input" id="${f('libelle')}" name="libelle" required value="${o.libelle ?? ''}"></div>
  <div class="fr-col-12 fr-col-md-6 fr-input-group"><label class="fr-label" for="${f('strategie')}">Stratégie</label><input class="fr-input" id="${f('strategie')}" name="strategie" required value="${o.strategie ?? ''}"></div>
  <div class="fr-col-6 fr-col-md-3 fr-select-group"><label class="fr-label" for="${f('niveau')}">Territoire (niveau)</label><select class="fr-select" id="${f('niveau')}" name="territoire_niveau">${(['france', 'region', 'departement', 'epci', 'commune'] as const).map((n) => html`<option value="${n}"${o.territoire_niveau === n ? html` selected` : ''}>${n}</option>`)}</select></div>
  <div class="fr-col-6 fr-col-md-3 fr-input-group"><label class="fr-label" for="${f('code')}">Code du territoire <span class="fr-hint-text">INSEE, SIREN ou FR</span></label><input class="fr-input" id="${f('code')}" name="territoire_code" required value="${o.territoire_code ?? ''}"></div>
  <div class="fr-col-12 fr-col-md-6 fr-select-group"><label class="fr-label" for="${f('ind')}">Indicateur</label><select class="fr-select" id="${f('ind')}" name="indicateur">${INDICATEURS.map((i) => html`<option value="${i}"${o.indicateur === i ? html` selected` : ''}>${INDICATEUR_LABEL[i]}</option>`)}</select></div>
  <div class="fr-col-6 fr-col-md-3 fr-input-group"><label class="fr-label" for="${f('cible')}">Cible (%)</label><input class="fr-input" id="${f('cible')}" name="cible_pct" inputmode="decimal" required value="${o.cible === undefined ? '' : String(Math.round(o.cible * 1000) / 10).replace('.', ',')}"></div>
  <div class="fr-col-6 fr-col-md-3 fr-input-group"><label class="fr-label" for="${f('echeance')}">Échéance</label><input class="fr-input" type="date" id="${f('echeance')}" name="echeance" required value="${o.echeance ?? ''}"></div>
  <div class="fr-col-12 fr-col-md-6 fr-input-group"><label class="fr-label" for="${f('source')}">Source</label><input class="fr-input" id="${f('source')}" name="source" required value="${o.source ?? ''}"></div>
  <div class="fr-col-12 fr-input-group"><label class="fr-label" for="${f('note')}">Note</label><input class="fr-input" id="${f('note')}" name="note" value="${o.note ?? ''}"></div>
  <div class="fr-col-12 fr-checkbox-group"><input type="checkbox" id="${f('actif')}" name="actif" value="1"${o.actif === false ? '' : html` checked`}><label class="fr-label" for="${f('actif')}">Actif (affiché et suivi)</label></div>
  ${ownerField}
  </div>
  <ul class="fr-btns-group fr-btns-group--inline-md fr-mt-2w"><li><button class="fr-btn" type="submit">${o.id ? 'Enregistrer' : 'Ajouter l’objectif'}</button></li>
  ${o.id ? html`<li><button class="fr-btn fr-btn--tertiary" type="submit" formaction="/observatoire/objectifs/${o.id}/suppression">Supprimer</button></li>` : ''}</ul>
</form>`;
}

function parseObjectif(body: unknown): Q.ObjectifInput {
  const parsed = ObjectifFormSchema.safeParse(body);
  if (!parsed.success) {
    throw new AppError('REQUETE_INVALIDE', parsed.error.message, `Objectif invalide : ${parsed.error.issues.map((i) => `${i.path.join('.')} — ${i.message}`).join(' ; ')}.`);
  }
  const d = parsed.data;
  return {
    libelle: d.libelle, strategie: d.strategie, territoire_niveau: d.territoire_niveau, territoire_code: d.territoire_niveau === 'france' ? 'FR' : d.territoire_code,
    indicateur: d.indicateur, cible: d.cible_pct / 100, echeance: d.echeance, source: d.source, note: d.note || null, actif: d.actif === '1' || d.actif === 'on',
  };
}

function registerTargetPages(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const IdSchema = z.object({ id: Id });

  r.get('/observatoire/objectifs', { schema: { querystring: z.object({ ok: z.string().max(20).optional() }) } }, async (req, reply) => {
    const list = await Q.listObjectifs(ctx.db);
    const edit = await objectifEditing(req, ctx.db);
    const editable = list.filter((o) => edit.mayEdit(o.id));
    return ctx.render(req, reply, {
      title: 'Objectifs de couverture',
      head: HEAD,
      breadcrumb: [{ label: 'Observatoire', href: '/observatoire' }, { label: 'Objectifs' }],
      main: html`<h1 class="fr-mt-2w">Objectifs de couverture</h1>
      ${req.query.ok ? alert('success', req.query.ok === 'supprime' ? 'Objectif supprimé.' : 'Objectif enregistré.') : ''}
      <p>Les objectifs des stratégies (SCORAN de Bourgogne-Franche-Comté, stratégie numérique de la Normandie, société européenne du gigabit) sont des données : chaque territoire est comparé à ceux qui s’appliquent à lui (les siens, ceux de ses territoires parents et les objectifs nationaux ou européens).${req.viewer ? '' : ' Les administrateurs et les éditeurs des organisations qui les portent peuvent les modifier.'}</p>
      <div class="fr-table"><table><caption>Objectifs (${list.length})</caption>
      <thead><tr><th scope="col">Objectif</th><th scope="col">Stratégie</th><th scope="col">Territoire</th><th scope="col">Indicateur</th><th scope="col" class="pan-num">Cible</th><th scope="col">Échéance</th><th scope="col">Source</th><th scope="col">Actif</th></tr></thead>
      <tbody>${list.map((o) => html`<tr><td>${o.libelle}</td><td>${o.strategie}</td><td>${o.territoire_niveau === 'france' ? 'France (tous territoires)' : `${o.territoire_niveau} ${o.territoire_code}`}</td><td>${INDICATEUR_LABEL[o.indicateur as Indicateur] ?? o.indicateur}</td><td class="pan-num">${fmtPct(o.cible)}</td><td>${o.echeance}</td><td>${o.source}${o.note ? html`<br><span class="fr-text--xs">${o.note}</span>` : ''}${edit.ownerName(o.id) ? html`<br><span class="fr-text--xs">Porté par ${edit.ownerName(o.id)}</span>` : ''}</td><td>${o.actif ? 'oui' : 'non'}</td></tr>`)}</tbody></table></div>
      ${editable.length ? html`<h2>Modifier les objectifs</h2>${editable.map((o) => html`<h3 class="fr-h6">${o.libelle}</h3>${objectifForm(o, req.csrfToken, edit.ownerField(o.id))}`)}` : ''}
      ${edit.mayCreate ? html`<h2>Ajouter un objectif</h2>${objectifForm({}, req.csrfToken, edit.ownerField())}` : ''}`,
    });
  });

  r.post('/observatoire/objectifs', async (req, reply) => {
    const { actor, owner } = await authorizeObjectif(req, ctx.db, 'creer', null);
    const input = parseObjectif(req.body);
    await ctx.db.transaction(async (tx) => {
      const id = await Q.insertObjectif(tx, input);
      const organisation_id = await saveObjectifOwner(req, tx, id, owner);
      await audit(tx, actor, 'creation', { type: 'objectif', id }, null, { ...input, organisation_id });
    });
    clearObservatoryCache(ctx);
    return reply.redirect('/observatoire/objectifs?ok=1', 303);
  });

  r.post('/observatoire/objectifs/:id', { schema: { params: IdSchema } }, async (req, reply) => {
    const { actor, owner } = await authorizeObjectif(req, ctx.db, 'modifier', req.params.id);
    const input = parseObjectif(req.body);
    await ctx.db.transaction(async (tx) => {
      const before = await Q.getObjectif(tx, req.params.id);
      if (!before) throw new AppError('INTROUVABLE', `objectif ${req.params.id}`, 'Cet objectif n’existe pas (ou plus).');
      await Q.updateObjectif(tx, req.params.id, input);
      const organisation_id = await saveObjectifOwner(req, tx, req.params.id, owner);
      await audit(tx, actor, 'modification', { type: 'objectif', id: req.params.id }, { ...before, organisation_id: owner }, { ...input, organisation_id });
    });
    clearObservatoryCache(ctx);
    return reply.redirect('/observatoire/objectifs?ok=1', 303);
  });

  r.post('/observatoire/objectifs/:id/suppression', { schema: { params: IdSchema } }, async (req, reply) => {
    const { actor, owner } = await authorizeObjectif(req, ctx.db, 'supprimer', req.params.id);
    await ctx.db.transaction(async (tx) => {
      const before = await Q.getObjectif(tx, req.params.id);
      if (!before) throw new AppError('INTROUVABLE', `objectif ${req.params.id}`, 'Cet objectif n’existe pas (ou plus).');
      await Q.deleteObjectif(tx, req.params.id);
      await dropObjectifOwner(tx, req.params.id);
      await audit(tx, actor, 'suppression', { type: 'objectif', id: req.params.id }, { ...before, organisation_id: owner }, null);
    });
    clearObservatoryCache(ctx);
    return reply.redirect('/observatoire/objectifs?ok=supprime', 303);
  });
}
