import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { ErrorSchema } from '../territories/api.ts';
import * as Q from './queries.ts';
import { INDICATEURS, NIVEAUX_OBS, resolveScope, seriesFor } from './service.ts';
import { freshness, targetsFor } from './targets.ts';

const n = z.number().nullable();
const TAG = ['observatoire'];

const ObsParamsSchema = z.object({
  niveau: z.enum(NIVEAUX_OBS).describe('region, departement, epci, commune ou france'),
  code: z
    .string()
    .trim()
    .min(1)
    .max(12)
    .regex(/^[0-9A-Za-z]+$/, 'code INSEE ou SIREN attendu (FR pour la France)')
    .describe('Code INSEE (commune, département, région), SIREN (EPCI), FR pour la France'),
});
const ObsQuerySchema = z.object({
  perimetre: z
    .enum(['toutes', 'terrestre', 'filaire', 'dsl'])
    .default('toutes')
    .describe('Ma connexion internet : toutes technologies (défaut), terrestres, filaires ou DSL'),
});

const SourceSchema = z.object({
  fichier: z.string(),
  producteur: z.string(),
  licence: z.string(),
  importe_le: z.string(),
});
const ClassesSchema = z
  .object({ inel: n, moins_3: n, de_3_a_8: n, de_8_a_30: n, de_30_a_100: n, de_100_a_1g: n, au_moins_1g: n })
  .nullable()
  .describe('Répartition exclusive des locaux par classe de débit (déduite des effectifs cumulés)');

const SeriesItemSchema = z.object({
  periode: z
    .string()
    .describe('« 2018-T1 » pour un trimestre de l’observatoire, date ISO sinon (Ma connexion internet)'),
  date: z.string().describe('Date de fin de la période (AAAA-MM-JJ)'),
  jeu: z.enum(['arcep-deploiements', 'mci-communes']),
  perimetre: z.string(),
  communes: z.number().describe('Communes actuelles ayant une donnée'),
  locaux_raccordables: n.describe('Locaux raccordables FttH (observatoire trimestriel Arcep)'),
  categorie: n.describe('Catégorie Arcep de taux de couverture (commune seulement)'),
  logements: n,
  etablissements: n,
  locaux: n.describe('Logements + Établissements (feuille informations Arcep)'),
  millesime_locaux: z.string().nullable(),
  logements_insee: n,
  taux_ftth: n.describe('Part des locaux raccordables FttH (0–1)'),
  denominateur_taux_ftth: z.enum(['locaux', 'locaux_arcep', 'logements_insee']).nullable(),
  denominateur_taux_ftth_libelle: z.string().nullable(),
  taux_ftth_logements_insee: n,
  communes_ftth_completes: n,
  communes_ftth_nulles: n,
  nbr: n,
  inel_hd: n,
  elig_hd05: n,
  elig_hd3: n,
  elig_bhd8: n,
  elig_thd30: n,
  elig_thd100: n,
  elig_thd1g: n,
  classes: ClassesSchema,
  part_bhd8: n,
  part_thd30: n,
  part_thd100: n,
  part_thd1g: n,
  denominateur_parts: z.literal('nbr').nullable(),
  communes_thd_completes: n,
  communes_thd_nulles: n,
  origine: z
    .enum(['arcep', 'communes'])
    .nullable()
    .describe(
      'FttH : totaux publiés par l’Arcep pour ce territoire (arcep) ou somme des communes actuelles (communes)',
    ),
  sources: z.array(SourceSchema),
});

const ObsTerritorySchema = z.object({ niveau: z.enum(NIVEAUX_OBS), code: z.string(), nom: z.string() });
const FixeResponseSchema = z.object({ territoire: ObsTerritorySchema, series: z.array(SeriesItemSchema) });

