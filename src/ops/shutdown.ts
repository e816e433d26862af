import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Db } from '../db/db.ts';
import type { Lock } from '../db/lock.ts';
import { importsSettled } from '../imports/runner.ts';
import { startDraining } from './readiness.ts';

/**
 * A stop on SIGTERM or SIGINT: readiness turns 503, the listener stops accepting and in-flight
 * requests finish, the running import finishes (its data is swapped in one transaction, so an
 * import cut short by the time limit leaves the stored data as it was), the database is closed and
 * the embedded database's lock released. Each wait is bounded by `timeoutMs`; past it the process
 * exits with code 1 (the next start marks the interrupted run failed and drops its staging table).
 */
export function installShutdown(o: {
  app: FastifyInstance;
  db: Db;
  lock: Lock | undefined;
  log: Logger;
  timeoutMs: number;
  before?: () => Promise<void> | void;
}): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const deadline = Date.now() + o.timeoutMs;
    const within = <T>(p: Promise<T>, what: string): Promise<boolean> =>
      Promise.race([
        p.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), Math.max(0, deadline - Date.now())).unref()),
      ]).then((ok) => {
        if (!ok) o.log.warn({ what }, 'shutdown: time limit reached');
        return ok;
      });
    o.log.info(
      { signal, timeoutMs: o.timeoutMs },
      'stopping: no new requests, waiting for in-flight requests and the running import',
    );
    startDraining(o.app);
    await within(Promise.resolve(o.before?.()), 'scheduler and listeners');
    let clean = await within(o.app.close(), 'in-flight requests');
    if (!clean) o.app.server.closeAllConnections();
    clean = (await within(importsSettled(), 'running import')) && clean;
    // Closing PGlite in the middle of a statement could leave its files half-written: only when idle.
    if (clean) clean = await within(o.db.close(), 'database close');
    o.lock?.release();
    o.log.info({ clean }, 'stopped');
    process.exit(clean ? 0 : 1);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}
