import type { Queryable } from '../db/db.ts';

/** Tables of moderation before publication (migration 0540). */

export const MODERATED = ['acteur', 'projet', 'ressource', 'evenement', 'actualite'] as const;
export type ModeratedType = (typeof MODERATED)[number];
/** The table of each moderated type: the only names ever put into these statements' SQL. */
const TABLE: Record<ModeratedType, string> = {
  acteur: 'acteur',
  projet: 'projet',
  ressource: 'bibliotheque_ressource',
  evenement: 'evenement',
  actualite: 'actualite',
};

export type Visibility = 'publie' | 'en_attente' | 'refuse';
type SettingRow = { objet_type: ModeratedType; revue: boolean; modifie_le: Date };
type SubmissionRow = {
  objet_type: ModeratedType;
  objet_id: number;
  titre: string;
  auteur_id: number | null;
  auteur_nom: string | null;
  statut: Visibility;
  motif: string | null;
  soumis_le: Date;
  decide_le: Date | null;
};

export async function listSettings(q: Queryable): Promise<SettingRow[]> {
  return (
    await q.query<SettingRow>(
      'SELECT objet_type, revue, modifie_le FROM ressource_moderation_reglage ORDER BY objet_type',
    )
  ).rows;
}

export async function reviewRequired(q: Queryable, type: ModeratedType): Promise<boolean> {
  const r = await q.query<{ revue: boolean }>('SELECT revue FROM ressource_moderation_reglage WHERE objet_type = $1', [
    type,
  ]);
  return r.rows[0]?.revue ?? false;
}

export async function updateSetting(q: Queryable, type: ModeratedType, revue: boolean): Promise<void> {
  await q.query('UPDATE ressource_moderation_reglage SET revue = $2, modifie_le = now() WHERE objet_type = $1', [
    type,
    revue,
  ]);
}

/** The record's visibility and its search entry's, in one go. */
export async function setVisibility(q: Queryable, type: ModeratedType, id: number, v: Visibility): Promise<void> {
  await q.query(`UPDATE ${TABLE[type]} SET moderation = $2 WHERE id = $1`, [id, v]);
  // A library resource reserved to a working group stays out of the search even when published.
  await q.query(
    `UPDATE ressource_recherche SET publie = $3 AND NOT ($1 = 'ressource'
       AND EXISTS (SELECT 1 FROM groupe_reunion_document d WHERE d.ressource_id = $2))
     WHERE type = $1 AND objet_id = $2`,
    [type, id, v === 'publie'],
  );
}

export async function visibilityOf(q: Queryable, type: ModeratedType, id: number): Promise<Visibility | null> {
  const r = await q.query<{ moderation: Visibility }>(`SELECT moderation FROM ${TABLE[type]} WHERE id = $1`, [id]);
  return r.rows[0]?.moderation ?? null;
}

export async function upsertSubmission(
  q: Queryable,
  s: { type: ModeratedType; id: number; titre: string; auteurId: number },
): Promise<void> {
  await q.query(
    `INSERT INTO ressource_moderation (objet_type, objet_id, titre, auteur_id, statut)
     VALUES ($1, $2, $3, $4, 'en_attente')
     ON CONFLICT (objet_type, objet_id) DO UPDATE SET titre = EXCLUDED.titre, auteur_id = EXCLUDED.auteur_id,
       statut = 'en_attente', motif = NULL, soumis_le = now(), decide_par = NULL, decide_le = NULL`,
    [s.type, s.id, s.titre, s.auteurId],
  );
}

const SUBMISSION_COLS = `m.objet_type, m.objet_id::int AS objet_id, m.titre, m.auteur_id::int AS auteur_id,
  u.nom AS auteur_nom, m.statut, m.motif, m.soumis_le, m.decide_le`;

export async function submissionOf(q: Queryable, type: ModeratedType, id: number): Promise<SubmissionRow | null> {
  return (
    (
      await q.query<SubmissionRow>(
        `SELECT ${SUBMISSION_COLS} FROM ressource_moderation m LEFT JOIN utilisateur u ON u.id = m.auteur_id
         WHERE m.objet_type = $1 AND m.objet_id = $2 FOR UPDATE OF m`,
        [type, id],
      )
    ).rows[0] ?? null
  );
}

export async function decideSubmission(
  q: Queryable,
  type: ModeratedType,
  id: number,
  d: { statut: 'publie' | 'refuse'; motif: string | null; par: number },
): Promise<void> {
  await q.query(
    `UPDATE ressource_moderation SET statut = $3, motif = $4, decide_par = $5, decide_le = now()
     WHERE objet_type = $1 AND objet_id = $2`,
    [type, id, d.statut, d.motif, d.par],
  );
}

/** The review queue, oldest first. */
export async function pendingSubmissions(q: Queryable, limit: number): Promise<SubmissionRow[]> {
  return (
    await q.query<SubmissionRow>(
      `SELECT ${SUBMISSION_COLS} FROM ressource_moderation m LEFT JOIN utilisateur u ON u.id = m.auteur_id
       WHERE m.statut = 'en_attente' ORDER BY m.soumis_le, m.objet_type, m.objet_id LIMIT ${limit}`,
    )
  ).rows;
}

/** An author's submissions, newest first. */
export async function submissionsOf(q: Queryable, auteurId: number, limit: number): Promise<SubmissionRow[]> {
  return (
    await q.query<SubmissionRow>(
      `SELECT ${SUBMISSION_COLS} FROM ressource_moderation m LEFT JOIN utilisateur u ON u.id = m.auteur_id
       WHERE m.auteur_id = $1 ORDER BY m.soumis_le DESC, m.objet_type, m.objet_id LIMIT ${limit}`,
      [auteurId],
    )
  ).rows;
}
