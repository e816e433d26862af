/** Operator slugs of the API, in display order, and how ARCEP names them (MCC-MNC codes). */
export const OPERATEURS = ['orange', 'sfr', 'bouygues', 'free'] as const;
export type Operateur = (typeof OPERATEURS)[number];

export const OPERATEUR_LABEL: Record<Operateur, string> = {
  orange: 'Orange',
  sfr: 'SFR',
  bouygues: 'Bouygues Telecom',
  free: 'Free Mobile',
};

export const OPERATEUR_OF_MCCMNC: Record<string, Operateur> = {
  '20801': 'orange',
  '20810': 'sfr',
  '20815': 'free',
  '20820': 'bouygues',
};
