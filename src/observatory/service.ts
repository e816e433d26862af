import type { Queryable } from '../db/db.ts';
import { getTerritory } from '../territories/service.ts';
import type { Niveau } from '../territories/schema.ts';
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
  taux_ftth: 'FttH', part_bhd8: '≥ 8 Mbit/s', part_thd30: '≥ 30 Mbit/s', part_thd100: '≥ 100 Mbit/s', part_thd1g: '≥ 1 Gbit/s',
};

export const DENOMINATEURS = {
  locaux: 'Locaux selon l’Arcep : Logements + Établissements de la feuille « informations » de l’observatoire trimestriel',
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
export type SpeedClass = (typeof SPEED_CLASSES)[number]['key'];

export type Scope = { niveau: NiveauObs; code: string; nom: string; parents: { niveau: Niveau; code: string; nom: string }[] };

export async function resolveScope(q: Queryable, niveau: NiveauObs, code: string): Promise<Scope> {
  if (niveau === 'france') return { niveau, code: 'FR', nom: 'France', parents: [] };
  const t = await getTerritory(q, niveau, code);
  return { niveau: t.niveau, code: t.code, nom: t.nom, parents: t.parents };
}

type Counts = Partial<Record<'nbr' | 'inel_hd' | 'elig_hd05' | 'elig_hd3' | 'elig_bhd8' | 'elig_thd30' | 'elig_thd100' | 'elig_thd1g', number | null>>;

const share = (n: number | null | undefined, d: number | null | undefined) => (n === null || n === undefined || !d ? null : n / d);
const diff = (a: number | null | undefined, b: number | null | undefined) => (a === null || a === undefined ? null : a - (b ?? 0));

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

export type Rates = { taux_ftth: number | null; denominateur_taux_ftth: 'locaux' | 'logements_insee' | null; part_bhd8: number | null; part_thd30: number | null; part_thd100: number | null; part_thd1g: number | null };

export function rates(r: { locaux_raccordables?: number | null; locaux?: number | null; logements_insee?: number | null } & Counts): Rates {
  let taux: number | null = null;
  let denom: Rates['denominateur_taux_ftth'] = null;
  if (r.locaux_raccordables !== null && r.locaux_raccordables !== undefined) {
    if (r.locaux) { taux = r.locaux_raccordables / r.locaux; denom = 'locaux'; }
    else if (r.logements_insee) { taux = r.locaux_raccordables / r.logements_insee; denom = 'logements_insee'; }
  }
  return {
    taux_ftth: taux, denominateur_taux_ftth: denom,
    part_bhd8: share(r.elig_bhd8, r.nbr), part_thd30: share(r.elig_thd30, r.nbr), part_thd100: share(r.elig_thd100, r.nbr), part_thd1g: share(r.elig_thd1g, r.nbr),
  };
}

export type SourceRef = { fichier: string; producteur: string; licence: string; importe_le: string };

export function sourcesIndex(rows: Q.SourceRow[]): Map<string, SourceRef[]> {
  const m = new Map<string, SourceRef[]>();
  for (const r of rows) {
    const k = `${r.jeu}|${r.perimetre}|${r.periode}`;
    const list = m.get(k) ?? [];
    list.push({ fichier: r.fichier, producteur: r.producteur, licence: r.licence, importe_le: r.importe_le });
    m.set(k, list);
  }
  return m;
}

export function seriesItem(r: Q.SerieRow, sources: Map<string, SourceRef[]>) {
  const rt = rates(r);
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
    nbr: r.nbr, inel_hd: r.inel_hd, elig_hd05: r.elig_hd05, elig_hd3: r.elig_hd3, elig_bhd8: r.elig_bhd8, elig_thd30: r.elig_thd30, elig_thd100: r.elig_thd100, elig_thd1g: r.elig_thd1g,
    classes: mci ? speedClasses(r) : null,
    part_bhd8: rt.part_bhd8, part_thd30: rt.part_thd30, part_thd100: rt.part_thd100, part_thd1g: rt.part_thd1g,
    denominateur_parts: mci ? ('nbr' as const) : null,
    communes_thd_completes: r.communes_thd_completes,
    communes_thd_nulles: r.communes_thd_nulles,
    sources: sources.get(`${r.jeu}|${r.perimetre}|${r.periode}`) ?? [],
  };
}
export type SeriesItem = ReturnType<typeof seriesItem>;

