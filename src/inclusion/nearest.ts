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
/** Grid cell, in degrees (about 5.5 km of latitude); a cell with more than DENSE candidates uses cells of FINE. */
const CELL = 0.05;
const FINE = 0.01;
const DENSE = 24;

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
  private readonly fine = new Map<number, Int32Array>();

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

  /** Places that may be nearest to a point of coarse cell (ix, iy). */
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

  /**
   * In a dense coarse cell (a town: many candidates), the candidates of a fifth-size cell: the nearest place of
   * any point of the small cell is among the coarse cell's candidates, within d0 + 2r of the small cell's centre.
   */
  private fineCandidates(fx: number, fy: number, coarse: Int32Array): Int32Array {
    const key = fx * 1_000_000 + fy;
    let c = this.fine.get(key);
    if (c) return c;
    const x0 = fx * FINE;
    const y0 = fy * FINE;
    const cx = x0 + FINE / 2;
    const cy = y0 + FINE / 2;
    const r = Math.max(km(cx, cy, x0, y0), km(cx, cy, x0, y0 + FINE));
    const d = Float64Array.from(coarse, (j) => km(cx, cy, this.lon[j]!, this.lat[j]!));
    let d0 = Number.POSITIVE_INFINITY;
    for (const v of d) d0 = Math.min(d0, v);
    const keep: number[] = [];
    for (let k = 0; k < coarse.length; k++) if (d[k]! <= d0 + 2 * r + 1e-6) keep.push(coarse[k]!);
    c = Int32Array.from(keep);
    this.fine.set(key, c);
    return c;
  }

  private candidatesAt(lon: number, lat: number): Int32Array {
    const coarse = this.candidates(Math.floor(lon / CELL), Math.floor(lat / CELL));
    return coarse.length > DENSE ? this.fineCandidates(Math.floor(lon / FINE), Math.floor(lat / FINE), coarse) : coarse;
  }

  /** Index of the nearest place and its distance (km); -1 and NaN when there is no place. */
  nearest(lon: number, lat: number): { i: number; km: number } {
    if (!this.index) return { i: -1, km: Number.NaN };
    const i = this.scan(lon, lat, this.candidatesAt(lon, lat));
    return { i, km: this.lastKm };
  }

  private lastKm = Number.NaN;

  /** The nearest of the candidates (exact haversine, compared without the final arcsine). */
  private scan(lon: number, lat: number, cands: Int32Array): number {
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
    this.lastKm = 2 * R_KM * Math.asin(Math.min(1, Math.sqrt(bestA)));
    return best;
  }

  /** The nearest place of every point, written into `outIdx` and `outKm`. */
  nearestAll(lon: ArrayLike<number>, lat: ArrayLike<number>, outIdx: Int32Array, outKm: Float32Array): void {
    if (!this.index) {
      outIdx.fill(-1, 0, lon.length);
      outKm.fill(Number.NaN, 0, lon.length);
      return;
    }
    for (let p = 0; p < lon.length; p++) {
      outIdx[p] = this.scan(lon[p]!, lat[p]!, this.candidatesAt(lon[p]!, lat[p]!));
      outKm[p] = this.lastKm;
    }
  }
}
