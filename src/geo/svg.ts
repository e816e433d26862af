import simplify from 'simplify-js';
import { type Html, html, raw } from '../http/html.ts';
import type { BBox, MultiPolygon, Position } from './geometry.ts';

export type SvgShape = {
  code: string;
  nom: string;
  geometrie: MultiPolygon;
  fill?: string;
  /** A class of the map's own stylesheet (`classes` of svgMap), lighter than a fill repeated on each shape. */
  cls?: string;
  label?: string;
  highlight?: boolean;
};

/** Drawing units per CSS pixel of the nominal width: integer coordinates then keep half-pixel precision. */
const UNITS_PER_PX = 2;
/** Detail finer than this (in drawing units, i.e. half a pixel) cannot be seen and is dropped. */
const TOLERANCE = 2;

/**
 * One ring as a compact path: projected, rounded to drawing units, simplified at the map's own scale
 * (a département of 700 communes drawn at 560 px does not need the vertices of a 1:25 000 map), and
 * written with relative moves, which are mostly one or two digits long.
 */
function ringPath(ring: Position[], project: (p: Position) => [number, number], tolerance = TOLERANCE): string {
  const pts: { x: number; y: number }[] = [];
  for (const p of ring) {
    const [x, y] = project(p);
    const last = pts[pts.length - 1];
    if (!last || last.x !== x || last.y !== y) pts.push({ x, y });
  }
  const kept = pts.length > 4 ? simplify(pts, tolerance, true) : pts;
  if (kept.length < 2) return '';
  let out = `M${kept[0]!.x} ${kept[0]!.y}l`;
  for (let i = 1; i < kept.length; i++) {
    const dx = kept[i]!.x - kept[i - 1]!.x;
    const dy = kept[i]!.y - kept[i - 1]!.y;
    // A minus sign separates numbers by itself; only non-negative ones need a space.
    out += `${i > 1 && dx >= 0 ? ' ' : ''}${dx}${dy >= 0 ? ' ' : ''}${dy}`;
  }
  return `${out}z`;
}

/**
 * A static SVG map rendered on the server: it works without JavaScript and prints well.
 * Plate carrée scaled by cos(latitude), which is accurate enough at the scale of a région.
 * Common presentation attributes sit on the group, so each shape carries only its outline and name.
 */
export function svgMap(
  shapes: SvgShape[],
  o: {
    title: string;
    description: string;
    width?: number;
    id: string;
    /** Drawing units per pixel: 1 (whole pixels) for dense maps whose weight matters more than half pixels. */
    unitsPerPx?: 1 | 2;
    /** Fill of each shape class, written once in the map's own <style> instead of on every path. */
    classes?: Record<string, string>;
    /** Detail dropped, in pixels (default half a pixel at two units per pixel). */
    tolerancePx?: number;
    /** Points drawn over the shapes (e.g. mobile sites): one circle each, in one group per class of `classes`. */
    points?: { lon: number; lat: number; cls: string }[];
    /** Radius of the points in pixels (default 2.5). */
    pointRadiusPx?: number;
  },
): Html {
  const UNITS = o.unitsPerPx ?? UNITS_PER_PX;
  if (!shapes.length) return html``;
  const width = o.width ?? 640;
  let b: BBox = [Infinity, Infinity, -Infinity, -Infinity];
  for (const s of shapes)
    for (const poly of s.geometrie.coordinates)
      for (const [x, y] of poly[0] ?? []) {
        b = [Math.min(b[0], x), Math.min(b[1], y), Math.max(b[2], x), Math.max(b[3], y)];
      }
  const k = Math.cos((((b[1] + b[3]) / 2) * Math.PI) / 180);
  const w = Math.max((b[2] - b[0]) * k, 1e-9);
  const h = Math.max(b[3] - b[1], 1e-9);
  const scale = (width - 8) / w;
  const height = Math.min(Math.round(h * scale + 8), 900);
  const s2 = Math.min(scale, (height - 8) / h) * UNITS;
  const m = 4 * UNITS;
  const project = ([x, y]: Position): [number, number] => [
    Math.round(m + (x - b[0]) * k * s2),
    Math.round(m + (b[3] - y) * s2),
  ];
  const pathOf = (g: MultiPolygon) =>
    g.coordinates
      .map((poly) =>
        poly.map((ring) => ringPath(ring, project, (o.tolerancePx ?? TOLERANCE / UNITS_PER_PX) * UNITS)).join(''),
      )
      .join('');
  const shapePath = (s: SvgShape) => {
    const fill = s.cls ? null : (s.fill ?? (s.highlight ? '#6a6af4' : null));
    return html`<path d="${raw(pathOf(s.geometrie))}"${fill ? html` fill="${fill}"` : ''}${s.highlight ? html` stroke-width="${UNITS * 1.5}"` : ''}><title>${s.label ?? `${s.nom} (${s.code})`}</title></path>`;
  };
  const titleId = `${o.id}-titre`;
  const descId = `${o.id}-desc`;
  return html`<svg class="pan-carte" id="${o.id}" viewBox="0 0 ${width * UNITS} ${height * UNITS}" width="100%" role="img" aria-labelledby="${titleId} ${descId}" xmlns="http://www.w3.org/2000/svg">
<title id="${titleId}">${o.title}</title><desc id="${descId}">${o.description}</desc>
${
  o.classes
    ? html`<style>${raw(
        Object.entries(o.classes)
          .map(([c, f]) => `#${o.id} .${c}{fill:${f}}`)
          .join(''),
      )}</style>`
    : ''
}
<g fill="#e3e3fd" stroke="#000091" stroke-width="${UNITS / 2}" stroke-linejoin="round" fill-rule="evenodd">
${o.classes ? groupsByClass(shapes).map(([cls, group]) => html`<g class="${cls}">${group.map(shapePath)}</g>`) : shapes.map(shapePath)}
</g>${o.points?.length ? pointsLayer(o.points, project, (o.pointRadiusPx ?? 2.5) * UNITS) : ''}</svg>`;
}

/** Shapes of one class share one group carrying the class, rather than each path repeating it. */
function groupsByClass(shapes: SvgShape[]): [string, SvgShape[]][] {
  const groups = new Map<string, SvgShape[]>();
  for (const s of shapes) {
    const k = s.cls ?? '';
    const g = groups.get(k);
    if (g) g.push(s);
    else groups.set(k, [s]);
  }
  return [...groups];
}

/** Points as circles grouped by class (the class's fill comes from the map's stylesheet), outlined in white. */
function pointsLayer(
  points: { lon: number; lat: number; cls: string }[],
  project: (p: Position) => [number, number],
  r: number,
): Html {
  const by = new Map<string, string[]>();
  for (const p of points) {
    const [x, y] = project([p.lon, p.lat]);
    const l = by.get(p.cls) ?? [];
    l.push(`<circle cx="${x}" cy="${y}" r="${r}"/>`);
    by.set(p.cls, l);
  }
  return html`<g stroke="#fff" stroke-width="${r / 3}">${[...by].map(([cls, l]) => html`<g class="${cls}">${raw(l.join(''))}</g>`)}</g>`;
}
