/**
 * What other modules read about import runs (the admin pages): runs, and follow-ups that failed.
 * Starting, cancelling and scheduling imports: runner.ts and scheduler.ts.
 */
import type { Queryable } from '../db/db.ts';
import * as Q from './queries.ts';

export type { ImportRun, RunSuiteFailure } from './queries.ts';

export const getRun = (q: Queryable, id: number) => Q.getRun(q, id);
export const listRuns = (q: Queryable, limit = 100) => Q.listRuns(q, limit);
/** Open follow-up failures, of one run or of all (most recent first). */
export const openSuiteFailures = (q: Queryable, runId?: number) => Q.openSuiteFailures(q, runId);
/** Per job, its last run that changed data: what dates the open-data datasets derived from it. */
export const lastChanges = (q: Queryable, jobs: string[]) => Q.lastChanges(q, jobs);
