/**
 * Targets against the data: each target is read only on data of its technology scope, data older
 * than the configured age is said to be dated, and a trend is projected only from enough recent
 * measures, with its method; a projected date already past is never stated as a fact.
 */
import type { Queryable } from '../db/db.ts';
import { formatDate } from '../http/html.ts';
import * as Q from './queries.ts';
import {
  INDICATEUR_COURT,
  type Indicateur,
  PERIMETRE_FICHIER,
  PERIMETRE_LABEL,
  type PerimetreMci,
  type PerimetreObjectif,
  pointsOf,
  type Scope,
  type SeriesItem,
  seriesFor,
} from './service.ts';

/** "Now" and the age beyond which data is dated (OBS_DONNEES_ANCIENNES_MOIS). */
export type Freshness = { today: string; maxAgeMonths: number };
export const freshness = (maxAgeMonths: number, today = new Date().toISOString().slice(0, 10)): Freshness => ({
  today,
  maxAgeMonths,
});

/** The date before which data counts as dated. */
export function datedBefore(f: Freshness): string {
  const d = new Date(`${f.today}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() - f.maxAgeMonths);
  return d.toISOString().slice(0, 10);
}
export const isDated = (date: string, f: Freshness) => date < datedBefore(f);

/** A data date in French, through the one shared formatter (a calendar day never shifts with the zone). */
export const dateFr = (iso: string) => formatDate(iso.slice(0, 10));
const monthYear = (iso: string) => formatDate(iso.slice(0, 10), 'mois');
const pct = (v: number) => `${(v * 100).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} %`;

const DAY = 86_400_000;
const years = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / (365.25 * DAY);
/** Fewest measures a trend is drawn from. */
const MIN_POINTS = 4;

export type Projection = {
  actuel: number | null;
  periode_actuelle: string | null;
  date_mesure: string | null;
  donnees_anciennes: boolean;
  ecart: number | null;
  statut:
    | 'atteint'
    | 'en_bonne_voie'
    | 'en_retard'
    | 'projection_passee'
    | 'sans_progression'
    | 'tendance_indisponible'
    | 'sans_donnee'
    | 'non_evaluable';
  date_projetee: string | null;
  methode: string | null;
  message: string;
  /** When the target's scope is not imported: the closest honest figure, labelled as such. */
  valeur_proche: { valeur: number; libelle: string; periode: string } | null;
};

type Point = { date: string; valeur: number; periode: string };

/**
 * Least-squares linear trend of the last MIN_POINTS measures, and the date the target is reached
 * at that pace — only when the last measure is recent (see Freshness).
 */
export function project(points: Point[], cible: number, echeance: string, f: Freshness): Projection {
  const none = { date_projetee: null, methode: null, valeur_proche: null };
  if (!points.length)
    return {
      actuel: null,
      periode_actuelle: null,
      date_mesure: null,
      donnees_anciennes: false,
      ecart: null,
      statut: 'sans_donnee',
      ...none,
      message: 'Aucune mesure importée pour cet indicateur.',
    };
  const last = points[points.length - 1]!;
  const dated = isDated(last.date, f);
  const base = {
    actuel: last.valeur,
    periode_actuelle: last.periode,
    date_mesure: last.date,
    donnees_anciennes: dated,
    ecart: Math.max(0, cible - last.valeur),
  };
  const datedNote = dated
    ? ` Données de plus de ${f.maxAgeMonths} mois : la situation actuelle peut être différente.`
    : '';
  if (last.valeur >= cible)
    return {
      ...base,
      statut: 'atteint',
      ...none,
      message: `Cible atteinte à la mesure du ${dateFr(last.date)}.${datedNote}`,
    };
  if (dated)
    return {
      ...base,
      statut: 'tendance_indisponible',
      ...none,
      message: `Dernière mesure du ${dateFr(last.date)}, plus ancienne que ${f.maxAgeMonths} mois : aucune projection n’est faite.`,
    };
  if (points.length < MIN_POINTS)
    return {
      ...base,
      statut: 'tendance_indisponible',
      ...none,
      message: `${points.length} mesure${points.length > 1 ? 's' : ''} seulement : il en faut au moins ${MIN_POINTS} pour calculer une tendance.`,
    };
  const recent = points.slice(-MIN_POINTS);
  const xs = recent.map((p) => years(p.date));
  const ys = recent.map((p) => p.valeur);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  const slope = sxx ? xs.reduce((a, x, i) => a + (x - mx) * (ys[i]! - my), 0) / sxx : 0;
  const methode = `Tendance linéaire (moindres carrés) des ${MIN_POINTS} dernières mesures, de ${recent[0]!.periode} à ${last.periode} : ${(slope * 100).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} points par an.`;
  if (slope <= 0)
    return {
      ...base,
      statut: 'sans_progression',
      date_projetee: null,
      methode,
      valeur_proche: null,
      message: 'Pas de progression sur les dernières mesures : cible hors d’atteinte à ce rythme.',
    };
  const ms = (years(last.date) + (cible - last.valeur) / slope) * 365.25 * DAY;
  if (!Number.isFinite(ms) || ms > Date.parse('2200-01-01'))
    return {
      ...base,
      statut: 'sans_progression',
      date_projetee: null,
      methode,
      valeur_proche: null,
      message: 'Progression trop lente : cible hors d’atteinte avant 2200 à ce rythme.',
    };
  const d = new Date(ms).toISOString().slice(0, 10);
  if (d <= f.today) {
    return {
      ...base,
      statut: 'projection_passee',
      date_projetee: d,
      methode,
      valeur_proche: null,
      message: `La tendance menait à la cible vers ${monthYear(d)}, date déjà passée : ce n’est pas une mesure ; seules des données plus récentes diront si elle est atteinte.`,
    };
  }
  const onTime = d <= echeance;
  return {
    ...base,
    statut: onTime ? 'en_bonne_voie' : 'en_retard',
    date_projetee: d,
    methode,
    valeur_proche: null,
    message: `Projection : à ce rythme, cible atteinte vers ${monthYear(d)}${onTime ? ', avant l’échéance' : `, après l’échéance (${monthYear(echeance)})`}.`,
  };
}

/** Targets that apply to a territory: its own, its parents', and national ones. */
function applies(o: Q.ObjectifRow, scope: Scope): boolean {
  if (o.territoire_niveau === 'france') return true;
  if (o.territoire_niveau === scope.niveau && o.territoire_code === scope.code) return true;
  return scope.parents.some((p) => p.niveau === o.territoire_niveau && p.code === o.territoire_code);
}

/**
 * A target whose scope has no imported data: not evaluable. With the all-technology file only,
 * the ≥ 100 Mbit/s share (≥ 1 Gbit/s for a gigabit target) is the closest honest figure.
 */
function notEvaluable(o: Q.ObjectifRow, toutes: SeriesItem[], f: Freshness): Projection {
  const perimetre = o.perimetre as PerimetreMci;
  const proxy: Indicateur = o.indicateur === 'part_thd1g' ? 'part_thd1g' : 'part_thd100';
  const p = pointsOf(toutes, proxy).at(-1);
  const file = PERIMETRE_FICHIER[perimetre];
  const why = p
    ? 'non évaluable avec les données importées (le satellite y est compté)'
    : 'non évaluable : aucune donnée de Ma connexion internet importée';
  const libelle = `${INDICATEUR_COURT[proxy]}, ${PERIMETRE_LABEL.toutes} — valeur la plus proche, pas l’indicateur de l’objectif`;
  return {
    actuel: null,
    periode_actuelle: null,
    date_mesure: p?.date ?? null,
    donnees_anciennes: p ? isDated(p.date, f) : false,
    ecart: null,
    statut: 'non_evaluable',
    date_projetee: null,
    methode: null,
    valeur_proche: p ? { valeur: p.valeur, libelle, periode: p.periode } : null,
    message: `Objectif mesuré sur les technologies « ${PERIMETRE_LABEL[perimetre]} » : ${why}. Il le sera après l’import du fichier ${file.replace('.csv', '')} de Ma connexion internet.${p ? ` Valeur la plus proche : ${pct(p.valeur)} des locaux à ${INDICATEUR_COURT[proxy].replace('≥ ', '')} ou plus (${PERIMETRE_LABEL.toutes}, ${dateFr(p.date)}).` : ''}`,
  };
}

export type TargetLine = { objectif: Q.ObjectifRow; projection: Projection };

/** Targets applying to a territory, each evaluated on the series of its own technology scope. */
export async function targetsFor(q: Queryable, scope: Scope, f: Freshness): Promise<TargetLine[]> {
  const objectifs = (await Q.listObjectifs(q, true)).filter((o) => applies(o, scope));
  const byScope = new Map<string, SeriesItem[]>();
  const seriesOf = async (perimetre: string) => {
    const known = byScope.get(perimetre);
    if (known) return known;
    const s = await seriesFor(q, scope, perimetre);
    byScope.set(perimetre, s);
    return s;
  };
  const out: TargetLine[] = [];
  for (const o of objectifs) {
    const ind = o.indicateur as Indicateur;
    const perimetre = (ind === 'taux_ftth' ? 'toutes' : o.perimetre) as PerimetreObjectif;
    const series = await seriesOf(perimetre === 'ftth' ? 'toutes' : perimetre);
    const points = pointsOf(series, ind);
    if (ind !== 'taux_ftth' && !points.length)
      out.push({ objectif: o, projection: notEvaluable(o, await seriesOf('toutes'), f) });
    else out.push({ objectif: o, projection: project(points, o.cible, o.echeance, f) });
  }
  return out;
}
