import { z } from 'zod';
import { PageNumberSchema } from '../http/pagination.ts';
import { text } from '../http/schemas.ts';

const SLUG = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'code attendu : minuscules, chiffres et tirets');
const LABEL = z.string().trim().min(1).max(300);
const labels = (key: z.ZodString) => z.record(key, LABEL).refine((o) => Object.keys(o).length > 0, 'liste vide');

/** The questionnaire file (src/maturite/questionnaire.yaml): strict, unknown keys refused. */
export const QuestionnaireFileSchema = z
  .strictObject({
    version: z.string().trim().min(1).max(40),
    titre: LABEL,
    campagne: z.strictObject({ code: SLUG, libelle: LABEL }),
    profil: z.strictObject({
      types: labels(z.string().regex(/^[a-z]+$/)),
      tailles: labels(z.string().regex(/^[0-9+-]{1,10}$/)),
      sections_naf: labels(z.string().regex(/^[A-U]$/, 'section NAF attendue : une lettre de A à U')),
    }),
    dimensions: z.array(z.strictObject({ slug: SLUG, libelle: LABEL })).min(1),
    questions: z
      .array(
        z.strictObject({
          code: SLUG,
          dimension: SLUG,
          libelle: LABEL,
          poids: z.number().positive().max(100),
          reponses: z.array(z.strictObject({ code: SLUG, libelle: LABEL, points: z.number().min(0).max(100) })).min(2),
        }),
      )
      .min(1),
  })
  .superRefine((f, ctx) => {
    const dims = new Set<string>();
    for (const d of f.dimensions) {
      if (dims.has(d.slug)) ctx.addIssue({ code: 'custom', message: `dimension « ${d.slug} » en double` });
      dims.add(d.slug);
    }
    const codes = new Set<string>();
    for (const q of f.questions) {
      if (codes.has(q.code)) ctx.addIssue({ code: 'custom', message: `question « ${q.code} » en double` });
      codes.add(q.code);
      if (!dims.has(q.dimension))
        ctx.addIssue({ code: 'custom', message: `question « ${q.code} » : dimension « ${q.dimension} » inconnue` });
      if (new Set(q.reponses.map((r) => r.code)).size !== q.reponses.length)
        ctx.addIssue({ code: 'custom', message: `question « ${q.code} » : réponse en double` });
      if (Math.max(...q.reponses.map((r) => r.points)) <= 0)
        ctx.addIssue({ code: 'custom', message: `question « ${q.code} » : aucune réponse ne rapporte de point` });
    }
    for (const d of dims)
      if (!f.questions.some((q) => q.dimension === d))
        ctx.addIssue({ code: 'custom', message: `dimension « ${d} » sans question` });
  });
export type QuestionnaireFile = z.infer<typeof QuestionnaireFileSchema>;

/** The respondent's profile and contact consent, as the form sends them (answers are checked against the questionnaire). */
export const ProfileFormSchema = z
  .object({
    type: z.string({ error: 'indiquez le type de structure' }).max(40),
    section_naf: z.string({ error: 'indiquez le secteur d’activité' }).max(4),
    taille: z.string({ error: 'indiquez la taille' }).max(10),
    commune: z
      .string({ error: 'indiquez le code INSEE de la commune' })
      .trim()
      .regex(/^(\d[\dAB]\d{3})$/, 'code INSEE de commune attendu : 5 caractères, ex. 21231'),
    contact: z.enum(['oui']).optional(),
    email: z.preprocess(
      (v) => (v === '' ? undefined : v),
      text(254).pipe(z.email('adresse e-mail invalide')).optional(),
    ),
  })
  .refine((f) => !f.email || f.contact === 'oui', {
    message:
      'l’adresse e-mail n’est conservée que si vous acceptez d’être recontacté : cochez la case ou videz le champ',
    path: ['email'],
  })
  .refine((f) => f.contact !== 'oui' || !!f.email, {
    message: 'pour être recontacté, indiquez une adresse e-mail',
    path: ['email'],
  });

export const TokenParams = z.object({
  jeton: z.string().regex(/^[\w-]{43}$/, 'lien de résultat invalide'),
});

export const NIVEAUX = ['commune', 'epci', 'departement', 'region', 'secteur', 'taille'] as const;
export type NiveauAgregat = (typeof NIVEAUX)[number];

export const IndicateurParams = z.object({
  niveau: z.enum(NIVEAUX, { error: `niveau attendu : ${NIVEAUX.join(', ')}` }),
  code: z
    .string()
    .trim()
    .max(12)
    .regex(/^[0-9A-Za-z+-]+$/, 'code attendu : code INSEE, SIREN, section NAF ou tranche de taille'),
});
export const IndicateurQuery = z.object({
  campagne: z.preprocess((v) => (v === '' ? undefined : v), SLUG.max(60).optional()),
});

export const IndicateurAnswerSchema = z.union([
  z.object({
    repondants: z.number().int(),
    dimensions: z.record(z.string(), z.object({ score_moyen: z.number() })),
  }),
  z.object({ repondants: z.number().int(), masque: z.literal(true) }),
]);

export const AgregatsPageQuery = z.object({
  niveau: z.preprocess((v) => (v === '' ? undefined : v), z.enum(NIVEAUX).default('departement')),
  campagne: IndicateurQuery.shape.campagne,
  page: PageNumberSchema,
});
