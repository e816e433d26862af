import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../context.ts';
import { ErrorSchema } from '../territories/api.ts';
import { IndicateurAnswerSchema, IndicateurParams, IndicateurQuery } from './schema.ts';
import { indicator, PUBLICATION_THRESHOLD } from './service.ts';

export function registerMaturiteApi(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/v1/maturite/indicateurs/:niveau/:code',
    {
      schema: {
        tags: ['maturite'],
        summary: 'Indicateurs de maturité numérique d’un groupe de répondants',
        description: `Score moyen (0 à 100) par dimension des répondants à l’autodiagnostic et aux enquêtes importées, pour un territoire (\`niveau\` commune, epci, departement, region et son code ; territoire de la commune du siège déclarée), une section NAF (\`secteur\`, A à U) ou une tranche d’effectif (\`taille\`). \`campagne\` : le code d’une campagne (toutes sinon). En dessous de ${PUBLICATION_THRESHOLD} répondants, seul l’effectif est publié : \`{ "repondants": n, "masque": true }\`. Score d’une dimension : Σ(poids × points de la réponse) / Σ(poids × points maximum) × 100.`,
        params: IndicateurParams,
        querystring: IndicateurQuery,
        response: { 200: IndicateurAnswerSchema, 400: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (req) => indicator(ctx.db, req.params.niveau, req.params.code, req.query.campagne),
  );
}
