import type { Db } from '../db/db.ts';
import { accessibilityIndicator } from '../inclusion/service.ts';
import { pointsOf, resolveScope, seriesFor } from '../observatory/service.ts';
import { rateHistory } from '../opendata/service.ts';

/** A measurement a provider computed from the platform's own data. */
type ProvidedPoint = { date: string; valeur: number; source: string };
type ProviderResult = { points: ProvidedPoint[]; message: string | null };

/**
 * A named computation of an indicator from the platform's data, like an import job: a name
 * (`module.indicateur`), what it measures, the import jobs whose success refreshes it, and the
 * computation for a région. Modules add theirs with `defineProvider` in this registry.
 */
type IndicatorProvider = {
  name: string;
  title: string;
  unite: string;
  /** Import jobs after which measurements are recomputed. */
  feeds: string[];
  measure(db: Db, region: string): Promise<ProviderResult>;
};

const defineProvider = (p: IndicatorProvider): IndicatorProvider => p;

const pct = (v: number) => Math.round(v * 100_000) / 1000;

/** An observatory series of the région as percentages, one point per period, its files as source. */
async function observatoryPoints(
  db: Db,
  region: string,
  jeu: 'arcep-deploiements' | 'mci-communes',
  ind: 'taux_ftth' | 'part_thd100',
  what: string,
): Promise<ProviderResult> {
  let scope: Awaited<ReturnType<typeof resolveScope>>;
  try {
    scope = await resolveScope(db, 'region', region);
  } catch {
    return { points: [], message: `région ${region} inconnue des territoires chargés` };
  }
  const series = (await seriesFor(db, scope)).filter((s) => s.jeu === jeu);
  const pts = pointsOf(series, ind);
  const byDate = new Map(series.map((s) => [s.date, s]));
  const points = pts.map((p) => {
    const item = byDate.get(p.date);
    const files = [...new Set((item?.sources ?? []).map((s) => s.fichier))].join(', ');
    const producer = item?.sources[0]?.producteur ?? 'Arcep';
    return {
      date: p.date,
      valeur: pct(p.valeur),
      source: `Observatoire de la plateforme — ${what}, ${scope.nom}, ${p.periode} (${producer}${files ? ` : ${files}` : ''})`,
    };
  });
  return { points, message: points.length ? null : `pas encore de données : importez ${jobLabel(jeu)}` };
}

const jobLabel = (jeu: string) =>
  jeu === 'arcep-deploiements'
    ? 'l’observatoire Arcep des déploiements FttH (import « arcep-deploiements »)'
    : 'les débits de Ma connexion internet (import « mci-communes »)';

/**
 * A figure of the inclusion module's accessibility indicators for the région: one point dated by the
 * computation that produced it (recomputed after each import of places, addresses, contours or populations).
 */
const inclusion = (
  name: string,
  title: string,
  unite: string,
  categorie: 'mediation' | 'tiers-lieu',
  field: 'distance_moyenne_km' | 'lieux_pour_10000_hab',
) =>
  defineProvider({
    name,
    title,
    unite,
    feeds: ['accessibilite'],
    async measure(db, region) {
      const a = await accessibilityIndicator(db, 'region', region, categorie);
      const v = a?.[field];
      if (!a || v === null || v === undefined)
        return {
          points: [],
          message: `pas encore de données : importez les lieux (${categorie === 'tiers-lieu' ? 'tiers-lieux' : '« lieux-mediation », « france-services »'}) puis laissez l’import « accessibilite » calculer les indicateurs`,
        };
      return {
        points: [
          {
            date: a.calcule_le.toISOString().slice(0, 10),
            valeur: Math.round(v * 100) / 100,
            source: `Indicateurs d’accessibilité de la plateforme (import « accessibilite », méthode ${a.methode}), lieux de catégorie ${categorie}, distance à vol d’oiseau`,
          },
        ],
        message: null,
      };
    },
  });

/** Every provider, by name. */
export const PROVIDERS: ReadonlyMap<string, IndicatorProvider> = new Map(
  [
    defineProvider({
      name: 'observatoire.taux_ftth',
      title: 'Taux de locaux raccordables au FttH de la région (observatoire)',
      unite: '%',
      feeds: ['arcep-deploiements', 'territoires'],
      measure: (db, region) =>
        observatoryPoints(db, region, 'arcep-deploiements', 'taux_ftth', 'locaux raccordables FttH / locaux'),
    }),
    defineProvider({
      name: 'observatoire.part_100mbits',
      title: 'Part des locaux éligibles à 100 Mbit/s ou plus (observatoire, Ma connexion internet)',
      unite: '%',
      feeds: ['mci-communes', 'territoires'],
      measure: (db, region) =>
        observatoryPoints(db, region, 'mci-communes', 'part_thd100', 'locaux éligibles ≥ 100 Mbit/s / locaux'),
    }),
    defineProvider({
      name: 'donnees.collectivites_ouvertes',
      title: 'Part des collectivités obligées (plus de 3 500 habitants) qui publient des données ouvertes',
      unite: '%',
      feeds: ['opendata-collectivites'],
      async measure(db, region) {
        const h = await rateHistory(db, 'region', region);
        const points = h
          .filter((p) => p.taux !== null)
          .map((p) => ({
            date: p.date,
            valeur: pct(p.taux!),
            source: `Observatoire open data de la plateforme — ${p.publient} collectivités obligées sur ${p.obligees} publient (liste ${p.fichier})`,
          }));
        return {
          points,
          message: points.length ? null : 'pas encore de données : importez la liste « opendata-collectivites »',
        };
      },
    }),
    inclusion(
      'inclusion.distance_mediation',
      'Distance moyenne à un lieu de médiation numérique',
      'km',
      'mediation',
      'distance_moyenne_km',
    ),
    inclusion(
      'inclusion.lieux_mediation_10000',
      'Lieux de médiation numérique pour 10 000 habitants',
      'lieux',
      'mediation',
      'lieux_pour_10000_hab',
    ),
    inclusion(
      'inclusion.distance_tiers_lieu',
      'Distance moyenne à un tiers-lieu',
      'km',
      'tiers-lieu',
      'distance_moyenne_km',
    ),
    inclusion(
      'inclusion.tiers_lieux_10000',
      'Tiers-lieux pour 10 000 habitants',
      'tiers-lieux',
      'tiers-lieu',
      'lieux_pour_10000_hab',
    ),
  ].map((p) => [p.name, p]),
);
