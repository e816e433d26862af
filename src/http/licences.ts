/**
 * The licences of the data the platform shows, one entry per source. The footer says "Licence Ouverte
 * sauf mention contraire"; the mentions are here, listed on /licences and cited by every sources block.
 */
export type LicenceId = 'licence-ouverte-2.0' | 'odbl-1.0' | 'eupl-1.2';

export const LICENCES: Record<LicenceId, { nom: string; court: string; url: string }> = {
  'licence-ouverte-2.0': {
    nom: 'Licence Ouverte 2.0 (Etalab)',
    court: 'Licence Ouverte 2.0',
    url: 'https://www.etalab.gouv.fr/licence-ouverte-open-licence/',
  },
  'odbl-1.0': {
    nom: 'Open Database License (ODbL) 1.0',
    court: 'ODbL 1.0',
    url: 'https://opendatacommons.org/licenses/odbl/1-0/',
  },
  'eupl-1.2': {
    nom: 'Licence publique de l’Union européenne (EUPL) 1.2',
    court: 'EUPL 1.2',
    url: 'https://interoperable-europe.ec.europa.eu/collection/eupl/eupl-text-eupl-12',
  },
};

/** ODbL asks for this attribution wherever BANO-derived data is shown or redistributed. */
export const OSM_ATTRIBUTION = '© les contributeurs d’OpenStreetMap';

type DataSourceId =
  | 'cog'
  | 'populations'
  | 'logements-insee'
  | 'admin-express'
  | 'arcep-observatoire'
  | 'arcep-mci'
  | 'arcep-cartefibre'
  | 'arcep-sites-mobiles'
  | 'ban'
  | 'bal'
  | 'bano'
  | 'anct-fthd';

type DataSource = {
  id: DataSourceId;
  producteur: string;
  jeu: string;
  licence: LicenceId;
  /** Attribution to show with the data when the licence asks for one. */
  mention?: string;
  url: string;
  usage: string;
};

export const DATA_SOURCES: readonly DataSource[] = [
  {
    id: 'cog',
    producteur: 'Insee',
    jeu: 'Code officiel géographique (via @etalab/decoupage-administratif)',
    licence: 'licence-ouverte-2.0',
    url: 'https://www.insee.fr/fr/information/2560452',
    usage: 'communes, EPCI, départements, régions et leurs codes',
  },
  {
    id: 'populations',
    producteur: 'Insee',
    jeu: 'Populations légales',
    licence: 'licence-ouverte-2.0',
    url: 'https://www.insee.fr/fr/statistiques/8680726',
    usage: 'population des territoires',
  },
  {
    id: 'logements-insee',
    producteur: 'Insee',
    jeu: 'Recensement de la population, base communale logement',
    licence: 'licence-ouverte-2.0',
    url: 'https://www.insee.fr/fr/statistiques',
    usage: 'dénominateur alternatif du taux de couverture',
  },
  {
    id: 'admin-express',
    producteur: 'IGN',
    jeu: 'Admin Express (contours administratifs)',
    licence: 'licence-ouverte-2.0',
    url: 'https://geoservices.ign.fr/adminexpress',
    usage: 'cartes des territoires',
  },
  {
    id: 'arcep-observatoire',
    producteur: 'Arcep',
    jeu: 'Observatoire du haut et très haut débit fixe (déploiements)',
    licence: 'licence-ouverte-2.0',
    url: 'https://www.arcep.fr/cartes-et-donnees/nos-publications-chiffrees/observatoire-des-abonnements-et-deploiements-du-haut-et-tres-haut-debit.html',
    usage: 'locaux raccordables à la fibre, taux de couverture',
  },
  {
    id: 'arcep-mci',
    producteur: 'Arcep',
    jeu: 'Ma connexion internet',
    licence: 'licence-ouverte-2.0',
    url: 'https://www.data.gouv.fr/fr/datasets/ma-connexion-internet/',
    usage: 'locaux par classe de débit, éligibilité à l’immeuble',
  },
  {
    id: 'arcep-cartefibre',
    producteur: 'Arcep',
    jeu: 'Carte fibre (immeubles)',
    licence: 'licence-ouverte-2.0',
    url: 'https://cartefibre.arcep.fr',
    usage: 'statut et date prévue de la fibre à l’immeuble',
  },
  {
    id: 'arcep-sites-mobiles',
    producteur: 'Arcep',
    jeu: 'Mon réseau mobile : liste des sites mobiles',
    licence: 'licence-ouverte-2.0',
    url: 'https://www.data.gouv.fr/fr/datasets/mon-reseau-mobile/',
    usage: 'sites mobiles par opérateur et génération (observatoire de la couverture mobile)',
  },
  {
    id: 'ban',
    producteur: 'Base Adresse Nationale (IGN, DINUM, ANCT)',
    jeu: 'Adresses BAN',
    licence: 'licence-ouverte-2.0',
    url: 'https://adresse.data.gouv.fr/donnees-nationales',
    usage: 'recherche d’adresse, éligibilité à l’adresse',
  },
  {
    id: 'bal',
    producteur: 'Communes (Bases Adresses Locales)',
    jeu: 'Base Adresse Locale',
    licence: 'licence-ouverte-2.0',
    url: 'https://adresse.data.gouv.fr/bases-locales',
    usage: 'recherche d’adresse, éligibilité à l’adresse',
  },
  {
    id: 'bano',
    producteur: 'OpenStreetMap France',
    jeu: 'Base d’adresses nationale ouverte (BANO)',
    licence: 'odbl-1.0',
    mention: `${OSM_ATTRIBUTION}, données BANO sous licence ODbL`,
    url: 'https://www.openstreetmap.fr/bano/',
    usage: 'recherche d’adresse, éligibilité à l’adresse (quand ces adresses ont été importées)',
  },
  {
    id: 'anct-fthd',
    producteur: 'ANCT',
    jeu: 'Opérateurs partenaires du programme France Très Haut Débit',
    licence: 'licence-ouverte-2.0',
    url: 'https://github.com/anct-carto/operateurs_fthd',
    usage: 'offres de repli subventionnées (satellite, 4G fixe, THD radio)',
  },
];

export function dataSource(id: DataSourceId): DataSource {
  return DATA_SOURCES.find((s) => s.id === id)!;
}

/** Licence and attribution of an address by its origin: the field API answers and CSV exports carry. */
type AddressLicence = { licence: string; url: string; attribution: string | null };
export function addressLicence(source: string): AddressLicence {
  const s = dataSource(source === 'bano' ? 'bano' : source === 'bal' ? 'bal' : 'ban');
  const l = LICENCES[s.licence];
  return { licence: l.court, url: l.url, attribution: s.mention ?? null };
}