export async function seriesFor(q: Queryable, scope: Scope, perimetre = 'toutes'): Promise<SeriesItem[]> {
  const [rows, src] = await Promise.all([Q.seriesOf(q, scope.niveau, scope.code, perimetre), Q.periodSources(q)]);
  const idx = sourcesIndex(src);
  return rows.map((r) => seriesItem(r, idx));
}

export function pointsOf(series: SeriesItem[], ind: Indicateur): { periode: string; date: string; valeur: number }[] {
  return series.filter((s) => s[ind] !== null).map((s) => ({ periode: s.periode, date: s.date, valeur: s[ind] as number }));
}

const DAY = 86_400_000;
const years = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / (365.25 * DAY);

export type Projection = {
  actuel: number | null; periode_actuelle: string | null; ecart: number | null;
  statut: 'atteint' | 'en_bonne_voie' | 'en_retard' | 'sans_progression' | 'tendance_indisponible' | 'sans_donnee';
  date_projetee: string | null; message: string;
};

const monthYear = (iso: string) => new Date(`${iso}T00:00:00Z`).toLocaleDateString('fr-FR', { month: 'long', year: 'numeric', timeZone: 'UTC' });

/**
 * Linear trend over the last (up to 4) measures, least squares on time; the date at which the
 * target is reached at that pace.
 */
export function project(points: { date: string; valeur: number; periode: string }[], cible: number, echeance: string): Projection {
  if (!points.length) return { actuel: null, periode_actuelle: null, ecart: null, statut: 'sans_donnee', date_projetee: null, message: 'Aucune mesure importée pour cet indicateur.' };
  const last = points[points.length - 1]!;
  const base = { actuel: last.valeur, periode_actuelle: last.periode, ecart: Math.max(0, cible - last.valeur) };
  if (last.valeur >= cible) return { ...base, statut: 'atteint', date_projetee: null, message: `Objectif atteint (mesure ${last.periode}).` };
  const recent = points.slice(-4);
  if (recent.length < 2) return { ...base, statut: 'tendance_indisponible', date_projetee: null, message: 'Une seule mesure : la tendance n’est pas calculable.' };
  const xs = recent.map((p) => years(p.date));
  const ys = recent.map((p) => p.valeur);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  const slope = sxx ? xs.reduce((a, x, i) => a + (x - mx) * (ys[i]! - my), 0) / sxx : 0;
  if (slope <= 0) return { ...base, statut: 'sans_progression', date_projetee: null, message: 'Pas de progression sur les dernières mesures : objectif hors d’atteinte à ce rythme.' };
  const t = years(last.date) + (cible - last.valeur) / slope;
  const ms = t * 365.25 * DAY;
  if (!Number.isFinite(ms) || ms > Date.parse('2200-01-01')) return { ...base, statut: 'sans_progression', date_projetee: null, message: 'Progression trop lente : objectif hors d’atteinte avant 2200 à ce rythme.' };
  const d = new Date(ms).toISOString().slice(0, 10);
  const onTime = d <= echeance;
  return {
    ...base, statut: onTime ? 'en_bonne_voie' : 'en_retard', date_projetee: d,
    message: `À ce rythme (${(slope * 100).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} points par an), objectif atteint en ${monthYear(d)}${onTime ? ', avant l’échéance' : `, après l’échéance (${monthYear(echeance)})`}.`,
  };
}

/** Targets that apply to a territory: its own, its parents', and national ones. */
export function applies(o: Q.ObjectifRow, scope: Scope): boolean {
  if (o.territoire_niveau === 'france') return true;
  if (o.territoire_niveau === scope.niveau && o.territoire_code === scope.code) return true;
  return scope.parents.some((p) => p.niveau === o.territoire_niveau && p.code === o.territoire_code);
}

export async function targetsFor(q: Queryable, scope: Scope, series: SeriesItem[]) {
  const objectifs = (await Q.listObjectifs(q, true)).filter((o) => applies(o, scope));
  return objectifs.map((o) => ({ objectif: o, projection: project(pointsOf(series, o.indicateur as Indicateur), o.cible, o.echeance) }));
}