const ObjectifSchema = z.object({
  id: z.number(),
  libelle: z.string(),
  strategie: z.string(),
  territoire_niveau: z.string(),
  territoire_code: z.string(),
  indicateur: z.enum(INDICATEURS),
  cible: z.number(),
  echeance: z.string(),
  source: z.string(),
  note: z.string().nullable(),
  actif: z.boolean(),
  perimetre: z
    .enum(['ftth', 'toutes', 'terrestre', 'filaire'])
    .describe(
      'Technologies sur lesquelles l’objectif est mesuré : ftth (observatoire FttH), toutes (satellite compris), terrestre (satellite exclu), filaire',
    ),
});
const ProjectionSchema = z.object({
  actuel: n,
  periode_actuelle: z.string().nullable(),
  ecart: n,
  date_mesure: z.string().nullable().describe('Date de la dernière mesure (AAAA-MM-JJ)'),
  donnees_anciennes: z.boolean().describe('Dernière mesure plus ancienne que OBS_DONNEES_ANCIENNES_MOIS'),
  statut: z.enum([
    'atteint',
    'en_bonne_voie',
    'en_retard',
    'projection_passee',
    'sans_progression',
    'tendance_indisponible',
    'sans_donnee',
    'non_evaluable',
  ]),
  date_projetee: z
    .string()
    .nullable()
    .describe('Date projetée (tendance, pas une mesure) ; dans le passé si statut projection_passee'),
  methode: z.string().nullable().describe('Méthode de la projection'),
  message: z.string(),
  valeur_proche: z
    .object({ valeur: z.number(), libelle: z.string(), periode: z.string() })
    .nullable()
    .describe('Objectif non évaluable : valeur la plus proche disponible, libellée comme telle'),
});
const ObjectifsResponseSchema = z.object({
  territoire: ObsTerritorySchema,
  objectifs: z.array(z.object({ objectif: ObjectifSchema, projection: ProjectionSchema })),
});

const ControleQuerySchema = z.object({
  niveau: z.enum(['departement', 'region', 'epci']).default('departement'),
  periode: z
    .string()
    .regex(/^\d{4}-T[1-4]$/, 'trimestre attendu sous la forme 2018-T1')
    .optional(),
});
const ControleResponseSchema = z.object({
  niveau: z.string(),
  lignes: z.array(
    z.object({
      code: z.string(),
      nom: z.string().nullable(),
      periode: z.string(),
      publie: n,
      recalcule: n,
      ecart: n,
      explique: z.boolean(),
      somme_communes_publiees: n,
      non_rattaches: n,
      codes_non_rattaches: z.array(z.string()),
      sortants: n,
      entrants: n,
      explication: z.string(),
    }),
  ),
});

type ControleLine = z.infer<typeof ControleResponseSchema>['lignes'][number];

/** Published totals against recomputed ones, with the explanation of each difference. */
export async function controleLines(
  ctx: AppContext,
  niveau: 'departement' | 'region' | 'epci',
  periode: string | null,
): Promise<ControleLine[]> {
  if (niveau === 'epci') {
    return (await Q.controleEpci(ctx.db, periode)).map((r) => {
      const ecart = r.perimetre_actuel === null || r.publie === null ? null : r.perimetre_actuel - r.publie;
      const same = r.perimetre_publie !== null && r.publie !== null && r.perimetre_publie === r.publie;
      return {
        code: r.code,
        nom: r.nom,
        periode: r.periode,
        publie: r.publie,
        recalcule: r.perimetre_actuel,
        ecart,
        somme_communes_publiees: r.perimetre_publie,
        non_rattaches: null,
        codes_non_rattaches: [],
        sortants: null,
        entrants: null,
        explique: ecart === 0 || (same && r.perimetre_actuel !== null) || (same && ecart === null),
        explication:
          ecart === 0
            ? 'Identique.'
            : same
              ? r.perimetre_actuel === null
                ? 'Somme des communes membres en 2018 identique ; cet EPCI n’existe plus aujourd’hui.'
                : 'Somme des communes membres en 2018 identique ; l’écart vient du changement de périmètre de l’EPCI depuis.'
              : 'Écart non expliqué par le périmètre publié.',
      };
    });
  }
  return (await Q.controle(ctx.db, niveau, periode)).map((r) => {
    const ecart = r.recalcule === null || r.publie === null ? null : r.recalcule - r.publie;
    const explained = (r.publie ?? 0) - (r.non_rattaches ?? 0) - (r.sortants ?? 0) + (r.entrants ?? 0);
    const residual = r.recalcule === null ? null : r.recalcule - explained;
    const rounding = niveau === 'region' && residual !== null && Math.abs(residual) <= 500;
    const parts: string[] = [];
    if (r.non_rattaches)
      parts.push(`${r.non_rattaches.toLocaleString('fr-FR')} locaux de codes non rattachés (${r.codes_non_rattaches})`);
    if (r.sortants)
      parts.push(
        `${r.sortants.toLocaleString('fr-FR')} locaux de communes passées dans un autre ${niveau === 'region' ? 'région' : 'département'}`,
      );
    if (r.entrants)
      parts.push(
        `${r.entrants.toLocaleString('fr-FR')} locaux de communes venues d’un autre ${niveau === 'region' ? 'région' : 'département'}`,
      );
    if (rounding && residual !== 0) parts.push(`arrondi au millier par l’Arcep (${residual!.toLocaleString('fr-FR')})`);
    return {
      code: r.code,
      nom: r.nom,
      periode: r.periode,
      publie: r.publie,
      recalcule: r.recalcule,
      ecart,
      somme_communes_publiees: r.somme_communes_publiees,
      non_rattaches: r.non_rattaches,
      codes_non_rattaches: r.codes_non_rattaches ? r.codes_non_rattaches.split(' ') : [],
      sortants: r.sortants,
      entrants: r.entrants,
      explique: ecart === 0 || residual === 0 || rounding,
      explication:
        ecart === 0
          ? 'Identique.'
          : residual === null
            ? 'Aucune commune importée pour ce territoire.'
            : residual === 0 || rounding
              ? `Écart expliqué : ${parts.join(' ; ')}.`
              : `Écart non expliqué de ${residual.toLocaleString('fr-FR')} locaux${parts.length ? ` (après ${parts.join(' ; ')})` : ''}.`,
    };
  });
}

