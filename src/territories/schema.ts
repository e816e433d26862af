import { z } from 'zod';

const NIVEAUX = ['region', 'departement', 'epci', 'commune'] as const;
export const NiveauSchema = z.enum(NIVEAUX);
export type Niveau = z.infer<typeof NiveauSchema>;

export const NIVEAU_LABEL: Record<Niveau, string> = {
  region: 'Région',
  departement: 'Département',
  epci: 'EPCI',
  commune: 'Commune',
};

export const TerritoryParamsSchema = z.object({
  niveau: NiveauSchema,
  code: z
    .string()
    .trim()
    .min(1)
    .max(12)
    .regex(/^[0-9A-Za-z]+$/, 'code INSEE ou SIREN attendu'),
});

export const PagingSchema = z.object({
  limit: z.coerce.number().int().min(1).max(5000).default(500),
  offset: z.coerce.number().int().min(0).default(0),
});

export const SearchQuerySchema = z.object({
  q: z.string().trim().min(1, 'saisissez au moins un caractère').max(100, '100 caractères au plus'),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});

export const ParentSchema = z.object({ niveau: NiveauSchema, code: z.string(), nom: z.string() });
export const TerritorySchema = z.object({
  code: z.string(),
  nom: z.string(),
  niveau: NiveauSchema,
  population: z.number().nullable(),
  parents: z.array(ParentSchema),
});
export type Territory = z.infer<typeof TerritorySchema>;
export type Parent = z.infer<typeof ParentSchema>;

const CommuneItemSchema = z.object({ code: z.string(), nom: z.string(), population: z.number().nullable() });
export const CommuneListSchema = z.object({ total: z.number(), items: z.array(CommuneItemSchema) });
export const SearchResultSchema = z.object({
  items: z.array(z.object({ niveau: NiveauSchema, code: z.string(), nom: z.string() })),
});
export const ChildrenSchema = z.object({
  items: z.array(
    z.object({ niveau: NiveauSchema, code: z.string(), nom: z.string(), population: z.number().nullable() }),
  ),
});
