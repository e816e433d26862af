import type { Queryable } from '../db/db.ts';
import type { Visibility } from './moderation-queries.ts';

export type LibraryInput = {
  titre: string;
  genre: string;
  licence: string;
  auteurs: string;
  description: string;
  themes: string[];
};
type LibraryRow = LibraryInput & {
  id: number;
  moderation: Visibility;
  versions: number;
  telechargements: number;
  modifie_le: Date;
};
type VersionRow = {
  id: number;
  ressource_id: number;
  numero: number;
  nom_fichier: string;
  type_contenu: string;
  taille: number;
  sha256: string;
  note: string;
  auteur: string;
  ajoute_le: Date;
  telechargements: number;
};

const COLS = `r.id::int AS id, r.moderation, r.titre, r.genre, r.licence, r.auteurs, r.description, r.themes, r.modifie_le,
  (SELECT count(*)::int FROM bibliotheque_version v WHERE v.ressource_id = r.id) AS versions,
  (SELECT COALESCE(sum(v.telechargements), 0)::int FROM bibliotheque_version v WHERE v.ressource_id = r.id) AS telechargements`;

export async function listLibrary(
  q: Queryable,
  f: { genre?: string | undefined; theme?: string | undefined },
  limit: number,
  offset: number,
): Promise<{ total: number; items: LibraryRow[] }> {
  const r = await q.query<LibraryRow & { total: number }>(
    `SELECT ${COLS}, count(*) OVER ()::int AS total FROM bibliotheque_ressource r
     WHERE r.moderation = 'publie' AND NOT EXISTS (SELECT 1 FROM groupe_reunion_document d WHERE d.ressource_id = r.id)
       AND ($1::text IS NULL OR r.genre = $1) AND ($2::text IS NULL OR r.themes ? $2)
     ORDER BY r.modifie_le DESC, r.id DESC LIMIT $3 OFFSET $4`,
    [f.genre ?? null, f.theme ?? null, limit, offset],
  );
  return { total: r.rows[0]?.total ?? 0, items: r.rows.map(({ total: _t, ...x }) => x) };
}

export async function libraryById(q: Queryable, id: number): Promise<LibraryRow | null> {
  return (
    (await q.query<LibraryRow>(`SELECT ${COLS} FROM bibliotheque_ressource r WHERE r.id = $1`, [id])).rows[0] ?? null
  );
}

export async function insertLibrary(q: Queryable, r: LibraryInput): Promise<number> {
  const res = await q.query<{ id: number }>(
    `INSERT INTO bibliotheque_ressource (titre, genre, licence, auteurs, description, themes)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb) RETURNING id::int AS id`,
    [r.titre, r.genre, r.licence, r.auteurs, r.description, JSON.stringify(r.themes)],
  );
  return res.rows[0]!.id;
}

const VERSION_COLS = `id::int AS id, ressource_id::int AS ressource_id, numero, nom_fichier, type_contenu, taille::float8 AS taille,
  sha256, note, auteur, ajoute_le, telechargements::int AS telechargements`;

export async function versionsOf(q: Queryable, ressourceId: number): Promise<VersionRow[]> {
  return (
    await q.query<VersionRow>(
      `SELECT ${VERSION_COLS} FROM bibliotheque_version WHERE ressource_id = $1 ORDER BY numero DESC`,
      [ressourceId],
    )
  ).rows;
}

export async function insertVersion(
  q: Queryable,
  v: Omit<VersionRow, 'id' | 'numero' | 'ajoute_le' | 'telechargements'>,
): Promise<number> {
  // The resource row is locked so that two uploads at once get two numbers.
  await q.query('SELECT id FROM bibliotheque_ressource WHERE id = $1 FOR UPDATE', [v.ressource_id]);
  const r = await q.query<{ numero: number }>(
    `INSERT INTO bibliotheque_version (ressource_id, numero, nom_fichier, type_contenu, taille, sha256, note, auteur)
     VALUES ($1, (SELECT COALESCE(max(numero), 0) + 1 FROM bibliotheque_version WHERE ressource_id = $1), $2, $3, $4, $5, $6, $7)
     RETURNING numero`,
    [v.ressource_id, v.nom_fichier, v.type_contenu, v.taille, v.sha256, v.note, v.auteur],
  );
  await q.query('UPDATE bibliotheque_ressource SET modifie_le = now() WHERE id = $1', [v.ressource_id]);
  return r.rows[0]!.numero;
}

/** Counts a download and returns the version, or null when there is none of that number. */
export async function countDownload(q: Queryable, ressourceId: number, numero: number): Promise<VersionRow | null> {
  return (
    (
      await q.query<VersionRow>(
        `UPDATE bibliotheque_version SET telechargements = telechargements + 1
         WHERE ressource_id = $1 AND numero = $2 RETURNING ${VERSION_COLS}`,
        [ressourceId, numero],
      )
    ).rows[0] ?? null
  );
}
