import { z } from 'zod';
import { parisClock } from '../http/html.ts';
import { PageNumberSchema } from '../http/pagination.ts';
import { CsrfField, IsoDate, optText, text } from '../http/schemas.ts';
import { BENEFICIAIRES, GENRES_RESSOURCE, LICENCES_RESSOURCE, SEARCH_TYPES, TYPES_AIDE } from './vocab.ts';

const empty = (v: unknown) => (v === '' ? undefined : v);
const opt = <T extends z.ZodType>(s: T) => z.preprocess(empty, s.optional());

const NIVEAU = z.enum(['region', 'departement', 'epci', 'commune'], {
  error: 'niveau attendu : region, departement, epci ou commune',
});
const CODE = z
  .string()
  .trim()
  .max(12)
  .regex(/^[0-9A-Za-z]+$/, 'code INSEE ou SIREN attendu');

const searchKeys = Object.keys(SEARCH_TYPES) as [keyof typeof SEARCH_TYPES, ...(keyof typeof SEARCH_TYPES)[]];
const SearchType = z.enum(searchKeys, { error: `type attendu : ${searchKeys.join(', ')}` });

const beneficiaireKeys = Object.keys(BENEFICIAIRES) as [keyof typeof BENEFICIAIRES, ...(keyof typeof BENEFICIAIRES)[]];
const typeKeys = Object.keys(TYPES_AIDE) as [keyof typeof TYPES_AIDE, ...(keyof typeof TYPES_AIDE)[]];

/** Filters of the aids list, shared by the API and the page (a territory needs both niveau and code). */
export const AidesQuerySchema = z
  .object({
    beneficiaire: opt(z.enum(beneficiaireKeys, { error: `bénéficiaire attendu : ${beneficiaireKeys.join(', ')}` })),
    niveau: opt(NIVEAU),
    code: opt(CODE),
    theme: opt(text(200)),
    type: opt(z.enum(typeKeys, { error: `type attendu : ${typeKeys.join(', ')}` })),
    echeance_avant: opt(IsoDate),
    page: PageNumberSchema,
  })
  .refine((q) => !q.niveau === !q.code, { message: 'niveau et code vont ensemble (ex. niveau=commune&code=21231)' });

const AideSchema = z.object({
  id: z.number(),
  nom: z.string(),
  porteurs: z.array(z.string()),
  beneficiaires: z.array(z.string()),
  types: z.array(z.string()),
  date_ouverture: z.string().nullable(),
  date_echeance: z.string().nullable(),
  url: z.string(),
});
export const AidesAnswerSchema = z.object({ total: z.number(), items: z.array(AideSchema) });

export const SearchQuerySchema = z
  .object({
    q: text(200, 1, 'saisissez au moins un mot'),
    type: opt(SearchType),
    theme: opt(text(60)),
    niveau: opt(NIVEAU),
    code: opt(CODE),
    page: PageNumberSchema,
  })
  .refine((q) => !q.niveau === !q.code, { message: 'niveau et code vont ensemble (ex. niveau=departement&code=21)' });

export const SearchPageQuerySchema = z.object({
  q: opt(text(200)),
  type: opt(SearchType),
  theme: opt(text(60)),
  niveau: opt(NIVEAU),
  code: opt(CODE),
  page: PageNumberSchema,
});

export const SearchAnswerSchema = z.object({
  total: z.number(),
  items: z.array(
    z.object({
      type: z.string(),
      id: z.number(),
      titre: z.string(),
      extrait: z.string().describe('extrait en HTML échappé, termes trouvés entre <mark> et </mark>'),
      url: z.string(),
    }),
  ),
});

// Actors

export const ACTEUR_CATEGORIES = {
  collectivite: 'Collectivité',
  'syndicat-mixte': 'Syndicat mixte',
  gip: 'Groupement d’intérêt public',
  operateur: 'Opérateur',
  association: 'Association',
  entreprise: 'Entreprise',
  laboratoire: 'Laboratoire, recherche',
  'tiers-lieu': 'Tiers-lieu',
  etablissement: 'Établissement d’enseignement',
  etat: 'Service de l’État',
  autre: 'Autre',
} as const;
const categorieKeys = Object.keys(ACTEUR_CATEGORIES) as [string, ...string[]];

