import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Db } from '../db/db.ts';
import { AppError } from '../errors.ts';
import type { ImportJob } from './job.ts';
import { finishRun, getRun, insertRun, lastSucceededRun, setRunSourceSize, type ImportRun } from './queries.ts';
import { RunTally } from './rejects.ts';
import { resolveSource, type Source } from './source.ts';

export type RunnerDeps = { db: Db; config: Config; log: Logger; jobs: ReadonlyMap<string, ImportJob<any>>; onImported?: (job: string) => Promise<void> | void };

export function jobsByName(jobs: readonly ImportJob<any>[]): Map<string, ImportJob<any>> {
  return new Map(jobs.map((j) => [j.name, j]));
}

let running: Promise<unknown> = Promise.resolve();

/** Resolves when the imports queued so far have finished (a stopping server waits for it). */
export function importsSettled(): Promise<void> {
  return running.then(() => undefined);
}

/** Runs fn between two imports (e.g. a backup, which must not see an import half-swapped). */
export function betweenImports<T>(fn: () => Promise<T>): Promise<T> {
  const next = running.then(fn);
  running = next.catch(() => undefined);
  return next;
}

/** Key order does not matter when comparing options (jsonb does not keep it). */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v ?? null);
}

/**
 * Runs one import and records it. Runs are serialised within a process: two imports writing the
 * same tables at once would make each other's swap meaningless.
 */
export function runImport(
  deps: RunnerDeps,
  req: { job: string; source?: string | Source; options?: unknown; startedBy: string; force?: boolean },
): Promise<ImportRun> {
  const next = running.then(() => runOne(deps, req));
  running = next.catch(() => undefined);
  return next;
}

async function runOne(
  deps: RunnerDeps,
  req: { job: string; source?: string | Source; options?: unknown; startedBy: string; force?: boolean },
): Promise<ImportRun> {
  const job = deps.jobs.get(req.job);
  if (!job) throw new AppError('JOB_INCONNU', `unknown job ${req.job}`, `Import inconnu : « ${req.job} ». Imports disponibles : ${[...deps.jobs.keys()].join(', ')}.`);
  const parsedOptions = job.options.safeParse(req.options ?? {});
  if (!parsedOptions.success) {
    throw new AppError('REQUETE_INVALIDE', parsedOptions.error.message, `Options invalides pour ${job.name} : ${parsedOptions.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join(' ; ')}`);
  }
  const spec = req.source ?? job.defaultSource?.();
  if (!spec) throw new AppError('REQUETE_INVALIDE', `job ${job.name} needs a source`, `L'import ${job.name} demande un fichier ou une adresse (URL).`);
  const log = deps.log.child({ job: job.name });
  const { db } = deps;

  let source: Source;
  try {
    source = typeof spec === 'string'
      ? await resolveSource(spec, {
        downloadDir: path.join(deps.config.dataDir, 'telechargements', job.name), maxBytes: deps.config.uploadMaxBytes,
        allow: deps.config.importAllowList, idleMs: deps.config.importInactivityMs,
      })
      : spec;
  } catch (e) {
    const id = await insertRun(db, { job: job.name, source: typeof spec === 'string' ? spec : spec.origin, sha256: null, options: parsedOptions.data, status: 'running', startedBy: req.startedBy });
    const msg = e instanceof AppError ? e.userMessage : (e as Error).message;
    await finishRun(db, id, { status: 'failed', read: 0, accepted: 0, rejected: 0, rejects: [], message: msg });
    log.warn({ err: e }, 'source unreadable');
    return (await getRun(db, id))!;
  }

  const last = await lastSucceededRun(db, job.name);
  if (!req.force && last && last.sha256 === source.sha256 && canonical(last.options) === canonical(parsedOptions.data ?? {})) {
    const id = await insertRun(db, { job: job.name, source: source.origin, sha256: source.sha256, options: parsedOptions.data, status: 'unchanged', startedBy: req.startedBy });
    await setRunSourceSize(db, id, source.size);
    await finishRun(db, id, { status: 'unchanged', read: 0, accepted: 0, rejected: 0, rejects: [], message: `Source identique à l'import n° ${last.id} : rien à faire.` });
    return (await getRun(db, id))!;
  }

  const id = await insertRun(db, { job: job.name, source: source.origin, sha256: source.sha256, options: parsedOptions.data, status: 'running', startedBy: req.startedBy });
  // The file itself goes on the retention rule (retention.ts): the record keeps its name, size and checksum.
  await setRunSourceSize(db, id, source.size);
  const tally = new RunTally();
  const t0 = Date.now();
  try {
    const summary = await job.run({ db, config: deps.config, log, tally }, source, parsedOptions.data);
    await finishRun(db, id, { status: 'succeeded', read: tally.read, accepted: tally.accepted, rejected: tally.rejected, rejects: tally.sample, message: summary || null });
    log.info({ run: id, read: tally.read, accepted: tally.accepted, rejected: tally.rejected, ms: Date.now() - t0 }, 'import succeeded');
    await deps.onImported?.(job.name);
  } catch (e) {
    const msg = e instanceof AppError ? e.userMessage : `Échec : ${(e as Error).message}`;
    log.error({ err: e, run: id }, 'import failed');
    try {
      await finishRun(db, id, { status: 'failed', read: tally.read, accepted: tally.accepted, rejected: tally.rejected, rejects: tally.sample, message: `${msg} Les données déjà chargées n'ont pas été modifiées.` });
    } catch (saveError) {
      // A run is never left 'running': without its sample, with a message that cannot fail.
      log.error({ err: saveError, run: id }, 'saving the failed run failed');
      await finishRun(db, id, { status: 'failed', read: tally.read, accepted: tally.accepted, rejected: tally.rejected, rejects: [], message: "Échec de l'import (le détail n'a pas pu être enregistré, voir le journal du serveur). Les données déjà chargées n'ont pas été modifiées." });
    }
  }
  return (await getRun(db, id))!;
}
