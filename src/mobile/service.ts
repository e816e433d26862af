import type { Queryable } from '../db/db.ts';
import { communeShapesOf } from '../geo/service.ts';
import { type NiveauObs, resolveScope } from '../observatory/service.ts';
import type { Niveau } from '../territories/schema.ts';
import { MODEL } from './indicators.ts';
import { MIN_PUBLISHED } from './measures.ts';
import * as M from './measures-queries.ts';
import * as Q from './queries.ts';
import { OPERATEURS, type Operateur } from './vocab.ts';

export type Counts = Q.Counts;
export type SeriesPoint = { date: string; operateurs: Partial<Record<Operateur, Counts>>; total: Counts };

const zero = (): Counts => ({ sites: 0, sites_2g: 0, sites_3g: 0, sites_4g: 0, sites_5g: 0 });

function add(a: Counts, b: Counts): Counts {
  return {
    sites: a.sites + b.sites,
    sites_2g: a.sites_2g + b.sites_2g,
    sites_3g: a.sites_3g + b.sites_3g,
    sites_4g: a.sites_4g + b.sites_4g,
    sites_5g: a.sites_5g + b.sites_5g,
  };
}

const pick = (r: Counts): Counts => ({
  sites: r.sites,
  sites_2g: r.sites_2g,
  sites_3g: r.sites_3g,
  sites_4g: r.sites_4g,
  sites_5g: r.sites_5g,
});

/**
 * Sites of a territory per snapshot: every operator the snapshot's file covers appears (with zeros
 * when it has no site there); an operator the file did not cover is absent, never a zero. `total` is
 * the sum over operators (a mast shared by two operators counts twice, as ARCEP lists it once per operator).
 */
export async function mobileSeries(q: Queryable, niveau: NiveauObs, code: string) {
  const scope = await resolveScope(q, niveau, code);
  const rows = niveau === 'france' ? await Q.countsAll(q) : await Q.countsOf(q, niveau, scope.code);
  const snaps = await Q.snapshots(q);
  const series: SeriesPoint[] = snaps.map((s) => {
    const operateurs: Partial<Record<Operateur, Counts>> = {};
    for (const o of OPERATEURS) if (s.operateurs.includes(o)) operateurs[o] = zero();
    let total = zero();
    for (const r of rows)
      if (r.date === s.date && r.operateur in operateurs) {
        operateurs[r.operateur as Operateur] = pick(r);
        total = add(total, r);
      }
    return { date: s.date, operateurs, total };
  });
  return { scope, series, snapshots: snaps };
}

export const snapshotsOf = (q: Queryable) => Q.snapshots(q);
export const nationalReference = (q: Queryable) => Q.reference(q);

/** One snapshot per département of a région: operator counts per row, and the total. */
export async function departementTable(q: Queryable, region: string, snap: Q.Snapshot) {
  const rows = await Q.countsByDepartement(q, region, snap.date);
  const byDep = new Map<string, { code: string; nom: string; operateurs: Partial<Record<Operateur, Counts>> }>();
  for (const r of rows) {
    const d = byDep.get(r.code) ?? { code: r.code, nom: r.nom, operateurs: {} };
    if (r.operateur) d.operateurs[r.operateur as Operateur] = pick(r);
    byDep.set(r.code, d);
  }
  return [...byDep.values()];
}

export type Indicator = {
  sites_pour_10000_habitants: number | null;
  sites_4g_pour_10000_habitants: number | null;
  sites_pour_100_km2: number | null;
  sites_4g_pour_100_km2: number | null;
  sites_partages: number;
  communes_sans_4g: number;
  population_atteinte_4g_estimee: number;
  part_population_atteinte_4g_estimee_pct: number | null;
};
export type Indicators = {
  population: number;
  communes_avec_contour: number;
  aire_km2: number;
  total: Indicator;
  operateurs: Partial<Record<Operateur, Indicator>>;
};

const r2 = (v: number) => Math.round(v * 100) / 100;
const per = (n: number, d: number, k: number) => (d > 0 ? r2((n * k) / d) : null);

