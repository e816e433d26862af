import type { Logger } from 'pino';
import { allJobs } from './app.ts';
import type { Config } from './config.ts';
import type { Db } from './db/db.ts';
import { migrate } from './db/migrate.ts';
import { failInterruptedRuns, failSilentRuns } from './imports/queries.ts';
import { runImport } from './imports/runner.ts';

/**
 * What both the server and the CLI do on an embedded or server database before anything else:
 * migrate, close runs a crash left open, and make sure the territories are loaded (a no-op when
 * the package's files have not changed since the last load).
 */
export async function prepareDatabase(db: Db, config: Config, log: Logger): Promise<void> {
  const applied = await migrate(db);
  if (applied.length) log.info({ applied }, 'migrations applied');
  // On a server other instances (or the CLI) may be importing right now: only silent runs are dead.
  const interrupted = db.kind === 'postgres' ? await failSilentRuns(db) : await failInterruptedRuns(db);
  if (interrupted) log.warn({ interrupted }, 'runs left running by a previous process marked failed');
  const run = await runImport({ db, config, log, jobs: allJobs() }, { job: 'territoires', startedBy: 'démarrage' });
  if (run.status === 'failed') throw new Error(`Chargement du découpage administratif impossible : ${run.message}`);
}