/** Luhn key of a SIREN (9 digits) or SIRET (14 digits); La Poste's SIRETs (SIREN 356000000) use a digit sum instead. */
export function luhnOk(digits: string): boolean {
  if (digits.length === 14 && digits.startsWith('356000000')) {
    return [...digits].reduce((s, d) => s + Number(d), 0) % 5 === 0;
  }
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

const compact = (s: string) => s.replace(/[\s.]/g, '');
const siren = z
  .string()
  .transform(compact)
  .pipe(
    z
      .string()
      .regex(/^(\d{9})?$/, 'SIREN : 9 chiffres')
      .refine((s) => !s || luhnOk(s), 'SIREN invalide : la clé de contrôle (Luhn) ne correspond pas'),
  );
const siret = z
  .string()
  .transform(compact)
  .pipe(
    z
      .string()
      .regex(/^(\d{14})?$/, 'SIRET : 14 chiffres')
      .refine((s) => !s || luhnOk(s), 'SIRET invalide : la clé de contrôle (Luhn) ne correspond pas'),
  );
/** RNA number of an association: W + 9 characters (digits, or a département code such as 2A then digits). */
const rna = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^(W[0-9AB]\d{8})?$/, 'numéro RNA : W suivi de 9 caractères (ex. W212001234)');

export const ActeurFormSchema = z
  .object({
    ...CsrfField,
    nom: text(200, 2, 'nom requis (2 caractères au moins)'),
    categorie: z.enum(categorieKeys, { error: 'type d’acteur inconnu' }),
    niveau: z.preprocess(empty, NIVEAU.optional()),
    code_territoire: z.preprocess(empty, CODE.optional()),
    themes: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])),
    competences: optText(2000).default(''),
    description: optText(10_000).default(''),
    siret: siret.default(''),
    siren: siren.default(''),
    rna: rna.default(''),
    site: z
      .string()
      .trim()
      .max(500)
      .regex(/^(https?:\/\/[^\s<>"]+)?$/, 'site : adresse commençant par http:// ou https://')
      .default(''),
    contact_public: optText(1000).default(''),
    organisationId: z.string().optional(),
  })
  .refine((a) => !a.niveau === !a.code_territoire, {
    message: 'territoire : choisissez un niveau et saisissez un code, ou laissez les deux vides',
    path: ['code_territoire'],
  })
  .refine((a) => !a.siret || !a.siren || a.siret.startsWith(a.siren), {
    message: 'le SIRET doit commencer par le SIREN',
    path: ['siret'],
  });

export const ActeursQuerySchema = z.object({
  theme: opt(text(60)),
  categorie: opt(z.enum(categorieKeys, { error: 'type d’acteur inconnu' })),
  page: PageNumberSchema,
});

// Agenda and news watch

const URL_FIELD = z
  .string()
  .trim()
  .max(500)
  .regex(/^(https?:\/\/[^\s<>"]+)?$/, 'adresse commençant par http:// ou https:// attendue')
  .default('');

/** A wall-clock time in Paris (`AAAA-MM-JJTHH:MM`, what <input type="datetime-local"> sends) → the instant. */
export function parisInstant(local: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  const check = new Date(guess);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59) return null;
  const offsetAt = (t: number) => {
    const p = parisClock(new Date(t));
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) - t;
  };
  const first = guess - offsetAt(guess);
  return new Date(guess - offsetAt(first));
}

const LocalTime = z
  .string()
  .trim()
  .transform((s, c) => {
    const d = parisInstant(s);
    if (!d) {
      c.addIssue({ code: 'custom', message: 'date et heure AAAA-MM-JJTHH:MM attendues' });
      return z.NEVER;
    }
    return d;
  });

const themesField = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));

export const EvenementFormSchema = z
  .object({
    ...CsrfField,
    titre: text(300, 2, 'titre requis'),
    debut: LocalTime,
    fin: LocalTime,
    lieu: optText(500).default(''),
    lien_en_ligne: URL_FIELD,
    organisateur: optText(300).default(''),
    themes: themesField,
    inscription: URL_FIELD,
    description: optText(10_000).default(''),
    organisationId: z.string().optional(),
  })
  .refine((e) => e.fin.getTime() >= e.debut.getTime(), {
    message: 'la fin de l’événement précède son début',
    path: ['fin'],
  })
  .refine((e) => e.lieu || e.lien_en_ligne, {
    message: 'indiquez un lieu ou un lien de connexion',
    path: ['lieu'],
  });