/**
 * Indicators of a territory per snapshot (null for a snapshot imported before they existed): densities per
 * 10,000 inhabitants (population of its current communes) and per 100 km² (sites in the communes with a contour,
 * over their area), shared sites, communes without 4G (rule of MODEL.nearKm), estimated population reach.
 */
export async function mobileIndicators(
  q: Queryable,
  niveau: NiveauObs,
  code: string,
  series: SeriesPoint[],
): Promise<(Indicators | null)[]> {
  const [geo, sites, rules, population] = await Promise.all([
    Q.territoryGeo(q, niveau, code),
    Q.siteIndicators(q, niveau, code),
    Q.communeRules(q, niveau, code, MODEL),
    Q.populationOf(q, niveau, code),
  ]);
  return series.map((p) => {
    const g = geo.find((x) => x.date === p.date);
    if (!g) return null;
    const one = (counts: Counts, slug: string): Indicator => {
      const s = sites.filter(
        (x) => x.date === p.date && (slug === '*' ? x.operateur in p.operateurs : x.operateur === slug),
      );
      const rule = rules.find((x) => x.date === p.date && x.operateur === slug);
      const reached = rule?.population_atteinte ?? 0;
      return {
        sites_pour_10000_habitants: per(counts.sites, population, 10_000),
        sites_4g_pour_10000_habitants: per(counts.sites_4g, population, 10_000),
        sites_pour_100_km2: per(
          s.reduce((a, x) => a + x.sites_contour, 0),
          g.aire_km2,
          100,
        ),
        sites_4g_pour_100_km2: per(
          s.reduce((a, x) => a + x.sites_4g_contour, 0),
          g.aire_km2,
          100,
        ),
        sites_partages: s.reduce((a, x) => a + x.partages, 0),
        communes_sans_4g: rule?.sans_4g ?? 0,
        population_atteinte_4g_estimee: reached,
        part_population_atteinte_4g_estimee_pct:
          g.population > 0 ? Math.round((reached * 1000) / g.population) / 10 : null,
      };
    };
    const operateurs: Partial<Record<Operateur, Indicator>> = {};
    for (const o of OPERATEURS) if (p.operateurs[o]) operateurs[o] = one(p.operateurs[o]!, o);
    return {
      population,
      communes_avec_contour: g.communes,
      aire_km2: Math.round(g.aire_km2 * 10) / 10,
      total: one(p.total, '*'),
      operateurs,
    };
  });
}

type MapTechno = '2G' | '3G' | '4G' | '5G';

/**
 * The map of a territory for one snapshot, operator and technology: its commune outlines (simplified), the sites,
 * and per commune the operator's published measurements (median download shown from MIN_PUBLISHED measurements).
 */
export async function siteMap(
  q: Queryable,
  niveau: Niveau,
  code: string,
  date: string,
  operateur: Operateur,
  techno: MapTechno,
) {
  const [shapes, points, measures] = await Promise.all([
    communeShapesOf(q, niveau, code),
    Q.sitePointsOf(q, niveau, code, date, operateur, techno),
    M.communeMeasuresOf(q, niveau, code, operateur),
  ]);
  const sitesBy = new Map<string, number>();
  for (const p of points) sitesBy.set(p.commune, (sitesBy.get(p.commune) ?? 0) + 1);
  const measuresBy = new Map(measures.map((m) => [m.commune, m]));
  const communes = shapes.map((s) => {
    const m = measuresBy.get(s.code);
    return {
      ...s,
      sites: sitesBy.get(s.code) ?? 0,
      mesures: m?.mesures ?? 0,
      mediane: m && m.mesures >= MIN_PUBLISHED ? m.down : null,
    };
  });
  return { communes, points };
}
/** Retention of crowdsourced measurements (job `retention`, see the register of processing activities). */
export const coarsenMeasuresOlderThan = (q: Queryable, days: number) => M.coarsenMeasuresOlderThan(q, days);
export const deleteMeasuresOlderThan = (q: Queryable, days: number) => M.deleteMeasuresOlderThan(q, days);
