import type { Queryable } from '../db/db.ts';
import type { Niveau } from '../territories/schema.ts';
import { getTerritory } from '../territories/service.ts';
import { quarterEnd } from './parse.ts';
import * as Q from './queries.ts';

export const NIVEAUX_OBS = ['region', 'departement', 'epci', 'commune', 'france'] as const;
export type NiveauObs = (typeof NIVEAUX_OBS)[number];
export const INDICATEURS = ['taux_ftth', 'part_bhd8', 'part_thd30', 'part_thd100', 'part_thd1g'] as const;
export type Indicateur = (typeof INDICATEURS)[number];

export const INDICATEUR_LABEL: Record<Indicateur, string> = {
  taux_ftth: 'Taux de locaux raccordables à la fibre (FttH)',
  part_bhd8: 'Part des locaux en bon haut débit (≥ 8 Mbit/s)',
  part_thd30: 'Part des locaux en très haut débit (≥ 30 Mbit/s)',
  part_thd100: 'Part des locaux à 100 Mbit/s ou plus',
  part_thd1g: 'Part des locaux à 1 Gbit/s ou plus',
};
export const INDICATEUR_COURT: Record<Indicateur, string> = {
  taux_ftth: 'FttH',
  part_bhd8: '≥ 8 Mbit/s',
  part_thd30: '≥ 30 Mbit/s',
  part_thd100: '≥ 100 Mbit/s',
  part_thd1g: '≥ 1 Gbit/s',
};

/**
 * Technology scope of a figure. Ma connexion internet's all-technology file counts satellite (and
 * 4G fixe), so its ≥ 30 Mbit/s share is close to 100 % everywhere: every title says the scope.
 */
export const PERIMETRES_MCI = ['toutes', 'terrestre', 'filaire', 'dsl'] as const;
export type PerimetreMci = (typeof PERIMETRES_MCI)[number];
export type PerimetreObjectif = 'ftth' | 'toutes' | 'terrestre' | 'filaire';
export const PERIMETRE_LABEL: Record<PerimetreMci | 'ftth', string> = {
  ftth: 'fibre jusqu’à l’abonné (FttH)',
  toutes: 'toutes technologies, satellite compris',
  terrestre: 'terrestre (satellite exclu)',
  filaire: 'filaire (fibre, câble, cuivre)',
  dsl: 'cuivre (DSL) seul',
};
/** The Ma connexion internet file that holds each scope. */
export const PERIMETRE_FICHIER: Record<PerimetreMci, string> = {
  toutes: 'commune_debit.csv',
  terrestre: 'commune_debit_terrestre.csv',
  filaire: 'commune_debit_filaire.csv',
  dsl: 'commune_debit_dsl.csv',
};
/** An indicator's title with its technology scope, e.g. "… (≥ 30 Mbit/s), toutes technologies, satellite compris". */
export function indicatorTitle(ind: Indicateur, perimetre: string): string {
  return ind === 'taux_ftth'
    ? INDICATEUR_LABEL[ind]
    : `${INDICATEUR_LABEL[ind]}, ${PERIMETRE_LABEL[perimetre as PerimetreMci] ?? perimetre}`;
}

export const DENOMINATEURS = {
  locaux:
    'Locaux selon l’Arcep : Logements + Établissements de la feuille « informations » de l’observatoire trimestriel, sommés sur les communes',
  locaux_arcep:
    'Locaux publiés par l’Arcep pour ce territoire : sa « meilleure estimation des locaux » (classeur 2022 T2 : la même estimation pour tous les trimestres du fichier) ou, à défaut, Logements + Établissements de sa feuille départements ou régions',
  logements_insee: 'Logements du recensement de l’Insee (base communale « Logement »), faute de locaux Arcep',
  nbr: 'Locaux recensés par Ma connexion internet (champ nbr : logements et locaux professionnels)',
} as const;

export const SPEED_CLASSES = [
  { key: 'inel', label: 'Inéligible (< 0,5 Mbit/s)' },
  { key: 'moins_3', label: 'Moins de 3 Mbit/s' },
  { key: 'de_3_a_8', label: '3 à 8 Mbit/s' },
  { key: 'de_8_a_30', label: '8 à 30 Mbit/s' },
  { key: 'de_30_a_100', label: '30 à 100 Mbit/s' },
  { key: 'de_100_a_1g', label: '100 Mbit/s à 1 Gbit/s' },
  { key: 'au_moins_1g', label: '1 Gbit/s ou plus' },
] as const;
type SpeedClass = (typeof SPEED_CLASSES)[number]['key'];

export type Scope = {
  niveau: NiveauObs;
  code: string;
  nom: string;
  parents: { niveau: Niveau; code: string; nom: string }[];
};

