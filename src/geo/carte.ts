import { createRequire } from 'node:module';
import type { FastifyReply } from 'fastify';
import type { Config } from '../config.ts';
import { contentSecurityPolicy } from '../http/csp.ts';
import { type Html, html } from '../http/html.ts';

/**
 * The shared interactive map (MapLibre), as progressive enhancement: a page renders `mapBlock()` above its
 * server-rendered list, links `MAP_CSS` in its head and `MAP_SCRIPT` in its scripts, and sends `mapCsp()`.
 * Without JavaScript only the text alternative shows, pointing to the list; with it, `public/carte.js`
 * draws the GeoJSON points of `dataUrl` (paged by `limit`/`offset` up to `total`), clustered, each with a
 * popup linking to its page, over the configured base style, or over the communes of `contoursUrl` when
 * that style cannot load.
 */
const version = (createRequire(import.meta.url)('maplibre-gl/package.json') as { version: string }).version;
export const MAPLIBRE_PREFIX = `/static/maplibre/${version}`;
/** The only files of `maplibre-gl/dist` served (the worker is found next to the module, by its own URL). */
export const MAPLIBRE_FILES = new Set(['maplibre-gl.mjs', 'maplibre-gl-worker.mjs', 'maplibre-gl.css']);
export const MAP_SCRIPT = '/static/carte.js';
export const MAP_CSS = html`<link rel="stylesheet" href="${MAPLIBRE_PREFIX}/maplibre-gl.css">`;

type MapBlockOptions = {
  config: Config;
  /** A GeoJSON FeatureCollection of points, `properties.id`, `nom`; paged with limit/offset, with `total`. */
  dataUrl: string;
  /** Where a point's page is: `{id}` is replaced. */
  placeHref: string;
  /** Communes' outlines (GeoJSON) shown when the base style cannot load. */
  contoursUrl?: string;
  /** Accessible name of the map and the id of the list it duplicates. */
  label: string;
  listId: string;
  /** Attribution of the points' data. */
  dataAttribution: string;
  /** Popups' links open in a new tab (embedded map). */
  newTab?: boolean;
  /** Height in CSS pixels. */
  height?: number;
};

export function mapBlock(o: MapBlockOptions): Html {
  return html`<div class="carte fr-mb-3w" data-carte data-maplibre="${MAPLIBRE_PREFIX}/maplibre-gl.mjs" data-style="${o.config.carte.styleUrl}" data-attribution="${o.config.carte.attribution}" data-donnees="${o.dataUrl}" data-attribution-donnees="${o.dataAttribution}" data-lien="${o.placeHref}"${o.contoursUrl ? html` data-contours="${o.contoursUrl}"` : ''}${o.newTab ? html` data-cible="_blank"` : ''} data-libelle="${o.label}" style="height:${o.height ?? 480}px" hidden></div>
  <p class="fr-sr-only">${o.label} : la carte reprend les lieux de la liste, <a href="#${o.listId}">consultez la liste des lieux</a>, qui donne les mêmes informations.</p>`;
}

/** The page's CSP with the base map's origins allowed to be fetched (style, tiles, glyphs, sprites). */
function mapCsp(config: Config, frameAncestors: 'none' | '*' = 'none'): string {
  return contentSecurityPolicy({ connect: config.carte.origins, frameAncestors });
}

export function sendMapCsp(reply: FastifyReply, config: Config, frameAncestors: 'none' | '*' = 'none') {
  reply.header('content-security-policy', mapCsp(config, frameAncestors));
}
