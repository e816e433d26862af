import type { Queryable } from '../db/db.ts';
import { AppError } from '../errors.ts';
import * as Q from './queries.ts';

/**
 * Which organisation owns a record of another module (e.g. `rip`, `objectif`). Modules ask here
 * rather than reading the table, and pass the answer to their policy's `can()`.
 */
type Owner = { organisationId: number; nom: string };

export async function ownerOf(q: Queryable, type: string, id: number): Promise<Owner | null> {
  const r = await Q.ownerRow(q, type, id);
  return r ? { organisationId: r.organisation_id, nom: r.nom } : null;
}

/** Owners of every record of a type, for lists. */
export async function ownersOf(q: Queryable, type: string): Promise<Map<number, Owner>> {
  return new Map(
    (await Q.ownerRows(q, type)).map((r) => [r.objet_id, { organisationId: r.organisation_id, nom: r.nom }]),
  );
}

/** Sets (or with null removes) the owner; an unknown organisation is the user's mistake, said in French. */
export async function setOwner(q: Queryable, type: string, id: number, organisationId: number | null): Promise<void> {
  if (organisationId === null) return Q.deleteOwner(q, type, id);
  await assertOrganisation(q, organisationId);
  await Q.upsertOwner(q, type, id, organisationId);
}

export async function assertOrganisation(q: Queryable, organisationId: number): Promise<void> {
  if (!(await Q.organisationById(q, organisationId))) {
    throw new AppError(
      'REQUETE_INVALIDE',
      `organisation ${organisationId} not found`,
      'Cette organisation n’existe pas : choisissez-en une dans la liste.',
    );
  }
}
