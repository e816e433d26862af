import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../context.ts';
import { LICENCES } from '../http/licences.ts';
import { ErrorSchema } from '../territories/api.ts';
import { MobileParamsSchema, MobileSeriesSchema } from './schema.ts';
import { mobileSeries } from './service.ts';

const TAG = ['observatoire mobile'];

export function registerMobileApi(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/v1/observatoire/mobile/:niveau/:code',
    {
      schema: {
        tags: TAG,
        summary: 'Sites mobiles d’un territoire par relevé, opérateur et génération',
        description:
          'Une entrée par relevé importé (job `sites-mobiles`), par date croissante : nombre de sites par opérateur (`orange`, `sfr`, `bouygues`, `free`) et au total, et parmi eux les sites 2G, 3G, 4G et 5G. Sites de la liste de l’Arcep (Mon réseau mobile), placés dans les communes d’aujourd’hui par leurs contours (sinon par le code commune du fichier), agrégés par EPCI, département et région. Niveau `france` : code FR (tous les sites importés).',
        params: MobileParamsSchema,
        response: { 200: MobileSeriesSchema, 400: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (req) => {
      const { scope, series, snapshots } = await mobileSeries(ctx.db, req.params.niveau, req.params.code);
      return {
        niveau: req.params.niveau,
        code: scope.code,
        nom: scope.nom,
        series: series.map((s, i) => ({
          ...s,
          source: {
            producteur: 'Arcep',
            fichier: snapshots[i]!.fichier,
            format: snapshots[i]!.format,
            importe_le: new Date(snapshots[i]!.importe_le).toISOString(),
            licence: LICENCES['licence-ouverte-2.0'].nom,
          },
        })),
      };
    },
  );
}
