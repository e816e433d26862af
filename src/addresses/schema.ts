import { z } from 'zod';

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
const NO_CONTROL = /^[^\u0000-\u001f\u007f-\u009f]*$/;

/** A free-text address query: 2 to 200 characters, no control characters. */
const AddressQueryText = z
  .string()
  .max(200, 'la recherche est limitée à 200 caractères')
  .regex(NO_CONTROL, 'la recherche contient des caractères de contrôle')
  .transform((s) => s.replace(/\s+/g, ' ').trim())
  .refine((s) => s.length >= 2, 'saisissez au moins 2 caractères')
  .refine((s) => /[\p{L}\p{N}]/u.test(s), 'saisissez des lettres ou des chiffres');

const CityCode = z
  .string()
  .regex(/^(\d{5}|2[AB]\d{3})$/, 'code INSEE de commune attendu (5 caractères, par ex. 90010)');
const PostCode = z.string().regex(/^\d{5}$/, 'code postal attendu (5 chiffres)');
const DeptCode = z.string().regex(/^(\d{2}|2[AB]|97\d)$/, 'code de département attendu (par ex. 21, 2A, 974)');
const Lon = z.coerce.number().min(-180, 'longitude entre -180 et 180').max(180, 'longitude entre -180 et 180');
const Lat = z.coerce.number().min(-90, 'latitude entre -90 et 90').max(90, 'latitude entre -90 et 90');

export const AddressSearchQuerySchema = z
  .object({
    q: AddressQueryText,
    limit: z.coerce.number().int().min(1, 'limit entre 1 et 50').max(50, 'limit entre 1 et 50').default(10),
    citycode: CityCode.optional(),
    postcode: PostCode.optional(),
    departement: DeptCode.optional(),
    lon: Lon.optional(),
    lat: Lat.optional(),
  })
  .refine((o) => (o.lon === undefined) === (o.lat === undefined), {
    message: 'lon et lat vont ensemble : donnez les deux ou aucun',
    path: ['lon'],
  });

export const ReverseQuerySchema = z.object({
  lon: Lon,
  lat: Lat,
  limit: z.coerce.number().int().min(1, 'limit entre 1 et 50').max(50, 'limit entre 1 et 50').default(5),
});

export const AddressIdParamsSchema = z.object({
  id: z
    .string()
    .min(1)
    .max(80)
    .regex(/^[A-Za-z0-9_-]+$/, 'identifiant d’adresse attendu (BAN, BAL ou BANO)'),
});

const AddressPropertiesSchema = z.object({
  id: z.string().describe('Identifiant de l’adresse tel que publié (BAN id, BAL cle_interop ou BANO id)'),
  type: z.enum(['housenumber', 'street']),
  label: z.string(),
  score: z.number().min(0).max(1),
  housenumber: z.string().nullable(),
  street: z.string(),
  postcode: z.string().nullable(),
  citycode: z.string().describe('Code INSEE de la commune (arrondissement municipal à Paris, Lyon, Marseille)'),
  city: z.string(),
  departement: z.string(),
  distance: z.number().optional().describe('Distance au point demandé, en mètres (recherche inverse)'),
  licence: z
    .string()
    .describe(
      'Licence de l’adresse : « Licence Ouverte 2.0 » (BAN, BAL) ou « ODbL 1.0 » (BANO, © les contributeurs d’OpenStreetMap)',
    ),
  attribution: z.string().optional().describe('Mention obligatoire quand la licence en demande une (BANO)'),
});

export const AddressFeatureSchema = z.object({
  type: z.literal('Feature'),
  geometry: z.object({ type: z.literal('Point'), coordinates: z.tuple([z.number(), z.number()]) }),
  properties: AddressPropertiesSchema,
});

export const AddressCollectionSchema = z
  .object({
    type: z.literal('FeatureCollection'),
    version: z.literal('draft'),
    licence: z.string().describe('Licences des adresses de la réponse'),
    attribution: z
      .string()
      .describe('Mentions à reproduire avec ces adresses (« © les contributeurs d’OpenStreetMap » pour BANO)'),
    query: z.string().optional(),
    features: z.array(AddressFeatureSchema),
  })
  .describe('GeoJSON FeatureCollection au format GeoCodeJSON (comme l’API Adresse nationale), WGS84');
