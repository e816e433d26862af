import { shapeOf } from '../geo/service.ts';
import { type DatasetContext, defineDataset, type Geometry, pagesOf } from '../opendata/dataset.ts';
import type { Niveau } from './schema.ts';
import { communeRecords, departementsOfRegion, epcisOf } from './service.ts';

/** The territories module's open-data datasets: the communes, EPCI and départements of the instance's région. */

const COG = {
  producteur: 'Insee',
  jeu: 'Code officiel géographique (via @etalab/decoupage-administratif)',
  licence: 'licence-ouverte-2.0',
  url: 'https://www.insee.fr/fr/information/2560452',
  job: 'territoires',
} as const;
const POPULATIONS = {
  producteur: 'Insee',
  jeu: 'Populations légales',
  licence: 'licence-ouverte-2.0',
  url: 'https://www.insee.fr/fr/statistiques/8680726',
  job: 'territoires',
} as const;
const CONTOURS = {
  producteur: 'IGN',
  jeu: 'Admin Express (contours administratifs, simplifiés)',
  licence: 'licence-ouverte-2.0',
  url: 'https://geoservices.ign.fr/adminexpress',
  job: 'contours',
} as const;

/** Simplified outlines of the territories of a page (those imported by the `contours` job). */
const shapes = (niveau: Niveau) => async (ctx: DatasetContext, codes: string[]) => {
  const m = new Map<string, Geometry>();
  for (const code of codes) {
    const s = await shapeOf(ctx.db, niveau, code);
    if (s) m.set(code, s.geometrie);
  }
  return m;
};

const communes = defineDataset({
  id: 'communes',
  parquet: true,
  title: 'Communes de la région',
  description:
    'Les communes actuelles de la région avec leur code INSEE, leur SIREN, leur département, leur intercommunalité (SIREN de l’EPCI), leurs codes postaux et leur population légale.',
  themes: ['territoires', 'référentiels'],
  frequency: 'annuelle',
  jobs: ['territoires'],
  sources: [COG, POPULATIONS],
  schema: {
    primaryKey: ['code_insee'],
    fields: [
      { name: 'code_insee', type: 'string', title: 'Code INSEE', required: true, public: true },
      { name: 'nom', type: 'string', title: 'Nom', required: true, public: true },
      { name: 'siren', type: 'string', title: 'SIREN de la commune', public: true },
      { name: 'departement', type: 'string', title: 'Code du département', required: true, public: true },
      { name: 'region', type: 'string', title: 'Code de la région', required: true, public: true },
      { name: 'epci', type: 'string', title: 'SIREN de l’EPCI', public: true },
      {
        name: 'codes_postaux',
        type: 'string',
        title: 'Codes postaux',
        description: 'séparés par des espaces',
        public: true,
      },
      { name: 'population', type: 'integer', title: 'Population légale', public: true },
    ],
  },
  pages: (ctx) =>
    pagesOf(
      (limit, offset) => communeRecords(ctx.db, ctx.config.region, limit, offset),
      (c) => ({
        code_insee: c.code,
        nom: c.nom,
        siren: c.siren,
        departement: c.departement,
        region: c.region,
        epci: c.epci,
        codes_postaux: c.codes_postaux.join(' '),
        population: c.population,
      }),
    ),
});

const epci = defineDataset({
  id: 'epci',
  title: 'Intercommunalités (EPCI à fiscalité propre) de la région',
  description:
    'Les EPCI ayant au moins une commune membre dans la région : SIREN, nom, nature juridique, population, nombre de communes membres (dans la région et en tout), avec leur contour simplifié en GeoJSON.',
  themes: ['territoires', 'référentiels'],
  frequency: 'annuelle',
  jobs: ['territoires', 'contours'],
  sources: [COG, POPULATIONS, CONTOURS],
  schema: {
    primaryKey: ['siren'],
    fields: [
      { name: 'siren', type: 'string', title: 'SIREN', required: true, public: true },
      { name: 'nom', type: 'string', title: 'Nom', required: true, public: true },
      { name: 'nature', type: 'string', title: 'Nature juridique (CC, CA, CU, METRO)', public: true },
      { name: 'population', type: 'integer', title: 'Population', public: true },
      { name: 'communes', type: 'integer', title: 'Communes membres', public: true },
      { name: 'communes_region', type: 'integer', title: 'Communes membres dans la région', public: true },
    ],
  },
  async *pages(ctx) {
    const rows = await epcisOf(ctx.db, 'region', ctx.config.region);
    for (let i = 0; i < rows.length; i += 200)
      yield rows.slice(i, i + 200).map((e) => ({
        siren: e.code,
        nom: e.nom,
        nature: e.type,
        population: e.population,
        communes: e.communes,
        communes_region: e.communes_ici,
      }));
  },
  geo: { key: 'siren', shapes: shapes('epci') },
});

const departements = defineDataset({
  id: 'departements',
  title: 'Départements de la région',
  description:
    'Les départements de la région : code, nom, population (somme des communes), nombre de communes et d’EPCI, avec leur contour simplifié en GeoJSON.',
  themes: ['territoires', 'référentiels'],
  frequency: 'annuelle',
  jobs: ['territoires', 'contours'],
  sources: [COG, POPULATIONS, CONTOURS],
  schema: {
    primaryKey: ['code'],
    fields: [
      { name: 'code', type: 'string', title: 'Code du département', required: true, public: true },
      { name: 'nom', type: 'string', title: 'Nom', required: true, public: true },
      { name: 'population', type: 'integer', title: 'Population (somme des communes)', public: true },
      { name: 'communes', type: 'integer', title: 'Communes', public: true },
      { name: 'epci', type: 'integer', title: 'EPCI', public: true },
    ],
  },
  async *pages(ctx) {
    const rows = await departementsOfRegion(ctx.db, ctx.config.region);
    if (rows.length)
      yield rows.map((d) => ({
        code: d.code,
        nom: d.nom,
        population: Number(d.population),
        communes: d.communes,
        epci: d.epci,
      }));
  },
  geo: { key: 'code', shapes: shapes('departement') },
});

export const territoriesDatasets = [communes, epci, departements];
