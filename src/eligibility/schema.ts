import { z } from 'zod';
import { CsrfField, OptionalId, optText, text } from '../http/schemas.ts';

const AdresseIdSchema = z
  .string()
  .trim()
  .min(1, 'identifiant d’adresse vide')
  .max(100, 'identifiant d’adresse trop long (100 caractères au plus)')
  .regex(
    /^[A-Za-z0-9][\w.:-]*$/,
    'identifiant d’adresse invalide : lettres, chiffres, « _ », « - », « . » ou « : » attendus (par exemple 54084_0200_00001)',
  );

export const EligibiliteQuerySchema = z
  .object({
    adresse_id: AdresseIdSchema.describe(
      'Identifiant de l’adresse (BAN, BAL ou BANO), tel que renvoyé par /api/v1/adresses/recherche',
    ),
  })
  .strict();
export const AdresseParamsSchema = z.object({ id: AdresseIdSchema });

/** Licence of the address data; BANO (OpenStreetMap) addresses are under ODbL and carry their attribution. */
const LicenceSchema = z
  .object({
    licence: z.string(),
    url: z.string(),
    attribution: z
      .string()
      .nullable()
      .describe('Mention obligatoire (ODbL : « © les contributeurs d’OpenStreetMap ») ; null sous Licence Ouverte'),
  })
  .describe('Licence des données de l’adresse : Licence Ouverte 2.0 (BAN, BAL) ou ODbL 1.0 (BANO)');

const ClasseSchema = z.object({ code: z.string(), libelle: z.string() }).nullable();

export const EligibiliteSchema = z.object({
  adresse: z.object({
    id: z.string(),
    label: z.string(),
    numero: z.number().nullable(),
    suffixe: z.string().nullable(),
    voie: z.string(),
    lieu_dit: z.string().nullable(),
    code_postal: z.string().nullable(),
    code_insee: z.string(),
    commune: z.string(),
    departement: z.string(),
    lon: z.number(),
    lat: z.number(),
    source: z.string(),
    licence: LicenceSchema,
  }),
  precision: z
    .enum(['adresse', 'commune'])
    .describe(
      '`adresse` : réponse issue des immeubles rapprochés de l’adresse ; `commune` : aucune donnée à l’immeuble pour cette adresse, seules des données communales sont données',
    ),
  message: z.string(),
  immeubles: z.array(
    z.object({
      source: z.enum(['mci', 'fibre']),
      imb_id: z.string(),
      appariement: z.string(),
      appariement_libelle: z.string(),
      distance_m: z.number().nullable(),
      nb_locaux: z.number().nullable(),
      type: z.string().nullable(),
    }),
  ),
  locaux: z
    .number()
    .nullable()
    .describe('Nombre de locaux (logements et locaux professionnels) des immeubles de l’adresse'),
  technologies: z
    .array(
      z.object({
        code: z.string(),
        nom: z.string(),
        description: z.string(),
        filaire: z.boolean(),
        debit_descendant: ClasseSchema,
        debit_montant: ClasseSchema,
        operateurs: z.array(
          z.object({
            code: z.string(),
            nom: z.string().nullable(),
            debit_descendant: z.string().nullable(),
            debit_montant: z.string().nullable(),
            saturation: z.boolean(),
            limitation_go: z.number().nullable(),
          }),
        ),
      }),
    )
    .describe('Technologies par ordre de priorité ARCEP (fibre, câble, DSL, THD radio, HD radio, 4G fixe, satellite)'),
  thd_filaire: z
    .boolean()
    .nullable()
    .describe('Accès filaire (fibre, câble, cuivre) à au moins 30 Mbit/s ; null si inconnu'),
  fibre: z
    .object({
      statut: z.string(),
      statut_libelle: z.string(),
      explication: z.string(),
      date_prevue: z.string().nullable(),
      date_completude: z.string().nullable(),
      date_mise_a_disposition_pm: z.string().nullable(),
      pm_ref: z.string().nullable(),
      pm_etat: z.string().nullable(),
      operateur_immeuble: z.string().nullable(),
      categorie_locaux: z.string().nullable(),
      nb_locaux: z.number().nullable(),
      type_immeuble: z.string().nullable(),
    })
    .nullable(),
  offres_repli: z.object({
    applicable: z.boolean().nullable(),
    raison: z.string(),
    departement: z.string(),
    absence: z.string().nullable(),
    offres: z.array(
      z.object({
        operateur: z.string(),
        technologie: z.string(),
        satellite: z.boolean(),
        quatre_g: z.boolean(),
        thd_radio: z.boolean(),
        site: z.string().nullable(),
        aide_etat: z.boolean(),
      }),
    ),
  }),
  commune: z.object({
    code: z.string(),
    nom: z.string(),
    donnees_immeubles: z.object({
      immeubles_mci: z.number(),
      lignes_eligibilite: z.number(),
      immeubles_fibre: z.number(),
    }),
    statistiques: z
      .object({
        source: z.string(),
        date: z.string().nullable(),
        perimetre: z.string(),
        code_insee: z.string(),
        locaux: z.number(),
        paliers: z.array(z.object({ champ: z.string(), libelle: z.string(), locaux: z.number(), part: z.number() })),
        fibre: z
          .object({ periode: z.string(), locaux_raccordables: z.number(), locaux: z.number(), part: z.number() })
          .nullable(),
      })
      .nullable()
      .describe('Répartition communale de l’observatoire (ARCEP) : jamais la réponse propre à l’adresse'),
    immeubles_importes: z
      .object({
        immeubles: z.number(),
        locaux: z.number(),
        locaux_fibre: z.number(),
        part_fibre: z.number(),
        locaux_thd_filaire: z.number(),
        part_thd_filaire: z.number(),
      })
      .nullable(),
  }),
  rip: z.array(
    z.object({
      nom: z.string(),
      porteur: z.string().nullable(),
      exploitant: z.string().nullable(),
      contact_gros: z.string().nullable(),
      email: z.string().nullable(),
      telephone: z.string().nullable(),
      site: z.string().nullable(),
    }),
  ),
  url: z.string(),
});

export const RipFormSchema = z.object({
  ...CsrfField,
  nom: text(200, 2, 'nom trop court'),
  porteur: optText(200),
  exploitant: optText(200),
  contact_gros: optText(500),
  email: text(200)
    .refine((s) => !s || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s), 'adresse électronique invalide')
    .transform((s) => (s ? s : null)),
  telephone: optText(40),
  site: text(500)
    .refine((s) => !s || /^https?:\/\/\S+$/i.test(s), 'site : adresse http(s) attendue')
    .transform((s) => (s ? s : null)),
  communes: text(200000).default(''),
  // Only the administrators' form has it: who owns the network (empty: nobody, administrators only).
  organisationId: OptionalId.optional(),
});
export const RipSavedQuery = z.object({ enregistre: z.literal('1').optional() });
