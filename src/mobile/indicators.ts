import { around } from 'geokdbush';
import KDBush from 'kdbush';
import type { MultiPolygon, Position } from '../geo/geometry.ts';
import type { Operateur } from './vocab.ts';

/**
 * The rules of the mobile indicators, shown on the pages and in the API description. Distances are
 * great-circle distances (geokdbush) on the WGS84 positions of the sites.
 */
export const MODEL = {
  /** A site is shared when another operator's site of the same snapshot lies within this distance. */
  sharedRadiusM: 50,
  /** A commune "without 4G" of an operator: none of its 4G sites in the commune nor within this distance of its centre. */
  nearKm: 5,
  /** Estimated reach: an urban commune (density at least this, inhabitants per km²) is reached within `urbanKm`, others within `ruralKm`. */
  urbanDensity: 500,
  urbanKm: 1.5,
  ruralKm: 6,
  /** Nearest-site search stops here (a farther site is recorded as none). */
  searchKm: 30,
} as const;

/** Earth radius of the spherical area formula (metres, WGS84 equatorial radius). */
const R = 6_378_137;
const rad = (d: number) => (d * Math.PI) / 180;

/** Spherical area of a ring in m² (sign ignored), after Chamberlain & Duquette (NASA JPL, 2007). */
function ringArea(ring: Position[]): number {
  const n = ring.length;
  if (n < 3) return 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const p1 = ring[i]!;
    const p2 = ring[(i + 1) % n]!;
    const p3 = ring[(i + 2) % n]!;
    total += (rad(p3[0]) - rad(p1[0])) * Math.sin(rad(p2[1]));
  }
  return Math.abs((total * R * R) / 2);
}

/** Area in km² of a multipolygon: outer rings minus holes. */
function areaKm2(g: MultiPolygon): number {
  let a = 0;
  for (const [outer, ...holes] of g.coordinates) {
    if (!outer) continue;
    a += ringArea(outer);
    for (const h of holes) a -= ringArea(h);
  }
  return a / 1e6;
}

/** Area-weighted centroid of the outer rings (planar in degrees, longitude scaled by cos latitude). */
function centroidOf(parts: MultiPolygon[]): { c: Position; w: number } {
  let [sx, sy, sw] = [0, 0, 0];
  for (const g of parts)
    for (const [outer] of g.coordinates) {
      if (!outer || outer.length < 3) continue;
      let [a, cx, cy] = [0, 0, 0];
      for (let i = 0, j = outer.length - 1; i < outer.length; j = i++) {
        const [xi, yi] = outer[i]!;
        const [xj, yj] = outer[j]!;
        const f = xj * yi - xi * yj;
        a += f;
        cx += (xi + xj) * f;
        cy += (yi + yj) * f;
      }
      if (a === 0) continue;
      const w = Math.abs(a / 2);
      sx += (cx / (3 * a)) * w;
      sy += (cy / (3 * a)) * w;
      sw += w;
    }
  if (!sw) {
    const p = parts[0]?.coordinates[0]?.[0]?.[0] ?? [0, 0];
    return { c: p, w: 0 };
  }
  return { c: [sx / sw, sy / sw], w: sw };
}

type SitePoint = { operateur: string; lon: number; lat: number; site_4g: boolean; commune: string };

/** Marks each site shared (another operator's site within `MODEL.sharedRadiusM`), in place order. */
export function sharedFlags(sites: readonly SitePoint[]): boolean[] {
  if (!sites.length) return [];
  const index = new KDBush(sites.length);
  for (const s of sites) index.add(s.lon, s.lat);
  index.finish();
  return sites.map(
    (s) =>
      around(index, s.lon, s.lat, 1, MODEL.sharedRadiusM / 1000, (i) => sites[i]!.operateur !== s.operateur).length > 0,
  );
}

type CommuneGeo = { commune: string; aire_km2: number; centre_lon: number; centre_lat: number };
type CommuneOperator = {
  commune: string;
  operateur: Operateur;
  sites_4g: number;
  distance_4g_km: number | null;
};

/** Area and centre of each commune from its contour parts (the locator's index). */
export function communeGeometry(parts: readonly { code: string; g: MultiPolygon }[]): CommuneGeo[] {
  const by = new Map<string, MultiPolygon[]>();
  for (const p of parts) {
    const l = by.get(p.code);
    if (l) l.push(p.g);
    else by.set(p.code, [p.g]);
  }
  return [...by].map(([commune, gs]) => {
    const { c } = centroidOf(gs);
    return { commune, aire_km2: gs.reduce((a, g) => a + areaKm2(g), 0), centre_lon: c[0], centre_lat: c[1] };
  });
}

/** Per commune and operator: 4G sites placed in the commune, distance from its centre to the nearest 4G site. */
export function communeOperators(
  communes: readonly CommuneGeo[],
  sites: readonly SitePoint[],
  operateurs: readonly Operateur[],
): CommuneOperator[] {
  const out: CommuneOperator[] = [];
  for (const o of operateurs) {
    const own = sites.filter((s) => s.operateur === o && s.site_4g);
    const inCommune = new Map<string, number>();
    for (const s of own) inCommune.set(s.commune, (inCommune.get(s.commune) ?? 0) + 1);
    const index = own.length ? new KDBush(own.length) : null;
    if (index) {
      for (const s of own) index.add(s.lon, s.lat);
      index.finish();
    }
    for (const c of communes) {
      const [i] = index ? around(index, c.centre_lon, c.centre_lat, 1, MODEL.searchKm) : [];
      const s = i === undefined ? null : own[i]!;
      out.push({
        commune: c.commune,
        operateur: o,
        sites_4g: inCommune.get(c.commune) ?? 0,
        distance_4g_km: s ? distanceKm(c.centre_lon, c.centre_lat, s.lon, s.lat) : null,
      });
    }
  }
  return out;
}

/** Great-circle distance in km (haversine, mean Earth radius 6,371 km). */
function distanceKm(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const a =
    Math.sin(rad(lat2 - lat1) / 2) ** 2 +
    Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(rad(lon2 - lon1) / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(a)));
}
