/**
 * Accessibility indicators (issue 10), pure: where people live (points with a population weight, per commune),
 * the places, and the territories → per territory and category the number of places, places per 10,000
 * inhabitants, population-weighted mean and median straight-line distance to the nearest place, and the share of
 * the population beyond 5, 10 and 20 km; per commune its nearest place of each category.
 */
import { NearestIndex } from './nearest.ts';

export const INDICATOR_CATEGORIES = ['tous', 'mediation', 'france-services', 'aidants-connect', 'tiers-lieu'] as const;
export type IndicatorCategory = (typeof INDICATOR_CATEGORIES)[number];
const THRESHOLDS_KM = [5, 10, 20] as const;

export type Methode = 'adresses' | 'point-contour' | 'non-calcule';

export type CommuneDemand = {
  code: string;
  population: number;
  epci: string | null;
  departement: string;
  region: string;
  /** A commune outside the région, counted only in its EPCI (an EPCI may straddle régions). */
  horsRegion?: boolean;
  methode: Methode;
  /** Points where its inhabitants live (lon, lat pairs), each with population / points; empty when not computed. */
  points: Float64Array;
  /** Point the nearest places of the commune are measured from. */
  reference: { lon: number; lat: number } | null;
};

type Place = {
  id: number;
  nom: string;
  lon: number;
  lat: number;
  categories: string[];
  code_insee: string | null;
};

export type TerritoryResult = {
  niveau: 'commune' | 'epci' | 'departement' | 'region';
  code: string;
  population: number;
  population_calculee: number;
  methode: Methode | 'mixte';
  communes_adresses: number;
  communes_contour: number;
  communes_non_calculees: number;
  points: number;
  indicateurs: Partial<
    Record<
      IndicatorCategory,
      {
        lieux: number;
        lieux_pour_10000_hab: number | null;
        distance_moyenne_km: number | null;
        distance_mediane_km: number | null;
        part_population_plus_5km: number | null;
        part_population_plus_10km: number | null;
        part_population_plus_20km: number | null;
      }
    >
  >;
};

export type NearestResult = {
  code: string;
  categorie: IndicatorCategory;
  lieu_id: number;
  nom: string;
  distance_km: number;
};

const inCategory = (p: Place, c: IndicatorCategory) => c === 'tous' || p.categories.includes(c);

/** The nearest-place indexes, one per category (places of that category only; `tous`: every place). */
export function categoryIndexes(places: Place[], cats: readonly IndicatorCategory[] = INDICATOR_CATEGORIES) {
  return Object.fromEntries(
    cats.map((c) => {
      const of = places.filter((p) => inCategory(p, c));
      return [
        c,
        {
          places: of,
          index: new NearestIndex(
            of.map((p) => p.lon),
            of.map((p) => p.lat),
          ),
        },
      ];
    }),
  ) as Record<IndicatorCategory, { places: Place[]; index: NearestIndex }>;
}

