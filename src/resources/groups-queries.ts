import type { Queryable } from '../db/db.ts';

/** Working groups (migration 0542). */

export type GroupRow = {
  id: number;
  nom: string;
  description: string;
  themes: string[];
  membres: number;
  derniere: Date | null;
  prochaine: Date | null;
};
type MeetingRow = {
  id: number;
  groupe_id: number;
  evenement_id: number;
  titre: string;
  debut: Date;
  lieu: string | null;
  compte_rendu: string;
};
type MessageRow = {
  id: number;
  auteur_id: number | null;
  auteur_nom: string | null;
  texte: string;
  cree_le: Date;
};

/** Each group with its member count, its last meeting started before `now` and its next one. */
const GROUP_COLS = `g.id::int AS id, g.nom, g.description, g.themes,
  (SELECT count(*)::int FROM groupe_membre m WHERE m.groupe_id = g.id) AS membres,
  (SELECT max(e.debut) FROM groupe_reunion r JOIN evenement e ON e.id = r.evenement_id
    WHERE r.groupe_id = g.id AND e.debut <= $1) AS derniere,
  (SELECT min(e.debut) FROM groupe_reunion r JOIN evenement e ON e.id = r.evenement_id
    WHERE r.groupe_id = g.id AND e.debut > $1) AS prochaine`;

export async function listGroups(q: Queryable, now: Date): Promise<GroupRow[]> {
  return (await q.query<GroupRow>(`SELECT ${GROUP_COLS} FROM groupe_travail g ORDER BY lower(g.nom), g.id`, [now]))
    .rows;
}

export async function groupById(q: Queryable, id: number, now: Date): Promise<GroupRow | null> {
  return (
    (await q.query<GroupRow>(`SELECT ${GROUP_COLS} FROM groupe_travail g WHERE g.id = $2`, [now, id])).rows[0] ?? null
  );
}

export async function insertGroup(
  q: Queryable,
  g: { nom: string; description: string; themes: string[] },
): Promise<number> {
  const r = await q.query<{ id: number }>(
    'INSERT INTO groupe_travail (nom, description, themes) VALUES ($1, $2, $3) RETURNING id::int AS id',
    [g.nom, g.description, g.themes],
  );
  return r.rows[0]!.id;
}

export async function groupByName(q: Queryable, nom: string): Promise<number | null> {
  const r = await q.query<{ id: number }>('SELECT id::int AS id FROM groupe_travail WHERE lower(nom) = lower($1)', [
    nom,
  ]);
  return r.rows[0]?.id ?? null;
}

export async function membersOf(q: Queryable, groupeId: number): Promise<{ id: number; nom: string }[]> {
  return (
    await q.query<{ id: number; nom: string }>(
      `SELECT o.id::int AS id, o.nom FROM groupe_membre m JOIN organisation o ON o.id = m.organisation_id
       WHERE m.groupe_id = $1 ORDER BY lower(o.nom), o.id`,
      [groupeId],
    )
  ).rows;
}

export async function addMember(q: Queryable, groupeId: number, organisationId: number): Promise<boolean> {
  const r = await q.query(
    'INSERT INTO groupe_membre (groupe_id, organisation_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1',
    [groupeId, organisationId],
  );
  return r.rows.length > 0;
}

export async function isMember(q: Queryable, groupeId: number, organisationId: number): Promise<boolean> {
  const r = await q.query('SELECT 1 FROM groupe_membre WHERE groupe_id = $1 AND organisation_id = $2', [
    groupeId,
    organisationId,
  ]);
  return r.rows.length > 0;
}

const MEETING_COLS = `r.id::int AS id, r.groupe_id::int AS groupe_id, r.evenement_id::int AS evenement_id, e.titre, e.debut,
  e.lieu, r.compte_rendu`;

export async function meetingsOf(q: Queryable, groupeId: number): Promise<MeetingRow[]> {
  return (
    await q.query<MeetingRow>(
      `SELECT ${MEETING_COLS} FROM groupe_reunion r JOIN evenement e ON e.id = r.evenement_id
       WHERE r.groupe_id = $1 ORDER BY e.debut DESC, r.id DESC`,
      [groupeId],
    )
  ).rows;
}

export async function meetingById(q: Queryable, groupeId: number, id: number): Promise<MeetingRow | null> {
  return (
    (
      await q.query<MeetingRow>(
        `SELECT ${MEETING_COLS} FROM groupe_reunion r JOIN evenement e ON e.id = r.evenement_id
         WHERE r.groupe_id = $1 AND r.id = $2`,
        [groupeId, id],
      )
    ).rows[0] ?? null
  );
}

export async function meetingOfEvent(q: Queryable, evenementId: number): Promise<number | null> {
  const r = await q.query<{ id: number }>('SELECT id::int AS id FROM groupe_reunion WHERE evenement_id = $1', [
    evenementId,
  ]);
  return r.rows[0]?.id ?? null;
}

