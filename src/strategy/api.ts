import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { ErrorSchema } from '../territories/api.ts';
import type { StrategyRow } from './queries.ts';
import { roadmapCsv } from './roadmap-csv.ts';
import { STATUTS_ACTION } from './schema.ts';
import { flatten, getStrategy, indicatorViews, listStrategies, strategyTree, type TreeNode } from './service.ts';
import { STATUTS_INDICATEUR } from './trajectory.ts';

const TAG = ['strategie'];
const n = z.number().nullable();

export const SlugParams = z.object({
  slug: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'identifiant de stratégie attendu (« scoran-bfc »)')
    .describe('Identifiant de la stratégie'),
});

const StrategyItem = z.object({
  slug: z.string(),
  titre: z.string(),
  region: z.string().describe('Code INSEE de la région'),
  debut: z.number().describe('Première année de la période'),
  fin: z.number().describe('Dernière année de la période'),
  niveaux: z.array(z.string()).describe('Codes des niveaux de l’arbre, de la racine aux actions'),
});

type NodeOut = {
  id: number;
  niveau: string;
  code: string;
  titre: string;
  statut: string;
  avancement: number;
  enfants: NodeOut[];
};
const NodeSchema: z.ZodType<NodeOut> = z.lazy(() =>
  z.object({
    id: z.number(),
    niveau: z.string(),
    code: z.string(),
    titre: z.string(),
    statut: z.enum(STATUTS_ACTION).describe('Saisi, ou calculé à partir des enfants'),
    avancement: z.number().describe('0–100 : saisi, ou moyenne pondérée des enfants non abandonnés'),
    enfants: z.array(NodeSchema),
  }),
);

const Budget = z
  .object({ prevu: z.number(), engage: z.number(), realise: z.number() })
  .describe('Euros, enfants compris');

const ActionItem = z.object({
  id: z.number(),
  code: z.string(),
  titre: z.string(),
  niveau: z.string(),
  statut: z.enum(STATUTS_ACTION),
  avancement: z.number(),
  porteur: z.string().nullable().describe('Organisation propriétaire'),
  debut: z.string().nullable(),
  fin: z.string().nullable(),
  budget: Budget,
});

const IndicatorItem = z.object({
  id: z.number(),
  code: z.string(),
  libelle: z.string(),
  unite: z.string(),
  valeur_initiale: n,
  cible: n,
  date_cible: z.string().nullable(),
  fournisseur: z
    .string()
    .nullable()
    .describe('Fournisseur qui calcule les mesures à partir des données de la plateforme'),
  statut: z.enum(STATUTS_INDICATEUR).nullable().describe('Position de la dernière mesure sur la trajectoire'),
  mesures: z.array(z.object({ date: z.string(), valeur: z.number(), source: z.string() })),
});

const ActionsQuery = z.object({
  statut: z.enum(STATUTS_ACTION).optional(),
  niveau: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,40}$/)
    .optional(),
});

const nodeOut = (x: TreeNode): NodeOut => ({
  id: x.id,
  niveau: x.niveau,
  code: x.code,
  titre: x.titre,
  statut: x.statut_calcule,
  avancement: round(x.avancement_calcule),
  enfants: x.enfants.map(nodeOut),
});
const round = (v: number) => Math.round(v * 10) / 10;

export async function strategyOr404(ctx: AppContext, slug: string): Promise<StrategyRow> {
  const s = await getStrategy(ctx.db, slug);
  if (!s) throw new AppError('INTROUVABLE', `strategie ${slug}`, `Aucune stratégie « ${slug} » sur cette plateforme.`);
  return s;
}

export const actionLevels = (s: StrategyRow) => new Set(s.niveaux.filter((l) => l.actions).map((l) => l.code));

