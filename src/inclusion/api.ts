import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { ErrorSchema } from '../territories/api.ts';
import { TerritoryParamsSchema } from '../territories/schema.ts';
import { getTerritory } from '../territories/service.ts';
import { normalizeName } from '../text/normalize.ts';
import { isOpen, type OpeningFilter } from './hours.ts';
import * as Q from './queries.ts';
import { AccessibilityAnswerSchema, PlacesOrGeoJsonSchema, PlacesQuerySchema } from './schema.ts';

type Filters = {
  niveau?: Q.PlaceFilter['niveau'];
  code?: string | undefined;
  categorie?: string;
  q?: string;
  ouvert?: OpeningFilter | undefined;
};

/**
 * The filters as the queries take them; an unknown territory is a 404 (TERRITOIRE_INCONNU), an old commune
 * code today's. « ouvert » is decided on each matching place's hours, at `at` (Paris time).
 */
export async function placeFilterOf(ctx: AppContext, f: Filters, at = new Date()): Promise<Q.PlaceFilter> {
  const code = f.niveau && f.code ? (await getTerritory(ctx.db, f.niveau, f.code)).code : undefined;
  const filter: Q.PlaceFilter = {
    niveau: code ? f.niveau : undefined,
    code,
    categorie: f.categorie,
    q: f.q ? normalizeName(f.q) || undefined : undefined,
  };
  const { ouvert } = f;
  if (!ouvert) return filter;
  const hours = await Q.placeHours(ctx.db, filter);
  return { ...filter, ids: hours.filter((p) => isOpen(p.horaires, ouvert, at)).map((p) => p.id) };
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
    'Lieux d’inclusion numérique fusionnés (médiation numérique, France Services, conseillers numériques…), chaque lieu avec les sources qui le décrivent (jeu, identifiant dans ce jeu, date de mise à jour). Filtres : territoire (`niveau` + `code` : les lieux de ses communes), `categorie` (mediation, france-services, aidants-connect, conseiller-numerique, tiers-lieu), `q` (texte cherché dans le nom, la commune et l’adresse, sans accents), `ouvert` (`maintenant` : ouvert à l’heure de Paris de la requête ; `samedi` : ouvert à un moment du samedi qui vient ; d’après les horaires au format OpenStreetMap `opening_hours`, jours fériés compris ; un lieu sans horaires lisibles n’est pas retenu). `limit` (1 000 au plus) et `offset` paginent. Avec `Accept: application/geo+json`, ou sur `/api/v1/inclusion/lieux.geojson`, la réponse est une FeatureCollection GeoJSON (WGS84) avec `total`. Licence Ouverte 2.0 (sources ANCT, data·inclusion).';
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

  r.get(
    '/api/v1/inclusion/accessibilite/:niveau/:code',
    {
      schema: {
        tags: ['inclusion'],
        summary: 'Indicateurs d’accessibilité des lieux d’inclusion numérique d’un territoire',
        description:
          'Calculés par l’import « accessibilite » pour les communes, EPCI et départements de la région de l’instance et pour la région. Par catégorie (tous, mediation, france-services, aidants-connect, tiers-lieu) : nombre de lieux situés dans le territoire, lieux pour 10 000 habitants, distance à vol d’oiseau (km) de là où vivent les habitants au lieu le plus proche de cette catégorie, où qu’il soit (moyenne et médiane pondérées par la population), part de la population à plus de 5, 10 et 20 km (rapportée à la population des communes calculées). `methode` dit comment les habitants sont placés ; `plus_proches` (communes) donne le lieu le plus proche de chaque catégorie depuis le point de référence de la commune.',
        params: TerritoryParamsSchema,
        response: { 200: AccessibilityAnswerSchema, 404: ErrorSchema },
      },
    },
    async (req) => {
      const t = await getTerritory(ctx.db, req.params.niveau, req.params.code);
      return accessibilityAnswer(ctx, t.niveau, t.code);
    },
  );
}

/** The stored indicators of a territory in the contract's shape; 404 when they were never computed for it. */
async function accessibilityAnswer(ctx: AppContext, niveau: Q.PlaceFilter['niveau'] & string, code: string) {
  const a = await Q.accessibilityOf(ctx.db, niveau, code);
  if (!a)
    throw new AppError(
      'INTROUVABLE',
      `no accessibility ${niveau} ${code}`,
      'Les indicateurs d’accessibilité de ce territoire n’ont pas été calculés (import « accessibilite », relancé après chaque import de lieux ; seule la région de l’instance est calculée).',
    );
  return {
    niveau: a.niveau as 'commune',
    code: a.code,
    population: a.population,
    methode: a.methode as 'adresses',
    methode_detail: {
      population_calculee: a.population_calculee,
      communes_adresses: a.communes_adresses,
      communes_contour: a.communes_contour,
      communes_non_calculees: a.communes_non_calculees,
      points: a.points,
    },
    calcule_le: new Date(a.calcule_le).toISOString(),
    indicateurs: Object.fromEntries(a.indicators.map(({ niveau: _n, code: _c, categorie, ...v }) => [categorie, v])),
    ...(niveau === 'commune'
      ? {
          plus_proches: Object.fromEntries(
            a.nearest.map((p) => [p.categorie, { id: p.lieu_id, nom: p.nom, distance_km: p.distance_km }]),
          ),
        }
      : {}),
  };
}
