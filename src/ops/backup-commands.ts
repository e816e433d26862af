import fs from 'node:fs';
import path from 'node:path';
import { snapshotFile } from '../addresses/service.ts';
import type { Config } from '../config.ts';
import { isLock, type Lock, readLock, tryLock } from '../db/lock.ts';
import { openDb } from '../db/open.ts';
import { loadBackup, writeBackup } from './backup.ts';

const SERVER_BACKUP = `Avec un serveur PostgreSQL (DATABASE_URL), sauvegardez avec ses outils :
  pg_dump --format=custom --file=plateforme.dump "$DATABASE_URL"
  pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" plateforme.dump
(voir README.md, section « Sauvegardes »).`;

/** The embedded database must not be open elsewhere: a server holding it is named, and nothing waits. */
function exclusiveLock(config: Config, what: string): Lock | undefined {
  const r = tryLock(config.dataDir, 'cli');
  if (isLock(r)) return r;
  console.error(
    `${what} impossible : la base embarquée est utilisée par ${r.role === 'server' ? 'le serveur' : 'une autre commande'} (processus ${r.pid}). Arrêtez-le (par exemple « systemctl stop plateforme@… ») puis recommencez.`,
  );
  return undefined;
}

export async function backupCommand(config: Config, file: string): Promise<number> {
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
    console.log(
      `Sauvegarde écrite : ${file} (${body.tables} tables, ${body.lignes} lignes, ${(body.octets / 1e6).toFixed(1)} Mo).`,
    );
    return 0;
  }
  const lock = exclusiveLock(config, 'Sauvegarde');
  if (!lock) return 3;
  try {
    const db = await openDb({ dataDir: config.dataDir });
    try {
      const s = await writeBackup(db, file);
      console.log(
        `Sauvegarde écrite : ${file} (${s.tables} tables, ${s.lignes} lignes, ${(s.octets / 1e6).toFixed(1)} Mo).`,
      );
      return 0;
    } finally {
      await db.close();
    }
  } finally {
    lock.release();
  }
}

export async function restoreCommand(config: Config, file: string, replace: boolean): Promise<number> {
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
    console.error(
      `Une base existe déjà dans ${current}. Ajoutez --remplacer pour la remplacer (elle sera gardée à côté, renommée).`,
    );
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
    console.log(
      `Sauvegarde restaurée : ${s.tables} tables, ${s.lignes} lignes.${kept ? ` Ancienne base gardée dans ${kept}.` : ''}`,
    );
    return 0;
  } catch (e) {
    fs.rmSync(target, { recursive: true, force: true });
    throw e;
  } finally {
    lock.release();
  }
}