export function registerStrategyApi(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/strategies',
    {
      schema: {
        tags: TAG,
        summary: 'Stratégies numériques suivies sur la plateforme',
        response: { 200: z.object({ items: z.array(StrategyItem) }) },
      },
    },
    async () => ({
      items: (await listStrategies(ctx.db)).map((s) => ({
        slug: s.slug,
        titre: s.titre,
        region: s.region,
        debut: s.debut,
        fin: s.fin,
        niveaux: s.niveaux.map((l) => l.code),
      })),
    }),
  );

  r.get(
    '/api/v1/strategies/:slug',
    {
      schema: {
        tags: TAG,
        summary: 'Arbre complet d’une stratégie, avec statut et avancement à chaque niveau',
        params: SlugParams,
        response: {
          200: z.object({
            slug: z.string(),
            titre: z.string(),
            niveaux: z.array(z.string()),
            noeuds: z.array(NodeSchema),
          }),
          400: ErrorSchema,
          404: ErrorSchema,
        },
      },
    },
    async (req) => {
      const s = await strategyOr404(ctx, req.params.slug);
      const tree = await strategyTree(ctx.db, s.id);
      return { slug: s.slug, titre: s.titre, niveaux: s.niveaux.map((l) => l.code), noeuds: tree.map(nodeOut) };
    },
  );

  r.get(
    '/api/v1/strategies/:slug/actions',
    {
      schema: {
        tags: TAG,
        summary: 'Actions d’une stratégie (nœuds des niveaux suivis comme actions), avec porteur et budget',
        params: SlugParams,
        querystring: ActionsQuery,
        response: {
          200: z.object({ total: z.number(), items: z.array(ActionItem) }),
          400: ErrorSchema,
          404: ErrorSchema,
        },
      },
    },
    async (req) => {
      const s = await strategyOr404(ctx, req.params.slug);
      const levels = actionLevels(s);
      const items = flatten(await strategyTree(ctx.db, s.id))
        .filter((x) => levels.has(x.niveau))
        .filter((x) => !req.query.statut || x.statut_calcule === req.query.statut)
        .filter((x) => !req.query.niveau || x.niveau === req.query.niveau)
        .map((x) => ({
          id: x.id,
          code: x.code,
          titre: x.titre,
          niveau: x.niveau,
          statut: x.statut_calcule,
          avancement: round(x.avancement_calcule),
          porteur: x.porteur,
          debut: x.debut,
          fin: x.fin,
          budget: x.budget_total,
        }));
      return { total: items.length, items };
    },
  );

  r.get(
    '/api/v1/strategies/:slug/indicateurs',
    {
      schema: {
        tags: TAG,
        summary: 'Indicateurs SMART d’une stratégie, leurs mesures et leur position sur la trajectoire',
        description:
          'Statut de la dernière mesure sur la droite allant de la valeur initiale (ou de la première mesure) à la cible : `en_avance`, `conforme`, `a_risque`, `hors_trajectoire` ; `null` sans cible datée ou sans mesure. Les mesures d’un fournisseur (`observatoire.taux_ftth`…) sont recalculées après chaque import qui l’alimente.',
        params: SlugParams,
        response: { 200: z.object({ items: z.array(IndicatorItem) }), 400: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (req) => {
      const s = await strategyOr404(ctx, req.params.slug);
      return {
        items: (await indicatorViews(ctx.db, s)).map((i) => ({
          id: i.id,
          code: i.code,
          libelle: i.libelle,
          unite: i.unite,
          valeur_initiale: i.valeur_initiale,
          cible: i.cible,
          date_cible: i.date_cible,
          fournisseur: i.fournisseur,
          statut: i.evaluation.statut,
          mesures: i.mesures.map((m) => ({ date: m.mesure_le, valeur: m.valeur, source: m.source_mesure })),
        })),
      };
    },
  );

  r.get(
    '/api/v1/strategies/:slug/export.csv',
    {
      schema: {
        tags: TAG,
        summary: 'Feuille de route en CSV (UTF-8 avec BOM, « ; »), réimportable par l’import strategie-csv',
        description:
          'Une ligne par nœud : strategie, id, code, niveau, titre, porteur, statut, avancement, debut, fin, budget_prevu, budget_engage, budget_realise. Un réimport modifie statut, avancement, debut et fin ; strategie, id et code identifient la ligne.',
        params: SlugParams,
        response: { 200: z.string().describe('CSV'), 400: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (req, reply) => {
      const s = await strategyOr404(ctx, req.params.slug);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="feuille-de-route-${s.slug}.csv"`)
        .send(await roadmapCsv(ctx.db, s));
    },
  );
}
