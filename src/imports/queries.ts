import type { Queryable } from '../db/db.ts';
import { safeJsonText, safeSnippet } from '../text/safe.ts';

export type ImportRun = {
  id: number;
  job: string;
  source: string;
  sha256: string | null;
  options: unknown;
  started_at: Date;
  ended_at: Date | null;
  status: 'running' | 'succeeded' | 'failed' | 'unchanged' | 'cancelled';
  rows_read: number;
  rows_accepted: number;
  rows_rejected: number;
  rejects: { line: number | null; reason: string; raw?: string }[];
  message: string | null;
  started_by: string | null;
  bytes_read: number;
  bytes_total: number | null;
  phase: 'telechargement' | 'attente' | 'lecture' | 'remplacement' | null;
  instance: string | null;
  cancel_requested_by: string | null;
  progress_at: Date | null;
  /** Bytes of the source (null for runs recorded before migration 0011 or whose source could not be read). */
  source_taille?: number | null;
};

/** A follow-up of a committed run (listener) that failed on one instance. */
export type RunSuiteFailure = {
  id: number;
  run_id: number;
  job: string;
  listener: string;
  instance: string;
  message: string;
  failed_at: Date;
};

export async function lastSucceededRun(q: Queryable, job: string): Promise<ImportRun | undefined> {
  const r = await q.query<ImportRun>(
    `SELECT * FROM import_run WHERE job = $1 AND status IN ('succeeded', 'unchanged')
     ORDER BY id DESC LIMIT 1`,
    [job],
  );
  return r.rows[0];
}

export async function insertRun(
  q: Queryable,
  run: {
    job: string;
    source: string;
    sha256: string | null;
    options: unknown;
    status: ImportRun['status'];
    startedBy: string;
    phase?: ImportRun['phase'];
    instance?: string;
  },
): Promise<number> {
  const r = await q.query<{ id: number }>(
    `INSERT INTO import_run (job, source, sha256, options, status, started_by, phase, instance, progress_at)
     VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, now()) RETURNING id`,
    [
      run.job,
      safeSnippet(run.source, 2000),
      run.sha256,
      safeJsonText(JSON.stringify(run.options ?? {})),
      run.status,
      safeSnippet(run.startedBy, 200),
      run.phase ?? null,
      run.instance ?? null,
    ],
  );
  return Number(r.rows[0]!.id);
}

export async function finishRun(
  q: Queryable,
  id: number,
  r: {
    status: ImportRun['status'];
    read: number;
    accepted: number;
    rejected: number;
    rejects: unknown[];
    message: string | null;
  },
): Promise<void> {
  await q.query(
    `UPDATE import_run SET status = $2, ended_at = now(), rows_read = $3, rows_accepted = $4,
       rows_rejected = $5, rejects = $6::jsonb, message = $7, phase = NULL WHERE id = $1`,
    [
      id,
      r.status,
      r.read,
      r.accepted,
      r.rejected,
      JSON.stringify(r.rejects),
      r.message === null ? null : safeSnippet(r.message, 4000),
    ],
  );
}

export async function getRun(q: Queryable, id: number): Promise<ImportRun | undefined> {
  return (await q.query<ImportRun>('SELECT * FROM import_run WHERE id = $1', [id])).rows[0];
}

export async function listRuns(q: Queryable, limit = 100): Promise<ImportRun[]> {
  return (await q.query<ImportRun>('SELECT * FROM import_run ORDER BY id DESC LIMIT $1', [limit])).rows;
}

/**
 * What an interrupted run left: intact data, unless it died while swapping in parts (phase
 * `remplacement`, see db/staging.ts withStagingInParts), when some parts already committed.
 */
const INTERRUPTED_DATA = `CASE WHEN phase = 'remplacement'
  THEN ' pendant le remplacement, lot par lot : les lots déjà remplacés ont leurs nouvelles données, les autres les précédentes ; relancez l’import pour terminer.'
  ELSE ' ; les données précédentes sont intactes.' END`;

/** Runs left 'running' by a process that died: marked failed at start-up, so the list tells the truth. */
export async function failInterruptedRuns(q: Queryable): Promise<number> {
  const r = await q.query(
    `UPDATE import_run SET status = 'failed', ended_at = now(), phase = NULL,
       message = 'Interrompu (arrêt du processus)' || ${INTERRUPTED_DATA}
     WHERE status = 'running'`,
  );
  return r.rowCount;
}

/**
 * With several processes on one PostgreSQL, a run is another process's until it stops giving news:
 * a running run writes its progress every second, so one silent for `minutes` belongs to a process
 * that died. Only those are marked failed (by any instance starting, or by the scheduler's pass).
 */
