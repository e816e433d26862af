import type { Queryable } from '../db/db.ts';
import type { UserRow } from './queries.ts';

export async function userById(q: Queryable, id: number) {
  return (
    await q.query<UserRow>(
      'SELECT id, email, nom, mot_de_passe_hash, role, organisation_id, actif FROM utilisateur WHERE id = $1',
      [id],
    )
  ).rows[0];
}

export async function updatePasswordHash(q: Queryable, id: number, hash: string) {
  await q.query('UPDATE utilisateur SET mot_de_passe_hash = $2 WHERE id = $1', [id, hash]);
}

/** Ends every session of a user but the one whose hash is kept (null: all of them). */
export async function deleteSessionsOfUser(q: Queryable, userId: number, keepIdHash: string | null) {
  return (
    await q.query('DELETE FROM session WHERE utilisateur_id = $1 AND ($2::text IS NULL OR id_hash <> $2)', [
      userId,
      keepIdHash,
    ])
  ).rowCount;
}

export async function setUserActive(q: Queryable, id: number, actif: boolean) {
  await q.query('UPDATE utilisateur SET actif = $2 WHERE id = $1', [id, actif]);
}
