/**
 * The embedded database in its own thread. PGlite runs PostgreSQL compiled to WebAssembly: on the
 * main thread every statement (an import's 5,000-row swap, a page's query) held the event loop, and
 * with it every request, including those that never touch the database. Here statements run one at
 * a time, in order; while a transaction is open, only that transaction's statements run and the
 * others wait, as with PGlite's own transaction lock.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { Request, Response } from './pglite-protocol.ts';

const port = parentPort;
if (!port) throw new Error('pglite-worker must run in a worker thread');

const { dir } = workerData as { dir: string | undefined };

async function main(p: NonNullable<typeof parentPort>) {
  const pg = await PGlite.create(dir ?? 'memory://', {
    extensions: { pg_trgm },
    // Same JS types as the server backend: numeric as number.
    parsers: { 1700: (v: string) => Number(v) },
  });

  const waiting: Request[] = [];
  let activeTx: number | null = null;
  let running = false;

  const runnable = (r: Request) => (activeTx === null ? true : r.tx === activeTx);

  async function run(r: Request): Promise<Response> {
    switch (r.op) {
      case 'query': {
        const res = await pg.query(r.sql, r.params);
        return { id: r.id, rows: res.rows as Response['rows'], rowCount: res.affectedRows ?? res.rows.length };
      }
      case 'exec':
        await pg.exec(r.sql);
        return { id: r.id };
      case 'begin':
        await pg.exec('BEGIN');
        activeTx = r.tx;
        return { id: r.id };
      case 'commit':
      case 'rollback':
        try {
          await pg.exec(r.op === 'commit' ? 'COMMIT' : 'ROLLBACK');
        } finally {
          activeTx = null;
        }
        return { id: r.id };
      case 'close':
        await pg.close();
        return { id: r.id };
    }
  }

  async function drain() {
    if (running) return;
    running = true;
    try {
      for (;;) {
        const i = waiting.findIndex(runnable);
        if (i < 0) return;
        const [r] = waiting.splice(i, 1);
        if (!r) return;
        let res: Response;
        try {
          res = await run(r);
        } catch (e) {
          res = { id: r.id, error: describe(e) };
        }
        p.postMessage(res);
      }
    } finally {
      running = false;
    }
  }

  p.on('message', (r: Request) => {
    waiting.push(r);
    void drain();
  });
  p.postMessage({ id: 0 } satisfies Response);
}

/** Errors cross the thread boundary as plain data: their PostgreSQL fields (code, detail…) included. */
function describe(e: unknown): NonNullable<Response['error']> {
  if (!(e instanceof Error)) return { message: String(e), fields: {} };
  const fields: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(e)) if (typeof v === 'string' || typeof v === 'number') fields[k] = v;
  return { message: e.message, fields };
}

main(port).catch((e: unknown) => {
  port.postMessage({ id: 0, error: describe(e) } satisfies Response);
});
