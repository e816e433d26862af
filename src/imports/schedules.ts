import type { Queryable } from '../db/db.ts';

export type Schedule = {
  id: number;
  job: string;
  source: string;
  options: unknown;
  intervalle_heures: number;
  prochaine_execution: Date;
  actif: boolean;
};

export async function listSchedules(q: Queryable) {
  return (await q.query<Schedule>('SELECT * FROM import_planification ORDER BY id')).rows;
}

export async function insertSchedule(
  q: Queryable,
  s: { job: string; source: string; options: unknown; hours: number },
) {
  return (
    await q.query<Schedule>(
      `INSERT INTO import_planification (job, source, options, intervalle_heures, prochaine_execution)
     VALUES ($1, $2, $3::jsonb, $4, now()) RETURNING *`,
      [s.job, s.source, JSON.stringify(s.options ?? {}), s.hours],
    )
  ).rows[0]!;
}

export async function deleteSchedule(q: Queryable, id: number) {
  return (await q.query<Schedule>('DELETE FROM import_planification WHERE id = $1 RETURNING *', [id])).rows[0];
}

/**
 * Claims the due schedules by moving their next run forward first, so that a crash cannot loop.
 * The UPDATE is atomic: of several instances claiming at once, each due row goes to one of them.
 */
export async function claimDueSchedules(q: Queryable) {
  return (
    await q.query<Schedule>(
      `UPDATE import_planification SET prochaine_execution = now() + make_interval(hours => intervalle_heures)
     WHERE actif AND prochaine_execution <= now() RETURNING *`,
    )
  ).rows;
}