export async function insertMeeting(q: Queryable, groupeId: number, evenementId: number): Promise<number> {
  const r = await q.query<{ id: number }>(
    'INSERT INTO groupe_reunion (groupe_id, evenement_id) VALUES ($1, $2) RETURNING id::int AS id',
    [groupeId, evenementId],
  );
  return r.rows[0]!.id;
}

export async function updateMinutes(q: Queryable, id: number, compteRendu: string): Promise<void> {
  await q.query('UPDATE groupe_reunion SET compte_rendu = $2, modifie_le = now() WHERE id = $1', [id, compteRendu]);
}

export async function documentsOf(q: Queryable, reunionId: number): Promise<{ id: number; titre: string }[]> {
  return (
    await q.query<{ id: number; titre: string }>(
      `SELECT b.id::int AS id, b.titre FROM groupe_reunion_document d JOIN bibliotheque_ressource b ON b.id = d.ressource_id
       WHERE d.reunion_id = $1 ORDER BY lower(b.titre), b.id`,
      [reunionId],
    )
  ).rows;
}

export async function setDocuments(q: Queryable, reunionId: number, ressourceIds: number[]): Promise<void> {
  await q.query('DELETE FROM groupe_reunion_document WHERE reunion_id = $1', [reunionId]);
  await q.query(
    `INSERT INTO groupe_reunion_document (reunion_id, ressource_id)
     SELECT $1, x FROM unnest($2::bigint[]) AS x ON CONFLICT DO NOTHING`,
    [reunionId, ressourceIds],
  );
}

/** Groups a library resource is reserved to (empty: a public resource). */
export async function groupsOfDocument(q: Queryable, ressourceId: number): Promise<number[]> {
  return (
    await q.query<{ id: number }>(
      `SELECT DISTINCT r.groupe_id::int AS id FROM groupe_reunion_document d JOIN groupe_reunion r ON r.id = d.reunion_id
       WHERE d.ressource_id = $1`,
      [ressourceId],
    )
  ).rows.map((r) => r.id);
}

export async function messagesOf(q: Queryable, reunionId: number): Promise<MessageRow[]> {
  return (
    await q.query<MessageRow>(
      `SELECT m.id::int AS id, m.auteur_id::int AS auteur_id, u.nom AS auteur_nom, m.texte, m.cree_le
       FROM groupe_message m LEFT JOIN utilisateur u ON u.id = m.auteur_id WHERE m.reunion_id = $1 ORDER BY m.cree_le, m.id`,
      [reunionId],
    )
  ).rows;
}

export async function messageById(
  q: Queryable,
  reunionId: number,
  id: number,
): Promise<{ id: number; auteur_id: number | null; texte: string } | null> {
  return (
    (
      await q.query<{ id: number; auteur_id: number | null; texte: string }>(
        'SELECT id::int AS id, auteur_id::int AS auteur_id, texte FROM groupe_message WHERE reunion_id = $1 AND id = $2',
        [reunionId, id],
      )
    ).rows[0] ?? null
  );
}

export async function insertMessage(q: Queryable, reunionId: number, auteurId: number, texte: string): Promise<number> {
  const r = await q.query<{ id: number }>(
    'INSERT INTO groupe_message (reunion_id, auteur_id, texte) VALUES ($1, $2, $3) RETURNING id::int AS id',
    [reunionId, auteurId, texte],
  );
  return r.rows[0]!.id;
}

export async function deleteMessage(q: Queryable, id: number): Promise<void> {
  await q.query('DELETE FROM groupe_message WHERE id = $1', [id]);
}

/** Search entries of library resources follow their state: published and not reserved to a group. */
export async function refreshDocumentSearch(q: Queryable, ressourceIds: number[]): Promise<void> {
  await q.query(
    `UPDATE ressource_recherche s SET publie = (b.moderation = 'publie'
       AND NOT EXISTS (SELECT 1 FROM groupe_reunion_document d WHERE d.ressource_id = b.id))
     FROM bibliotheque_ressource b WHERE s.type = 'ressource' AND s.objet_id = b.id AND b.id = ANY($1::bigint[])`,
    [ressourceIds],
  );
}

export async function existingResources(q: Queryable, ids: number[]): Promise<number[]> {
  return (
    await q.query<{ id: number }>('SELECT id::int AS id FROM bibliotheque_ressource WHERE id = ANY($1::bigint[])', [
      ids,
    ])
  ).rows.map((r) => r.id);
}

/** A person's messages in the working groups (download of one's own data). */
export async function messagesBy(q: Queryable, auteurId: number) {
  return (
    await q.query<{ groupe: string; reunion_id: number; texte: string; cree_le: Date }>(
      `SELECT g.nom AS groupe, m.reunion_id::float8 AS reunion_id, m.texte, m.cree_le
       FROM groupe_message m JOIN groupe_reunion r ON r.id = m.reunion_id JOIN groupe_travail g ON g.id = r.groupe_id
       WHERE m.auteur_id = $1 ORDER BY m.cree_le, m.id`,
      [auteurId],
    )
  ).rows;
}
