import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { type AbortState, withAbort } from '../db/abort.ts';
import type { Db } from '../db/db.ts';
import { AppError } from '../errors.ts';
import type { ImportEvent } from './events.ts';
import type { AnyImportJob } from './job.ts';
import { notifyImports } from './notify.ts';
import {
  finishRun,
  getRun,
  type ImportRun,
  insertRun,
  lastSucceededRun,
  requestCancel,
  setRunSource,
  updateProgress,
} from './queries.ts';
import { RunTally } from './rejects.ts';
import { resolveSource, type Source } from './source.ts';

/** This process, as written in the runs it records and in the notifications it sends. */
export const PROCESS_INSTANCE = `${os.hostname()}:${process.pid}`;

type RunnerDeps = {
  db: Db;
  config: Config;
  log: Logger;
  jobs: ReadonlyMap<string, AnyImportJob>;
  /** Follow-ups after a committed import; must not throw (see ImportEvents). */
  onImported?: (ev: ImportEvent) => Promise<unknown> | undefined;
  /** Who runs the import (defaults to this process); two apps in one process pass their own. */
  instance?: string;
  /** How often progress is written and cancellation requests are looked for. */
  progressEveryMs?: number;
};

export type ImportRequest = {
  job: string;
  source?: string | Source;
  options?: unknown;
  startedBy: string;
  force?: boolean;
};

export function jobsByName(jobs: readonly AnyImportJob[]): Map<string, AnyImportJob> {
  return new Map(jobs.map((j) => [j.name, j]));
}

/** Key order does not matter when comparing options (jsonb does not keep it). */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v ?? null);
}

// Runs of this process that can be cancelled, by run id, with where they stand.
const active = new Map<number, AbortController>();
// Their completions (run recorded), for a shutdown to wait on.
const finishing = new Set<Promise<unknown>>();
const standing = new Map<number, { phase: ImportRun['phase']; bytes: number; read: number }>();

/**
 * Where a run of this process stands, read from memory: on PGlite the run row cannot be updated
 * while the job's transaction is open, so this is the only live view there.
 */
export function localProgress(runId: number): { phase: ImportRun['phase']; bytes: number; read: number } | undefined {
  return standing.get(runId);
}

// Only the reading-and-writing phase is serialised (downloads may overlap): two imports writing the
// same tables at once would make each other's swap meaningless. Within a process by this queue,
// across processes on one PostgreSQL by an advisory lock.
let tail: Promise<void> = Promise.resolve();
const IMPORT_LOCK = 7263002;

async function serialised<T>(db: Db, signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  const prev = tail;
  let release!: () => void;
  const mine = new Promise<void>((r) => (release = r));
  tail = prev.then(() => mine);
  try {
    await untilAborted(prev, signal);
    return await db.session(async (c) => {
      if (db.kind === 'postgres')
        await untilAborted(c.query('SELECT pg_advisory_lock($1)', [IMPORT_LOCK]), signal, () =>
          c.query('SELECT pg_advisory_unlock($1)', [IMPORT_LOCK]),
        );
      try {
        return await fn();
      } finally {
        if (db.kind === 'postgres')
          await c.query('SELECT pg_advisory_unlock($1)', [IMPORT_LOCK]).catch(() => undefined);
      }
    });
  } finally {
    release();
  }
}

/** Resolves when the imports this process has started so far have finished (a stopping server waits for it). */
export async function importsSettled(): Promise<void> {
  while (finishing.size) await Promise.allSettled([...finishing]);
}

/** Runs fn while no import of this process writes (e.g. a backup, which must not see an import half-swapped). */
export function betweenImports<T>(fn: () => Promise<T>): Promise<T> {
  const prev = tail;
  let release!: () => void;
  const mine = new Promise<void>((r) => (release = r));
  tail = prev.then(() => mine);
  return prev.then(fn).finally(release);
}

/** Waits for p unless the signal fires first; `undo` cleans up if p settles after the abort. */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal, undo?: () => Promise<unknown>): Promise<T> {
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      reject(signal.reason);
      if (undo)
        p.then(
          () => undo().catch(() => undefined),
          () => undefined,
        );
    };
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        if (!signal.aborted) resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * Runs one import and records it from the start: the run row exists (status `running`, visible on
 * the admin pages) as soon as the download starts, carries its progress, and can be cancelled.
 * Rejects only for a request that cannot be a run at all (unknown job, invalid options, no source).
 */
