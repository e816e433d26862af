import { unaccentLower } from '../text/normalize.ts';

/** Beneficiaries and aid types as filters (the API's `beneficiaire=` and `type=` values), read from the sources' labels. */
export const BENEFICIAIRES = {
  commune: 'Communes',
  epci: 'Intercommunalités (EPCI)',
  departement: 'Départements',
  region: 'Régions',
  association: 'Associations',
  entreprise: 'Entreprises',
  particulier: 'Particuliers',
  'etablissement-public': 'Établissements publics, services de l’État',
  agriculteur: 'Agriculteurs',
  recherche: 'Recherche',
  autre: 'Autres',
} as const;
type Beneficiaire = keyof typeof BENEFICIAIRES;

export const TYPES_AIDE = {
  subvention: 'Subvention',
  pret: 'Prêt',
  avance: 'Avance récupérable',
  ingenierie: 'Ingénierie',
  'appel-a-projets': 'Appel à projets ou à manifestation d’intérêt',
  autre: 'Autre aide',
} as const;
type TypeAide = keyof typeof TYPES_AIDE;

/** The slug of a beneficiary label as Aides-territoires and its data providers write it. */
export function beneficiaireOf(label: string): Beneficiaire {
  const s = unaccentLower(label).trim();
  if (/^communes?\b|collectivites d'outre-mer/.test(s)) return 'commune';
  if (/^epci|intercommunalit/.test(s)) return 'epci';
  if (/^departements?\b/.test(s)) return 'departement';
  if (/^regions?\b/.test(s)) return 'region';
  if (/^associations?\b/.test(s)) return 'association';
  if (/entreprises?/.test(s)) return 'entreprise';
  if (/^particuliers?\b/.test(s)) return 'particulier';
  if (/etablissements? public|collectivite ou etablissement public|services de l'etat/.test(s))
    return 'etablissement-public';
  if (/^agriculteurs?\b/.test(s)) return 'agriculteur';
  if (/^recherche/.test(s)) return 'recherche';
  return 'autre';
}

/** The slug of an aid type label (ingénierie technique, financière, juridique → ingenierie). */
export function typeOf(label: string): TypeAide {
  const s = unaccentLower(label).trim();
  if (/^subvention/.test(s)) return 'subvention';
  if (/^pret/.test(s)) return 'pret';
  if (/^avance/.test(s)) return 'avance';
  if (/^ingenierie/.test(s)) return 'ingenierie';
  if (/appel a projets|manifestation d'interet/.test(s)) return 'appel-a-projets';
  return 'autre';
}

export const uniq = <T>(xs: readonly T[]): T[] => [...new Set(xs)];

/** Kinds of documents in the resource library (SCORAN BFC §9.5: project engineering, templates, studies). */
export const GENRES_RESSOURCE = {
  guide: 'Guide',
  methode: 'Méthode',
  cctp: 'Modèle de CCTP',
  ccap: 'Modèle de CCAP',
  convention: 'Modèle de convention',
  etude: 'Étude',
  autre: 'Autre document',
} as const;

/** Licences a contributor may choose; the page shows the chosen one beside every download. */
export const LICENCES_RESSOURCE = {
  'lo-2.0': {
    libelle: 'Licence Ouverte 2.0 (Etalab)',
    url: 'https://www.etalab.gouv.fr/licence-ouverte-open-licence/',
  },
  'cc-by-4.0': { libelle: 'CC BY 4.0', url: 'https://creativecommons.org/licenses/by/4.0/deed.fr' },
  'cc-by-sa-4.0': { libelle: 'CC BY-SA 4.0', url: 'https://creativecommons.org/licenses/by-sa/4.0/deed.fr' },
  'tous-droits-reserves': { libelle: 'Tous droits réservés', url: null },
} as const;

/** What the shared search finds, with the label of each kind of result. */
export const SEARCH_TYPES = {
  aide: 'Aide financière',
  acteur: 'Acteur',
  evenement: 'Événement',
  actualite: 'Actualité',
  ressource: 'Ressource de la bibliothèque',
  projet: 'Projet ou cas d’usage',
} as const;
