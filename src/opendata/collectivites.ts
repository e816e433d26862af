import type { Queryable } from '../db/db.ts';
import { communesAbove, departementsOfRegion, epcisOf, getTerritory } from '../territories/service.ts';
import { insertTaux, listOrganisations, tauxOf } from './queries.ts';

/**
 * The collectivités the law obliges to open their data (loi pour une République numérique, art. 6; CRPA
 * L. 312-1-1): communes and EPCI of more than 3,500 inhabitants, départements, régions. The staff
 * condition (50 agents or more) is not known here, so every collectivité above the threshold counts.
 * Computed from the imported territories and populations each time, so it follows their imports.
 */
export const SEUIL_HABITANTS = 3500;

export type CollectiviteItem = {
  siren: string | null;
  nom: string;
  type: 'region' | 'departement' | 'epci' | 'commune';
  code: string;
  population: number | null;
  publie: boolean;
  jeux: number | null;
  derniere_publication: string | null;
  url_plateforme: string | null;
  departement: string | null;
};

export type CollectivitesAnswer = {
  niveau: 'region' | 'departement';
  code: string;
  nom: string;
  obligees: number;
  publient: number;
  taux: number | null;
  items: CollectiviteItem[];
};

export async function collectivitesOf(
  q: Queryable,
  niveau: 'region' | 'departement',
  code: string,
): Promise<CollectivitesAnswer> {
  const t = await getTerritory(q, niveau, code);
  const orgs = await listOrganisations(q);
  const byTerritory = new Map(orgs.filter((o) => o.niveau).map((o) => [`${o.niveau}:${o.code}`, o]));
  const status = (type: CollectiviteItem['type'], c: string) => {
    const o = byTerritory.get(`${type}:${c}`);
    return {
      publie: !!o,
      jeux: o?.jeux ?? null,
      derniere_publication: o?.derniere_publication ?? null,
      url_plateforme: o?.url_plateforme ?? null,
      orgSiren: o?.siren ?? null,
    };
  };
  const item = (
    type: CollectiviteItem['type'],
    c: string,
    nom: string,
    population: number | null,
    siren: string | null,
    departement: string | null,
  ): CollectiviteItem => {
    const { orgSiren, ...s } = status(type, c);
    return { siren: siren ?? orgSiren, nom, type, code: c, population, departement, ...s };
  };
  const items: CollectiviteItem[] = [];
  if (niveau === 'region') {
    items.push(item('region', t.code, t.nom, t.population, null, null));
    for (const d of await departementsOfRegion(q, t.code))
      items.push(item('departement', d.code, d.nom, Number(d.population), null, d.code));
  } else items.push(item('departement', t.code, t.nom, t.population, null, t.code));
  for (const e of await epcisOf(q, niveau, t.code))
    if ((e.population ?? 0) > SEUIL_HABITANTS)
      items.push(item('epci', e.code, e.nom, e.population, e.code, niveau === 'departement' ? t.code : null));
  for (const c of await communesAbove(q, niveau, t.code, SEUIL_HABITANTS))
    items.push(item('commune', c.code, c.nom, c.population, c.siren, c.departement));
  const publient = items.filter((i) => i.publie).length;
  return {
    niveau,
    code: t.code,
    nom: t.nom,
    obligees: items.length,
    publient,
    taux: items.length ? publient / items.length : null,
    items,
  };
}

/** The rate of each département of a région (an EPCI counts in every département where it has communes). */
export async function ratesByDepartement(q: Queryable, region: string) {
  const out: { code: string; nom: string; obligees: number; publient: number; taux: number | null }[] = [];
  for (const d of await departementsOfRegion(q, region)) {
    const a = await collectivitesOf(q, 'departement', d.code);
    out.push({ code: d.code, nom: d.nom, obligees: a.obligees, publient: a.publient, taux: a.taux });
  }
  return out;
}

/** Where the statuses come from: the files imported, for the sources block. */
export async function statusSources(q: Queryable) {
  const orgs = await listOrganisations(q);
  const m = new Map<string, Date>();
  for (const o of orgs) {
    const d = new Date(o.importe_le);
    const prev = m.get(o.fichier);
    if (!prev || d > prev) m.set(o.fichier, d);
  }
  return [...m].map(([fichier, importe_le]) => ({ fichier, importe_le }));
}

/**
 * Records the rate of the région and of each of its départements as of `date` (the list's date), after an
 * import: the series the page and the strategy indicator read. Skipped when the région is not loaded.
 */
export async function snapshotRates(q: Queryable, region: string, date: string, runId: number, fichier: string) {
  const a = await collectivitesOf(q, 'region', region).catch(() => null);
  if (!a) return 0;
  const deps = await ratesByDepartement(q, region);
  return insertTaux(q, [
    {
      run_id: runId,
      mesure_le: date,
      niveau: 'region',
      code: a.code,
      obligees: a.obligees,
      publient: a.publient,
      fichier,
    },
    ...deps.map((d) => ({
      run_id: runId,
      mesure_le: date,
      niveau: 'departement' as const,
      code: d.code,
      obligees: d.obligees,
      publient: d.publient,
      fichier,
    })),
  ]);
}

/** The rate of a région or département over time, one point per list date. */
export async function rateHistory(q: Queryable, niveau: 'region' | 'departement', code: string) {
  return (await tauxOf(q, niveau, code)).map((r) => ({
    date: r.mesure_le,
    obligees: r.obligees,
    publient: r.publient,
    taux: r.obligees ? r.publient / r.obligees : null,
    fichier: r.fichier,
  }));
}
