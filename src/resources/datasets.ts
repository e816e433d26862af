import { type DatasetContext, defineDataset, pagesOf } from '../opendata/dataset.ts';
import { acteursPage, aidesPage, enteredStamp, evenementsPage } from './service.ts';

/**
 * The resources space's open-data datasets: funding aids, the directory of actors and the agenda. Free
 * texts (descriptions, contacts) are not published: they may hold people's names, e-mails or numbers;
 * each record's page on the platform has them.
 */

const list = (xs: string[] | null | undefined) => (xs ?? []).join('; ');
const PLATFORM = {
  producteur: 'Contributeurs de la plateforme (organisations membres)',
  jeu: 'Saisies de l’espace ressources',
  licence: 'licence-ouverte-2.0',
} as const;

const aides = defineDataset({
  id: 'aides',
  title: 'Aides financières aux projets numériques et territoriaux',
  description:
    'Les aides importées d’Aides-territoires : nom, porteurs, bénéficiaires, types, dates d’ouverture et de clôture, périmètre et lien vers la fiche du porteur (qui seule fait foi). Listes séparées par « ; ».',
  themes: ['aides', 'financement', 'ressources'],
  frequency: 'irreguliere',
  spatial: 'France et territoires de la région (périmètre de chaque aide)',
  jobs: ['aides-territoires'],
  sources: [
    {
      producteur: 'Aides-territoires (ANCT, beta.gouv.fr)',
      jeu: 'Aides publiées sur aides-territoires.beta.gouv.fr',
      licence: 'licence-ouverte-2.0',
      url: 'https://aides-territoires.beta.gouv.fr/data/',
      job: 'aides-territoires',
    },
  ],
  schema: {
    primaryKey: ['id'],
    fields: [
      { name: 'id', type: 'integer', title: 'Identifiant sur la plateforme', required: true, public: true },
      { name: 'nom', type: 'string', title: 'Nom de l’aide', required: true, public: true },
      { name: 'porteurs', type: 'string', title: 'Porteurs', public: true },
      { name: 'beneficiaires', type: 'string', title: 'Bénéficiaires', public: true },
      { name: 'types', type: 'string', title: 'Types d’aide', public: true },
      { name: 'date_ouverture', type: 'date', title: 'Date d’ouverture', public: true },
      { name: 'date_echeance', type: 'date', title: 'Date de clôture', public: true },
      { name: 'perimetre', type: 'string', title: 'Périmètre (selon la source)', public: true },
      { name: 'lien', type: 'string', title: 'Fiche du porteur', public: true },
      { name: 'url', type: 'string', title: 'Fiche sur la plateforme', required: true, public: true },
    ],
  },
  pages: (ctx) =>
    pagesOf(
      (limit, offset) => aidesPage(ctx.db, limit, offset),
      (a) => ({
        id: a.id,
        nom: a.nom,
        porteurs: list(a.porteurs),
        beneficiaires: list(a.beneficiaires),
        types: list(a.types),
        date_ouverture: a.date_ouverture,
        date_echeance: a.date_echeance,
        perimetre: a.perimetre,
        lien: a.lien,
        url: `/ressources/aides/${a.id}`,
      }),
      500,
    ),
});

const acteurs = defineDataset({
  id: 'acteurs',
  title: 'Annuaire des acteurs du numérique',
  description:
    'Les acteurs du numérique du territoire inscrits sur la plateforme (collectivités, syndicats, opérateurs, associations, entreprises, tiers-lieux) : catégorie, territoire, thèmes, identifiants (SIRET, SIREN, RNA) et site.',
  themes: ['annuaire', 'acteurs', 'ressources'],
  frequency: 'continue',
  jobs: [],
  sources: [PLATFORM],
  stamp: async (ctx: DatasetContext) => {
    const s = await enteredStamp(ctx.db);
    return { modified: s.modified, tag: s.acteur };
  },
  schema: {
    primaryKey: ['id'],
    fields: [
      { name: 'id', type: 'integer', title: 'Identifiant', required: true, public: true },
      { name: 'nom', type: 'string', title: 'Nom', required: true, public: true },
      { name: 'categorie', type: 'string', title: 'Catégorie', required: true, public: true },
      { name: 'niveau', type: 'string', title: 'Niveau du territoire d’action', public: true },
      { name: 'code_territoire', type: 'string', title: 'Code du territoire d’action', public: true },
      { name: 'themes', type: 'string', title: 'Thèmes', public: true },
      { name: 'siret', type: 'string', title: 'SIRET', public: true },
      { name: 'siren', type: 'string', title: 'SIREN', public: true },
      { name: 'rna', type: 'string', title: 'Numéro RNA', public: true },
      { name: 'site', type: 'string', title: 'Site internet', public: true },
      { name: 'modifie_le', type: 'datetime', title: 'Dernière modification', required: true, public: true },
    ],
  },
  pages: (ctx) =>
    pagesOf(
      (limit, offset) => acteursPage(ctx.db, limit, offset),
      (a) => ({
        id: a.id,
        nom: a.nom,
        categorie: a.categorie,
        niveau: a.niveau,
        code_territoire: a.code_territoire,
        themes: list(a.themes),
        siret: a.siret,
        siren: a.siren,
        rna: a.rna,
        site: a.site,
        modifie_le: new Date(a.modifie_le),
      }),
      500,
    ),
});

const agenda = defineDataset({
  id: 'agenda',
  title: 'Agenda partagé du numérique',
  description:
    'Les événements de l’agenda partagé (rencontres, formations, webinaires) : titre, début et fin (UTC), lieu, lien en ligne, organisateur, thèmes et lien d’inscription.',
  themes: ['agenda', 'ressources'],
  frequency: 'continue',
  jobs: [],
  sources: [PLATFORM],
  stamp: async (ctx: DatasetContext) => {
    const s = await enteredStamp(ctx.db);
    return { modified: s.modified, tag: s.evenement };
  },
  schema: {
    primaryKey: ['id'],
    fields: [
      { name: 'id', type: 'integer', title: 'Identifiant', required: true, public: true },
      { name: 'titre', type: 'string', title: 'Titre', required: true, public: true },
      { name: 'debut', type: 'datetime', title: 'Début', required: true, public: true },
      { name: 'fin', type: 'datetime', title: 'Fin', required: true, public: true },
      { name: 'lieu', type: 'string', title: 'Lieu', public: true },
      { name: 'lien_en_ligne', type: 'string', title: 'Lien en ligne', public: true },
      { name: 'organisateur', type: 'string', title: 'Organisateur', public: true },
      { name: 'themes', type: 'string', title: 'Thèmes', public: true },
      { name: 'inscription', type: 'string', title: 'Inscription', public: true },
    ],
  },
  pages: (ctx) =>
    pagesOf(
      (limit, offset) => evenementsPage(ctx.db, limit, offset),
      (e) => ({
        id: e.id,
        titre: e.titre,
        debut: new Date(e.debut),
        fin: new Date(e.fin),
        lieu: e.lieu,
        lien_en_ligne: e.lien_en_ligne,
        organisateur: e.organisateur,
        themes: list(e.themes),
        inscription: e.inscription,
      }),
      500,
    ),
});

export const resourcesDatasets = [aides, acteurs, agenda];
