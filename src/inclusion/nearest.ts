/**
 * Nearest place of many points, in process (never one SQL query per point). Places are indexed with KDBush;
 * geokdbush answers great-circle nearest-neighbour queries. Millions of points would cost one geokdbush query
 * each (~6 µs), so points are grouped by grid cell: per occupied cell, geokdbush gives the places that can be
 * the nearest of any point of the cell (by the triangle inequality: within d0 + 2r of the cell's centre, d0 the
 * centre's nearest distance and r the cell's half-diagonal), and each point only compares those few candidates
 * with an exact haversine. The answer is the exact nearest place, as a direct search would give.
 */
import { around } from 'geokdbush';
import KDBush from 'kdbush';

const RAD = Math.PI / 180;
const R_KM = 6371.0088;
/** Grid cell, in degrees (about 5.5 km of latitude). */
const CELL = 0.05;

function km(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const a =
    Math.sin(((lat2 - lat1) * RAD) / 2) ** 2 +
    Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(((lon2 - lon1) * RAD) / 2) ** 2;
  return 2 * R_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

export class NearestIndex {
  private readonly index: KDBush | null;
  private readonly lon: Float64Array;
  private readonly lat: Float64Array;
  private readonly cosLat: Float64Array;
  private readonly cells = new Map<number, Int32Array>();

  constructor(lon: ArrayLike<number>, lat: ArrayLike<number>) {
    const n = lon.length;
    this.lon = Float64Array.from(lon);
    this.lat = Float64Array.from(lat);
    this.cosLat = this.lat.map((y) => Math.cos(y * RAD));
    if (!n) {
      this.index = null;
      return;
    }
    this.index = new KDBush(n, 64, Float64Array);
    for (let i = 0; i < n; i++) this.index.add(this.lon[i]!, this.lat[i]!);
    this.index.finish();
  }

  get size(): number {
    return this.lon.length;
  }

  /** Places that may be nearest to a point of cell (ix, iy). */
  private candidates(ix: number, iy: number): Int32Array {
    const key = ix * 100_000 + iy;
    let c = this.cells.get(key);
    if (c) return c;
    const x0 = ix * CELL;
    const y0 = iy * CELL;
    const cx = x0 + CELL / 2;
    const cy = y0 + CELL / 2;
    const r = Math.max(km(cx, cy, x0, y0), km(cx, cy, x0, y0 + CELL));
    const first = around(this.index!, cx, cy, 1)[0]!;
    const d0 = km(cx, cy, this.lon[first]!, this.lat[first]!);
    c = Int32Array.from(around(this.index!, cx, cy, Number.POSITIVE_INFINITY, d0 + 2 * r + 1e-6));
    this.cells.set(key, c);
    return c;
  }

  /** Index of the nearest place and its distance (km); -1 and NaN when there is no place. */
  nearest(lon: number, lat: number): { i: number; km: number } {
    if (!this.index) return { i: -1, km: Number.NaN };
    const cands = this.candidates(Math.floor(lon / CELL), Math.floor(lat / CELL));
    const cosP = Math.cos(lat * RAD);
    let best = -1;
    let bestA = Number.POSITIVE_INFINITY;
    for (let k = 0; k < cands.length; k++) {
      const j = cands[k]!;
      const s1 = Math.sin((this.lat[j]! - lat) * RAD * 0.5);
      const s2 = Math.sin((this.lon[j]! - lon) * RAD * 0.5);
      const a = s1 * s1 + cosP * this.cosLat[j]! * s2 * s2;
      if (a < bestA || (a === bestA && j < best)) {
        bestA = a;
        best = j;
      }
    }
    return { i: best, km: 2 * R_KM * Math.asin(Math.min(1, Math.sqrt(bestA))) };
  }

  /** The nearest place of every point, written into `outIdx` and `outKm`. */
  nearestAll(lon: ArrayLike<number>, lat: ArrayLike<number>, outIdx: Int32Array, outKm: Float32Array): void {
    for (let p = 0; p < lon.length; p++) {
      const r = this.nearest(lon[p]!, lat[p]!);
      outIdx[p] = r.i;
      outKm[p] = r.km;
    }
  }
}
