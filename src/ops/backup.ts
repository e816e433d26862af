import { once } from 'node:events';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import zlib from 'node:zlib';
import type { Db, Queryable } from '../db/db.ts';
import { MIGRATIONS_DIR, migrate } from '../db/migrate.ts';
import { AppError } from '../errors.ts';

/**
 * Logical backups of the embedded database: gzipped JSON lines, one header, then for each table a
 * `{"@table": …}` line followed by its rows as JSON objects (`to_json` of the row), then the
 * sequences, then an end line with the counts (a backup without it is truncated and refused).
 * Written and read as streams, table by table and page by page: never the whole database in memory.
 * The schema is not in the file: restoring replays the same migrations, then loads the rows.
 */
const FORMAT = 'plateforme-sauvegarde';
const PAGE = 2000;

type Header = { format: typeof FORMAT; version: 1; cree: string; base: Db['kind']; migrations: string[] };
type BackupSummary = { tables: number; lignes: number; octets: number };

async function tables(db: Queryable): Promise<string[]> {
  const r = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname NOT LIKE 'staging\\_r%' ORDER BY 1`,
  );
  return r.rows.map((x) => x.name);
}

async function pageOf(db: Queryable, table: string, after: string): Promise<{ ctid: string; j: string }[]> {
  // Keyset on the physical row id: no ORDER BY on a column every table would need to have.
  return (
    await db.query<{ ctid: string; j: string }>(
      `SELECT t.ctid::text AS ctid, to_json(t)::text AS j FROM ${quoteIdent(table)} t WHERE t.ctid > $1::tid ORDER BY t.ctid LIMIT ${PAGE}`,
      [after],
    )
  ).rows;
}

async function sequences(db: Queryable): Promise<[string, number, boolean][]> {
  const r = await db.query<{ name: string; last_value: number | null }>(
    'SELECT sequencename AS name, last_value FROM pg_sequences WHERE schemaname = current_schema() ORDER BY 1',
  );
  return r.rows.map((x) => [x.name, Number(x.last_value ?? 1), x.last_value !== null]);
}

const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;

/**
 * Writes a backup of `db` to `file` (through a temporary file renamed at the end, so a failed
 * backup never leaves a file under the final name). Run it inside one transaction for a
 * consistent copy; on the embedded database the caller holds the lock, so nothing else writes.
 */
export async function writeBackup(db: Queryable & { kind: Db['kind'] }, file: string): Promise<BackupSummary> {
  const tmp = `${file}.${process.pid}.partiel`;
  const gz = zlib.createGzip();
  const done = pipeline(gz, fs.createWriteStream(tmp, { mode: 0o600 }));
  done.catch(() => undefined); // awaited below; avoids an unhandled rejection while writing
  const write = async (line: string) => {
    if (!gz.write(`${line}\n`)) await Promise.race([once(gz, 'drain'), done]);
  };
  try {
    const migrations = (await db.query<{ name: string }>('SELECT name FROM schema_migration ORDER BY name')).rows.map(
      (r) => r.name,
    );
    const header: Header = { format: FORMAT, version: 1, cree: new Date().toISOString(), base: db.kind, migrations };
    await write(JSON.stringify(header));
    let lignes = 0;
    const list = (await tables(db)).filter((t) => t !== 'schema_migration');
    for (const t of list) {
      await write(JSON.stringify({ '@table': t }));
      for (let after = '(0,0)'; ; ) {
        const rows = await pageOf(db, t, after);
        for (const r of rows) await write(r.j);
        lignes += rows.length;
        if (rows.length < PAGE) break;
        after = rows[rows.length - 1]!.ctid;
      }
    }
    await write(JSON.stringify({ '@sequences': await sequences(db) }));
    await write(JSON.stringify({ '@fin': { tables: list.length, lignes } }));
    gz.end();
    await done;
    await fsp.rename(tmp, file);
    return { tables: list.length, lignes, octets: (await fsp.stat(file)).size };
  } catch (e) {
    gz.destroy();
    await fsp.rm(tmp, { force: true });
    throw e;
  }
}

/** Reads the backup's lines in order, handing each parsed line to `onLine`; stream errors reject. */
async function readBackup(
  file: string,
  onLine: (v: Record<string, unknown>, n: number) => Promise<void>,
): Promise<void> {
  let rest = '';
  let n = 0;
  const handle = async (line: string) => {
    n++;
    if (!line) return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      throw new AppError(
        'SOURCE_ILLISIBLE',
        `backup line ${n} not JSON`,
        `Sauvegarde illisible : la ligne ${n} n’est pas du JSON (fichier abîmé ?).`,
      );
    }
    if (!v || typeof v !== 'object' || Array.isArray(v))
      throw new AppError('SOURCE_ILLISIBLE', `backup line ${n}`, `Sauvegarde illisible : ligne ${n} inattendue.`);
    await onLine(v as Record<string, unknown>, n);
  };
  // pipeline() reports an error thrown by the consuming function as a bare AbortError: keep it.
  let failure: unknown;
  const guarded = async (line: string) => {
    try {
      await handle(line);
    } catch (e) {
      failure ??= e;
      throw e;
    }
  };
  try {
    await pipeline(fs.createReadStream(file), zlib.createGunzip(), async (source: AsyncIterable<Buffer>) => {
      // A character can straddle two gzip chunks: decode with a StringDecoder, never chunk by chunk.
      const decoder = new StringDecoder('utf8');
      for await (const chunk of source) {
        const parts = (rest + decoder.write(chunk)).split('\n');
        rest = parts.pop()!;
        for (const p of parts) await guarded(p);
      }
      rest += decoder.end();
      if (rest) await guarded(rest);
    });
  } catch (e) {
    if (failure) throw failure;
    // Stream, file and gzip errors carry a code.
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code !== 'string') throw e;
    if (code === 'ENOENT')
      throw new AppError('SOURCE_ILLISIBLE', `no backup ${file}`, `Sauvegarde introuvable : ${file}`);
    throw new AppError(
      'SOURCE_ILLISIBLE',
      `backup unreadable: ${(e as Error).message}`,
      `Sauvegarde illisible (fichier tronqué ou qui n’est pas une sauvegarde gzip de la plateforme) : ${file}`,
    );
  }
}

/**
 * Loads a backup into `db`, which must be a new, empty database: the backup's migrations are
 * applied (the same files, checked by checksum), then the rows, table by table, then the sequences.
 * Foreign keys are not checked during the load (the rows were consistent when saved), so tables
 * can come in any order. Everything happens in one transaction: a truncated or damaged backup
 * leaves nothing behind.
 */
export async function loadBackup(db: Db, file: string): Promise<BackupSummary> {
  let header: Header | undefined;
  let migrationsDir: string | undefined;
  try {
    // The header first, to apply the backup's schema before the transaction that loads the rows.
    await readBackup(file, async (v) => {
      header = v as Header;
      throw new StopReading();
    }).catch((e) => {
      // Stopping early aborts the stream: whatever error that gives, the header was read.
      if (!header) throw e;
    });
    if (header?.format !== FORMAT || header.version !== 1 || !Array.isArray(header.migrations)) {
      throw new AppError(
        'SOURCE_ILLISIBLE',
        'not a backup',
        `Ce fichier n’est pas une sauvegarde de la plateforme : ${file}`,
      );
    }
    const missing = header.migrations.filter((m) => !fs.existsSync(path.join(MIGRATIONS_DIR, m)));
    if (missing.length) {
      throw new AppError(
        'REQUETE_INVALIDE',
        `unknown migrations ${missing.join(',')}`,
        `Cette sauvegarde vient d’une version plus récente de la plateforme (migrations inconnues : ${missing.join(', ')}) ; restaurez-la avec cette version.`,
      );
    }
    migrationsDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'pan-restauration-'));
    for (const m of header.migrations) await fsp.copyFile(path.join(MIGRATIONS_DIR, m), path.join(migrationsDir, m));
    await migrate(db, migrationsDir);
  } finally {
    if (migrationsDir) await fsp.rm(migrationsDir, { recursive: true, force: true });
  }

  return db.transaction(async (tx) => {
    // Superuser on the embedded database: foreign keys and triggers are off for this load only.
    await tx.query('SET LOCAL session_replication_role = replica');
    const known = new Set((await tables(tx)).filter((t) => t !== 'schema_migration'));
    // Rows some migrations seed (e.g. default targets) come back from the backup as they were.
    if (known.size) await tx.query(`TRUNCATE ${[...known].map(quoteIdent).join(', ')}`);
    let table: string | null = null;
    let batch: string[] = [];
    let lignes = 0;
    let end: { tables: number; lignes: number } | undefined;
    const flush = async () => {
      if (table && batch.length) {
        await tx.query(
          `INSERT INTO ${quoteIdent(table)} SELECT * FROM json_populate_recordset(NULL::${quoteIdent(table)}, $1::json)`,
          [`[${batch.join(',')}]`],
        );
        lignes += batch.length;
      }
      batch = [];
    };
    let count = 0;
    await readBackup(file, async (v, n) => {
      if (n === 1) return;
      if (end)
        throw new AppError('SOURCE_ILLISIBLE', 'data after end', 'Sauvegarde illisible : des lignes suivent la fin.');
      if ('@table' in v) {
        await flush();
        const t = String(v['@table']);
        if (!known.has(t))
          throw new AppError(
            'SOURCE_ILLISIBLE',
            `unknown table ${t}`,
            `Sauvegarde illisible : table inconnue « ${t} ».`,
          );
        table = t;
        count++;
        return;
      }
      if ('@sequences' in v) {
        await flush();
        table = null;
        for (const [name, value, called] of v['@sequences'] as [string, number, boolean][]) {
          await tx.query('SELECT setval($1::regclass, $2, $3)', [quoteIdent(name), value, called]);
        }
        return;
      }
      if ('@fin' in v) {
        end = v['@fin'] as { tables: number; lignes: number };
        return;
      }
      if (!table)
        throw new AppError(
          'SOURCE_ILLISIBLE',
          `row outside a table at line ${n}`,
          `Sauvegarde illisible : ligne ${n} hors d’une table.`,
        );
      batch.push(JSON.stringify(v));
      if (batch.length >= PAGE) await flush();
    });
    await flush();
    if (!end || end.lignes !== lignes || end.tables !== count) {
      throw new AppError(
        'SOURCE_ILLISIBLE',
        'backup truncated',
        `Sauvegarde incomplète (fichier tronqué) : ${lignes} lignes lues${end ? ` sur ${end.lignes}` : ', fin absente'} ; rien n’a été restauré.`,
      );
    }
    return { tables: count, lignes, octets: (await fsp.stat(file)).size };
  });
}

class StopReading extends Error {}
