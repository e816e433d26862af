import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { audit } from '../accounts/audit.ts';
import type { Config } from '../config.ts';
import type { Db, Queryable } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { failSilentRuns, type ImportRun } from './queries.ts';
import { type ImportRequest, recordRefusedRun } from './runner.ts';
import { claimDueSchedules, type Schedule } from './schedules.ts';

const SCHEDULER_LOCK = 7263003;
const SCHEDULER_ACTOR = 'planificateur';

/**
 * What a planned import may read: an http(s) URL (its address is checked when downloaded), or a
 * file inside IMPORT_DIR. Anything else (other schemes, paths outside that folder, `..`, symbolic
 * links leading out) is refused. Returns the source to give the runner.
 */
export function checkScheduleSource(source: string, config: Pick<Config, 'importDir'>): string {
  const s = source.trim();
  if (/^https?:\/\/[^\s]+$/i.test(s)) return s;
  const refuse = (detail: string): never => {
    throw new AppError(
      'REQUETE_INVALIDE',
      detail,
      config.importDir
        ? `Source refusée : « ${s.slice(0, 200)} » n’est ni une adresse http(s) ni un fichier du dossier d’import (${config.importDir}).`
        : `Source refusée : « ${s.slice(0, 200)} » n’est pas une adresse http(s) (aucun dossier d’import n’est configuré : IMPORT_DIR).`,
    );
  };
  if (!config.importDir || /^[a-z][\w+.-]*:/i.test(s) || s.includes('\0'))
    return refuse(`scheme or no import dir: ${s.slice(0, 200)}`);
  let root: string;
  try {
    root = fs.realpathSync.native(config.importDir);
  } catch {
    return refuse(`import dir missing: ${config.importDir}`);
  }
  const inside = (p: string) => p === root || p.startsWith(root + path.sep);
  const candidate = path.resolve(root, s);
  if (!inside(candidate)) return refuse(`outside import dir: ${s.slice(0, 200)}`);
  // A symbolic link inside the folder must not lead out of it.
  let real = candidate;
  try {
    real = fs.realpathSync.native(candidate);
  } catch {
    // not there (yet): the run will say the file is missing
  }
  if (!inside(real)) return refuse(`link out of import dir: ${s.slice(0, 200)}`);
  return candidate;
}

/** Journal entry for an import started outside the admin page (CLI, scheduler, hand-off). */
export async function auditImportLaunch(
  q: Queryable,
  actor: string,
  req: { job: string; source?: unknown; options?: unknown },
): Promise<void> {
  const source =
    typeof req.source === 'string' ? req.source : ((req.source as { origin?: string } | undefined)?.origin ?? null);
  await audit(q, { id: null, label: actor.slice(0, 100) }, 'lancement-import', { type: 'import', id: req.job }, null, {
    job: req.job,
    source,
    options: req.options ?? {},
  });
}

type SchedulerDeps = {
  db: Db;
  config: Config;
  log: Logger;
  runImport: (req: ImportRequest) => Promise<ImportRun>;
  instance?: string;
};

/**
 * One pass: on a server, marks failed the runs of processes that died (silent for minutes); then claims the due schedules (one instance at a time, under an advisory lock; the claim
 * itself is atomic) and runs each. A bad schedule becomes a failed run with a French reason and
 * the others still run. Returns the runs made.
 */
export async function runDueSchedules(deps: SchedulerDeps): Promise<ImportRun[]> {
  const { db, log } = deps;
  if (db.kind === 'postgres') {
    const silent = await failSilentRuns(db);
    if (silent) log.warn({ silent }, 'runs of a process that stopped giving news marked failed');
  }
  const claimed: Schedule[] | null = await db.transaction(async (tx) => {
    if (db.kind === 'postgres') {
      const got = (await tx.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [SCHEDULER_LOCK]))
        .rows[0]!.ok;
      if (!got) return null;
    }
    return claimDueSchedules(tx);
  });
  const runs: ImportRun[] = [];
  for (const s of claimed ?? []) {
    const startedBy = `${SCHEDULER_ACTOR} (planification n° ${s.id})`;
    try {
      // An empty source: the job's own (a treatment such as `retention`, or a seed shipped with the platform).
      const source = s.source.trim() ? checkScheduleSource(s.source, deps.config) : undefined;
      await auditImportLaunch(db, SCHEDULER_ACTOR, { job: s.job, source, options: s.options });
      runs.push(await deps.runImport({ job: s.job, ...(source ? { source } : {}), options: s.options, startedBy }));
    } catch (e) {
      const reason = e instanceof AppError ? e.userMessage : `Échec : ${(e as Error).message}`;
      log.warn({ err: e, schedule: s.id }, 'planned import refused');
      try {
        runs.push(
          await recordRefusedRun(db, {
            job: s.job,
            source: s.source.slice(0, 2000),
            options: s.options,
            startedBy,
            message: `Planification n° ${s.id} non exécutée : ${reason}`,
            ...(deps.instance ? { instance: deps.instance } : {}),
          }),
        );
      } catch (err) {
        log.error({ err, schedule: s.id }, 'refused planned import not recorded');
      }
    }
  }
  return runs;
}

type SchedulerHandle = { stop(): Promise<void>; tick(): Promise<ImportRun[]> };

/**
 * Checks the schedules every minute. `stop()` stops checking and waits for the pass in progress
 * (and so for the imports it started).
 */
export function startScheduler(deps: SchedulerDeps, opts: { everyMs?: number } = {}): SchedulerHandle {
  let current: Promise<ImportRun[]> | null = null;
  const tick = () => {
    if (current) return current;
    current = runDueSchedules(deps)
      .catch((err) => {
        deps.log.error({ err }, 'scheduler pass failed');
        return [];
      })
      .finally(() => {
        current = null;
      });
    return current;
  };
  const timer = setInterval(() => void tick(), opts.everyMs ?? 60_000);
  timer.unref();
  return {
    tick,
    async stop() {
      clearInterval(timer);
      await current;
    },
  };
}
