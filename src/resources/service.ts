import type { Queryable } from '../db/db.ts';
import { getTerritory } from '../territories/service.ts';
import * as Q from './queries.ts';

/**
 * What the resources space publishes to the rest of the platform (territory pages, strategy…):
 * the aids open to a territory.
 */

type Niveau = 'region' | 'departement' | 'epci' | 'commune';

/** A territory and every territory containing it (its EPCI, département, région, France): an aid open to any of them is open to it. */
export async function territoryAndParents(
  q: Queryable,
  niveau: Niveau,
  code: string,
): Promise<{ niveau: string; code: string }[]> {
  const t = await getTerritory(q, niveau, code);
  return [
    { niveau, code: t.code },
    ...t.parents.filter((p) => p.niveau !== 'commune').map((p) => ({ niveau: p.niveau, code: p.code })),
    { niveau: 'pays', code: 'FR' },
  ];
}

/** Aids open to a territory and not closed today. */
export async function aidesOpenTo(q: Queryable, niveau: Niveau, code: string, limit = 10) {
  const territoires = await territoryAndParents(q, niveau, code);
  return Q.listAides(q, { territoires, ouvertesAu: new Date().toISOString().slice(0, 10) }, limit, 0);
}

/** Every aid, actor and event page by page (open-data datasets), in the lists' order. */
export const aidesPage = async (q: Queryable, limit: number, offset: number) =>
  (await Q.listAides(q, {}, limit, offset)).items;
export const acteursPage = async (q: Queryable, limit: number, offset: number) =>
  (await Q.listActeurs(q, {}, limit, offset)).items;
export const evenementsPage = async (q: Queryable, limit: number, offset: number) =>
  (await Q.listEvenements(q, {}, limit, offset)).items;
/** When actors and events entered on the platform last changed, with a fingerprint (counts, last ids). */
export async function enteredStamp(q: Queryable) {
  const r = (await Q.enteredStamp(q))[0]!;
  return { modified: r.modifie_le ? new Date(r.modifie_le) : null, acteur: r.acteur, evenement: r.evenement };
}
/** A Paris wall-clock time from a form (`AAAA-MM-JJTHH:MM`) → the instant; other modules' forms use it too. */
export { parisInstant } from './schema.ts';
