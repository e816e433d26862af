import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { allJobs } from './app.ts';
import { prepareDatabase } from './bootstrap.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import type { Db } from './db/db.ts';
import { isLock, readLock, tryLock, waitForLock, type Lock } from './db/lock.ts';
import { migrate } from './db/migrate.ts';
import { openDb } from './db/open.ts';
import { databaseOpenError } from './startup.ts';
import { AppError } from './errors.ts';
import type { ImportRun } from './imports/queries.ts';
import { runImport } from './imports/runner.ts';
import { createUser, NewUserSchema } from './accounts/service.ts';
import { snapshotFile } from './addresses/service.ts';
import { loadBackup, writeBackup } from './ops/backup.ts';

const USAGE = `Usage : npm run cli -- <commande>

Commandes :
  import <job> [chemin-ou-url] [--option clé=valeur …] [--force]
                       importe un fichier officiel ; « import --help » liste les imports
  creer-admin --email <adresse> --nom <nom>
                       crée un compte administrateur (mot de passe lu dans ADMIN_PASSWORD
                       ou sur l'entrée standard)
  migrer               crée ou met à jour le schéma de la base
  sauvegarde <fichier> sauvegarde la base embarquée dans un fichier .jsonl.gz (confiée au serveur
                       s'il est en marche)
  restauration <fichier> [--remplacer]
                       restaure une sauvegarde dans la base embarquée (serveur arrêté) ; la base
                       existante est gardée à côté (pglite.avant-restauration-…)
`;

function printJobs() {
  console.log('Imports disponibles (npm run cli -- import <job> <chemin-ou-url>) :\n');
  for (const j of allJobs().values()) console.log(`  ${j.name.padEnd(20)} ${j.title}\n  ${''.padEnd(20)} ${j.accepts}\n`);
}

function printRun(r: ImportRun): number {
  const label = { succeeded: 'réussi', failed: 'ÉCHEC', unchanged: 'inchangé (source déjà importée)', running: 'en cours' }[r.status];
  console.log(`Import n° ${r.id} (${r.job}) : ${label}`);
  console.log(`  source : ${r.source}${r.sha256 ? `\n  sha256 : ${r.sha256}` : ''}`);
  console.log(`  lignes lues ${r.rows_read}, retenues ${r.rows_accepted}, rejetées ${r.rows_rejected}`);
  if (r.message) console.log(`  ${r.message}`);
  for (const x of r.rejects.slice(0, 10)) console.log(`  rejet${x.line ? ` ligne ${x.line}` : ''} : ${x.reason}`);
  if (r.rejects.length > 10) console.log(`  … ${r.rows_rejected - 10} autres rejets (voir /admin/imports/${r.id})`);
  return r.status === 'failed' ? 1 : 0;
}