export function registerObservatoryApi(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/observatoire/fixe/:niveau/:code',
    {
      schema: {
        tags: TAG,
        summary: 'Haut et très haut débit fixe d’un territoire, par période',
        description:
          'Une entrée par période, par date croissante. Observatoire trimestriel de l’Arcep (`periode` « 2018-T1 ») : `locaux_raccordables` FttH, `taux_ftth` (0–1) et son dénominateur nommé. Ma connexion internet (`periode` = date du fichier) : champs Arcep `nbr`, `inel_hd`, `elig_hd05`, `elig_hd3`, `elig_bhd8`, `elig_thd30`, `elig_thd100`, `elig_thd1g` (effectifs cumulés : locaux éligibles à au moins ce débit), parts 0–1 rapportées à `nbr`. Chaque entrée cite ses fichiers sources, leur date d’import et leur licence. Niveau `france` : code FR. Les communes sont agrégées dans le COG en vigueur (anciens codes rattachés).',
        params: ObsParamsSchema,
        querystring: ObsQuerySchema,
        response: { 200: FixeResponseSchema, 400: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (req) => {
      const scope = await resolveScope(ctx.db, req.params.niveau, req.params.code);
      const series = await seriesFor(ctx.db, scope, req.query.perimetre);
      return { territoire: { niveau: scope.niveau, code: scope.code, nom: scope.nom }, series };
    },
  );

  r.get(
    '/api/v1/observatoire/fixe/:niveau/:code/objectifs',
    {
      schema: {
        tags: TAG,
        summary: 'Objectifs applicables à un territoire : valeur actuelle, écart et projection',
        description:
          'Objectifs du territoire, de ses territoires parents et nationaux/européens. Chaque objectif est évalué sur les données de ses technologies (`perimetre`) ; sans elles il est `non_evaluable` et la valeur la plus proche est donnée à part. La projection prolonge la tendance linéaire des quatre dernières mesures, seulement si la dernière date de moins de OBS_DONNEES_ANCIENNES_MOIS mois.',
        params: ObsParamsSchema,
        querystring: ObsQuerySchema,
        response: { 200: ObjectifsResponseSchema, 400: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (req) => {
      const scope = await resolveScope(ctx.db, req.params.niveau, req.params.code);
      const objectifs = await targetsFor(ctx.db, scope, freshness(ctx.config.obsMaxAgeMonths));
      return {
        territoire: { niveau: scope.niveau, code: scope.code, nom: scope.nom },
        objectifs: objectifs.map((o) => ({
          ...o,
          objectif: { ...o.objectif, indicateur: o.objectif.indicateur as (typeof INDICATEURS)[number] },
        })),
      };
    },
  );

  r.get(
    '/api/v1/observatoire/controle',
    {
      schema: {
        tags: TAG,
        summary: 'Contrôle : totaux publiés par l’Arcep et totaux recalculés depuis les communes',
        description:
          'Pour chaque département (ou région, ou EPCI) et trimestre : total publié par l’Arcep, total recalculé par la plateforme à partir des lignes communales (communes actuelles), écart, et son explication (codes non rattachés listés, communes ayant changé de département, arrondi au millier des régions par l’Arcep, changement de périmètre des EPCI).',
        querystring: ControleQuerySchema,
        response: { 200: ControleResponseSchema, 400: ErrorSchema },
      },
    },
    async (req) => ({
      niveau: req.query.niveau,
      lignes: await controleLines(ctx, req.query.niveau, req.query.periode ?? null),
    }),
  );
}