export const ActualiteFormSchema = z.object({
  ...CsrfField,
  titre: text(300, 2, 'titre requis'),
  source_nom: text(200, 2, 'source requise'),
  lien: URL_FIELD,
  publie_le: IsoDate,
  etiquettes: text(500)
    .default('')
    .transform((s) => [
      ...new Set(
        s
          .split(/[,;]+/)
          .map((x) => x.trim().toLowerCase())
          .filter(Boolean),
      ),
    ]),
  resume: text(5000, 2, 'résumé requis'),
  organisationId: z.string().optional(),
});

export const AgendaQuerySchema = z.object({ theme: opt(text(60)), page: PageNumberSchema });
export const NewsQuerySchema = z.object({ etiquette: opt(text(60)), page: PageNumberSchema });

const genreKeys = Object.keys(GENRES_RESSOURCE) as [
  keyof typeof GENRES_RESSOURCE,
  ...(keyof typeof GENRES_RESSOURCE)[],
];
const licenceKeys = Object.keys(LICENCES_RESSOURCE) as [
  keyof typeof LICENCES_RESSOURCE,
  ...(keyof typeof LICENCES_RESSOURCE)[],
];

/** The fields of a library resource (sent with its first file, or alone to edit it). */
export const LibraryFormSchema = z.object({
  ...CsrfField,
  titre: text(300, 2, 'titre requis'),
  genre: z.enum(genreKeys, { error: 'type de document inconnu' }),
  licence: z.enum(licenceKeys, { error: 'licence inconnue' }),
  auteurs: optText(500).transform((v) => v ?? ''),
  description: optText(10_000).transform((v) => v ?? ''),
  themes: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])),
  note: optText(1000).transform((v) => v ?? ''),
  organisationId: z.string().optional(),
});
export const VersionFormSchema = z.object({ ...CsrfField, note: optText(1000).transform((v) => v ?? '') });
export const LibraryQuerySchema = z.object({
  genre: opt(z.enum(genreKeys, { error: 'type de document inconnu' })),
  theme: opt(text(60)),
  page: PageNumberSchema,
});
export const VersionParams = z.object({
  id: z.coerce
    .number()
    .int()
    .positive()
    .max(2 ** 31),
  numero: z.coerce.number().int().positive().max(100_000),
});

/** Saving the current aids search as an alert: its name and the filters of the list page. */
export const AlertFormSchema = z
  .object({
    ...CsrfField,
    nom: text(200, 2, 'nommez l’alerte (2 caractères au moins)'),
    beneficiaire: opt(z.enum(beneficiaireKeys, { error: 'bénéficiaire inconnu' })),
    niveau: opt(NIVEAU),
    code: opt(CODE),
    theme: opt(text(200)),
    type: opt(z.enum(typeKeys, { error: 'type d’aide inconnu' })),
  })
  .refine((q) => !q.niveau === !q.code, { message: 'territoire : un niveau et un code, ou aucun', path: ['code'] });
// Innovative projects and use cases

export const STATUTS_PROJET = {
  idee: 'Idée',
  en_cours: 'En cours',
  termine: 'Terminé',
  abandonne: 'Abandonné',
} as const;
const statutKeys = Object.keys(STATUTS_PROJET) as [keyof typeof STATUTS_PROJET, ...(keyof typeof STATUTS_PROJET)[]];
const Statut = z.enum(statutKeys, { error: 'statut attendu : idée, en cours, terminé ou abandonné' });

/** The path of a strategy action page, the only link a project takes to the strategy. */
const ACTION_PATH = /^\/strategie\/[a-z0-9][a-z0-9-]{0,62}\/actions\/\d{1,15}$/;

