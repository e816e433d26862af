import type { Queryable } from '../db/db.ts';

/** Claims of actor cards by organisations (migration 0541). */

export type ClaimRow = {
  id: number;
  acteur_id: number;
  acteur_nom: string;
  organisation_id: number;
  organisation_nom: string;
  demandeur_nom: string | null;
  motif: string;
  statut: 'en_attente' | 'validee' | 'refusee';
  motif_refus: string | null;
  demande_le: Date;
  decide_le: Date | null;
};

const COLS = `c.id::int AS id, c.acteur_id::int AS acteur_id, a.nom AS acteur_nom, c.organisation_id::int AS organisation_id,
  o.nom AS organisation_nom, u.nom AS demandeur_nom, c.motif, c.statut, c.motif_refus, c.demande_le, c.decide_le`;
const FROM = `FROM acteur_revendication c JOIN acteur a ON a.id = c.acteur_id JOIN organisation o ON o.id = c.organisation_id
  LEFT JOIN utilisateur u ON u.id = c.demandeur_id`;

export async function insertClaim(
  q: Queryable,
  c: { acteurId: number; organisationId: number; demandeurId: number; motif: string },
): Promise<number> {
  const r = await q.query<{ id: number }>(
    `INSERT INTO acteur_revendication (acteur_id, organisation_id, demandeur_id, motif)
     VALUES ($1, $2, $3, $4) RETURNING id::int AS id`,
    [c.acteurId, c.organisationId, c.demandeurId, c.motif],
  );
  return r.rows[0]!.id;
}

/** The claim, locked for the decision when inside a transaction. */
export async function claimById(q: Queryable, id: number): Promise<ClaimRow | null> {
  return (await q.query<ClaimRow>(`SELECT ${COLS} ${FROM} WHERE c.id = $1 FOR UPDATE OF c`, [id])).rows[0] ?? null;
}

export async function openClaim(q: Queryable, acteurId: number, organisationId: number): Promise<number | null> {
  const r = await q.query<{ id: number }>(
    `SELECT id::int AS id FROM acteur_revendication WHERE acteur_id = $1 AND organisation_id = $2 AND statut = 'en_attente'`,
    [acteurId, organisationId],
  );
  return r.rows[0]?.id ?? null;
}

export async function decideClaim(
  q: Queryable,
  id: number,
  d: { statut: 'validee' | 'refusee'; motifRefus: string | null; par: number },
): Promise<void> {
  await q.query(
    `UPDATE acteur_revendication SET statut = $2, motif_refus = $3, decide_par = $4, decide_le = now() WHERE id = $1`,
    [id, d.statut, d.motifRefus, d.par],
  );
}

/** Open claims, oldest first (the administrators' queue). */
export async function openClaims(q: Queryable, limit: number): Promise<ClaimRow[]> {
  return (
    await q.query<ClaimRow>(
      `SELECT ${COLS} ${FROM} WHERE c.statut = 'en_attente' ORDER BY c.demande_le, c.id LIMIT ${limit}`,
    )
  ).rows;
}

/** An organisation's claims on a card, newest first (what its members see on the card). */
export async function claimsOn(q: Queryable, acteurId: number, organisationId: number): Promise<ClaimRow[]> {
  return (
    await q.query<ClaimRow>(
      `SELECT ${COLS} ${FROM} WHERE c.acteur_id = $1 AND c.organisation_id = $2 ORDER BY c.demande_le DESC, c.id DESC LIMIT 5`,
      [acteurId, organisationId],
    )
  ).rows;
}

/** The claims a person filed (download of one's own data). */
export async function claimsBy(q: Queryable, demandeurId: number) {
  return (
    await q.query<{ acteur: string; motif: string; statut: string; demande_le: Date }>(
      `SELECT a.nom AS acteur, c.motif, c.statut, c.demande_le
       FROM acteur_revendication c JOIN acteur a ON a.id = c.acteur_id
       WHERE c.demandeur_id = $1 ORDER BY c.demande_le, c.id`,
      [demandeurId],
    )
  ).rows;
}
