import { z } from 'zod';
import { IsoDate, text } from '../http/schemas.ts';

/** Action statuses, in the order the pages list them. */
export const STATUTS_ACTION = ['a_lancer', 'en_cours', 'en_retard', 'terminee', 'abandonnee'] as const;
export type StatutAction = (typeof STATUTS_ACTION)[number];
export const STATUT_ACTION_LABEL: Record<StatutAction, string> = {
  a_lancer: 'À lancer',
  en_cours: 'En cours',
  en_retard: 'En retard',
  terminee: 'Terminée',
  abandonnee: 'Abandonnée',
};

export const FINANCEURS = ['region', 'etat_cper', 'europe_feder', 'departements', 'epci', 'communes', 'prive'] as const;
export type Financeur = (typeof FINANCEURS)[number];
export const FINANCEUR_LABEL: Record<Financeur, string> = {
  region: 'Région',
  etat_cper: 'État / CPER',
  europe_feder: 'Europe / FEDER',
  departements: 'Départements',
  epci: 'EPCI',
  communes: 'Communes',
  prive: 'Privé',
};

const str = (max: number) => text(max, 1, 'texte vide');
const code = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/, 'code attendu : lettres, chiffres, « . », « - », « _ » (40 au plus)');
const slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'identifiant attendu : minuscules, chiffres et tirets (« scoran-bfc »)');
const year = z.number().int('année entière attendue').min(1990).max(2100);
/** A date in YAML is written as text (`2025-12-31`); the YAML reader keeps it as text. */
const date = IsoDate;
const amount = z
  .number({ error: 'montant numérique attendu' })
  .finite()
  .min(0, 'un montant ne peut pas être négatif')
  .max(1e12, 'montant trop grand');

const BudgetLine = z
  .object({
    annee: year,
    financeur: z.enum(FINANCEURS, { error: `financeur attendu parmi ${FINANCEURS.join(', ')}` }),
    prevu: amount.default(0),
    engage: amount.default(0),
    realise: amount.default(0),
  })
  .strict();

const Jalon = z
  .object({ date: date, titre: str(300), fait: z.boolean().default(false), fait_le: date.optional() })
  .strict();

const Territoire = z
  .object({
    niveau: z.enum(['region', 'departement', 'epci', 'commune']),
    code: z.string().regex(/^[0-9A-Za-z]{2,9}$/, 'code INSEE ou SIREN attendu'),
  })
  .strict();

type NodeInput = {
  code: string;
  niveau: string;
  titre: string;
  description?: string | undefined;
  principes: string[];
  porteur?: string | undefined;
  contact?: string | undefined;
  partenaires: string[];
  territoires: z.infer<typeof Territoire>[];
  debut?: string | undefined;
  fin?: string | undefined;
  statut?: StatutAction | undefined;
  avancement?: number | undefined;
  poids: number;
  budget?: z.infer<typeof BudgetLine>[] | undefined;
  jalons?: z.infer<typeof Jalon>[] | undefined;
  enfants: NodeInput[];
};

const NodeSchema: z.ZodType<NodeInput> = z.lazy(() =>
  z
    .object({
      code,
      niveau: code,
      titre: str(500),
      description: str(4000).optional(),
      principes: z.array(code).default([]),
      porteur: str(200).optional().describe('nom exact d’une organisation de la plateforme'),
      contact: str(300).optional(),
      partenaires: z.array(str(200)).default([]),
      territoires: z.array(Territoire).default([]),
      debut: date.optional(),
      fin: date.optional(),
      statut: z.enum(STATUTS_ACTION, { error: `statut attendu parmi ${STATUTS_ACTION.join(', ')}` }).optional(),
      avancement: z
        .number({ error: 'avancement numérique attendu' })
        .min(0, 'l’avancement va de 0 à 100')
        .max(100, 'l’avancement va de 0 à 100')
        .optional(),
      poids: z.number().positive('le poids doit être positif').default(1),
      budget: z.array(BudgetLine).optional(),
      jalons: z.array(Jalon).optional(),
      enfants: z.array(NodeSchema).default([]),
    })
    .strict()
    .refine((n) => !n.debut || !n.fin || n.fin >= n.debut, { message: 'la fin précède le début', path: ['fin'] }),
);