export function computeAccessibility(
  communes: CommuneDemand[],
  places: Place[],
  cats: readonly IndicatorCategory[] = INDICATOR_CATEGORIES,
): { territories: TerritoryResult[]; nearest: NearestResult[] } {
  const idx = categoryIndexes(places, cats);
  // Points of every commune, contiguous, with their weight and commune.
  let total = 0;
  for (const c of communes) total += c.points.length / 2;
  const lon = new Float64Array(total);
  const lat = new Float64Array(total);
  const weight = new Float64Array(total);
  const start = new Int32Array(communes.length + 1);
  let k = 0;
  communes.forEach((c, i) => {
    start[i] = k;
    const n = c.points.length / 2;
    for (let j = 0; j < n; j++, k++) {
      lon[k] = c.points[2 * j]!;
      lat[k] = c.points[2 * j + 1]!;
      weight[k] = c.population / n;
    }
  });
  start[communes.length] = k;
  const dist = {} as Record<IndicatorCategory, Float32Array>;
  for (const cat of cats) {
    const d = new Float32Array(total);
    const ix = new Int32Array(total);
    idx[cat].index.nearestAll(lon, lat, ix, d);
    dist[cat] = d;
  }

  // Territories → their communes (indexes into `communes`).
  const groups = new Map<string, { niveau: TerritoryResult['niveau']; code: string; members: number[] }>();
  const add = (niveau: TerritoryResult['niveau'], code: string | null, i: number) => {
    if (!code) return;
    const key = `${niveau}:${code}`;
    const g = groups.get(key);
    if (g) g.members.push(i);
    else groups.set(key, { niveau, code, members: [i] });
  };
  communes.forEach((c, i) => {
    add('epci', c.epci, i);
    if (c.horsRegion) return;
    add('commune', c.code, i);
    add('departement', c.departement, i);
    add('region', c.region, i);
  });
  // Places per territory and category, by the commune they are in.
  const communeOf = new Map(communes.map((c, i) => [c.code, i]));
  const placesIn = new Map<string, Record<IndicatorCategory, number>>();
  for (const p of places) {
    const i = p.code_insee ? communeOf.get(p.code_insee) : undefined;
    if (i === undefined) continue;
    const c = communes[i]!;
    const keys = c.horsRegion
      ? [`epci:${c.epci}`]
      : [`commune:${c.code}`, `epci:${c.epci}`, `departement:${c.departement}`, `region:${c.region}`];
    for (const key of keys) {
      let r = placesIn.get(key);
      if (!r) {
        r = Object.fromEntries(cats.map((x) => [x, 0])) as Record<IndicatorCategory, number>;
        placesIn.set(key, r);
      }
      for (const cat of cats) if (inCategory(p, cat)) r[cat]++;
    }
  }

  const territories: TerritoryResult[] = [];
  for (const g of groups.values()) {
    const ms = g.members.map((i) => communes[i]!);
    const population = ms.reduce((s, c) => s + c.population, 0);
    const computed = ms.filter((c) => c.methode !== 'non-calcule');
    const popc = computed.reduce((s, c) => s + c.population, 0);
    const nAddr = ms.filter((c) => c.methode === 'adresses').length;
    const nCont = ms.filter((c) => c.methode === 'point-contour').length;
    const pts: number[] = [];
    for (const i of g.members) for (let p = start[i]!; p < start[i + 1]!; p++) pts.push(p);
    const counts = placesIn.get(`${g.niveau}:${g.code}`);
    const indicateurs: TerritoryResult['indicateurs'] = {};
    for (const cat of cats) {
      const lieux = counts?.[cat] ?? 0;
      const d = dist[cat];
      const usable = idx[cat].index.size > 0 && pts.length > 0 && popc > 0;
      let mean: number | null = null;
      let median: number | null = null;
      const beyond = [0, 0, 0];
      if (usable) {
        const order = Int32Array.from(pts).sort((a, b) => d[a]! - d[b]!);
        let sw = 0;
        let swd = 0;
        for (const p of order) {
          sw += weight[p]!;
          swd += weight[p]! * d[p]!;
          THRESHOLDS_KM.forEach((t, j) => {
            if (d[p]! > t) beyond[j]! += weight[p]!;
          });
        }
        mean = sw > 0 ? swd / sw : null;
        let acc = 0;
        for (const p of order) {
          acc += weight[p]!;
          if (acc >= sw / 2) {
            median = d[p]!;
            break;
          }
        }
      }
      const share = (j: number) => (usable && popc > 0 ? beyond[j]! / popc : null);
      indicateurs[cat] = {
        lieux,
        lieux_pour_10000_hab: population > 0 ? (lieux * 10_000) / population : null,
        distance_moyenne_km: mean,
        distance_mediane_km: median,
        part_population_plus_5km: share(0),
        part_population_plus_10km: share(1),
        part_population_plus_20km: share(2),
      };
    }
    territories.push({
      niveau: g.niveau,
      code: g.code,
      population,
      population_calculee: popc,
      methode: !computed.length ? 'non-calcule' : nAddr && nCont ? 'mixte' : nAddr ? 'adresses' : 'point-contour',
      communes_adresses: nAddr,
      communes_contour: nCont,
      communes_non_calculees: ms.length - computed.length,
      points: pts.length,
      indicateurs,
    });
  }

  const nearest: NearestResult[] = [];
  for (const c of communes) {
    if (!c.reference || c.horsRegion) continue;
    for (const cat of cats) {
      const r = idx[cat].index.nearest(c.reference.lon, c.reference.lat);
      if (r.i < 0) continue;
      const p = idx[cat].places[r.i]!;
      nearest.push({ code: c.code, categorie: cat, lieu_id: p.id, nom: p.nom, distance_km: r.km });
    }
  }
  return { territories, nearest };
}
