import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pino from 'pino';
import { createUser, type NewUser } from './accounts/service.ts';
import { allJobs } from './app.ts';
import { prepareDatabase } from './bootstrap.ts';
import type { Config } from './config.ts';
import type { Db } from './db/db.ts';
import { isLock, type Lock, tryLock, waitForLock } from './db/lock.ts';
import { openDb } from './db/open.ts';
import { AppError } from './errors.ts';
import { CLI_PREFIX } from './imports/notify.ts';
import type { ImportRun } from './imports/queries.ts';
import { type ImportRequest, runImport } from './imports/runner.ts';
import { auditImportLaunch } from './imports/scheduler.ts';
import { databaseOpenError } from './startup.ts';

/** What the CLI's commands do, as functions (the CLI entry point parses arguments and prints). */

/** This CLI process in run records; its imports notify the servers on the same PostgreSQL. */
const CLI_INSTANCE = `${CLI_PREFIX}${os.hostname()}:${process.pid}`;

/** A refusal the CLI explains and exits on (status 2), rather than a failure. */
export class CliRefusal extends Error {}

const embeddedExists = (dataDir: string) => {
  try {
    return fs.readdirSync(path.join(dataDir, 'pglite')).length > 0;
  } catch {
    return false;
  }
};

type DbOptions = {
  /** Create a new embedded database when DATA_DIR has none (otherwise refused: probably a wrong DATA_DIR). */
  initialise?: boolean;
  say?: (line: string) => void;
};

/**
 * Opens the database for a command, or hands the command to the server that holds the embedded
 * database (`handoff`, with its port and token). Without a hand-off the CLI waits for the lock.
 */
export async function withDb<T>(
  config: Config,
  fn: (db: Db) => Promise<T>,
  handoff: ((port: number, token: string, pid: number) => Promise<T>) | undefined,
  o: DbOptions = {},
): Promise<T> {
  const say = o.say ?? ((l: string) => console.log(l));
  let lock: Lock | undefined;
  if (!config.databaseUrl) {
    const r = tryLock(config.dataDir, 'cli');
    if (isLock(r)) lock = r;
    else if (r.role === 'server' && r.port && r.token && handoff) {
      return handoff(r.port, r.token, r.pid);
    } else {
      lock = await waitForLock(config.dataDir, 'cli', (h) =>
        say(
          `La base embarquée est occupée (${h.role === 'server' ? 'serveur en démarrage' : 'autre import'}, processus ${h.pid}) ; attente…`,
        ),
      );
    }
    if (!embeddedExists(config.dataDir) && !o.initialise) {
      lock.release();
      throw new CliRefusal(`Aucune base embarquée dans ${path.join(config.dataDir, 'pglite')}.
Le serveur et la ligne de commande lisent la même configuration (variables d'environnement, puis le fichier .env
du dossier courant ou celui nommé par ENV_FILE) : vérifiez DATA_DIR, ou DATABASE_URL pour un serveur PostgreSQL.
Pour créer ici une base neuve, relancez avec --initialiser (ou démarrez le serveur une première fois : npm start).`);
    }
  }
  const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }).catch((e: unknown) => {
    lock?.release();
    throw config.databaseUrl ? databaseOpenError(e, config.databaseUrl) : e;
  });
  try {
    return await fn(db);
  } finally {
    await db.close();
    lock?.release();
  }
}

async function postInternal<T>(port: number, token: string, route: string, body: unknown): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${port}${route}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const out = (await res.json().catch(() => ({}))) as T & { erreur?: { message: string } };
  if (!res.ok)
    throw new AppError(
      'REQUETE_INVALIDE',
      `hand-off ${route}: HTTP ${res.status}`,
      out.erreur?.message ?? `le serveur a répondu ${res.status}`,
    );
  return out;
}

/**
 * `import`: runs the job on the configured database (recorded, in the journal, and notified to the
 * servers on the same PostgreSQL so that they refresh their indexes), or hands it to the server
 * that holds the embedded database.
 */
export async function importCommand(
  config: Config,
  log: pino.Logger,
  req: ImportRequest & { source?: string },
  o: DbOptions = {},
): Promise<ImportRun> {
  const say = o.say ?? ((l: string) => console.log(l));
  return withDb(
    config,
    async (db) => {
      await prepareDatabase(db, config, log);
      const jobs = allJobs();
      if (jobs.has(req.job)) await auditImportLaunch(db, req.startedBy, req);
      return runImport({ db, config, log, jobs, instance: CLI_INSTANCE }, req);
    },
    async (port, token, pid) => {
      say(`Le serveur (processus ${pid}) utilise la base embarquée : l'import lui est confié.`);
      return postInternal<ImportRun>(port, token, '/interne/imports', req);
    },
    o,
  );
}

/** `creer-admin`: creates an administrator, through the server when it holds the embedded database. */
export async function createAdminCommand(
  config: Config,
  log: pino.Logger,
  input: NewUser,
  actor: string,
  o: DbOptions = {},
): Promise<number> {
  const say = o.say ?? ((l: string) => console.log(l));
  return withDb(
    config,
    async (db) => {
      await prepareDatabase(db, config, log);
      return createUser(db, { id: null, label: actor }, input);
    },
    async (port, token, pid) => {
      say(`Le serveur (processus ${pid}) utilise la base embarquée : la création du compte lui est confiée.`);
      return (
        await postInternal<{ id: number }>(port, token, '/interne/administrateurs', {
          email: input.email,
          nom: input.nom,
          motDePasse: input.motDePasse,
          acteur: actor,
        })
      ).id;
    },
    o,
  );
}
