import { z } from 'zod';
import { PageNumberSchema } from '../http/pagination.ts';
import { text } from '../http/schemas.ts';
import { CATEGORY_SLUGS } from './vocab.ts';

const empty = (v: unknown) => (v === '' ? undefined : v);
const opt = <T extends z.ZodType>(s: T) => z.preprocess(empty, s.optional());

const NIVEAU = z.enum(['region', 'departement', 'epci', 'commune'], {
  error: 'niveau attendu : region, departement, epci ou commune',
});
const CODE = z
  .string()
  .trim()
  .max(12)
  .regex(/^[0-9A-Za-z]+$/, 'code INSEE ou SIREN attendu');

const filters = {
  niveau: opt(NIVEAU),
  code: opt(CODE),
  categorie: opt(z.enum(CATEGORY_SLUGS, { error: `catégorie attendue : ${CATEGORY_SLUGS.join(', ')}` })),
  q: opt(text(100)),
  ouvert: opt(z.enum(['maintenant', 'samedi'], { error: 'ouvert attendu : maintenant ou samedi' })),
};
const together = { message: 'niveau et code vont ensemble (ex. niveau=departement&code=21)' };

/** `GET /api/v1/inclusion/lieux` (contract of issue 10). */
export const PlacesQuerySchema = z
  .object({
    ...filters,
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .refine((q) => !q.niveau === !q.code, together);

/** The page `/inclusion` and its exports. */
export const PlacesPageQuerySchema = z
  .object({ ...filters, page: PageNumberSchema })
  .refine((q) => !q.niveau === !q.code, together);

export const ExportQuerySchema = z.object(filters).refine((q) => !q.niveau === !q.code, together);

const SourceRefSchema = z.object({ source: z.string(), id: z.string(), date_maj: z.string().nullable() });
const PlaceItemSchema = z.object({
  id: z.number(),
  nom: z.string(),
  categories: z.array(z.string()),
  code_insee: z.string().nullable(),
  commune: z.string().nullable(),
  adresse: z.string().nullable(),
  lon: z.number(),
  lat: z.number(),
  precision: z.enum(['adresse', 'commune']),
  label_tiers_lieu: z.boolean(),
  sources: z.array(SourceRefSchema),
});
const PlacesAnswerSchema = z.object({ total: z.number(), items: z.array(PlaceItemSchema) });
const FeatureCollectionSchema = z
  .object({
    type: z.literal('FeatureCollection'),
    total: z.number(),
    features: z.array(
      z.object({
        type: z.literal('Feature'),
        geometry: z.object({ type: z.literal('Point'), coordinates: z.array(z.number()) }),
        properties: PlaceItemSchema.omit({ lon: true, lat: true }),
      }),
    ),
  })
  .describe('GeoJSON FeatureCollection (WGS84), un point par lieu');
export const PlacesOrGeoJsonSchema = z.union([PlacesAnswerSchema, FeatureCollectionSchema]);

const IndicatorSchema = z.object({
  lieux: z.number(),
  lieux_pour_10000_hab: z.number().nullable(),
  distance_moyenne_km: z.number().nullable(),
  distance_mediane_km: z.number().nullable(),
  part_population_plus_5km: z.number().nullable(),
  part_population_plus_10km: z.number().nullable(),
  part_population_plus_20km: z.number().nullable(),
});
export const AccessibilityAnswerSchema = z.object({
  niveau: z.enum(['region', 'departement', 'epci', 'commune']),
  code: z.string(),
  population: z.number(),
  methode: z
    .enum(['adresses', 'point-contour', 'mixte', 'non-calcule'])
    .describe(
      'adresses : population de chaque commune répartie également sur ses points adresse ; point-contour : population de la commune en un point intérieur à son contour ; mixte : les deux selon les communes ; non-calcule : ni adresses ni contour',
    ),
  methode_detail: z.object({
    population_calculee: z.number(),
    communes_adresses: z.number(),
    communes_contour: z.number(),
    communes_non_calculees: z.number(),
    points: z.number(),
  }),
  calcule_le: z.string(),
  indicateurs: z.record(z.string(), IndicatorSchema),
  plus_proches: z.record(z.string(), z.object({ id: z.number(), nom: z.string(), distance_km: z.number() })).optional(),
});

/** `/inclusion/integrer`: the embedded map's filters and the frame's height in pixels. */
export const EmbedFormQuerySchema = z
  .object({ ...filters, hauteur: z.preprocess(empty, z.coerce.number().int().min(250).max(1200).default(500)) })
  .refine((q) => !q.niveau === !q.code, together);
