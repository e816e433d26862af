import simplify from 'simplify-js';

export type Position = [number, number];
export type MultiPolygon = { type: 'MultiPolygon'; coordinates: Position[][][] };
export type BBox = [number, number, number, number];

export class GeometryError extends Error {}

function checkRing(ring: unknown, where: string): Position[] {
  if (!Array.isArray(ring)) throw new GeometryError(`${where} : anneau absent ou invalide`);
  if (ring.length < 4) throw new GeometryError(`${where} : anneau de ${ring.length} points (4 au moins)`);
  const out: Position[] = [];
  for (const p of ring) {
    if (!Array.isArray(p) || p.length < 2) throw new GeometryError(`${where} : position invalide`);
    const [x, y] = p as number[];
    if (
      typeof x !== 'number' ||
      typeof y !== 'number' ||
      !Number.isFinite(x) ||
      !Number.isFinite(y) ||
      x < -180 ||
      x > 180 ||
      y < -90 ||
      y > 90
    ) {
      throw new GeometryError(
        `${where} : coordonnée hors du système WGS84 (${String(x)}, ${String(y)}) — fichier en Lambert-93 ?`,
      );
    }
    out.push([x, y]);
  }
  const a = out[0]!;
  const b = out[out.length - 1]!;
  if (a[0] !== b[0] || a[1] !== b[1]) throw new GeometryError(`${where} : anneau non fermé (fichier tronqué ?)`);
  return out;
}

/** Checks a GeoJSON geometry is a well-formed WGS84 (Multi)Polygon and returns it as a MultiPolygon. */
export function toMultiPolygon(g: unknown): MultiPolygon {
  const geom = g as { type?: unknown; coordinates?: unknown } | null;
  if (!geom || typeof geom !== 'object') throw new GeometryError('géométrie absente');
  if (geom.type === 'Polygon') {
    if (!Array.isArray(geom.coordinates) || !geom.coordinates.length) throw new GeometryError('polygone vide');
    return { type: 'MultiPolygon', coordinates: [geom.coordinates.map((r, i) => checkRing(r, `anneau ${i + 1}`))] };
  }
  if (geom.type === 'MultiPolygon') {
    if (!Array.isArray(geom.coordinates) || !geom.coordinates.length) throw new GeometryError('multipolygone vide');
    return {
      type: 'MultiPolygon',
      coordinates: geom.coordinates.map((poly, j) => {
        if (!Array.isArray(poly) || !poly.length) throw new GeometryError(`polygone ${j + 1} vide`);
        return poly.map((r, i) => checkRing(r, `polygone ${j + 1}, anneau ${i + 1}`));
      }),
    };
  }
  throw new GeometryError(`type de géométrie ${String(geom.type)} non surfacique (Polygon ou MultiPolygon attendu)`);
}

export function bboxOf(g: MultiPolygon): BBox {
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -Infinity,
    y1 = -Infinity;
  for (const poly of g.coordinates)
    for (const [x, y] of poly[0] ?? []) {
      if (x < x0) x0 = x;
      if (y < y0) y0 = y;
      if (x > x1) x1 = x;
      if (y > y1) y1 = y;
    }
  return [x0, y0, x1, y1];
}

const round = (v: number) => Math.round(v * 1e5) / 1e5;

/**
 * Douglas-Peucker on each ring (tolerance in degrees). A ring that would collapse keeps its
 * original points rather than vanish: a small commune must stay visible on the map.
 */
export function simplifyMulti(g: MultiPolygon, tolerance: number): MultiPolygon {
  return {
    type: 'MultiPolygon',
    coordinates: g.coordinates.map((poly) =>
      poly.map((ring) => {
        const s = simplify(
          ring.map(([x, y]) => ({ x, y })),
          tolerance,
          true,
        ).map((p) => [round(p.x), round(p.y)] as Position);
        return s.length >= 4 ? s : ring;
      }),
    ),
  };
}

export function mergeMulti(parts: MultiPolygon[]): MultiPolygon {
  return { type: 'MultiPolygon', coordinates: parts.flatMap((p) => p.coordinates) };
}

export const SIMPLIFY_TOLERANCE = { commune: 0.0004, epci: 0.001, departement: 0.002, region: 0.004 } as const;
