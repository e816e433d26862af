/** What an address label is made of (the columns of table `adresse` and of the index). */
type LabelParts = {
  numero: number | null | undefined;
  suffixe: string | null | undefined;
  voie: string;
  code_postal: string | null | undefined;
  commune: string;
};

/**
 * Whether an address has a house number to show: BAL files write 99999 (and some 0) for a lieu-dit or a street
 * that has no number ("toponyme"), which must not be shown as one.
 */
export function hasHouseNumber(numero: number | null | undefined): numero is number {
  return numero !== null && numero !== undefined && numero > 0 && numero < 99999;
}

/** "12 bis", "3", or '' (no number). */
export function houseNumberText(numero: number | null | undefined, suffixe: string | null | undefined): string {
  return hasHouseNumber(numero) ? `${numero}${suffixe ? ` ${suffixe}` : ''}` : '';
}

/**
 * One-line label. `geocodejson` is the API Adresse form ("12 bis Rue X 90000 Belfort"); `postal` puts a comma
 * before the postcode as a letter does ("12 bis Rue X, 90000 Belfort").
 */
export function addressLabel(a: LabelParts, style: 'geocodejson' | 'postal' = 'geocodejson'): string {
  // one template per form: this runs for every suggestion of every keystroke
  const num = hasHouseNumber(a.numero) ? (a.suffixe ? `${a.numero} ${a.suffixe} ` : `${a.numero} `) : '';
  const pc = a.code_postal ? `${a.code_postal} ` : '';
  return style === 'postal' ? `${num}${a.voie}, ${pc}${a.commune}` : `${num}${a.voie} ${pc}${a.commune}`;
}