export async function resolveScope(q: Queryable, niveau: NiveauObs, code: string): Promise<Scope> {
  if (niveau === 'france') return { niveau, code: 'FR', nom: 'France', parents: [] };
  const t = await getTerritory(q, niveau, code);
  return { niveau: t.niveau, code: t.code, nom: t.nom, parents: t.parents };
}

type Counts = Partial<
  Record<
    'nbr' | 'inel_hd' | 'elig_hd05' | 'elig_hd3' | 'elig_bhd8' | 'elig_thd30' | 'elig_thd100' | 'elig_thd1g',
    number | null
  >
>;

const share = (n: number | null | undefined, d: number | null | undefined) =>
  n === null || n === undefined || !d ? null : n / d;
const diff = (a: number | null | undefined, b: number | null | undefined) =>
  a === null || a === undefined ? null : a - (b ?? 0);

/** Exclusive speed classes (as regional plans show them) from ARCEP's cumulative counts. */
export function speedClasses(c: Counts): Record<SpeedClass, number | null> | null {
  if (c.nbr === null || c.nbr === undefined || c.elig_hd05 === null || c.elig_hd05 === undefined) return null;
  return {
    inel: c.inel_hd ?? null,
    moins_3: diff(c.elig_hd05, c.elig_hd3),
    de_3_a_8: diff(c.elig_hd3, c.elig_bhd8),
    de_8_a_30: diff(c.elig_bhd8, c.elig_thd30),
    de_30_a_100: diff(c.elig_thd30, c.elig_thd100),
    de_100_a_1g: c.elig_thd100 === null || c.elig_thd100 === undefined ? null : c.elig_thd100 - (c.elig_thd1g ?? 0),
    au_moins_1g: c.elig_thd1g ?? null,
  };
}

type Rates = {
  taux_ftth: number | null;
  denominateur_taux_ftth: 'locaux' | 'locaux_arcep' | 'logements_insee' | null;
  part_bhd8: number | null;
  part_thd30: number | null;
  part_thd100: number | null;
  part_thd1g: number | null;
};

export function rates(
  r: { locaux_raccordables?: number | null; locaux?: number | null; logements_insee?: number | null } & Counts,
): Rates {
  let taux: number | null = null;
  let denom: Rates['denominateur_taux_ftth'] = null;
  if (r.locaux_raccordables !== null && r.locaux_raccordables !== undefined) {
    if (r.locaux) {
      taux = r.locaux_raccordables / r.locaux;
      denom = 'locaux';
    } else if (r.logements_insee) {
      taux = r.locaux_raccordables / r.logements_insee;
      denom = 'logements_insee';
    }
  }
  return {
    taux_ftth: taux,
    denominateur_taux_ftth: denom,
    part_bhd8: share(r.elig_bhd8, r.nbr),
    part_thd30: share(r.elig_thd30, r.nbr),
    part_thd100: share(r.elig_thd100, r.nbr),
    part_thd1g: share(r.elig_thd1g, r.nbr),
  };
}

export type SourceRef = { fichier: string; producteur: string; licence: string; importe_le: string };

function sourcesIndex(rows: Q.SourceRow[]): Map<string, SourceRef[]> {
  const m = new Map<string, SourceRef[]>();
  for (const r of rows) {
    const k = `${r.jeu}|${r.perimetre}|${r.periode}`;
    const list = m.get(k) ?? [];
    list.push({ fichier: r.fichier, producteur: r.producteur, licence: r.licence, importe_le: r.importe_le });
    m.set(k, list);
  }
  return m;
}

