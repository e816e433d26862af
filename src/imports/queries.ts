import type { Queryable } from '../db/db.ts';
import { safeSnippet } from '../text/safe.ts';

export type ImportRun = {
  id: number;
  job: string;
  source: string;
  sha256: string | null;
  options: unknown;
  started_at: Date;
  ended_at: Date | null;
  status: 'running' | 'succeeded' | 'failed' | 'unchanged';
  rows_read: number;
  rows_accepted: number;
  rows_rejected: number;
  rejects: { line: number | null; reason: string; raw?: string }[];
  message: string | null;
  started_by: string | null;
  /** Bytes of the source (null for runs recorded before migration 0011 or whose source could not be read). */
  source_taille?: number | null;
};

export async function lastSucceededRun(q: Queryable, job: string): Promise<ImportRun | undefined> {
  const r = await q.query<ImportRun>(
    `SELECT * FROM import_run WHERE job = $1 AND status IN ('succeeded', 'unchanged')
     ORDER BY id DESC LIMIT 1`,
    [job],
  );
  return r.rows[0];
}

export async function insertRun(q: Queryable, run: { job: string; source: string; sha256: string | null; options: unknown; status: ImportRun['status']; startedBy: string }): Promise<number> {
  const r = await q.query<{ id: number }>(
    `INSERT INTO import_run (job, source, sha256, options, status, started_by)
     VALUES ($1, $2, $3, $4::jsonb, $5, $6) RETURNING id`,
    [run.job, run.source, run.sha256, JSON.stringify(run.options ?? {}), run.status, run.startedBy],
  );
  return Number(r.rows[0]!.id);
}

export async function finishRun(
  q: Queryable,
  id: number,
  r: { status: ImportRun['status']; read: number; accepted: number; rejected: number; rejects: unknown[]; message: string | null },
): Promise<void> {
  await q.query(
    `UPDATE import_run SET status = $2, ended_at = now(), rows_read = $3, rows_accepted = $4,
       rows_rejected = $5, rejects = $6::jsonb, message = $7 WHERE id = $1`,
    [id, r.status, r.read, r.accepted, r.rejected, JSON.stringify(r.rejects), r.message === null ? null : safeSnippet(r.message, 4000)],
  );
}

export async function getRun(q: Queryable, id: number): Promise<ImportRun | undefined> {
  return (await q.query<ImportRun>('SELECT * FROM import_run WHERE id = $1', [id])).rows[0];
}

export async function listRuns(q: Queryable, limit = 100): Promise<ImportRun[]> {
  return (await q.query<ImportRun>('SELECT * FROM import_run ORDER BY id DESC LIMIT $1', [limit])).rows;
}

/** Runs left 'running' by a process that died: marked failed at start-up, so the list tells the truth. */
export async function failInterruptedRuns(q: Queryable): Promise<number> {
  const r = await q.query(
    `UPDATE import_run SET status = 'failed', ended_at = now(),
       message = 'Interrompu (arrêt du processus) ; les données précédentes sont intactes.'
     WHERE status = 'running'`,
  );
  return r.rowCount;
}

/** Size in bytes of the source a run read (kept after the file itself is removed by retention). */
export async function setRunSourceSize(q: Queryable, id: number, size: number): Promise<void> {
  await q.query('UPDATE import_run SET source_taille = $2 WHERE id = $1', [id, size]);
}