/** Opens the database for this command, or says which running server to hand the job to. */
async function withDb<T>(config: Config, log: pino.Logger, fn: (db: Db) => Promise<T>, handoff?: (port: number, token: string) => Promise<T>): Promise<T> {
  let lock: Lock | undefined;
  if (!config.databaseUrl) {
    const r = tryLock(config.dataDir, 'cli');
    if (isLock(r)) lock = r;
    else if (r.role === 'server' && r.port && r.token && handoff) {
      console.log(`Le serveur (processus ${r.pid}) utilise la base embarquée : l'import lui est confié.`);
      return handoff(r.port, r.token);
    } else {
      lock = await waitForLock(config.dataDir, 'cli', (h) => console.log(`La base embarquée est occupée (${h.role === 'server' ? 'serveur en démarrage' : 'autre import'}, processus ${h.pid}) ; attente…`));
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

async function readPassword(): Promise<string> {
  if (process.env.ADMIN_PASSWORD) return process.env.ADMIN_PASSWORD;
  process.stdout.write('Mot de passe (12 caractères au moins) : ');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) {
    chunks.push(c as Buffer);
    if (String(c).includes('\n')) break;
  }
  return Buffer.concat(chunks).toString('utf8').split('\n')[0]!.trim();
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === 'aide') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const config = loadConfig();
  const log = pino({ level: process.env.LOG_LEVEL ?? 'warn' });

  if (command === 'import') {
    const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' }, option: { type: 'string', multiple: true, short: 'o' }, force: { type: 'boolean' } } });
    const [job, src] = positionals;
    if (values.help || !job) {
      printJobs();
      return values.help ? 0 : 2;
    }
    const jobs = allJobs();
    if (!jobs.has(job)) {
      console.error(`Import inconnu : « ${job} ».`);
      printJobs();
      return 2;
    }
    const options: Record<string, unknown> = {};
    for (const kv of values.option ?? []) {
      const i = kv.indexOf('=');
      if (i < 1) throw new AppError('REQUETE_INVALIDE', kv, `Option mal formée : « ${kv} » (attendu clé=valeur).`);
      const v = kv.slice(i + 1);
      options[kv.slice(0, i)] = v === 'true' ? true : v === 'false' ? false : /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
    }
    const source = src && !/^https?:\/\//i.test(src) ? path.resolve(src) : src;
    const req = { job, ...(source ? { source } : {}), options, force: values.force ?? false, startedBy: `cli (${process.env.USER ?? 'utilisateur'})` };
    const run = await withDb(config, log, async (db) => {
      await prepareDatabase(db, config, log);
      return runImport({ db, config, log, jobs }, req);
    }, async (port, token) => {
      const res = await fetch(`http://127.0.0.1:${port}/interne/imports`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(req) });
      const body = (await res.json()) as ImportRun & { erreur?: { message: string } };
      if (!res.ok) throw new Error(body.erreur?.message ?? `HTTP ${res.status}`);
      return body;
    });
    return printRun(run);
  }

  if (command === 'creer-admin') {
    const { values } = parseArgs({ args: rest, options: { email: { type: 'string' }, nom: { type: 'string' } } });
    const input = NewUserSchema.safeParse({ email: values.email, nom: values.nom ?? 'Administrateur', motDePasse: await readPassword(), role: 'administrateur', organisationId: null });
    if (!input.success) {
      console.error(`Compte invalide : ${input.error.issues.map((i) => `${i.path.join('.')} : ${i.message}`).join(' ; ')}`);
      return 2;
    }
    const id = await withDb(config, log, async (db) => {
      await prepareDatabase(db, config, log);
      return createUser(db, { id: null, label: 'cli' }, input.data);
    });
    console.log(`Administrateur créé (n° ${id}) : ${input.data.email}`);
    return 0;
  }

  if (command === 'migrer') {
    const applied = await withDb(config, log, (db) => migrate(db));
    console.log(applied.length ? `Migrations appliquées : ${applied.join(', ')}` : 'Schéma déjà à jour.');
    return 0;
  }

  if (command === 'sauvegarde' || command === 'restauration') {
    const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { remplacer: { type: 'boolean' } } });
    const file = positionals[0];
    if (!file) {
      console.error(USAGE);
      return 2;
    }
    return command === 'sauvegarde' ? backupCommand(config, path.resolve(file)) : restoreCommand(config, path.resolve(file), values.remplacer ?? false);
  }

  console.error(USAGE);
  return 2;
}

const SERVER_BACKUP = `Avec un serveur PostgreSQL (DATABASE_URL), sauvegardez avec ses outils :
  pg_dump --format=custom --file=plateforme.dump "$DATABASE_URL"
  pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" plateforme.dump
(voir README.md, section « Sauvegardes »).`;

/** The embedded database must not be open elsewhere: a server holding it is named, and nothing waits. */
function exclusiveLock(config: Config, what: string): Lock | undefined {
  const r = tryLock(config.dataDir, 'cli');
  if (isLock(r)) return r;
  console.error(`${what} impossible : la base embarquée est utilisée par ${r.role === 'server' ? 'le serveur' : 'une autre commande'} (processus ${r.pid}). Arrêtez-le (par exemple « systemctl stop plateforme@… ») puis recommencez.`);
  return undefined;
}

