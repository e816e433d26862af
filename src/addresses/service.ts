/**
 * The address index of a running app: built from table `adresse` at start-up (in the background
 * when the table is large) and rebuilt after each `adresses` import. Functions for other modules:
 *  - `getAddressIndex(ctx)` → Promise<AddressIndex> (waits for a build in progress).
 *  - `searchAddresses(ctx, q, opts)` / `reverseAddresses(ctx, lon, lat, limit)` → AddressHit[].
 *  - `addressById(db, id)` (re-exported from queries.ts) → the stored row.
 */
import type { Logger } from 'pino';
import type { AppContext } from '../context.ts';
import type { Queryable } from '../db/db.ts';
import { AddressIndex, AddressIndexBuilder, type AddressHit, type SearchOptions } from './index-search.ts';
import { addressPage } from './queries.ts';

export { addressById, type AddressRow } from './queries.ts';
export type { AddressHit, SearchOptions } from './index-search.ts';

type Holder = { current: AddressIndex | null; pending: Promise<AddressIndex> | null; builtAt: Date | null; ms: number };
const holders = new WeakMap<object, Holder>();

function holder(ctx: Pick<AppContext, 'db'>): Holder {
  let h = holders.get(ctx.db);
  if (!h) {
    h = { current: null, pending: null, builtAt: null, ms: 0 };
    holders.set(ctx.db, h);
  }
  return h;
}

/** Reads the whole table by pages and builds a fresh index (the old one keeps serving meanwhile). */
export async function buildIndexFromDb(db: Queryable, log?: Logger): Promise<AddressIndex> {
  const t0 = Date.now();
  const b = new AddressIndexBuilder();
  let after: string | null = null;
  for (;;) {
    const rows = await addressPage(db, after, 50_000);
    for (const r of rows) b.add(r);
    if (rows.length < 50_000) break;
    after = rows[rows.length - 1]!.id;
  }
  const index = b.finish();
  log?.info({ addresses: index.size, streets: index.streetCount, ms: Date.now() - t0 }, 'address index built');
  return index;
}

/** Starts (or chains) a rebuild; the returned promise resolves with the new index. */
export function rebuildAddressIndex(ctx: Pick<AppContext, 'db' | 'log'>): Promise<AddressIndex> {
  const h = holder(ctx);
  const prev = h.pending ?? Promise.resolve(null);
  const next = prev.catch(() => null).then(async () => {
    const t0 = Date.now();
    const idx = await buildIndexFromDb(ctx.db, ctx.log);
    h.current = idx;
    h.builtAt = new Date();
    h.ms = Date.now() - t0;
    return idx;
  });
  h.pending = next;
  next.finally(() => {
    if (h.pending === next) h.pending = null;
  }).catch(() => undefined);
  return next;
}

/** The current index, waiting for a build in progress, building one if none exists yet. */
export async function getAddressIndex(ctx: Pick<AppContext, 'db' | 'log'>): Promise<AddressIndex> {
  const h = holder(ctx);
  if (h.pending) return h.pending;
  if (h.current) return h.current;
  return rebuildAddressIndex(ctx);
}

/** For benchmarks and tools: serve a ready-made index (e.g. a synthetic one) for this database. */
export function setAddressIndex(ctx: Pick<AppContext, 'db'>, index: AddressIndex): void {
  const h = holder(ctx);
  h.current = index;
  h.builtAt = new Date();
}

export function addressIndexStatus(ctx: Pick<AppContext, 'db'>): { ready: boolean; building: boolean; size: number; builtAt: Date | null; ms: number } {
  const h = holder(ctx);
  return { ready: !!h.current, building: !!h.pending, size: h.current?.size ?? 0, builtAt: h.builtAt, ms: h.ms };
}

export async function searchAddresses(ctx: Pick<AppContext, 'db' | 'log'>, q: string, opts: SearchOptions = {}): Promise<AddressHit[]> {
  return (await getAddressIndex(ctx)).search(q, opts);
}

export async function reverseAddresses(ctx: Pick<AppContext, 'db' | 'log'>, lon: number, lat: number, limit = 1): Promise<AddressHit[]> {
  return (await getAddressIndex(ctx)).reverse(lon, lat, limit);
}