/** An amount in euros as typed in France: "120 000", "1 234,50" (spaces and a decimal comma allowed). */
function euros(s: string): number | null {
  const c = s.replace(/[\s\u00a0\u202f€]/g, '').replace(',', '.');
  if (!/^\d{1,13}(\.\d{1,2})?$/.test(c)) return null;
  return Number(c);
}
const Amount = z
  .string()
  .trim()
  .max(40)
  .transform((s, c) => {
    if (!s) return null;
    const n = euros(s);
    if (n === null) {
      c.addIssue({ code: 'custom', message: 'budget : montant en euros attendu (ex. 120 000 ou 1 234,50)' });
      return z.NEVER;
    }
    return n;
  });

const lines = (s: string) =>
  s
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);

/** Territories typed as `niveau:code`, separated by commas, semicolons or lines (`departement:21, commune:21231`). */
const Territoires = text(2000)
  .default('')
  .transform((s, c) => {
    const out: { niveau: 'region' | 'departement' | 'epci' | 'commune'; code: string }[] = [];
    for (const item of s
      .split(/[\s,;]+/)
      .map((x) => x.trim())
      .filter(Boolean)) {
      const m = /^(region|departement|epci|commune):([0-9A-Za-z]{1,12})$/.exec(item);
      if (!m) {
        c.addIssue({
          code: 'custom',
          message: `territoire « ${item} » : niveau:code attendu (ex. departement:21, commune:21231, epci:200070928)`,
        });
        return z.NEVER;
      }
      out.push({ niveau: m[1] as 'commune', code: m[2]!.toUpperCase() });
    }
    if (out.length > 50) {
      c.addIssue({ code: 'custom', message: 'territoires : 50 au plus' });
      return z.NEVER;
    }
    return out;
  });

/** Funding lines, one per line: `financeur ; montant` (`Région Bourgogne-Franche-Comté ; 50 000`). */
const Financements = text(5000)
  .default('')
  .transform((s, c) => {
    const out: { financeur: string; montant: number }[] = [];
    for (const l of lines(s)) {
      const at = l.lastIndexOf(';');
      const financeur = at < 0 ? '' : l.slice(0, at).trim();
      const montant = at < 0 ? null : euros(l.slice(at + 1));
      if (!financeur || montant === null) {
        c.addIssue({
          code: 'custom',
          message: `financement « ${l} » : « financeur ; montant en euros » attendu (ex. Région ; 50 000)`,
        });
        return z.NEVER;
      }
      out.push({ financeur: financeur.slice(0, 300), montant });
    }
    if (out.length > 50) {
      c.addIssue({ code: 'custom', message: 'financements : 50 lignes au plus' });
      return z.NEVER;
    }
    return out;
  });

export const ProjetFormSchema = z
  .object({
    ...CsrfField,
    titre: text(300, 2, 'titre requis (2 caractères au moins)'),
    resume: text(1000).default(''),
    description: text(20_000).default(''),
    themes: themesField,
    territoires: Territoires,
    statut: Statut,
    date_debut: z.preprocess(empty, IsoDate.optional()),
    date_fin: z.preprocess(empty, IsoDate.optional()),
    partenaires: text(5000)
      .default('')
      .transform((s) => [...new Set(lines(s).map((l) => l.slice(0, 300)))].slice(0, 100)),
    budget_total: Amount.default(null),
    financements: Financements,
    resultats: text(10_000).default(''),
    contact_public: text(1000).default(''),
    action_strategie: text(200)
      .default('')
      .refine(
        (s) => !s || ACTION_PATH.test(s),
        'action de la stratégie : chemin /strategie/<stratégie>/actions/<numéro> attendu (ex. /strategie/scoran-bfc/actions/12)',
      ),
    porteur: z.string().optional(),
    organisationId: z.string().optional(),
  })
  .refine((p) => !p.date_debut || !p.date_fin || p.date_fin >= p.date_debut, {
    message: 'la date de fin précède la date de début',
    path: ['date_fin'],
  });

export const ProjetsQuerySchema = z
  .object({
    theme: opt(text(60)),
    statut: opt(Statut),
    niveau: opt(NIVEAU),
    code: opt(CODE),
    page: PageNumberSchema,
  })
  .refine((q) => !q.niveau === !q.code, { message: 'niveau et code vont ensemble (ex. niveau=departement&code=21)' });
