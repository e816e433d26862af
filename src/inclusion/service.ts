import type { Queryable } from '../db/db.ts';
import * as Q from './queries.ts';

/**
 * Published for other modules (the strategy's indicator providers): a territory's accessibility
 * indicators of one category, as the last `accessibilite` run computed them, or undefined.
 */
export async function accessibilityIndicator(q: Queryable, niveau: string, code: string, categorie: string) {
  const a = await Q.accessibilityOf(q, niveau, code);
  const i = a?.indicators.find((x) => x.categorie === categorie);
  if (!a || !i) return undefined;
  return { ...i, calcule_le: new Date(a.calcule_le), methode: a.methode, population: a.population };
}