async function backupCommand(config: Config, file: string): Promise<number> {
  if (config.databaseUrl) {
    console.error(SERVER_BACKUP);
    return 2;
  }
  if (!fs.existsSync(path.join(config.dataDir, 'pglite'))) {
    console.error(`Aucune base embarquée dans ${config.dataDir} : rien à sauvegarder.`);
    return 2;
  }
  const holder = readLock(config.dataDir);
  if (holder?.role === 'server' && holder.port && holder.token) {
    console.log(`Le serveur (processus ${holder.pid}) utilise la base embarquée : la sauvegarde lui est confiée.`);
    const res = await fetch(`http://127.0.0.1:${holder.port}/interne/sauvegarde`, {
      method: 'POST',
      headers: { authorization: `Bearer ${holder.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ fichier: file }),
    });
    const body = (await res.json()) as { tables: number; lignes: number; octets: number; erreur?: { message: string } };
    if (!res.ok) {
      console.error(`Sauvegarde impossible : ${body.erreur?.message ?? `HTTP ${res.status}`}`);
      return 1;
    }
    console.log(`Sauvegarde écrite : ${file} (${body.tables} tables, ${body.lignes} lignes, ${(body.octets / 1e6).toFixed(1)} Mo).`);
    return 0;
  }
  const lock = exclusiveLock(config, 'Sauvegarde');
  if (!lock) return 3;
  try {
    const db = await openDb({ dataDir: config.dataDir });
    try {
      const s = await writeBackup(db, file);
      console.log(`Sauvegarde écrite : ${file} (${s.tables} tables, ${s.lignes} lignes, ${(s.octets / 1e6).toFixed(1)} Mo).`);
      return 0;
    } finally {
      await db.close();
    }
  } finally {
    lock.release();
  }
}

async function restoreCommand(config: Config, file: string, replace: boolean): Promise<number> {
  if (config.databaseUrl) {
    console.error(SERVER_BACKUP);
    return 2;
  }
  if (!fs.existsSync(file)) {
    console.error(`Sauvegarde introuvable : ${file}`);
    return 2;
  }
  const current = path.join(config.dataDir, 'pglite');
  if (fs.existsSync(current) && !replace) {
    console.error(`Une base existe déjà dans ${current}. Ajoutez --remplacer pour la remplacer (elle sera gardée à côté, renommée).`);
    return 2;
  }
  const lock = exclusiveLock(config, 'Restauration');
  if (!lock) return 3;
  const target = path.join(config.dataDir, 'pglite.restauration-en-cours');
  try {
    fs.rmSync(target, { recursive: true, force: true });
    const db = await openDb({ dataDir: config.dataDir, dir: target });
    let s: Awaited<ReturnType<typeof loadBackup>>;
    try {
      s = await loadBackup(db, file);
    } finally {
      await db.close();
    }
    // Only now does the restored copy replace the current database: a failure above changed nothing.
    let kept = '';
    if (fs.existsSync(current)) {
      kept = `${current}.avant-restauration-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      fs.renameSync(current, kept);
    }
    fs.renameSync(target, current);
    // The address index snapshot describes the previous database.
    const snap = snapshotFile(config);
    if (snap) fs.rmSync(snap, { force: true });
    console.log(`Sauvegarde restaurée : ${s.tables} tables, ${s.lignes} lignes.${kept ? ` Ancienne base gardée dans ${kept}.` : ''}`);
    return 0;
  } catch (e) {
    fs.rmSync(target, { recursive: true, force: true });
    throw e;
  } finally {
    lock.release();
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code), (e) => {
  if (e instanceof ConfigError) console.error(e.message);
  else if (e instanceof AppError) console.error(`Erreur : ${e.userMessage}${e.detail ? ` (${e.detail})` : ''}`);
  else console.error(`Erreur : ${e instanceof Error ? e.message : String(e)}`, process.env.LOG_LEVEL === 'debug' ? e : '');
  process.exit(1);
});
