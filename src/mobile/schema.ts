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
      }),
    ),
  })
  .describe('Sites mobiles par relevé, opérateur et génération');
