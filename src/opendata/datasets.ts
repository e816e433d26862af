import { collectivitesOf } from './collectivites.ts';
import { defineDataset } from './dataset.ts';

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

export const opendataDatasets = [collectivites];
