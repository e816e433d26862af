import { z } from 'zod';
import { NIVEAUX_OBS } from '../observatory/service.ts';

export const MobileParamsSchema = z.object({
  niveau: z.enum(NIVEAUX_OBS).describe('region, departement, epci, commune ou france'),
  code: z
    .string()
    .trim()
    .min(1)
    .max(12)
    .regex(/^[0-9A-Za-z]+$/, 'code INSEE ou SIREN attendu (FR pour la France)')
    .describe('Code INSEE (commune, département, région), SIREN (EPCI), FR pour la France'),
});

const CountsSchema = z.object({
  sites: z.number().int().describe('Sites de l’opérateur (toutes technologies)'),
  sites_2g: z.number().int(),
  sites_3g: z.number().int(),
  sites_4g: z.number().int(),
  sites_5g: z.number().int().describe('0 dans le fichier national 2018 (pas de 5G alors)'),
});

const IndicatorSchema = z.object({
  sites_pour_10000_habitants: z
    .number()
    .nullable()
    .describe('Sites pour 10 000 habitants (population Insee des communes actuelles du territoire)'),
  sites_4g_pour_10000_habitants: z.number().nullable(),
  sites_pour_100_km2: z
    .number()
    .nullable()
    .describe('Sites des communes dont le contour est importé, pour 100 km² de ces contours (aire sphérique)'),
  sites_4g_pour_100_km2: z.number().nullable(),
  sites_partages: z
    .number()
    .int()
    .describe('Sites ayant un site d’un autre opérateur à 50 m ou moins (même relevé) ; total : somme des opérateurs'),
  communes_sans_4g: z
    .number()
    .int()
    .describe(
      'Communes (avec contour) sans site 4G de l’opérateur dans la commune ni à 5 km ou moins de son centre ; total : d’aucun opérateur',
    ),
  population_atteinte_4g_estimee: z
    .number()
    .describe(
      'Estimation à partir des sites, pas la couverture Arcep : population des communes ayant un site 4G de l’opérateur dedans ou à moins de 1,5 km (commune de 500 hab./km² ou plus) ou 6 km (autres) de leur centre ; total : d’au moins un opérateur',
    ),
  part_population_atteinte_4g_estimee_pct: z
    .number()
    .nullable()
    .describe('Part de la population des communes avec contour (%), estimation à partir des sites'),
});

const IndicatorsSchema = z
  .object({
    population: z.number().describe('Population des communes actuelles du territoire'),
    communes_avec_contour: z.number().int(),
    aire_km2: z.number().describe('Aire des contours de communes importés (km²)'),
    total: IndicatorSchema,
    operateurs: z.object({
      orange: IndicatorSchema.optional(),
      sfr: IndicatorSchema.optional(),
      bouygues: IndicatorSchema.optional(),
      free: IndicatorSchema.optional(),
    }),
  })
  .nullable()
  .describe('Indicateurs du relevé (null : relevé importé avant leur calcul, à réimporter)');

export const MobileSeriesSchema = z
  .object({
    niveau: z.enum(NIVEAUX_OBS),
    code: z.string(),
    nom: z.string(),
    series: z.array(
      z.object({
        date: z.string().describe('Date du relevé (AAAA-MM-JJ)'),
        operateurs: z
          .object({
            orange: CountsSchema.optional(),
            sfr: CountsSchema.optional(),
            bouygues: CountsSchema.optional(),
            free: CountsSchema.optional(),
          })
          .describe('Opérateurs présents dans le fichier du relevé (un opérateur absent du fichier est omis)'),
        total: CountsSchema.describe('Somme des opérateurs : un pylône partagé compte une fois par opérateur'),
        source: z.object({
          producteur: z.string(),
          fichier: z.string(),
          format: z.string(),
          importe_le: z.string(),
          licence: z.string(),
        }),
        indicateurs: IndicatorsSchema,
      }),
    ),
  })
  .describe('Sites mobiles par relevé, opérateur et génération');