export async function runImport(deps: RunnerDeps, req: ImportRequest): Promise<ImportRun> {
  const job = deps.jobs.get(req.job);
  if (!job)
    throw new AppError(
      'JOB_INCONNU',
      `unknown job ${req.job}`,
      `Import inconnu : « ${req.job} ». Imports disponibles : ${[...deps.jobs.keys()].join(', ')}.`,
    );
  const parsedOptions = job.options.safeParse(req.options ?? {});
  if (!parsedOptions.success) {
    throw new AppError(
      'REQUETE_INVALIDE',
      parsedOptions.error.message,
      `Options invalides pour ${job.name} : ${parsedOptions.error.issues.map((i) => `${i.path.join('.') || 'options'} ${i.message}`).join(' ; ')}`,
    );
  }
  const spec = req.source ?? job.defaultSource?.(parsedOptions.data);
  if (!spec)
    throw new AppError(
      'REQUETE_INVALIDE',
      `job ${job.name} needs a source`,
      `L'import ${job.name} demande un fichier ou une adresse (URL).`,
    );
  const { db } = deps;
  const instance = deps.instance ?? PROCESS_INSTANCE;
  const log = deps.log.child({ job: job.name });
  const download = typeof spec === 'string' && /^https?:\/\//i.test(spec);
  const id = await insertRun(db, {
    job: job.name,
    source: typeof spec === 'string' ? spec : spec.origin,
    sha256: null,
    options: parsedOptions.data,
    status: 'running',
    startedBy: req.startedBy,
    phase: download ? 'telechargement' : 'attente',
    instance,
  });

  const controller = new AbortController();
  active.set(id, controller);
  let recorded!: () => void;
  const done = new Promise<void>((r) => (recorded = r));
  finishing.add(done);
  const tally = new RunTally();
  const progress = {
    phase: (download ? 'telechargement' : 'attente') as ImportRun['phase'],
    bytes: 0,
    total: null as number | null,
  };
  standing.set(id, {
    get phase() {
      return progress.phase;
    },
    get bytes() {
      return progress.bytes;
    },
    get read() {
      return tally.read;
    },
  });
  let writing: Promise<void> | null = null;
  const progressNow = () => ({ ...progress, read: tally.read, accepted: tally.accepted, rejected: tally.rejected });
  const writeProgress = () => {
    if (writing) return;
    writing = updateProgress(db, id, progressNow())
      .then((by) => {
        if (by && !controller.signal.aborted) controller.abort(cancelled(by));
      })
      .catch((err) => log.warn({ err, run: id }, 'progress not recorded'))
      .finally(() => {
        writing = null;
      });
  };
  const timer = setInterval(writeProgress, deps.progressEveryMs ?? 1000);
  timer.unref();
  const end = async (status: ImportRun['status'], message: string | null) => {
    clearInterval(timer);
    active.delete(id);
    standing.delete(id);
    try {
      await writing;
      const counts = { status, read: tally.read, accepted: tally.accepted, rejected: tally.rejected };
      try {
        await finishRun(db, id, { ...counts, rejects: tally.sample, message });
      } catch (saveError) {
        // A run is never left 'running': without its sample, with a message that cannot fail.
        log.error({ err: saveError, run: id }, 'saving the end of the run failed');
        await finishRun(db, id, {
          ...counts,
          rejects: [],
          message:
            "Le détail de l'import n'a pas pu être enregistré (voir le journal du serveur). Les données déjà chargées n'ont pas été modifiées.",
        });
      }
      return (await getRun(db, id))!;
    } finally {
      finishing.delete(done);
      recorded();
    }
  };
  const failure = (e: unknown) => {
    if (controller.signal.aborted) {
      const reason = controller.signal.reason;
      return reason instanceof AppError ? reason.userMessage : ERR_CANCELLED;
    }
    return e instanceof AppError ? e.userMessage : `Échec : ${(e as Error).message}`;
  };

  let source: Source;
  try {
    source =
      typeof spec === 'string'
        ? await resolveSource(spec, {
            downloadDir: path.join(deps.config.dataDir, 'telechargements', job.name),
            maxBytes: deps.config.uploadMaxBytes,
            allow: deps.config.importAllowList,
            idleMs: deps.config.importInactivityMs,
            signal: controller.signal,
            onProgress: (bytes, total) => {
              progress.bytes = bytes;
              progress.total = total;
            },
          })
        : spec;
    controller.signal.throwIfAborted();
  } catch (e) {
    log.warn({ err: e, run: id }, 'source unreadable');
    return end(controller.signal.aborted ? 'cancelled' : 'failed', failure(e));
  }

  try {
    const last = await lastSucceededRun(db, job.name);
    if (
      !req.force &&
      !job.alwaysRuns &&
      last &&
      last.sha256 === source.sha256 &&
      canonical(last.options) === canonical(parsedOptions.data ?? {})
    ) {
      await setRunSource(db, id, { source: source.origin, sha256: source.sha256, size: source.size, phase: null });
      return end('unchanged', `Source identique à l'import n° ${last.id} : rien à faire.`);
    }
    progress.phase = 'attente';
    progress.bytes = source.size;
    progress.total = source.size;
    await setRunSource(db, id, { source: source.origin, sha256: source.sha256, size: source.size, phase: 'attente' });
  } catch (e) {
    log.error({ err: e, run: id }, 'import not started');
    return end('failed', `Échec avant la lecture : ${(e as Error).message}`);
  }

  const t0 = Date.now();
  const abortState: AbortState = { signal: controller.signal, committed: false };
  // Cancelled: asked, and nothing committed yet (after a commit the data did change).
  const isCancelled = () => controller.signal.aborted && !abortState.committed;
  let outcome: ImportRun;
  try {
    const summary = await serialised(db, controller.signal, () => {
      progress.phase = 'lecture';
      writeProgress();
      return withAbort(abortState, () =>
        job.run(
          {
            db,
            config: deps.config,
            log,
            tally,
            runId: id,
            signal: controller.signal,
            changing: async () => {
              progress.phase = 'remplacement';
              await writing;
              // Awaited and not caught: without this record, a crash would claim the data intact.
              await updateProgress(db, id, progressNow());
            },
          },
          source,
          parsedOptions.data,
        ),
      );
    });
    outcome = await end('succeeded', summary || null);
    log.info(
      { run: id, read: tally.read, accepted: tally.accepted, rejected: tally.rejected, ms: Date.now() - t0 },
      'import succeeded',
    );
  } catch (e) {
    const cancelledNow = isCancelled();
    log.error({ err: e, run: id }, cancelledNow ? 'import cancelled' : 'import failed');
    if (cancelledNow) return end('cancelled', failure(e));
    const msg = e instanceof AppError ? e.userMessage : `Échec : ${(e as Error).message}`;
    if (!abortState.committed) return end('failed', `${msg} Les données déjà chargées n'ont pas été modifiées.`);
    outcome = await end('failed', `${msg} Des données ont été enregistrées avant l’échec.`);
  }
  // The run is recorded and changed data (even one that failed after a commit): what follows can
  // fail without making it false.
  await notifyImports(db, { type: 'import', job: job.name, run: id, instance, followUps: !!deps.onImported }).catch(
    (err) => log.warn({ err }, 'import notification not sent'),
  );
  await deps.onImported?.({ job: job.name, runId: id, remote: false });
  return outcome;
}

