/**
 * Reference tables of ARCEP's Ma connexion internet data dictionary (version 2022 T4 and later).
 */
export const TECHNOS = ['FO', 'COAX', 'CU', 'THDR', '4GF', 'WMX', 'SAT'] as const;
export type Techno = (typeof TECHNOS)[number];

/** Order used by ARCEP for "best access": fibre, cable, copper (DSL), THD radio, 4G fixe, satellite (HD radio after THD radio). */
export const TECHNO_PRIORITY: readonly Techno[] = ['FO', 'COAX', 'CU', 'THDR', 'WMX', '4GF', 'SAT'];

export const TECHNO_LABEL: Record<Techno, { nom: string; description: string; filaire: boolean }> = {
  FO: { nom: 'Fibre optique (FttH)', description: 'accès par la fibre jusqu’au logement ou au local', filaire: true },
  COAX: { nom: 'Câble', description: 'accès par le réseau coaxial de télévision câblée', filaire: true },
  CU: { nom: 'DSL (cuivre)', description: 'accès par la ligne téléphonique en cuivre (ADSL, VDSL2)', filaire: true },
  THDR: { nom: 'THD radio', description: 'réseau radio dédié aux accès fixes à très haut débit', filaire: false },
  WMX: { nom: 'HD radio', description: 'réseau radio dédié aux accès fixes à haut débit', filaire: false },
  '4GF': { nom: '4G fixe', description: 'box 4G, réseau partagé avec les usages mobiles', filaire: false },
  SAT: { nom: 'Satellite', description: 'accès par satellite', filaire: false },
};

export const CLASSES = ['INEL', 'HD05', 'HD3', 'BHD8', 'THD30', 'THD100', 'THD1G'] as const;
export type ClasseDebit = (typeof CLASSES)[number];

/** Speed classes (maximum speed available), with the lower bound used by ARCEP's statistics fields. */
export const CLASSE_LABEL: Record<ClasseDebit, { libelle: string; min_mbps: number; champ: string }> = {
  INEL: { libelle: 'moins de 0,5 Mbit/s (inéligible au haut débit)', min_mbps: 0, champ: 'inel_hd' },
  HD05: { libelle: 'au moins 0,5 Mbit/s', min_mbps: 0.512, champ: 'elig_hd05' },
  HD3: { libelle: 'au moins 3 Mbit/s', min_mbps: 3, champ: 'elig_hd3' },
  BHD8: { libelle: 'au moins 8 Mbit/s (bon haut débit)', min_mbps: 8, champ: 'elig_bhd8' },
  THD30: { libelle: 'au moins 30 Mbit/s (très haut débit)', min_mbps: 30, champ: 'elig_thd30' },
  THD100: { libelle: 'au moins 100 Mbit/s', min_mbps: 100, champ: 'elig_thd100' },
  THD1G: { libelle: 'au moins 1 Gbit/s', min_mbps: 1000, champ: 'elig_thd1g' },
};

export function classeRank(c: string | null | undefined): number {
  return c ? CLASSES.indexOf(c as ClasseDebit) : -1;
}

/** Cartefibre building status (imb_etat), stored without spaces or accents. */
export const FIBRE_ETATS = [
  'cible',
  'signe',
  'en_cours_deploiement',
  'raccordable_demande',
  'deploye',
  'abandonne',
] as const;
export type FibreEtat = (typeof FIBRE_ETATS)[number];
export const FIBRE_ETAT_LABEL: Record<FibreEtat, { libelle: string; explication: string }> = {
  cible: {
    libelle: 'Cible',
    explication: 'le logement fait partie des locaux à raccorder ; le déploiement n’est pas encore engagé',
  },
  signe: {
    libelle: 'Signé',
    explication: 'une convention est signée avec le gestionnaire de l’immeuble ; le déploiement est prévu',
  },
  en_cours_deploiement: { libelle: 'En cours de déploiement', explication: 'les travaux de déploiement sont en cours' },
  raccordable_demande: {
    libelle: 'Raccordable sur demande',
    explication: 'le raccordement est possible sur demande auprès d’un opérateur, avec un délai plus long',
  },
  deploye: {
    libelle: 'Déployé',
    explication:
      'la fibre est déployée : l’adresse est raccordable et vous pouvez souscrire auprès d’un opérateur présent',
  },
  abandonne: { libelle: 'Abandonné', explication: 'le déploiement de cet immeuble a été abandonné par l’opérateur' },
};
