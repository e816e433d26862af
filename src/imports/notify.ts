import type { Logger } from 'pino';
import type { Queryable } from '../db/db.ts';
import { databaseNow, succeededRunsSince } from './queries.ts';

/**
 * Imports tell every process on the same PostgreSQL that data changed (LISTEN/NOTIFY), so that each
 * instance refreshes its in-memory indexes within seconds, whoever ran the import: an instance,
 * its scheduler, or the CLI pointed at the same DATABASE_URL. PGlite is single-process: nothing
 * to tell, and nothing listens.
 */
const IMPORTS_CHANNEL = 'pan_imports';
/** Instance names of CLI processes start with this (they run no follow-ups). */
export const CLI_PREFIX = 'cli:';

type ImportNotice =
  | { type: 'import'; job: string; run: number; instance: string; followUps: boolean }
  | { type: 'relance'; run: number; instance: string };

export async function notifyImports(q: Queryable, notice: ImportNotice): Promise<void> {
  await q.query('SELECT pg_notify($1, $2)', [IMPORTS_CHANNEL, JSON.stringify(notice)]);
}

function parseNotice(payload: string | undefined): ImportNotice | undefined {
  try {
    const n = JSON.parse(payload ?? '') as ImportNotice;
    return n &&
      typeof n.run === 'number' &&
      typeof n.instance === 'string' &&
      (n.type === 'relance' || typeof (n as { job?: unknown }).job === 'string')
      ? n
      : undefined;
  } catch {
    return undefined;
  }
}

export type ImportListenerHandle = { stop(): Promise<void>; connected(): boolean };

/**
 * Listens on a dedicated connection (a pooled one would be handed to other queries), reconnecting
 * with a growing delay. Notifications sent while disconnected are lost, so after each (re)connection
 * the successful runs recorded since the last one seen are replayed as if notified.
 */
export async function startImportListener(o: {
  databaseUrl: string;
  db: Queryable;
  instance: string;
  log: Logger;
  onImport: (job: string, runId: number, followUpsDone: boolean) => Promise<void>;
  onRetry: (runId: number) => Promise<void>;
}): Promise<ImportListenerHandle> {
  const { default: pg } = await import('pg');
  // Runs already handled (notified, or replayed after a reconnection), so none is handled twice.
  const seen = new Set<number>();
  // Replays start from here: runs that end between start-up and a first (late) connection count too.
  let connectedSince: Date = await databaseNow(o.db);
  let client: InstanceType<typeof pg.Client> | undefined;
  let stopped = false;
  let delay = 1000;
  let timer: NodeJS.Timeout | undefined;
  // Handled one at a time and in order: two rebuilds of one index must not overlap.
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (f: () => Promise<void>) => {
    queue = queue.then(f).catch((err) => o.log.error({ err }, 'import notification not handled'));
  };

  const handleImport = (job: string, run: number, followUpsDone: boolean) => {
    if (seen.has(run)) return;
    seen.add(run);
    if (seen.size > 10_000) seen.delete(seen.values().next().value!);
    enqueue(() => o.onImport(job, run, followUpsDone));
  };

  const connect = async () => {
    if (stopped) return;
    // Named, so that operators (and tests) can tell this connection in pg_stat_activity.
    const c = new pg.Client({
      connectionString: o.databaseUrl,
      application_name: `pan-ecoute-imports ${o.instance}`.slice(0, 63),
    });
    c.on('error', (err) => o.log.warn({ err }, 'import notification connection error'));
    c.on('end', () => {
      if (client !== c) return;
      client = undefined;
      if (!stopped) schedule();
    });
    c.on('notification', (m) => {
      const n = parseNotice(m.payload);
      if (!n) return;
      // The instance asking has retried its own follow-ups already.
      if (n.type === 'relance') {
        if (n.instance !== o.instance) enqueue(() => o.onRetry(n.run));
      } else if (n.instance !== o.instance) handleImport(n.job, n.run, n.followUps !== false);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${IMPORTS_CHANNEL}`);
      client = c;
      delay = 1000;
      const previous = connectedSince;
      connectedSince = await databaseNow(o.db);
      o.log.info('listening for imports of other processes');
      for (const r of await succeededRunsSince(o.db, previous))
        if (r.instance !== o.instance) handleImport(r.job, r.id, !r.instance?.startsWith(CLI_PREFIX));
    } catch (err) {
      o.log.warn({ err, retryInMs: delay }, 'import notification connection failed');
      await c.end().catch(() => undefined);
      schedule();
    }
  };
  const schedule = () => {
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, delay);
    timer.unref();
    delay = Math.min(delay * 2, 30_000);
  };

  await connect();
  return {
    connected: () => !!client,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = undefined;
      await c?.end().catch(() => undefined);
      await queue;
    },
  };
}