const ERR_CANCELLED = "Import annulé ; les données déjà chargées n'ont pas été modifiées.";
const cancelled = (by: string) =>
  new AppError(
    'IMPORT_ANNULE',
    `cancelled by ${by}`,
    `Import annulé par ${by} ; les données déjà chargées n'ont pas été modifiées.`,
  );

/**
 * Cancels a running run, whichever instance runs it: this process stops it at once, another one at
 * its next progress write (about a second). Returns false when the run is not running.
 */
export async function cancelImport(db: Db, runId: number, by: string): Promise<boolean> {
  // Locally first: on PGlite the request below waits for the import's transaction to end.
  const local = active.get(runId);
  if (local && !local.signal.aborted) local.abort(cancelled(by));
  return (await requestCancel(db, runId, by)) || !!local;
}

/**
 * For a shutdown: cancels every run of this process (each stops at its next statement and rolls
 * back; one already committed finishes) and resolves when all are recorded. Returns their ids.
 */
export async function cancelLocalImports(by: string): Promise<number[]> {
  const ids = [...active.keys()];
  for (const c of active.values()) if (!c.signal.aborted) c.abort(cancelled(by));
  await Promise.all([...finishing]);
  return ids;
}

/** A request refused before it could run (e.g. a schedule with invalid options), recorded as a failed run. */
export async function recordRefusedRun(
  db: Db,
  r: { job: string; source: string; options: unknown; startedBy: string; message: string; instance?: string },
): Promise<ImportRun> {
  const id = await insertRun(db, {
    job: r.job,
    source: r.source,
    sha256: null,
    options: r.options,
    status: 'running',
    startedBy: r.startedBy,
    instance: r.instance ?? PROCESS_INSTANCE,
  });
  await finishRun(db, id, { status: 'failed', read: 0, accepted: 0, rejected: 0, rejects: [], message: r.message });
  return (await getRun(db, id))!;
}
