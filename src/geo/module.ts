import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppModule } from '../context.ts';
import { AppError } from '../errors.ts';
import { ErrorSchema } from '../territories/api.ts';
import { TerritoryParamsSchema } from '../territories/schema.ts';
import { getTerritory } from '../territories/service.ts';
import { contoursJob } from './contours-job.ts';
import { communeShapesOf, shapeOf } from './queries.ts';

const FeatureCollectionSchema = z
  .object({ type: z.literal('FeatureCollection'), features: z.array(z.any()) })
  .describe('GeoJSON FeatureCollection (WGS84)');

export const geoModule: AppModule = {
  name: 'geo',
  jobs: [contoursJob],
  register(app, ctx) {
    const r = app.withTypeProvider<ZodTypeProvider>();
    r.get(
      '/api/v1/territoires/:niveau/:code/contour',
      {
        schema: {
          tags: ['territoires'],
          summary: 'Contour simplifié d’un territoire (GeoJSON)',
          params: TerritoryParamsSchema,
          response: { 200: FeatureCollectionSchema, 404: ErrorSchema },
        },
      },
      async (req) => {
        const t = await getTerritory(ctx.db, req.params.niveau, req.params.code);
        const s = await shapeOf(ctx.db, t.niveau, t.code);
        if (!s)
          throw new AppError(
            'INTROUVABLE',
            `no shape ${t.niveau} ${t.code}`,
            `Aucun contour n’a été importé pour ${t.nom}.`,
          );
        return {
          type: 'FeatureCollection' as const,
          features: [
            {
              type: 'Feature',
              properties: { code: t.code, nom: t.nom, niveau: t.niveau, source: s.source },
              bbox: s.bbox,
              geometry: s.geometrie,
            },
          ],
        };
      },
    );
    r.get(
      '/api/v1/territoires/:niveau/:code/communes/contours',
      {
        schema: {
          tags: ['territoires'],
          summary: 'Contours simplifiés des communes d’un territoire (GeoJSON)',
          params: TerritoryParamsSchema,
          response: { 200: FeatureCollectionSchema, 404: ErrorSchema },
        },
      },
      async (req) => {
        const t = await getTerritory(ctx.db, req.params.niveau, req.params.code);
        const shapes = await communeShapesOf(ctx.db, t.niveau, t.code);
        return {
          type: 'FeatureCollection' as const,
          features: shapes.map((s) => ({
            type: 'Feature',
            properties: { code: s.code, nom: s.nom },
            geometry: s.geometrie,
          })),
        };
      },
    );
  },
};
