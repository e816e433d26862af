import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { communesOf, departementsOfRegion, epcisOf } from './queries.ts';
import {
  ChildrenSchema,
  CommuneListSchema,
  PagingSchema,
  SearchQuerySchema,
  SearchResultSchema,
  TerritoryParamsSchema,
  TerritorySchema,
} from './schema.ts';
import { getTerritory, searchTerritories } from './service.ts';

export const ErrorSchema = z.object({ erreur: z.object({ code: z.string(), message: z.string() }) }).describe('Erreur');

export function registerTerritoryApi(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const searchLimit = { max: 120, timeWindow: '1 minute' };

  r.get(
    '/api/v1/territoires/recherche',
    {
      config: { rateLimit: searchLimit },
      schema: {
        tags: ['territoires'],
        summary: 'Rechercher un territoire par nom, code INSEE, SIREN ou code postal',
        description:
          'Accents et casse ignorés ; « st » vaut « saint ». Un code à 5 chiffres cherche un code INSEE (y compris un ancien code) ou un code postal.',
        querystring: SearchQuerySchema,
        response: { 200: SearchResultSchema, 400: ErrorSchema, 429: ErrorSchema },
      },
    },
    async (req) => {
      const rows = await searchTerritories(ctx.db, req.query.q, req.query.limit);
      return { items: rows.map((x) => ({ niveau: x.niveau, code: x.code, nom: x.nom })) };
    },
  );

  r.get(
    '/api/v1/territoires/:niveau/:code',
    {
      schema: {
        tags: ['territoires'],
        summary: 'Un territoire et ses parents',
        description: 'Un ancien code de commune (commune déléguée, associée ou fusionnée) renvoie la commune actuelle.',
        params: TerritoryParamsSchema,
        response: { 200: TerritorySchema, 400: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (req) => {
      const t = await getTerritory(ctx.db, req.params.niveau, req.params.code);
      return {
        code: t.code,
        nom: t.nom,
        niveau: t.niveau,
        population: t.population === null ? null : Number(t.population),
        parents: t.parents,
      };
    },
  );

  r.get(
    '/api/v1/territoires/:niveau/:code/enfants',
    {
      schema: {
        tags: ['territoires'],
        summary: 'Les territoires immédiatement inférieurs',
        description:
          'Région → départements ; département → EPCI ayant au moins une commune dans le département ; EPCI → communes ; commune → arrondissements municipaux (Paris, Lyon, Marseille).',
        params: TerritoryParamsSchema,
        response: { 200: ChildrenSchema, 400: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (req) => {
      const t = await getTerritory(ctx.db, req.params.niveau, req.params.code);
      const pop = (p: number | null) => (p === null ? null : Number(p));
      switch (t.niveau) {
        case 'region':
          return {
            items: (await departementsOfRegion(ctx.db, t.code)).map((d) => ({
              niveau: 'departement' as const,
              code: d.code,
              nom: d.nom,
              population: pop(d.population),
            })),
          };
        case 'departement':
          return {
            items: (await epcisOf(ctx.db, 'departement', t.code)).map((e) => ({
              niveau: 'epci' as const,
              code: e.code,
              nom: e.nom,
              population: pop(e.population),
            })),
          };
        default: {
          const list = await communesOf(ctx.db, t.niveau, t.code, 5000, 0);
          return {
            items: list.items
              .filter((c) => c.code !== t.code)
              .map((c) => ({ niveau: 'commune' as const, code: c.code, nom: c.nom, population: pop(c.population) })),
          };
        }
      }
    },
  );

  r.get(
    '/api/v1/territoires/:niveau/:code/communes',
    {
      schema: {
        tags: ['territoires'],
        summary: 'Les communes d’un territoire',
        description:
          '`total` donne toujours le nombre complet de communes ; `limit` et `offset` paginent `items` (ordre alphabétique).',
        params: TerritoryParamsSchema,
        querystring: PagingSchema,
        response: { 200: CommuneListSchema, 400: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (req) => {
      const t = await getTerritory(ctx.db, req.params.niveau, req.params.code);
      return communesOf(ctx.db, t.niveau, t.code, req.query.limit, req.query.offset);
    },
  );
}
