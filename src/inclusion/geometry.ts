import type { MultiPolygon, Position } from '../geo/geometry.ts';

const R_KM = 6371.0088;
const RAD = Math.PI / 180;

/** Great-circle (haversine) distance in km. */
export function haversineKm(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLon = (lon2 - lon1) * RAD;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * R_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Degrees of longitude and latitude spanning `m` metres around a latitude (for a bounding-box pre-filter). */
export function degreesAround(lat: number, m: number): { dLon: number; dLat: number } {
  const dLat = m / 111_320;
  return { dLat, dLon: dLat / Math.max(0.01, Math.cos(lat * RAD)) };
}

function ringArea(r: Position[]): number {
  let a = 0;
  for (let i = 0, j = r.length - 1; i < r.length; j = i++) a += (r[j]![0] - r[i]![0]) * (r[j]![1] + r[i]![1]);
  return Math.abs(a / 2);
}

/**
 * A point inside a (multi)polygon, not its centroid (which can fall outside a crescent-shaped commune): on the
 * horizontal line through the middle of the largest polygon's outer ring, the middle of the widest span inside it
 * (holes included in the crossings).
 */
export function pointInside(g: MultiPolygon): { lon: number; lat: number } | null {
  let best: Position[][] | null = null;
  let area = -1;
  for (const poly of g.coordinates) {
    const a = poly[0] ? ringArea(poly[0]) : 0;
    if (a > area) {
      area = a;
      best = poly;
    }
  }
  if (!best?.[0]?.length) return null;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const [, y] of best[0]) {
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  // Avoid a line through a vertex: nudge it off the exact middle.
  const y = minY + (maxY - minY) * 0.5000137;
  const xs: number[] = [];
  for (const ring of best)
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i]!;
      const [xj, yj] = ring[j]!;
      if (yi > y !== yj > y) xs.push(xi + ((y - yi) * (xj - xi)) / (yj - yi));
    }
  xs.sort((a, b) => a - b);
  let lon: number | null = null;
  let width = -1;
  for (let k = 0; k + 1 < xs.length; k += 2) {
    const w = xs[k + 1]! - xs[k]!;
    if (w > width) {
      width = w;
      lon = (xs[k]! + xs[k + 1]!) / 2;
    }
  }
  return lon === null ? null : { lon, lat: y };
}
