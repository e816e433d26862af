import { collectivitesOf } from './collectivites.ts';
import { defineDataset } from './dataset.ts';
import { listTraitements, REGISTRE_CHAMPS } from './queries.ts';

/** The open-data module's own dataset: the obliged collectivités of the région and whether they publish. */
const collectivites = defineDataset({
  id: 'collectivites-opendata',
  title: 'Ouverture des données des collectivités obligées',
  description:
    'La région, ses départements, les EPCI et les communes de plus de 3 500 habitants (obligés d’ouvrir leurs données par la loi pour une République numérique), et pour chacun s’il publie des données ouvertes selon la dernière liste importée (observatoire OpenDataFrance ou fichier de statut), avec son portail, son nombre de jeux et sa dernière publication quand ils sont connus.',
  themes: ['données ouvertes', 'collectivités', 'indicateurs'],
  frequency: 'annuelle',
  jobs: ['opendata-collectivites', 'territoires'],
  sources: [
    {
      producteur: 'OpenDataFrance',
      jeu: 'Observatoire open data des territoires (organisations publiantes)',
      licence: 'licence-ouverte-2.0',
      url: 'https://www.data.gouv.fr/fr/datasets/donnees-de-lobservatoire-open-data-des-territoires-edition-2022/',
      job: 'opendata-collectivites',
    },
    {
      producteur: 'Insee',
      jeu: 'Code officiel géographique et populations légales',
      licence: 'licence-ouverte-2.0',
      job: 'territoires',
    },
  ],
  schema: {
    primaryKey: ['type', 'code'],
    fields: [
      {
        name: 'type',
        type: 'string',
        title: 'Type (region, departement, epci, commune)',
        required: true,
        public: true,
      },
      { name: 'code', type: 'string', title: 'Code INSEE (SIREN pour un EPCI)', required: true, public: true },
      { name: 'siren', type: 'string', title: 'SIREN', public: true },
      { name: 'nom', type: 'string', title: 'Nom', required: true, public: true },
      { name: 'departement', type: 'string', title: 'Département (communes)', public: true },
      { name: 'population', type: 'integer', title: 'Population', public: true },
      { name: 'publie', type: 'boolean', title: 'Publie des données ouvertes', required: true, public: true },
      { name: 'jeux', type: 'integer', title: 'Jeux publiés', public: true },
      { name: 'derniere_publication', type: 'date', title: 'Dernière publication', public: true },
      { name: 'url_plateforme', type: 'string', title: 'Portail', public: true },
    ],
  },
  async *pages(ctx) {
    const a = await collectivitesOf(ctx.db, 'region', ctx.config.region).catch(() => null);
    if (a?.items.length)
      yield a.items.map((i) => ({
        type: i.type,
        code: i.code,
        siren: i.siren,
        nom: i.nom,
        departement: i.departement,
        population: i.population,
        publie: i.publie,
        jeux: i.jeux,
        derniere_publication: i.derniere_publication,
        url_plateforme: i.url_plateforme,
      }));
  },
});

const TITLES: Record<(typeof REGISTRE_CHAMPS)[number], string> = {
  nom: 'Traitement',
  finalite: 'Finalité',
  base_legale: 'Base légale',
  categories_donnees: 'Catégories de données',
  categories_personnes: 'Catégories de personnes concernées',
  duree_conservation: 'Durée de conservation',
  destinataires: 'Destinataires',
  transferts: 'Transferts hors de l’Union européenne',
  mesures_securite: 'Mesures de sécurité',
};

/** The register of processing activities (article 30), as published at /donnees/registre. */
const registre = defineDataset({
  id: 'registre-traitements',
  title: 'Registre des traitements de données personnelles de la plateforme',
  description:
    'Les traitements de données personnelles que réalise la plateforme (article 30 du RGPD) : finalité, base légale, catégories de données et de personnes, durée de conservation, destinataires, transferts et mesures de sécurité. Le registre décrit les traitements ; il ne contient aucune donnée personnelle.',
  themes: ['gouvernance des données', 'RGPD'],
  frequency: 'continue',
  spatial: 'Sans objet (traitements de la plateforme)',
  jobs: [],
  sources: [
    {
      producteur: 'Opérateur de la plateforme',
      jeu: 'Registre tenu par les administrateurs',
      licence: 'licence-ouverte-2.0',
    },
  ],
  async stamp(ctx) {
    const list = await listTraitements(ctx.db);
    const last = list.reduce<Date | null>((m, t) => {
      const d = new Date(t.modifie_le);
      return !m || d > m ? d : m;
    }, null);
    return { modified: last, tag: `${list.length}:${last?.toISOString() ?? ''}` };
  },
  schema: {
    primaryKey: ['code'],
    fields: [
      { name: 'code', type: 'string', title: 'Code', required: true, public: true },
      ...REGISTRE_CHAMPS.map((k) => ({
        name: k,
        type: 'string' as const,
        title: TITLES[k],
        required: true,
        public: true,
      })),
      { name: 'modifie_le', type: 'datetime', title: 'Dernière modification', required: true, public: true },
    ],
  },
  async *pages(ctx) {
    const list = await listTraitements(ctx.db);
    if (list.length)
      yield list.map((t) => ({
        code: t.code,
        ...Object.fromEntries(REGISTRE_CHAMPS.map((k) => [k, t[k]])),
        modifie_le: new Date(t.modifie_le),
      }));
  },
});

export const opendataDatasets = [collectivites, registre];
