import fs from 'node:fs';
import { startWorker } from '../threads/start.ts';
import { noteCommitted, throwIfAborted } from './abort.ts';
import type { Db, Queryable, Row } from './db.ts';
import type { Request, Response } from './pglite-protocol.ts';

type Pending = { resolve: (r: Response) => void; reject: (e: Error) => void };
type Message = Request extends infer R ? (R extends Request ? Omit<R, 'id'> : never) : never;

/**
 * The embedded database, run in a worker thread (pglite-worker.ts) so that its statements never hold
 * the event loop. Same `Db` interface as the server backend; a transaction is a numbered sequence of
 * statements that the worker runs alone.
 */
export async function openPglite(dir: string | undefined): Promise<Db> {
  if (dir) fs.mkdirSync(dir, { recursive: true });
  const worker = startWorker(new URL('./pglite-worker.ts', import.meta.url), { dir });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let nextTx = 1;
  let stopped: Error | null = null;

  // An idle database must not keep the process alive, as the in-thread PGlite did not.
  const holdProcess = () => (pending.size ? worker.ref() : worker.unref());
  const stop = (e: Error) => {
    stopped ??= e;
    for (const p of pending.values()) p.reject(stopped);
    pending.clear();
  };
  worker.on('message', (r: Response) => {
    const p = pending.get(r.id);
    if (!p) return;
    pending.delete(r.id);
    holdProcess();
    if (r.error) p.reject(Object.assign(new Error(r.error.message), r.error.fields));
    else p.resolve(r);
  });
  worker.on('error', stop);
  worker.on('exit', (code) => stop(new Error(`La base embarquée s’est arrêtée (code de sortie ${code}).`)));

  const send = (m: Message): Promise<Response> =>
    new Promise((resolve, reject) => {
      if (stopped) return reject(stopped);
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...m, id });
      holdProcess();
    });

  await new Promise<Response>((resolve, reject) => {
    pending.set(0, { resolve, reject });
  }).catch(async (e: unknown) => {
    await worker.terminate();
    throw e;
  });

  const on = (tx: number | null): Queryable => ({
    async exec(sql: string) {
      throwIfAborted();
      await send({ op: 'exec', sql, tx });
    },
    async query<T extends Row>(sql: string, params?: readonly unknown[]) {
      throwIfAborted();
      const r = await send({ op: 'query', sql, params: params as unknown[] | undefined, tx });
      return { rows: (r.rows ?? []) as T[], rowCount: r.rowCount ?? 0 };
    },
  });
  const base = on(null);

  return {
    kind: 'pglite',
    ...base,
    async transaction(fn) {
      const tx = nextTx++;
      await send({ op: 'begin', tx });
      try {
        const out = await fn(on(tx));
        throwIfAborted();
        await send({ op: 'commit', tx });
        noteCommitted();
        return out;
      } catch (e) {
        await send({ op: 'rollback', tx }).catch(() => undefined);
        throw e;
      }
    },
    session: (fn) => fn(base),
    async close() {
      if (!stopped) await send({ op: 'close', tx: null });
      stop(new Error('La base embarquée est fermée.'));
      await worker.terminate();
    },
  };
}
