import { z } from 'zod';
import { text } from '../http/schemas.ts';

const empty = (v: unknown) => (v === '' ? undefined : v);

export const CatalogQuerySchema = z.object({
  theme: z.preprocess(empty, text(100).optional()),
  module: z.preprocess(empty, text(40).optional()),
});

/** `/donnees/{jeu}` or `/donnees/{jeu}.{format}`: checked against the registry in the handler (404 there). */
export const FileParams = z.object({ fichier: text(160) });
export const DatasetParams = z.object({ jeu: text(120) });

export const CollectivitesParams = z.object({
  niveau: z.enum(['region', 'departement'], { message: 'niveau attendu : region ou departement' }),
  code: z
    .string()
    .trim()
    .regex(/^(\d{2,3}|2[AB])$/i, 'code INSEE de région ou de département attendu'),
});

export const CollectivitesPageQuery = z.object({
  region: z.preprocess(
    empty,
    z
      .string()
      .regex(/^\d{2,3}$/, 'code INSEE de région attendu')
      .optional(),
  ),
});

const Item = z.object({
  siren: z
    .string()
    .nullable()
    .describe('SIREN de la collectivité (celui de l’organisation publiante pour un département ou une région)'),
  nom: z.string(),
  type: z.enum(['region', 'departement', 'epci', 'commune']),
  code: z.string().describe('code INSEE (SIREN pour un EPCI)'),
  population: z.number().nullable(),
  publie: z.boolean().describe('publie des données ouvertes selon la dernière liste importée'),
  jeux: z.number().nullable().describe('nombre de jeux publiés, quand un fichier de statut le donne'),
  derniere_publication: z.string().nullable().describe('AAAA-MM-JJ, quand un fichier de statut la donne'),
  url_plateforme: z.string().nullable(),
  departement: z.string().nullable(),
});

export const CollectivitesAnswerSchema = z.object({
  niveau: z.enum(['region', 'departement']),
  code: z.string(),
  nom: z.string(),
  obligees: z
    .number()
    .describe('collectivités obligées : communes et EPCI de plus de 3 500 habitants, départements, région'),
  publient: z.number(),
  taux: z.number().nullable().describe('publient / obligees (0 à 1)'),
  items: z.array(Item),
});

export const TraitementParams = z.object({
  code: z.string().regex(/^[a-z0-9-]{1,60}$/, 'code de traitement invalide'),
});

const champ = (max: number) => text(max, 1, 'champ requis');
export const TraitementForm = z.object({
  _csrf: z.string().max(100).optional(),
  nom: champ(200),
  finalite: champ(2000),
  base_legale: champ(1000),
  categories_donnees: champ(2000),
  categories_personnes: champ(1000),
  duree_conservation: champ(1000),
  destinataires: champ(1000),
  transferts: champ(1000),
  mesures_securite: champ(2000),
});

/** Datalab view in the URL: columns are checked against the dataset's schema by the explorer, not here. */
const Col = z.preprocess(empty, z.string().max(100).optional());
const Val = z.preprocess(empty, z.string().max(200).optional());
const OpSchema = z.preprocess(empty, z.enum(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'contient']).optional());
export const ExploreQuery = z.object({
  groupe: Col,
  agregat: z.preprocess(empty, z.enum(['count', 'sum', 'avg', 'min', 'max']).optional()),
  mesure: Col,
  tri: z.preprocess(empty, z.enum(['valeur', 'groupe']).optional()),
  ordre: z.preprocess(empty, z.enum(['asc', 'desc']).optional()),
  limite: z.preprocess(empty, z.coerce.number().int().min(1).max(100).optional()),
  c1: Col,
  o1: OpSchema,
  v1: Val,
  c2: Col,
  o2: OpSchema,
  v2: Val,
  c3: Col,
  o3: OpSchema,
  v3: Val,
});
