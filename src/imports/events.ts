import type { Logger } from 'pino';
import type { Db } from '../db/db.ts';
import { insertSuiteFailure, openSuiteFailures, resolveSuiteFailures } from './queries.ts';

/**
 * What listeners hear after an import committed. `remote`: the import ran in another process on the
 * same database (another instance, the scheduler of another instance, or the CLI); such a listener
 * refreshes what this process holds in memory but does not repeat database follow-ups.
 */
export type ImportEvent = {
  job: string;
  runId: number;
  remote: boolean;
  /**
   * For a remote event: false when the process that ran the import had no listeners (the CLI), so
   * that database follow-ups (e.g. building re-matching) are still to do, by one instance.
   */
  followUpsDone?: boolean;
};
export type ImportListener = (job: string, ev: ImportEvent) => Promise<void> | void;

const RETRY_DELAYS_MS = [30_000, 5 * 60_000];

/**
 * The follow-ups of committed imports (index rebuilds, cache clears). A failing listener never
 * changes the run: its failure is recorded in `import_run_suite` for this instance, shown on the
 * admin pages, retried a few times, and resolved when the listener next succeeds here.
 */
export class ImportEvents {
  private readonly listeners: { name: string; fn: ImportListener }[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly deps: { db: Db; log: Logger; instance: string; retryDelaysMs?: number[] }) {}

  on(fn: ImportListener, name?: string): void {
    this.listeners.push({ name: name ?? `suite ${this.listeners.length + 1}`, fn });
  }

  /** Runs every listener (or the named ones); never throws. Returns the names that failed. */
  async dispatch(ev: ImportEvent, only?: ReadonlySet<string>): Promise<string[]> {
    const failed: string[] = [];
    for (const l of this.listeners) {
      if (only && !only.has(l.name)) continue;
      if (!(await this.runOne(l, ev, 0))) failed.push(l.name);
    }
    return failed;
  }

  /** Runs again, on this instance, the follow-ups of a run that failed here. */
  async retry(runId: number): Promise<string[]> {
    const open = (await openSuiteFailures(this.deps.db, runId)).filter((f) => f.instance === this.deps.instance);
    if (!open.length) return [];
    return this.dispatch({ job: open[0]!.job, runId, remote: true }, new Set(open.map((f) => f.listener)));
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private async runOne(l: { name: string; fn: ImportListener }, ev: ImportEvent, attempt: number): Promise<boolean> {
    const { db, log, instance } = this.deps;
    try {
      await l.fn(ev.job, ev);
      await resolveSuiteFailures(db, l.name, instance).catch((err) =>
        log.warn({ err }, 'import follow-up: resolution not recorded'),
      );
      return true;
    } catch (e) {
      const message = `${l.name} : ${(e as Error).message}`;
      log.error(
        { err: e, run: ev.runId, listener: l.name, attempt },
        'import follow-up failed; the import itself is committed',
      );
      await insertSuiteFailure(db, { runId: ev.runId, listener: l.name, instance, message }).catch((err) =>
        log.error({ err }, 'import follow-up failure not recorded'),
      );
      const delay = (this.deps.retryDelaysMs ?? RETRY_DELAYS_MS)[attempt];
      if (delay !== undefined) {
        const t = setTimeout(() => {
          this.timers.delete(t);
          void this.runOne(l, ev, attempt + 1);
        }, delay);
        t.unref();
        this.timers.add(t);
      }
      return false;
    }
  }
}
