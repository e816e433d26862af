import type { Queryable } from '../db/db.ts';

export async function insertLoginFailure(q: Queryable, email: string, address: string) {
  await q.query('INSERT INTO connexion_echec (email, adresse) VALUES ($1, $2)', [email, address]);
}

/** Failures in the last `minutes` for this account and for this address. */
export async function countLoginFailures(q: Queryable, email: string, address: string, minutes: number) {
  return (
    await q.query<{ compte: number; adresse: number }>(
      `SELECT count(*) FILTER (WHERE email = $1)::int AS compte, count(*) FILTER (WHERE adresse = $2)::int AS adresse
     FROM connexion_echec WHERE le > now() - make_interval(mins => $3) AND (email = $1 OR adresse = $2)`,
      [email, address, minutes],
    )
  ).rows[0]!;
}

export async function deleteLoginFailuresOf(q: Queryable, email: string) {
  await q.query('DELETE FROM connexion_echec WHERE email = $1', [email]);
}

export async function deleteOldLoginFailures(q: Queryable) {
  await q.query(`DELETE FROM connexion_echec WHERE le < now() - interval '1 day'`);
}