const Mesure = z
  .object({
    date: date,
    valeur: z.number({ error: 'valeur numérique attendue' }).finite(),
    source: str(300),
    auteur: str(200).optional(),
    commentaire: str(2000).optional(),
  })
  .strict();

const Indicateur = z
  .object({
    code,
    noeud: code.optional().describe('code du nœud que l’indicateur suit'),
    libelle: str(300),
    definition: str(2000).optional(),
    unite: str(40),
    valeur_initiale: z.number().finite().optional(),
    date_initiale: date.optional(),
    cible: z.number().finite().optional(),
    date_cible: date.optional(),
    source: str(1000).optional(),
    frequence: str(100).optional(),
    responsable: str(200).optional(),
    fournisseur: z
      .string()
      .regex(/^[a-z]+\.[a-z0-9_]+$/, 'nom de fournisseur attendu (« observatoire.taux_ftth »)')
      .optional(),
    mesures: z.array(Mesure).default([]),
  })
  .strict();

/** The platform's strategy format (YAML or JSON); README « Format d’une stratégie ». */
export const StrategyFileSchema = z
  .object({
    slug,
    titre: str(300),
    region: z.string().regex(/^\d{2,3}$/, 'code INSEE de région attendu (« 27 »)'),
    debut: year,
    fin: year,
    adoptee_le: date.optional(),
    statut: z.enum(['projet', 'adoptee', 'en_revision', 'close']).default('adoptee'),
    resume: str(4000).optional(),
    document: z
      .object({ titre: str(300), editeur: str(300), date: str(40) })
      .strict()
      .optional(),
    niveaux: z
      .array(z.object({ code, libelle: str(60), pluriel: str(60), actions: z.boolean().default(false) }).strict())
      .min(1, 'au moins un niveau'),
    principes: z.array(z.object({ code, libelle: str(100), description: str(1000).optional() }).strict()).default([]),
    financements: z
      .array(
        z
          .object({
            financeur: z.enum(FINANCEURS),
            libelle: str(300),
            montant_min: amount.optional(),
            montant_max: amount.optional(),
            periode: str(40).optional(),
          })
          .strict(),
      )
      .default([]),
    noeuds: z.array(NodeSchema).default([]),
    indicateurs: z.array(Indicateur).default([]),
  })
  .strict()
  .refine((s) => s.fin >= s.debut, { message: 'la fin précède le début', path: ['fin'] });

export type StrategyFile = z.infer<typeof StrategyFileSchema>;
export type StrategyNodeInput = NodeInput;
export type IndicateurInput = z.infer<typeof Indicateur>;

const blank = (v: unknown) => (v === '' ? undefined : v);

/** Filters of the action finder (GET form; an empty field means no filter). */
export const ActionFilterSchema = z.object({
  q: z.preprocess(blank, text(200).optional()),
  niveau: z.preprocess(
    blank,
    z
      .string()
      .max(40)
      .regex(/^[a-z_]+$/, 'niveau inconnu')
      .optional(),
  ),
  statut: z.preprocess(
    blank,
    z.enum(STATUTS_ACTION, { error: `statut attendu parmi ${STATUTS_ACTION.join(', ')}` }).optional(),
  ),
  porteur: z.preprocess(blank, z.coerce.number().int().positive('porteur inconnu').optional()),
  principe: z.preprocess(
    blank,
    z
      .string()
      .max(40)
      .regex(/^[a-z0-9_-]+$/, 'principe inconnu')
      .optional(),
  ),
  territoire: z.preprocess(
    blank,
    z
      .string()
      .regex(/^(region|departement|epci|commune):[0-9A-Za-z]{2,9}$/, 'territoire attendu : niveau:code')
      .optional(),
  ),
});
export type ActionFilter = z.infer<typeof ActionFilterSchema>;
