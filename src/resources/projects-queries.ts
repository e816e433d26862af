import type { Queryable } from '../db/db.ts';
import type { Visibility } from './moderation-queries.ts';

/** Innovative projects and use cases (table `projet`, migration 0530). */
export type Financement = { financeur: string; montant: number };
export type ProjetInput = {
  titre: string;
  resume: string;
  description: string;
  themes: string[];
  territoires: string[];
  territoires_etendus: string[];
  statut: string;
  date_debut: string | null;
  date_fin: string | null;
  partenaires: string[];
  budget_total: number | null;
  financements: Financement[];
  resultats: string;
  contact_public: string;
  action_strategie: string | null;
  porteur_acteur_id: number | null;
};
type ProjetRow = ProjetInput & { id: number; moderation: Visibility; cree_le: Date; modifie_le: Date };

const COLS = `id::int AS id, moderation, titre, resume, description, themes, territoires, territoires_etendus, statut,
  to_char(date_debut, 'YYYY-MM-DD') AS date_debut, to_char(date_fin, 'YYYY-MM-DD') AS date_fin, partenaires,
  budget_total::float8 AS budget_total, financements, resultats, contact_public, action_strategie,
  porteur_acteur_id::int AS porteur_acteur_id, cree_le, modifie_le`;

const values = (p: ProjetInput) => [
  p.titre,
  p.resume,
  p.description,
  p.themes,
  p.territoires,
  p.territoires_etendus,
  p.statut,
  p.date_debut,
  p.date_fin,
  p.partenaires,
  p.budget_total,
  JSON.stringify(p.financements),
  p.resultats,
  p.contact_public,
  p.action_strategie,
  p.porteur_acteur_id,
];

export async function insertProjet(q: Queryable, p: ProjetInput): Promise<number> {
  const r = await q.query<{ id: number }>(
    `INSERT INTO projet (titre, resume, description, themes, territoires, territoires_etendus, statut, date_debut,
       date_fin, partenaires, budget_total, financements, resultats, contact_public, action_strategie, porteur_acteur_id)
     VALUES ($1, $2, $3, $4::text[], $5::text[], $6::text[], $7, $8::date, $9::date, $10::text[], $11::numeric,
       $12::jsonb, $13, $14, $15, $16::bigint) RETURNING id::int AS id`,
    values(p),
  );
  return r.rows[0]!.id;
}

export async function updateProjet(q: Queryable, id: number, p: ProjetInput): Promise<void> {
  await q.query(
    `UPDATE projet SET titre = $1, resume = $2, description = $3, themes = $4::text[], territoires = $5::text[],
       territoires_etendus = $6::text[], statut = $7, date_debut = $8::date, date_fin = $9::date,
       partenaires = $10::text[], budget_total = $11::numeric, financements = $12::jsonb, resultats = $13,
       contact_public = $14, action_strategie = $15, porteur_acteur_id = $16::bigint, modifie_le = now()
     WHERE id = $17`,
    [...values(p), id],
  );
}

export async function projetById(q: Queryable, id: number): Promise<ProjetRow | null> {
  return (await q.query<ProjetRow>(`SELECT ${COLS} FROM projet WHERE id = $1`, [id])).rows[0] ?? null;
}

/** Projects by theme, status and territory (a territory finds the projects in it: `territoires_etendus`). */
export async function listProjets(
  q: Queryable,
  f: { theme?: string | undefined; statut?: string | undefined; territoire?: string | undefined },
  limit: number,
  offset: number,
): Promise<{ total: number; items: ProjetRow[] }> {
  const r = await q.query<ProjetRow & { total: number }>(
    `SELECT ${COLS}, count(*) OVER ()::int AS total FROM projet
     WHERE moderation = 'publie' AND ($1::text IS NULL OR $1 = ANY(themes)) AND ($2::text IS NULL OR statut = $2)
       AND ($3::text IS NULL OR $3 = ANY(territoires_etendus))
     ORDER BY modifie_le DESC, id DESC LIMIT $4 OFFSET $5`,
    [f.theme ?? null, f.statut ?? null, f.territoire ?? null, limit, offset],
  );
  return { total: r.rows[0]?.total ?? 0, items: r.rows.map(({ total: _t, ...x }) => x) };
}

/** Actors a project lead may be chosen from: id and name, alphabetical. */
export async function acteurChoices(q: Queryable): Promise<{ id: number; nom: string }[]> {
  return (
    await q.query<{ id: number; nom: string }>(
      "SELECT id::int AS id, nom FROM acteur WHERE moderation = 'publie' ORDER BY lower(nom), id",
    )
  ).rows;
}
