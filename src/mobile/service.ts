import type { Queryable } from '../db/db.ts';
import { type NiveauObs, resolveScope } from '../observatory/service.ts';
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

/** Retention of crowdsourced measurements (job `retention`, see the register of processing activities). */
export const coarsenMeasuresOlderThan = (q: Queryable, days: number) => M.coarsenMeasuresOlderThan(q, days);
export const deleteMeasuresOlderThan = (q: Queryable, days: number) => M.deleteMeasuresOlderThan(q, days);
