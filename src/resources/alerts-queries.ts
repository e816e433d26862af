import type { Queryable } from '../db/db.ts';

export type AlertFilters = {
  beneficiaire?: string | undefined;
  niveau?: string | undefined;
  code?: string | undefined;
  theme?: string | undefined;
  type?: string | undefined;
};
type AlertRow = {
  id: number;
  utilisateur_id: number;
  nom: string;
  filtres: AlertFilters;
  cree_le: Date;
  nouvelles_depuis: Date;
  echeances_jusqu_au: string | null;
};
const COLS = `id::int AS id, utilisateur_id::int AS utilisateur_id, nom, filtres, cree_le, nouvelles_depuis,
  to_char(echeances_jusqu_au, 'YYYY-MM-DD') AS echeances_jusqu_au`;

export async function insertAlert(q: Queryable, userId: number, nom: string, filtres: AlertFilters): Promise<number> {
  const r = await q.query<{ id: number }>(
    'INSERT INTO alerte_aides (utilisateur_id, nom, filtres) VALUES ($1, $2, $3::jsonb) RETURNING id::int AS id',
    [userId, nom, JSON.stringify(filtres)],
  );
  return r.rows[0]!.id;
}

export async function alertsOf(q: Queryable, userId: number): Promise<AlertRow[]> {
  return (await q.query<AlertRow>(`SELECT ${COLS} FROM alerte_aides WHERE utilisateur_id = $1 ORDER BY id`, [userId]))
    .rows;
}

export async function alertById(q: Queryable, id: number): Promise<AlertRow | null> {
  return (await q.query<AlertRow>(`SELECT ${COLS} FROM alerte_aides WHERE id = $1`, [id])).rows[0] ?? null;
}

export async function allAlerts(q: Queryable): Promise<AlertRow[]> {
  return (await q.query<AlertRow>(`SELECT ${COLS} FROM alerte_aides ORDER BY id`)).rows;
}

export async function deleteAlert(q: Queryable, id: number): Promise<void> {
  await q.query('DELETE FROM alerte_aides WHERE id = $1', [id]);
}

/** Moves the alert's marks forward (what the digest just announced), for the next digest. */
export async function advanceAlert(q: Queryable, id: number, nouvellesDepuis: Date, echeancesJusquAu: string) {
  // Never backwards (a clock set back must not announce the same aids again).
  await q.query(
    `UPDATE alerte_aides SET nouvelles_depuis = GREATEST(nouvelles_depuis, $2::timestamptz),
       echeances_jusqu_au = GREATEST(COALESCE(echeances_jusqu_au, $3::date), $3::date) WHERE id = $1`,
    [id, nouvellesDepuis, echeancesJusquAu],
  );
}

export type DigestRow = {
  id: number;
  alerte_id: number;
  cree_le: Date;
  sujet: string;
  texte: string;
  nouvelles: number;
  echeances: number;
  courriel: 'envoye' | 'non_configure' | 'echec';
  erreur: string | null;
};

export async function insertDigest(q: Queryable, d: Omit<DigestRow, 'id' | 'cree_le'>): Promise<void> {
  await q.query(
    `INSERT INTO alerte_envoi (alerte_id, sujet, texte, nouvelles, echeances, courriel, erreur)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [d.alerte_id, d.sujet, d.texte, d.nouvelles, d.echeances, d.courriel, d.erreur],
  );
}

export async function digestsOf(q: Queryable, userId: number, limit: number): Promise<DigestRow[]> {
  return (
    await q.query<DigestRow>(
      `SELECT e.id::int AS id, e.alerte_id::int AS alerte_id, e.cree_le, e.sujet, e.texte, e.nouvelles, e.echeances,
         e.courriel, e.erreur
       FROM alerte_envoi e JOIN alerte_aides a ON a.id = e.alerte_id WHERE a.utilisateur_id = $1
       ORDER BY e.id DESC LIMIT $2`,
      [userId, limit],
    )
  ).rows;
}

/** Erasure of an account: its saved searches and their digests (cascade). */
export async function deleteAlertsOf(q: Queryable, userId: number): Promise<number> {
  return (await q.query('DELETE FROM alerte_aides WHERE utilisateur_id = $1', [userId])).rowCount;
}
