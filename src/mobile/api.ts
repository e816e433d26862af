import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../context.ts';
import { LICENCES } from '../http/licences.ts';
import { ErrorSchema } from '../territories/api.ts';
import { MobileParamsSchema, MobileSeriesSchema } from './schema.ts';
import { mobileIndicators, mobileSeries } from './service.ts';

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
          'Une entrée par relevé importé (job `sites-mobiles`), par date croissante : nombre de sites par opérateur (`orange`, `sfr`, `bouygues`, `free`) et au total, et parmi eux les sites 2G, 3G, 4G et 5G. Sites de la liste de l’Arcep (Mon réseau mobile), placés dans les communes d’aujourd’hui par leurs contours (sinon par le code commune du fichier), agrégés par EPCI, département et région. Niveau `france` : code FR (tous les sites importés). Champ `indicateurs` (ajouté) : densités de sites, sites partagés (un autre opérateur à 50 m ou moins), communes sans 4G d’un opérateur (ni dans la commune ni à 5 km de son centre) et population atteinte **estimée à partir des sites** par un modèle de rayon (1,5 km autour du centre des communes de 500 hab./km² ou plus, 6 km ailleurs), qui n’est pas la couverture publiée par l’Arcep.',
        params: MobileParamsSchema,
        response: { 200: MobileSeriesSchema, 400: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (req) => {
      const { scope, series, snapshots } = await mobileSeries(ctx.db, req.params.niveau, req.params.code);
      const indicateurs = await mobileIndicators(ctx.db, req.params.niveau, scope.code, series);
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
          indicateurs: indicateurs[i] ?? null,
        })),
      };
    },
  );
}
