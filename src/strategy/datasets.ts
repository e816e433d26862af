import { type DatasetContext, defineDataset } from '../opendata/dataset.ts';
import { flatten, indicatorViews, listStrategies, strategyHistory, strategyTree } from './service.ts';

/** The strategy module's open-data datasets: actions (with rolled-up status, progress, budget) and indicator measurements. */

const SOURCES = [
  {
    producteur: 'Stratégies régionales du numérique (SCORAN, SDTAN…) saisies sur la plateforme',
    jeu: 'Feuilles de route et indicateurs',
    licence: 'licence-ouverte-2.0',
    job: 'strategie',
  },
] as const;

/** Last change entered on the platform (history of every strategy) and a fingerprint of it. */
async function stamp(ctx: DatasetContext) {
  const ss = await listStrategies(ctx.db);
  let last: Date | null = null;
  const tags: string[] = [];
  for (const s of ss) {
    const h = (await strategyHistory(ctx.db, { strategieId: s.id }, 1))[0];
    tags.push(`${s.id}:${h?.id ?? 0}`);
    const le = h ? new Date(h.le) : null;
    if (le && (!last || le > last)) last = le;
  }
  return { modified: last, tag: tags.join(',') };
}

const actions = defineDataset({
  id: 'strategie-actions',
  title: 'Stratégies numériques : feuille de route et avancement des actions',
  description:
    'Chaque nœud des stratégies régionales (axes, orientations, actions) avec son statut, son avancement (saisi, ou moyenne pondérée de ses enfants), ses dates, son porteur et son budget (prévu, engagé, réalisé, enfants compris).',
  themes: ['stratégie', 'pilotage'],
  frequency: 'continue',
  jobs: ['strategie', 'strategie-csv'],
  sources: [...SOURCES],
  stamp,
  schema: {
    primaryKey: ['strategie', 'code'],
    fields: [
      { name: 'strategie', type: 'string', title: 'Stratégie (identifiant)', required: true, public: true },
      { name: 'code', type: 'string', title: 'Code du nœud', required: true, public: true },
      { name: 'niveau', type: 'string', title: 'Niveau (axe, orientation, action…)', required: true, public: true },
      { name: 'parent', type: 'string', title: 'Code du nœud parent', public: true },
      { name: 'titre', type: 'string', title: 'Intitulé', required: true, public: true },
      { name: 'statut', type: 'string', title: 'Statut (saisi ou consolidé)', required: true, public: true },
      { name: 'avancement', type: 'number', title: 'Avancement (%)', public: true },
      { name: 'debut', type: 'date', title: 'Début', public: true },
      { name: 'fin', type: 'date', title: 'Fin', public: true },
      { name: 'porteur', type: 'string', title: 'Organisation porteuse', public: true },
      { name: 'budget_prevu', type: 'number', title: 'Budget prévu (€)', public: true },
      { name: 'budget_engage', type: 'number', title: 'Budget engagé (€)', public: true },
      { name: 'budget_realise', type: 'number', title: 'Budget réalisé (€)', public: true },
      { name: 'jalons_en_retard', type: 'integer', title: 'Jalons en retard', public: true },
    ],
  },
  async *pages(ctx) {
    for (const s of await listStrategies(ctx.db)) {
      const nodes = flatten(await strategyTree(ctx.db, s.id));
      const codeOf = new Map(nodes.map((x) => [x.id, x.code]));
      if (nodes.length)
        yield nodes.map((x) => ({
          strategie: s.slug,
          code: x.code,
          niveau: x.niveau,
          parent: x.parent_id === null ? null : (codeOf.get(x.parent_id) ?? null),
          titre: x.titre,
          statut: x.statut_calcule,
          avancement: Math.round(x.avancement_calcule * 10) / 10,
          debut: x.debut,
          fin: x.fin,
          porteur: x.porteur,
          budget_prevu: x.budget_total.prevu,
          budget_engage: x.budget_total.engage,
          budget_realise: x.budget_total.realise,
          jalons_en_retard: x.jalons_en_retard,
        }));
    }
  },
});

const indicators = defineDataset({
  id: 'strategie-indicateurs',
  title: 'Stratégies numériques : indicateurs et mesures',
  description:
    'Les indicateurs SMART des stratégies (valeur initiale, cible, unité) et chacune de leurs mesures, saisies, importées ou calculées par la plateforme à partir de l’observatoire. Un indicateur sans mesure figure sur une ligne sans date.',
  themes: ['stratégie', 'pilotage', 'indicateurs'],
  frequency: 'continue',
  jobs: ['strategie', 'strategie-csv', 'arcep-deploiements', 'mci-communes'],
  sources: [...SOURCES],
  stamp,
  schema: {
    fields: [
      { name: 'strategie', type: 'string', title: 'Stratégie (identifiant)', required: true, public: true },
      { name: 'indicateur', type: 'string', title: 'Code de l’indicateur', required: true, public: true },
      { name: 'libelle', type: 'string', title: 'Libellé', required: true, public: true },
      { name: 'unite', type: 'string', title: 'Unité', required: true, public: true },
      { name: 'valeur_initiale', type: 'number', title: 'Valeur initiale', public: true },
      { name: 'date_initiale', type: 'date', title: 'Date de la valeur initiale', public: true },
      { name: 'cible', type: 'number', title: 'Cible', public: true },
      { name: 'date_cible', type: 'date', title: 'Échéance de la cible', public: true },
      { name: 'date', type: 'date', title: 'Date de la mesure', public: true },
      { name: 'valeur', type: 'number', title: 'Valeur mesurée', public: true },
      {
        name: 'origine',
        type: 'string',
        title: 'Origine de la mesure (saisie, import, fournisseur)',
        public: true,
      },
      { name: 'source', type: 'string', title: 'Source de la mesure', public: true },
    ],
  },
  async *pages(ctx) {
    for (const s of await listStrategies(ctx.db)) {
      const rows = (await indicatorViews(ctx.db, s)).flatMap((i) => {
        const base = {
          strategie: s.slug,
          indicateur: i.code,
          libelle: i.libelle,
          unite: i.unite,
          valeur_initiale: i.valeur_initiale,
          date_initiale: i.date_initiale,
          cible: i.cible,
          date_cible: i.date_cible,
        };
        return i.mesures.length
          ? i.mesures.map((m) => ({
              ...base,
              date: m.mesure_le,
              valeur: m.valeur,
              origine: m.origine,
              source: m.source_mesure,
            }))
          : [base];
      });
      if (rows.length) yield rows;
    }
  },
});

export const strategyDatasets = [actions, indicators];
