/**
 * Coordinates of ARCEP building files. The MCI dictionary (2022 T4) says "WGS 84 / Pseudo-Mercator,
 * srid 3857" for imb_longitude/imb_latitude while the values published are often plain degrees;
 * the 2025+ files name them imb_x/imb_y (EPSG:3857); Cartefibre's x/y are degrees. `auto` tells
 * them apart by range: degrees fit in ±180/±90, metres do not (outside a few metres of the origin).
 */
type Srid = 'auto' | '4326' | '3857' | '2154';

const R_MERC = 6378137;

export function fromWebMercator(x: number, y: number): [number, number] {
  const lon = (x / R_MERC) * (180 / Math.PI);
  const lat = (2 * Math.atan(Math.exp(y / R_MERC)) - Math.PI / 2) * (180 / Math.PI);
  return [lon, lat];
}

// Lambert-93 (EPSG:2154): Lambert conformal conic on GRS80, constants of IGN's algorithm notes.
const L93 = {
  n: 0.725607765053267,
  c: 11754255.426096,
  xs: 700000,
  ys: 12655612.049876,
  e: 0.0818191910428158,
  lon0: 3,
};

export function fromLambert93(x: number, y: number): [number, number] {
  const dx = x - L93.xs;
  const dy = y - L93.ys;
  const r = Math.hypot(dx, dy);
  const gamma = Math.atan(dx / -dy);
  const lon = L93.lon0 + (gamma / L93.n) * (180 / Math.PI);
  const latIso = -Math.log(Math.abs(r / L93.c)) / L93.n;
  let phi = 2 * Math.atan(Math.exp(latIso)) - Math.PI / 2;
  for (let i = 0; i < 12; i++) {
    const es = L93.e * Math.sin(phi);
    const next = 2 * Math.atan(((1 + es) / (1 - es)) ** (L93.e / 2) * Math.exp(latIso)) - Math.PI / 2;
    if (Math.abs(next - phi) < 1e-12) {
      phi = next;
      break;
    }
    phi = next;
  }
  return [lon, phi * (180 / Math.PI)];
}

/** Boxes of metropolitan France and the overseas départements/collectivités (lon/lat). */
const FRANCE_BOXES: [number, number, number, number][] = [
  [-5.9, 41.2, 10.1, 51.2], // métropole + Corse
  [-61.95, 15.8, -60.95, 16.55], // Guadeloupe
  [-61.3, 14.35, -60.75, 14.9], // Martinique
  [-54.7, 2.0, -51.5, 6.0], // Guyane
  [55.15, -21.45, 55.9, -20.85], // La Réunion
  [44.9, -13.1, 45.35, -12.6], // Mayotte
  [-56.55, 46.7, -56.1, 47.2], // Saint-Pierre-et-Miquelon
  [-63.2, 17.85, -62.75, 18.15], // Saint-Barthélemy, Saint-Martin
];

function inFrance(lon: number, lat: number): boolean {
  return FRANCE_BOXES.some(([a, b, c, d]) => lon >= a && lon <= c && lat >= b && lat <= d);
}

/** Parses a decimal written with a dot or a French comma. */
function parseNumber(s: string | undefined): number | null {
  if (s === undefined) return null;
  const t = s.trim().replace(',', '.');
  if (!t) return null;
  const v = Number(t);
  return Number.isFinite(v) ? v : null;
}

/** Converts a pair as published to WGS84 lon/lat, or says why it cannot. */
export function toLonLat(
  xs: string | undefined,
  ys: string | undefined,
  srid: Srid,
): { lon: number; lat: number } | { error: string } {
  const x = parseNumber(xs);
  const y = parseNumber(ys);
  if (x === null || y === null) return { error: 'coordonnées absentes ou non numériques' };
  let p: [number, number];
  const kind = srid === 'auto' ? (Math.abs(x) <= 180 && Math.abs(y) <= 90 ? '4326' : '3857') : srid;
  if (kind === '4326') p = [x, y];
  else if (kind === '3857') p = fromWebMercator(x, y);
  else p = fromLambert93(x, y);
  if (!inFrance(p[0], p[1])) return { error: `coordonnées hors de France (${xs} ; ${ys}, lues en EPSG:${kind})` };
  return { lon: p[0], lat: p[1] };
}

/** Distance in metres between two lon/lat points (equirectangular: exact enough below a few km). */
export function distanceM(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const k = Math.PI / 180;
  const x = (lon2 - lon1) * k * Math.cos(((lat1 + lat2) / 2) * k);
  const y = (lat2 - lat1) * k;
  return Math.sqrt(x * x + y * y) * 6371008.8;
}
