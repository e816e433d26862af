import { defineDataset, type Field } from '../opendata/dataset.ts';
import { departementsOfRegion } from '../territories/service.ts';
import { resolveScope, seriesFor } from './service.ts';

/** The observatory's open-data dataset: the series of the région and its départements, as the dashboard shows them. */

const n = (name: string, title: string, description?: string): Field => ({
  name,
  type: 'number',
  title,
  public: true,
  ...(description ? { description } : {}),
});

const series = defineDataset({
  id: 'observatoire-series',
  parquet: true,
  title: 'Observatoire du haut et très haut débit fixe : séries par territoire',
  description:
    'Pour la région et chacun de ses départements, période par période : locaux raccordables à la fibre (FttH) et taux de couverture (observatoire trimestriel de l’Arcep), locaux par palier de débit et parts de locaux éligibles (Ma connexion internet, toutes technologies, satellite compris). Les chiffres sont ceux du tableau de bord, avec leur dénominateur et leur origine.',
  themes: ['très haut débit', 'fibre', 'observatoire'],
  frequency: 'trimestrielle',
  jobs: ['arcep-deploiements', 'mci-communes', 'logements-insee'],
  sources: [
    {
      producteur: 'Arcep',
      jeu: 'Observatoire du haut et très haut débit fixe (déploiements)',
      licence: 'licence-ouverte-2.0',
      url: 'https://www.arcep.fr/cartes-et-donnees/nos-publications-chiffrees/observatoire-des-abonnements-et-deploiements-du-haut-et-tres-haut-debit.html',
      job: 'arcep-deploiements',
    },
    {
      producteur: 'Arcep',
      jeu: 'Ma connexion internet',
      licence: 'licence-ouverte-2.0',
      url: 'https://www.data.gouv.fr/fr/datasets/ma-connexion-internet/',
      job: 'mci-communes',
    },
    {
      producteur: 'Insee',
      jeu: 'Recensement de la population, base communale logement',
      licence: 'licence-ouverte-2.0',
      url: 'https://www.insee.fr/fr/statistiques',
      job: 'logements-insee',
    },
  ],
  schema: {
    primaryKey: ['niveau', 'code', 'periode', 'jeu'],
    fields: [
      { name: 'niveau', type: 'string', title: 'Niveau (region, departement)', required: true, public: true },
      { name: 'code', type: 'string', title: 'Code INSEE du territoire', required: true, public: true },
      { name: 'nom', type: 'string', title: 'Nom du territoire', required: true, public: true },
      { name: 'periode', type: 'string', title: 'Période (ex. 2022-T2)', required: true, public: true },
      { name: 'date', type: 'date', title: 'Fin de la période', required: true, public: true },
      {
        name: 'jeu',
        type: 'string',
        title: 'Série',
        description: 'arcep-deploiements (FttH) ou mci-communes (débits)',
        required: true,
        public: true,
      },
      { name: 'perimetre', type: 'string', title: 'Périmètre technologique', public: true },
      { name: 'communes', type: 'integer', title: 'Communes sommées', public: true },
      n('locaux_raccordables', 'Locaux raccordables à la fibre'),
      n('locaux', 'Locaux (dénominateur du taux FttH)'),
      n('taux_ftth', 'Taux de locaux raccordables (0 à 1)'),
      { name: 'denominateur_taux_ftth', type: 'string', title: 'Dénominateur du taux FttH', public: true },
      { name: 'origine', type: 'string', title: 'Origine (arcep : total publié ; communes : somme)', public: true },
      n('nbr', 'Locaux recensés par Ma connexion internet'),
      n('elig_bhd8', 'Locaux éligibles à 8 Mbit/s ou plus'),
      n('elig_thd30', 'Locaux éligibles à 30 Mbit/s ou plus'),
      n('elig_thd100', 'Locaux éligibles à 100 Mbit/s ou plus'),
      n('elig_thd1g', 'Locaux éligibles à 1 Gbit/s ou plus'),
      n('part_bhd8', 'Part ≥ 8 Mbit/s (0 à 1)'),
      n('part_thd30', 'Part ≥ 30 Mbit/s (0 à 1)'),
      n('part_thd100', 'Part ≥ 100 Mbit/s (0 à 1)'),
      n('part_thd1g', 'Part ≥ 1 Gbit/s (0 à 1)'),
    ],
  },
  async *pages(ctx) {
    const region = ctx.config.region;
    const scopes = [
      { niveau: 'region' as const, code: region },
      ...(await departementsOfRegion(ctx.db, region)).map((d) => ({ niveau: 'departement' as const, code: d.code })),
    ];
    for (const s of scopes) {
      const scope = await resolveScope(ctx.db, s.niveau, s.code).catch(() => null);
      if (!scope) continue;
      const items = await seriesFor(ctx.db, scope);
      if (!items.length) continue;
      yield items.map((i) => ({
        niveau: scope.niveau,
        code: scope.code,
        nom: scope.nom,
        periode: i.periode,
        date: i.date,
        jeu: i.jeu,
        perimetre: i.perimetre,
        communes: i.communes,
        locaux_raccordables: i.locaux_raccordables,
        locaux: i.locaux,
        taux_ftth: i.taux_ftth,
        denominateur_taux_ftth: i.denominateur_taux_ftth,
        origine: i.origine,
        nbr: i.nbr,
        elig_bhd8: i.elig_bhd8,
        elig_thd30: i.elig_thd30,
        elig_thd100: i.elig_thd100,
        elig_thd1g: i.elig_thd1g,
        part_bhd8: i.part_bhd8,
        part_thd30: i.part_thd30,
        part_thd100: i.part_thd100,
        part_thd1g: i.part_thd1g,
      }));
    }
  },
});

export const observatoryDatasets = [series];
