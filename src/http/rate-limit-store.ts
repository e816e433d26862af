import type { Queryable } from '../db/db.ts';

/**
 * Request counters in PostgreSQL, so that several instances behind one proxy share their limits
 * (a client cannot multiply its login attempts by the number of instances). A fixed window per key:
 * the first request opens it, later ones count until it ends. Used when the platform runs on a
 * PostgreSQL server; PGlite is single-process and keeps the plugin's in-memory store.
 */
async function countRequest(q: Queryable, key: string, windowMs: number): Promise<{ current: number; ttl: number }> {
  const r = await q.query<{ compte: number; ttl: number }>(
    `INSERT INTO limite_requetes AS l (cle, compte, fin) VALUES ($1, 1, now() + make_interval(secs => $2 / 1000.0))
     ON CONFLICT (cle) DO UPDATE SET
       compte = CASE WHEN l.fin <= now() THEN 1 ELSE l.compte + 1 END,
       fin = CASE WHEN l.fin <= now() THEN excluded.fin ELSE l.fin END
     RETURNING compte, (extract(epoch FROM (fin - now())) * 1000)::int AS ttl`,
    [key, windowMs],
  );
  const row = r.rows[0]!;
  return { current: Number(row.compte), ttl: Math.max(0, Number(row.ttl)) };
}

async function deleteEndedWindows(q: Queryable): Promise<void> {
  await q.query('DELETE FROM limite_requetes WHERE fin < now()');
}

type Callback = (error: Error | null, result?: { current: number; ttl: number }) => void;
type RouteInfo = { routeInfo?: { method?: string | string[]; url?: string } };

/** A store class for @fastify/rate-limit (`store` option), bound to one database. */
export function pgRateLimitStore(db: Queryable) {
  let calls = 0;
  return class PgRateLimitStore {
    private readonly prefix: string;
    constructor(_globalOptions?: unknown, prefix = '') {
      this.prefix = prefix;
    }

    incr(key: string, cb: Callback, timeWindow: number): void {
      // Ended windows are dropped now and then, off the request's path.
      if (++calls % 1000 === 0) void deleteEndedWindows(db).catch(() => undefined);
      countRequest(db, `${this.prefix}${key}`.slice(0, 500), timeWindow).then(
        (r) => cb(null, r),
        (e: Error) => cb(e),
      );
    }

    child(routeOptions: RouteInfo): PgRateLimitStore {
      const info = routeOptions.routeInfo ?? {};
      return new PgRateLimitStore(undefined, `${[info.method ?? ''].flat().join(',')} ${info.url ?? ''}|`);
    }
  };
}
