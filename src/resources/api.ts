import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../context.ts';
import { ErrorSchema } from '../territories/api.ts';
import * as Q from './queries.ts';
import { AidesAnswerSchema, AidesQuerySchema, SearchAnswerSchema, SearchQuerySchema } from './schema.ts';
import { searchResources } from './search.ts';
import { territoryAndParents } from './service.ts';

const API_PAGE = 100;

/** Filters of the aids list as the queries take them. */
export async function aideFilterOf(
  ctx: AppContext,
  q: {
    beneficiaire?: string | undefined;
    niveau?: string | undefined;
    code?: string | undefined;
    theme?: string | undefined;
    type?: string | undefined;
    echeance_avant?: string | undefined;
  },
): Promise<Q.AideFilter> {
  return {
    beneficiaire: q.beneficiaire,
    theme: q.theme,
    type: q.type,
    echeanceAvant: q.echeance_avant,
    territoires: q.niveau && q.code ? await territoryAndParents(ctx.db, q.niveau as 'commune', q.code) : undefined,
  };
}

export function registerResourcesApi(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/v1/aides',
    {
      schema: {
        tags: ['ressources'],
        summary: 'Aides financières (guichet unique)',
        description:
          'Aides importées d’Aides-territoires, filtrées par bénéficiaire, territoire (`niveau` + `code` : les aides ouvertes à ce territoire, y compris celles de son EPCI, de son département, de sa région et les aides nationales), thème (catégorie de la source), type et date limite (`echeance_avant`, AAAA-MM-JJ : aides dont la clôture est à cette date ou avant). 100 aides par page (`page`).',
        querystring: AidesQuerySchema,
        response: { 200: AidesAnswerSchema, 400: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (req) => {
      const { page, ...f } = req.query;
      const res = await Q.listAides(ctx.db, await aideFilterOf(ctx, f), API_PAGE, (page - 1) * API_PAGE);
      return {
        total: res.total,
        items: res.items.map((a) => ({
          id: a.id,
          nom: a.nom,
          porteurs: a.porteurs,
          beneficiaires: a.beneficiaires,
          types: a.types,
          date_ouverture: a.date_ouverture,
          date_echeance: a.date_echeance,
          url: `/ressources/aides/${a.id}`,
        })),
      };
    },
  );

  r.get(
    '/api/v1/ressources/recherche',
    {
      config: { rateLimit: { max: 120, timeWindow: '1 minute' } },
      schema: {
        tags: ['ressources'],
        summary: 'Recherche plein texte dans l’espace ressources',
        description:
          'Recherche dans les aides et les acteurs, racinisation française (configuration `french`) et sans accents (« numerique » trouve « numérique »). Syntaxe de `websearch_to_tsquery` : mots (tous requis), "expression exacte", `or`, `-exclu`. Filtres : `type` (aide, acteur), `theme`, territoire (`niveau` + `code`, ce territoire et ceux qui le contiennent). `extrait` est du HTML échappé où les termes trouvés sont entre `<mark>`. 20 résultats par page (`page`).',
        querystring: SearchQuerySchema,
        response: { 200: SearchAnswerSchema, 400: ErrorSchema, 404: ErrorSchema, 429: ErrorSchema },
      },
    },
    async (req) => {
      const { q, type, theme, niveau, code, page } = req.query;
      const territoires =
        niveau && code
          ? (await territoryAndParents(ctx.db, niveau, code)).map((t) => `${t.niveau}:${t.code}`)
          : undefined;
      return searchResources(ctx.db, { q, type, theme, territoires }, 20, (page - 1) * 20);
    },
  );
}