export async function failSilentRuns(q: Queryable, minutes = 5): Promise<number> {
  const r = await q.query(
    `UPDATE import_run SET status = 'failed', ended_at = now(), phase = NULL,
       message = 'Interrompu : le processus qui l’exécutait (' || coalesce(instance, 'inconnu') || ') ne donne plus de nouvelles' || ${INTERRUPTED_DATA}
     WHERE status = 'running' AND coalesce(progress_at, started_at) < now() - make_interval(mins => $1)`,
    [minutes],
  );
  return r.rowCount;
}

/** Once the source is a local file: what was actually read, and its checksum. */
export async function setRunSource(
  q: Queryable,
  id: number,
  s: { source: string; sha256: string; size: number; phase: ImportRun['phase'] },
): Promise<void> {
  await q.query(
    `UPDATE import_run SET source = $2, sha256 = $3, bytes_read = $4, bytes_total = $4, source_taille = $4, phase = $5,
       progress_at = now()
     WHERE id = $1`,
    [id, safeSnippet(s.source, 2000), s.sha256, s.size, s.phase],
  );
}

/**
 * Progress of a running run, written every second or so; returns who asked to cancel it, if
 * anyone did (an administrator on any instance), so that the instance running it can stop.
 */
export async function updateProgress(
  q: Queryable,
  id: number,
  p: {
    phase: ImportRun['phase'];
    bytes: number;
    total: number | null;
    read: number;
    accepted: number;
    rejected: number;
  },
): Promise<string | null> {
  const r = await q.query<{ cancel_requested_by: string | null }>(
    `UPDATE import_run SET phase = $2, bytes_read = $3, bytes_total = $4, rows_read = $5, rows_accepted = $6,
       rows_rejected = $7, progress_at = now()
     WHERE id = $1 AND status = 'running' RETURNING cancel_requested_by`,
    [id, p.phase, p.bytes, p.total, p.read, p.accepted, p.rejected],
  );
  return r.rows[0]?.cancel_requested_by ?? null;
}

/** Marks a running run for cancellation; false when it is not running (any more). */
export async function requestCancel(q: Queryable, id: number, by: string): Promise<boolean> {
  const r = await q.query(`UPDATE import_run SET cancel_requested_by = $2 WHERE id = $1 AND status = 'running'`, [
    id,
    by,
  ]);
  return r.rowCount > 0;
}

export async function insertSuiteFailure(
  q: Queryable,
  f: { runId: number; listener: string; instance: string; message: string },
): Promise<void> {
  await q.query('INSERT INTO import_run_suite (run_id, listener, instance, message) VALUES ($1, $2, $3, $4)', [
    f.runId,
    f.listener,
    f.instance,
    safeSnippet(f.message, 1000),
  ]);
}

/** A follow-up that ran fine on an instance makes its earlier failures there obsolete. */
export async function resolveSuiteFailures(q: Queryable, listener: string, instance: string): Promise<number> {
  const r = await q.query(
    'UPDATE import_run_suite SET resolved_at = now() WHERE listener = $1 AND instance = $2 AND resolved_at IS NULL',
    [listener, instance],
  );
  return r.rowCount;
}

export async function openSuiteFailures(q: Queryable, runId?: number): Promise<RunSuiteFailure[]> {
  return (
    await q.query<RunSuiteFailure>(
      `SELECT s.id::int AS id, s.run_id::int AS run_id, r.job, s.listener, s.instance, s.message, s.failed_at
     FROM import_run_suite s JOIN import_run r ON r.id = s.run_id
     WHERE s.resolved_at IS NULL AND ($1::bigint IS NULL OR s.run_id = $1) ORDER BY s.id DESC LIMIT 50`,
      [runId ?? null],
    )
  ).rows;
}

/** Runs that succeeded since a time (an instance that lost its notification connection catches up). */
export async function succeededRunsSince(
  q: Queryable,
  since: Date,
): Promise<{ id: number; job: string; instance: string | null }[]> {
  return (
    await q.query<{ id: number; job: string; instance: string | null }>(
      `SELECT id::int AS id, job, instance FROM import_run WHERE status = 'succeeded' AND ended_at >= $1 ORDER BY ended_at`,
      [since],
    )
  ).rows;
}

export async function databaseNow(q: Queryable): Promise<Date> {
  return (await q.query<{ now: Date }>('SELECT now() AS now')).rows[0]!.now;
}

/** Per job, its last run that changed data (`succeeded`, not `unchanged`): the date datasets derived from it carry. */
export async function lastChanges(
  q: Queryable,
  jobs: string[],
): Promise<{ job: string; id: number; ended_at: Date }[]> {
  if (!jobs.length) return [];
  return (
    await q.query<{ job: string; id: number; ended_at: Date }>(
      `SELECT DISTINCT ON (job) job, id::float8 AS id, ended_at FROM import_run
       WHERE job = ANY($1::text[]) AND status = 'succeeded' AND ended_at IS NOT NULL
       ORDER BY job, id DESC`,
      [jobs],
    )
  ).rows;
}
