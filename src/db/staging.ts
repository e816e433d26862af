import crypto from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Db, insertJson, type Queryable, type Row } from './db.ts';

/**
 * Staging tables for heavy imports. The embedded database has a single connection: a transaction
 * that loads 150,000 rows holds it for seconds and every page waits. So rows are loaded into a
 * staging table in small batches, each its own short statement (queued reads run between them),
 * and only the swap (delete what is replaced, copy the staging rows in) runs in transactions.
 *
 * The staging table is named `staging_r<run>_<table>_<random>`: nothing reads it but its import,
 * a failed or cancelled import drops it, and one left by a crash is dropped at the next start
 * (`dropStaleStaging`) once its run is no longer running.
 */
type Staging = {
  readonly table: string;
  /** Appends rows in batches small enough that one batch never holds the database long. */
  insert(rows: readonly Row[]): Promise<number>;
};

type StagingSpec = {
  /** Target table; the staging table copies its columns and defaults (no index, no constraint). */
  like: string;
  /** Columns written and their SQL types, as for insertJson(). */
  columns: Record<string, string>;
  /** The import run, so that a crash's leftovers can be recognised. */
  runId: number | null;
  /** Rows per statement (default 2,000: tens of milliseconds on PGlite). */
  batch?: number;
  /**
   * Rows already stored with the same key and the same values (columns in `ignore` apart) are not
   * staged: a re-import then swaps only what changed, and the swap transaction stays short.
   */
  skipUnchanged?: { key: string; ignore?: string[] };
};

const NAME = /^staging_r(\d+|x)_[a-z_]+_[0-9a-f]{8}$/;

/**
 * Loads rows through a staging table, then swaps them in: `load` fills the staging table (outside
 * any transaction) and returns the parts (e.g. groups of communes); `swapPart` gets a transaction,
 * the staging table's name and one part, and must make its change visible at once (DELETE the
 * replaced rows, INSERT … SELECT from staging). One transaction for the whole swap would hold the
 * embedded database's only connection, and every page, for seconds (100,000 addresses: 1.6 s), so
 * on PGlite each part is swapped in its own transaction, readers getting the database between two
 * parts for as long as the part held it: a reader sees every part either old or new, never half of
 * one. `beforeParts` runs once the load is done and before the first part commits (e.g. to record
 * that the run is now changing data). On a PostgreSQL server readers never wait for a writer, so all
 * parts run in one transaction there and the swap stays atomic as a whole.
 * If a part fails on PGlite, the parts before it are kept: `done` says how many committed.
 */
export async function withStagingInParts<P>(
  db: Db,
  spec: StagingSpec,
  load: (stage: Staging) => Promise<P[]>,
  swapPart: (tx: Queryable, table: string, part: P) => Promise<void>,
  hooks: { beforeParts?: () => Promise<void>; done?: (committed: number) => void } = {},
): Promise<void> {
  if (!/^[a-z_]+$/.test(spec.like)) throw new Error(`invalid staging target ${spec.like}`);
  const table = `staging_r${spec.runId ?? 'x'}_${spec.like}_${crypto.randomBytes(4).toString('hex')}`;
  const batch = spec.batch ?? 2000;
  // UNLOGGED: nothing to recover after a crash, and half the writes on a server.
  const filter = spec.skipUnchanged ? unchangedFilter(spec.like, Object.keys(spec.columns), spec.skipUnchanged) : '';
  await db.query(`CREATE UNLOGGED TABLE ${table} (LIKE ${spec.like} INCLUDING DEFAULTS)`);
  try {
    const parts = await load({
      table,
      async insert(rows) {
        let n = 0;
        for (let i = 0; i < rows.length; i += batch) {
          n += await insertJson(db, table, spec.columns, rows.slice(i, i + batch), {
            chunk: batch,
            onConflict: filter,
          });
        }
        return n;
      },
    });
    if (!parts.length) return;
    await hooks.beforeParts?.();
    const groups = db.kind === 'postgres' ? [parts] : parts.map((p) => [p]);
    let committed = 0;
    for (const group of groups) {
      const t0 = performance.now();
      await db.transaction(async (tx) => {
        await lockSwaps(tx, spec.like);
        for (const part of group) await swapPart(tx, table, part);
      });
      committed += group.length;
      hooks.done?.(committed);
      // A page makes several queries in a row: were the next part to start at once, it would wait
      // for one part per query. Readers get as long as the part held the database.
      if (committed < parts.length) await sleep(Math.min(performance.now() - t0, 1000));
    }
  } finally {
    await db.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
  }
}

/** Two imports of the same table (two instances on one server) swap one after the other. */
const lockSwaps = (tx: Queryable, like: string) =>
  tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`staging:${like}`]);

/** `WHERE NOT EXISTS (same row stored)`, appended to insertJson's `SELECT … FROM json_to_recordset(…) AS r`. */
function unchangedFilter(target: string, columns: string[], o: { key: string; ignore?: string[] }): string {
  const cmp = columns.filter((c) => c !== o.key && !o.ignore?.includes(c));
  const tuple = (alias: string) => `(${cmp.map((c) => `${alias}.${c}`).join(', ')})`;
  return `WHERE NOT EXISTS (SELECT 1 FROM ${target} t WHERE t.${o.key} = r.${o.key} AND ${tuple('t')} IS NOT DISTINCT FROM ${tuple('r')})`;
}

/** Staging tables present now (for start-up cleanup and tests). */
export async function stagingTables(db: Queryable): Promise<string[]> {
  const r = await db.query<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'staging\\_r%' ORDER BY 1`,
  );
  return r.rows.map((x) => x.name).filter((n) => NAME.test(n));
}

/**
 * Drops staging tables left by a process that died mid-import. Tables of a run still marked
 * running are kept: on a server another instance may be loading them right now.
 */
export async function dropStaleStaging(db: Queryable): Promise<string[]> {
  const dropped: string[] = [];
  for (const name of await stagingTables(db)) {
    const run = /^staging_r(\d+)_/.exec(name)?.[1];
    if (run) {
      const r = await db.query(`SELECT 1 FROM import_run WHERE id = $1 AND status = 'running'`, [Number(run)]);
      if (r.rows.length) continue;
    }
    await db.query(`DROP TABLE IF EXISTS ${name}`);
    dropped.push(name);
  }
  return dropped;
}
