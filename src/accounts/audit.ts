import type { Queryable } from '../db/db.ts';

export type Actor = { id: number | null; label: string };

/** Every write goes through here: who, what, before and after. */
export async function audit(
  q: Queryable,
  actor: Actor,
  action: string,
  objet: { type: string; id?: string | number | null },
  avant: unknown,
  apres: unknown,
): Promise<void> {
  await q.query(
    `INSERT INTO journal_audit (utilisateur_id, acteur, action, objet_type, objet_id, avant, apres)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb)`,
    [
      actor.id,
      actor.label,
      action,
      objet.type,
      objet.id === undefined || objet.id === null ? null : String(objet.id),
      avant === undefined ? null : JSON.stringify(redact(avant)),
      apres === undefined ? null : JSON.stringify(redact(apres)),
    ],
  );
}

/** Password hashes never enter the journal. */
function redact(v: unknown): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [k, /mot_de_passe|password|hash/i.test(k) ? '[masqué]' : x]),
    );
  }
  return v;
}

export async function listAudit(q: Queryable, limit = 200) {
  return (
    await q.query<{
      id: number;
      acteur: string;
      action: string;
      objet_type: string;
      objet_id: string | null;
      avant: unknown;
      apres: unknown;
      le: Date;
    }>(
      'SELECT id, acteur, action, objet_type, objet_id, avant, apres, le FROM journal_audit ORDER BY id DESC LIMIT $1',
      [limit],
    )
  ).rows;
}
