import Flatbush from 'flatbush';
import proj4 from 'proj4';
import type { Queryable } from '../db/db.ts';
import type { MultiPolygon, Position } from '../geo/geometry.ts';
import { communeOutlines } from '../geo/service.ts';

/** Lambert-93 (EPSG:2154, RGF93 on GRS80) as IGN publishes it; RGF93 and WGS84 coincide at the metre. */
const LAMBERT93 =
  '+proj=lcc +lat_0=46.5 +lon_0=3 +lat_1=49 +lat_2=44 +x_0=700000 +y_0=6600000 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs';
const toWgs84 = proj4(LAMBERT93, 'WGS84');

/** Lambert-93 metres → WGS84 [lon, lat] in degrees. */
export function lambert93ToWgs84(x: number, y: number): Position {
  const [lon, lat] = toWgs84.forward([x, y]) as [number, number];
  return [lon, lat];
}

/** Ray casting on one ring (even-odd rule); a point exactly on an edge may fall either side. */
function inRing(ring: Position[], x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Inside one of the polygons: inside its outer ring and in none of its holes. */
function inMultiPolygon(g: MultiPolygon, lon: number, lat: number): boolean {
  for (const poly of g.coordinates) {
    const [outer, ...holes] = poly;
    if (outer && inRing(outer, lon, lat) && !holes.some((h) => inRing(h, lon, lat))) return true;
  }
  return false;
}

/**
 * The commune holding a point, among the imported commune outlines (full resolution): candidates by
 * bounding box from a Flatbush index over every polygon part, then the exact test. Built once per import.
 */
export class CommuneLocator {
  private constructor(
    private readonly index: Flatbush | null,
    private readonly parts: { code: string; g: MultiPolygon }[],
  ) {}

  static async build(q: Queryable): Promise<CommuneLocator> {
    const parts: { code: string; g: MultiPolygon; box: [number, number, number, number] }[] = [];
    for (const c of await communeOutlines(q)) {
      for (const poly of c.geometrie.coordinates) {
        const outer = poly[0];
        if (!outer?.length) continue;
        let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
        for (const [x, y] of outer) {
          if (x < x0) x0 = x;
          if (y < y0) y0 = y;
          if (x > x1) x1 = x;
          if (y > y1) y1 = y;
        }
        parts.push({ code: c.code, g: { type: 'MultiPolygon', coordinates: [poly] }, box: [x0, y0, x1, y1] });
      }
    }
    if (!parts.length) return new CommuneLocator(null, []);
    const index = new Flatbush(parts.length);
    for (const p of parts) index.add(...p.box);
    index.finish();
    return new CommuneLocator(
      index,
      parts.map(({ code, g }) => ({ code, g })),
    );
  }

  /** How many polygon parts are indexed (0: no commune outline imported). */
  get size(): number {
    return this.parts.length;
  }

  /** The indexed polygon parts with their commune (a commune of several parts appears once per part). */
  outlineParts(): readonly { code: string; g: MultiPolygon }[] {
    return this.parts;
  }

  locate(lon: number, lat: number): string | null {
    if (!this.index) return null;
    for (const i of this.index.search(lon, lat, lon, lat)) {
      const p = this.parts[i]!;
      if (inMultiPolygon(p.g, lon, lat)) return p.code;
    }
    return null;
  }
}
