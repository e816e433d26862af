import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Config } from '../config.ts';
import type { Db } from '../db/db.ts';
import type { RunTally } from './rejects.ts';
import type { Source } from './source.ts';

type JobContext = {
  db: Db;
  config: Config;
  log: Logger;
  tally: RunTally;
  /** The run this execution is recorded as (e.g. to tag the rows it writes). */
  runId: number;
  /**
   * Fires when an administrator cancels the run. Database statements already stop on it (see
   * db/abort.ts); long reads without queries may also check it.
   */
  signal: AbortSignal;
  /**
   * Called by a job that commits in several transactions (withStagingInParts) before the first:
   * recorded on the run, so that a run interrupted from then on does not claim intact data.
   */
  changing(): Promise<void>;
};

/**
 * An import job: one name, one options schema, one executor. The CLI, the admin page and the
 * scheduler all run jobs through `runImport`, which records the run.
 *
 * Contract for `run`: read the source, count into `ctx.tally`, and write everything in ONE
 * transaction (load a staging table, then swap), so that a failure leaves stored data intact.
 * Throw to fail the run; return a short French summary for the run record.
 */
export type ImportJob<O = unknown> = {
  name: string;
  title: string;
  /** French: what the job accepts, shown by `import --help` and the admin page. */
  accepts: string;
  options: z.ZodType<O>;
  /**
   * Source used when none is given (e.g. data shipped by an npm package, or a seed file the options
   * name); `undefined` when these options still need one.
   */
  defaultSource?: (options: O) => string | undefined;
  /**
   * A treatment of the stored data rather than a read of the source (e.g. `retention`): every run does its
   * work, never « unchanged » because the source is the same as last time.
   */
  alwaysRuns?: boolean;
  run(ctx: JobContext, source: Source, options: O): Promise<string | undefined>;
};

/** A job of the registry, whatever its options: each job checks its own with its zod schema. */
// biome-ignore lint/suspicious/noExplicitAny: a registry holds jobs whose option types differ
export type AnyImportJob = ImportJob<any>;

export function defineJob<O>(job: ImportJob<O>): ImportJob<O> {
  return job;
}
