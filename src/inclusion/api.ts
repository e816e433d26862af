import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../context.ts';
import { ErrorSchema } from '../territories/api.ts';
import { getTerritory } from '../territories/service.ts';
import { normalizeName } from '../text/normalize.ts';
import * as Q from './queries.ts';
import { PlacesOrGeoJsonSchema, PlacesQuerySchema } from './schema.ts';

type Filters = { niveau?: Q.PlaceFilter['niveau']; code?: string | undefined; categorie?: string; q?: string };

/** The filters as the queries take them; an unknown territory is a 404 (TERRITOIRE_INCONNU), an old commune code today's. */
export async function placeFilterOf(ctx: AppContext, f: Filters): Promise<Q.PlaceFilter> {
  const code = f.niveau && f.code ? (await getTerritory(ctx.db, f.niveau, f.code)).code : undefined;
  return {
    niveau: code ? f.niveau : undefined,
    code,
    categorie: f.categorie,
    q: f.q ? normalizeName(f.q) || undefined : undefined,
  };
}

/** One place as the contract gives it. */
function placeItem(p: Q.PlaceRow) {
  return {
    id: p.id,
    nom: p.nom,
    categories: p.categories,
    code_insee: p.code_insee,
    commune: p.commune,
    adresse: p.adresse,
    lon: p.lon,
    lat: p.lat,
    precision: p.precision,
    label_tiers_lieu: p.label_tiers_lieu,
    sources: p.sources,
  };
}

export function featureCollection(total: number, items: Q.PlaceRow[]) {
  return {
    type: 'FeatureCollection' as const,
    total,
    features: items.map((p) => {
      const { lon, lat, ...properties } = placeItem(p);
      return { type: 'Feature' as const, geometry: { type: 'Point' as const, coordinates: [lon, lat] }, properties };
    }),
  };
}

const wantsGeoJson = (req: FastifyRequest) => /application\/geo\+json/i.test(String(req.headers.accept ?? ''));

export function registerInclusionApi(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const description =
    'Lieux d’inclusion numérique fusionnés (médiation numérique, France Services, conseillers numériques…), chaque lieu avec les sources qui le décrivent (jeu, identifiant dans ce jeu, date de mise à jour). Filtres : territoire (`niveau` + `code` : les lieux de ses communes), `categorie` (mediation, france-services, aidants-connect, conseiller-numerique, tiers-lieu), `q` (texte cherché dans le nom, la commune et l’adresse, sans accents). `limit` (1 000 au plus) et `offset` paginent. Avec `Accept: application/geo+json`, ou sur `/api/v1/inclusion/lieux.geojson`, la réponse est une FeatureCollection GeoJSON (WGS84) avec `total`. Licence Ouverte 2.0 (sources ANCT, data·inclusion).';
  for (const url of ['/api/v1/inclusion/lieux', '/api/v1/inclusion/lieux.geojson'])
    r.get(
      url,
      {
        schema: {
          tags: ['inclusion'],
          summary: url.endsWith('.geojson')
            ? 'Lieux d’inclusion numérique (GeoJSON)'
            : 'Lieux d’inclusion numérique (JSON, ou GeoJSON selon Accept)',
          description,
          querystring: PlacesQuerySchema,
          response: { 200: PlacesOrGeoJsonSchema, 400: ErrorSchema, 404: ErrorSchema },
        },
      },
      async (req, reply) => {
        const { limit, offset, ...f } = req.query;
        const res = await Q.listPlaces(ctx.db, await placeFilterOf(ctx, f), limit, offset);
        if (url.endsWith('.geojson') || wantsGeoJson(req)) {
          reply.type('application/geo+json; charset=utf-8');
          return featureCollection(res.total, res.items);
        }
        return { total: res.total, items: res.items.map(placeItem) };
      },
    );
}
