import path from 'node:path';
import { noteCommitted, throwIfAborted } from './abort.ts';
import type { Db, Queryable, Row } from './db.ts';
import { openPglite } from './pglite.ts';

export async function openDb(opts: {
  databaseUrl?: string | undefined;
  dataDir?: string;
  memory?: boolean /** embedded database folder other than DATA_DIR/pglite (restore) */;
  dir?: string;
}): Promise<Db> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl);
  return openPglite(opts.memory ? undefined : (opts.dir ?? path.join(opts.dataDir ?? './data', 'pglite')));
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
