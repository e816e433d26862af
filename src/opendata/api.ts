import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../context.ts';
import { ErrorSchema } from '../territories/api.ts';
import { collectivitesOf } from './collectivites.ts';
import { CollectivitesAnswerSchema, CollectivitesParams } from './schema.ts';

export function registerOpendataApi(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/v1/donnees/collectivites/:niveau/:code',
    {
      schema: {
        tags: ['données ouvertes'],
        summary: 'Collectivités obligées d’ouvrir leurs données et celles qui publient',
        description:
          'Pour une région ou un département : la région, ses départements, les EPCI et les communes de plus de 3 500 habitants (populations du découpage administratif importé ; la condition de 50 agents n’est pas connue), et pour chacune si elle publie des données ouvertes selon la dernière liste importée par le traitement `opendata-collectivites` (observatoire OpenDataFrance ou fichier de statut). `taux` = `publient` / `obligees`.',
        params: CollectivitesParams,
        response: { 200: CollectivitesAnswerSchema, 400: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (req) => collectivitesOf(ctx.db, req.params.niveau, req.params.code.toUpperCase()),
  );
}
