import fs from 'node:fs';
import path from 'node:path';
import { noteCommitted, throwIfAborted } from './abort.ts';
import { type Db, type Queryable, type Row, yieldTurn } from './db.ts';

export async function openDb(opts: {
  databaseUrl?: string | undefined;
  dataDir?: string;
  memory?: boolean /** embedded database folder other than DATA_DIR/pglite (restore) */;
  dir?: string;
}): Promise<Db> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl);
  return openPglite(opts.memory ? undefined : (opts.dir ?? path.join(opts.dataDir ?? './data', 'pglite')));
}

/** Longest run of embedded-database statements without a turn of the event loop. */
const TURN_MS = 25;

async function openPglite(dir: string | undefined): Promise<Db> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  if (dir) fs.mkdirSync(dir, { recursive: true });
  const pg = await PGlite.create(dir ?? 'memory://', {
    extensions: { pg_trgm },
    // Same JS types as the server backend: numeric as number.
    parsers: { 1700: (v: string) => Number(v) },
  });
  // PGlite answers within microtasks: a loop of awaited queries (a table read by pages, an import's
  // batches) would hold every timer and incoming request until it ends (1 s to read the communes by
  // pages). So after a statement, when the loop has not turned for a while, let it turn once; not after
  // every statement, which makes each page wait behind the others' work at every query.
  let lastTurn = performance.now();
  const letLoopTurn = async () => {
    if (performance.now() - lastTurn < TURN_MS) return;
    await yieldTurn();
    lastTurn = performance.now();
  };
  const wrap = (q: { query: typeof pg.query; exec: typeof pg.exec }): Queryable => ({
    async exec(sql: string) {
      throwIfAborted();
      await q.exec(sql);
      await letLoopTurn();
    },
    async query<T extends Row>(sql: string, params?: readonly unknown[]) {
      throwIfAborted();
      const r = await q.query<T>(sql, params as unknown[] | undefined);
      await letLoopTurn();
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
    },
  });
  return {
    kind: 'pglite',
    ...wrap(pg),
    transaction: async (fn) => {
      const out = await pg.transaction(async (tx) => {
        const r = await fn(wrap(tx));
        throwIfAborted();
        return r;
      });
      noteCommitted();
      return out;
    },
    session: (fn) => fn(wrap(pg)),
    close: () => pg.close(),
  };
}

async function openPostgres(url: string): Promise<Db> {
  const { default: pg } = await import('pg');
  // int8 and numeric come back as strings by default; counts here fit in a double.
  pg.types.setTypeParser(20, (v) => Number(v));
  pg.types.setTypeParser(1700, (v) => Number(v));
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  await pool.query('SELECT 1');
  const wrap = (c: {
    query: (s: string, p?: unknown[]) => Promise<{ rows: Row[]; rowCount: number | null }>;
  }): Queryable => ({
    async exec(sql: string) {
      throwIfAborted();
      await c.query(sql);
    },
    async query<T extends Row>(sql: string, params?: readonly unknown[]) {
      throwIfAborted();
      const r = await c.query(sql, params as unknown[] | undefined);
      return { rows: r.rows as T[], rowCount: r.rowCount ?? r.rows.length };
    },
  });
  return {
    kind: 'postgres',
    ...wrap(pool),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const out = await fn(wrap(client));
        throwIfAborted();
        await client.query('COMMIT');
        noteCommitted();
        return out;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
    async session(fn) {
      const client = await pool.connect();
      try {
        return await fn(wrap(client));
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
