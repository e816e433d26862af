import { html, raw, type Html } from '../http/html.ts';
import type { BBox, MultiPolygon } from './geometry.ts';

export type SvgShape = { code: string; nom: string; geometrie: MultiPolygon; fill?: string; label?: string; highlight?: boolean };

/**
 * A static SVG map rendered on the server: it works without JavaScript and prints well.
 * Plate carrée scaled by cos(latitude), which is accurate enough at the scale of a région.
 */
export function svgMap(shapes: SvgShape[], o: { title: string; description: string; width?: number; id: string }): Html {
  if (!shapes.length) return html``;
  const width = o.width ?? 640;
  let b: BBox = [Infinity, Infinity, -Infinity, -Infinity];
  for (const s of shapes) for (const poly of s.geometrie.coordinates) for (const [x, y] of poly[0] ?? []) {
    b = [Math.min(b[0], x), Math.min(b[1], y), Math.max(b[2], x), Math.max(b[3], y)];
  }
  const k = Math.cos((((b[1] + b[3]) / 2) * Math.PI) / 180);
  const w = Math.max((b[2] - b[0]) * k, 1e-9);
  const h = Math.max(b[3] - b[1], 1e-9);
  const scale = (width - 8) / w;
  const height = Math.min(Math.round(h * scale + 8), 900);
  const s2 = Math.min(scale, (height - 8) / h);
  const X = (x: number) => (4 + (x - b[0]) * k * s2).toFixed(1);
  const Y = (y: number) => (4 + (b[3] - y) * s2).toFixed(1);
  const pathOf = (g: MultiPolygon) => g.coordinates.map((poly) => poly.map((ring) => `M${ring.map(([x, y]) => `${X(x)} ${Y(y)}`).join('L')}Z`).join('')).join('');
  const titleId = `${o.id}-titre`;
  const descId = `${o.id}-desc`;
  return html`<svg class="pan-carte" id="${o.id}" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-labelledby="${titleId} ${descId}" xmlns="http://www.w3.org/2000/svg">
<title id="${titleId}">${o.title}</title><desc id="${descId}">${o.description}</desc>
${shapes.map((s) => html`<path d="${raw(pathOf(s.geometrie))}" fill="${s.fill ?? (s.highlight ? '#6a6af4' : '#e3e3fd')}" stroke="#000091" stroke-width="${s.highlight ? 1.5 : 0.5}" fill-rule="evenodd"><title>${s.label ?? `${s.nom} (${s.code})`}</title></path>`)}
</svg>`;
}