export function seriesItem(r: Q.SerieRow, sources: Map<string, SourceRef[]>, published?: Q.PublishedRow) {
  const rt = rates(r);
  // ARCEP's own total for the territory replaces the sum of its communes where ARCEP publishes it.
  if (published) {
    const denom =
      published.meilleure_estimation_locaux ??
      (published.logements === null ? null : published.logements + (published.etablissements ?? 0));
    if (denom) {
      r = { ...r, locaux_raccordables: published.locaux_raccordables, locaux: Math.round(denom) };
      rt.taux_ftth = published.locaux_raccordables / denom;
      rt.denominateur_taux_ftth = 'locaux_arcep';
    }
  }
  const origine: 'arcep' | 'communes' | null =
    r.jeu === 'mci-communes' ? null : rt.denominateur_taux_ftth === 'locaux_arcep' ? 'arcep' : 'communes';
  const mci = r.jeu === 'mci-communes';
  return {
    periode: r.periode,
    date: r.date_fin,
    jeu: r.jeu,
    perimetre: r.perimetre,
    communes: r.communes,
    locaux_raccordables: r.locaux_raccordables,
    categorie: r.categorie,
    logements: r.logements,
    etablissements: r.etablissements,
    locaux: r.locaux,
    millesime_locaux: r.millesime_locaux,
    logements_insee: r.logements_insee === null ? null : Math.round(r.logements_insee),
    taux_ftth: rt.taux_ftth,
    denominateur_taux_ftth: rt.denominateur_taux_ftth,
    denominateur_taux_ftth_libelle: rt.denominateur_taux_ftth ? DENOMINATEURS[rt.denominateur_taux_ftth] : null,
    taux_ftth_logements_insee: share(r.locaux_raccordables, r.logements_insee),
    communes_ftth_completes: r.communes_ftth_completes,
    communes_ftth_nulles: r.communes_ftth_nulles,
    nbr: r.nbr,
    inel_hd: r.inel_hd,
    elig_hd05: r.elig_hd05,
    elig_hd3: r.elig_hd3,
    elig_bhd8: r.elig_bhd8,
    elig_thd30: r.elig_thd30,
    elig_thd100: r.elig_thd100,
    elig_thd1g: r.elig_thd1g,
    classes: mci ? speedClasses(r) : null,
    part_bhd8: rt.part_bhd8,
    part_thd30: rt.part_thd30,
    part_thd100: rt.part_thd100,
    part_thd1g: rt.part_thd1g,
    denominateur_parts: mci ? ('nbr' as const) : null,
    communes_thd_completes: r.communes_thd_completes,
    communes_thd_nulles: r.communes_thd_nulles,
    origine,
    sources: [
      ...(origine === 'arcep' && published
        ? [
            {
              fichier: published.fichier,
              producteur: published.producteur,
              licence: published.licence,
              importe_le: published.importe_le,
            },
          ]
        : []),
      ...(origine !== 'arcep' || r.communes > 0 ? (sources.get(`${r.jeu}|${r.perimetre}|${r.periode}`) ?? []) : []),
    ],
  };
}
export type SeriesItem = ReturnType<typeof seriesItem>;

/**
 * Every period of a territory. For a département or région, the FttH figures are ARCEP's own
 * published totals where it publishes them (quarters with no commune rows are added from them),
 * sums of the current communes otherwise; `origine` says which.
 */
export async function seriesFor(q: Queryable, scope: Scope, perimetre = 'toutes'): Promise<SeriesItem[]> {
  const [rows, src] = await Promise.all([Q.seriesOf(q, scope.niveau, scope.code, perimetre), Q.periodSources(q)]);
  const idx = sourcesIndex(src);
  const raw =
    scope.niveau === 'departement' || scope.niveau === 'region'
      ? await Q.publishedSeries(q, scope.niveau, scope.code)
      : [];
  // One denominator for the whole series: ARCEP's latest "meilleure estimation des locaux" when
  // published (its workbook applies it to every quarter), so that rates stay comparable in time.
  const est =
    [...raw].reverse().find((p) => p.meilleure_estimation_locaux !== null)?.meilleure_estimation_locaux ?? null;
  const pub = raw.map((p) => ({ ...p, meilleure_estimation_locaux: p.meilleure_estimation_locaux ?? est }));
  const byPeriode = new Map(pub.map((p) => [p.periode, p]));
  const items = rows.map((r) =>
    seriesItem(r, idx, r.jeu === 'arcep-deploiements' ? byPeriode.get(r.periode) : undefined),
  );
  const have = new Set(rows.filter((r) => r.jeu === 'arcep-deploiements').map((r) => r.periode));
  for (const p of pub) {
    if (have.has(p.periode)) continue;
    const item = seriesItem(
      { ...EMPTY_ROW, niveau: scope.niveau, code: scope.code, periode: p.periode, date_fin: quarterEnd(p.periode) },
      idx,
      p,
    );
    if (item.origine === 'arcep') items.push(item);
  }
  return items.sort((a, b) => a.date.localeCompare(b.date) || a.jeu.localeCompare(b.jeu));
}

const EMPTY_ROW: Q.SerieRow = {
  niveau: '',
  code: '',
  periode: '',
  date_fin: '',
  jeu: 'arcep-deploiements',
  perimetre: 'ftth',
  communes: 0,
  locaux_raccordables: null,
  categorie: null,
  logements: null,
  etablissements: null,
  locaux: null,
  millesime_locaux: null,
  logements_insee: null,
  communes_ftth_completes: null,
  communes_ftth_nulles: null,
  nbr: null,
  inel_hd: null,
  elig_hd05: null,
  elig_hd3: null,
  elig_bhd8: null,
  elig_thd30: null,
  elig_thd100: null,
  elig_thd1g: null,
  communes_thd_completes: null,
  communes_thd_nulles: null,
};

export function pointsOf(series: SeriesItem[], ind: Indicateur): { periode: string; date: string; valeur: number }[] {
  return series
    .filter((s) => s[ind] !== null)
    .map((s) => ({ periode: s.periode, date: s.date, valeur: s[ind] as number }));
}
