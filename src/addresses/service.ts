/**
 * The address index of a running app: built from table `adresse` at start-up (in the background
 * when the table is large) and rebuilt after each `adresses` import. Functions for other modules:
 *  - `getAddressIndex(ctx)` → Promise<AddressIndex> (waits for a build in progress).
 *  - `searchAddresses(ctx, q, opts)` / `reverseAddresses(ctx, lon, lat, limit)` → AddressHit[].
 */
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { AppContext } from '../context.ts';
import type { Queryable } from '../db/db.ts';
import { type AddressHit, type AddressIndex, AddressIndexBuilder, type SearchOptions } from './index-search.ts';
import { buildIndex, type IndexBuild, newIndexBuild } from './index-thread.ts';
import { parseQuery } from './normalize.ts';
import { addressesOfPage, addressPage, communeRefs, tableFingerprint } from './queries.ts';
import { readSnapshot, writeSnapshot } from './snapshot.ts';

/** For other modules: one stored address by its id (BAN/BAL/BANO identifier). */
export { type AddressRow, addressById } from './queries.ts';

/** What an import replaced: only these parts need reading again from the database. */
type Touched = { departements: Set<string>; communes: Set<string> };
type Holder = {
  current: AddressIndex | null;
  pending: Promise<AddressIndex> | null;
  builtAt: Date | null;
  ms: number;
  touched: Touched | null;
  /** rows the last import(s) wrote, indexed while they were read: no need to read them back */
  fresh: AddressIndex[];
};
const holders = new WeakMap<object, Holder>();

function holder(ctx: Pick<AppContext, 'db'>): Holder {
  let h = holders.get(ctx.db);
  if (!h) {
    h = { current: null, pending: null, builtAt: null, ms: 0, touched: null, fresh: [] };
    holders.set(ctx.db, h);
  }
  return h;
}

/** Rows read per query when the index is (re)built from the table. */
const PAGE_ROWS = 5000;

type PageRow = Awaited<ReturnType<typeof addressPage>>[number];

/** Adds pages of rows (keyset pagination in id order) to a builder, yielding to the event loop between batches. */
async function addPages(
  db: Queryable,
  b: IndexBuild,
  page: (after: string | null) => Promise<PageRow[]>,
): Promise<number> {
  const communes = new Map((await communeRefs(db)).map((c) => [c.code, c]));
  let after: string | null = null;
  let n = 0;
  for (;;) {
    const rows = await page(after);
    n += rows.length;
    await b.addAll(
      rows.map((r) => {
        const c = communes.get(r.code_insee);
        return { ...r, commune: c?.nom ?? r.code_insee, departement: c?.departement ?? r.code_insee.slice(0, 2) };
      }),
    );
    if (rows.length < PAGE_ROWS) return n;
    after = rows[rows.length - 1]!.id;
  }
}

/** Reads the whole table by pages and builds a fresh index (the old one keeps serving meanwhile). */
export async function buildIndexFromDb(db: Queryable, log?: Logger): Promise<AddressIndex> {
  const t0 = Date.now();
  const index = await buildIndex((b) => addPages(db, b, (after) => addressPage(db, after, PAGE_ROWS)));
  log?.info({ addresses: index.size, streets: index.streetCount, ms: Date.now() - t0 }, 'address index built');
  return index;
}

/**
 * A new index from the previous one, re-reading from the database only the départements and
 * communes an import replaced (the rest is copied from memory).
 */
async function updateIndexFromDb(
  db: Queryable,
  previous: AddressIndex,
  touched: Touched,
  log?: Logger,
): Promise<AddressIndex> {
  const t0 = Date.now();
  const depts = [...touched.departements];
  const communes = [...touched.communes];
  let reread = 0;
  const index = await buildIndex(async (b) => {
    await b.addAll(previous.rows((code, dept) => touched.departements.has(dept) || touched.communes.has(code)));
    reread = await addPages(db, b, (after) => addressesOfPage(db, depts, communes, after, PAGE_ROWS));
  });
  log?.info({ addresses: index.size, reread, ms: Date.now() - t0 }, 'address index updated');
  return index;
}

/** Called by the import job after its transaction committed, with the rows it wrote. */
export function noteImported(db: object, touched: Touched, fresh?: AddressIndex): void {
  const h = holder({ db } as Pick<AppContext, 'db'>);
  if (fresh && (h.touched === null) === (h.fresh.length === 0)) h.fresh.push(fresh);
  else h.fresh = [];
  if (!h.touched) h.touched = { departements: new Set(), communes: new Set() };
  for (const d of touched.departements) h.touched.departements.add(d);
  for (const c of touched.communes) h.touched.communes.add(c);
}

type Ctx = Pick<AppContext, 'db' | 'log'> & { config?: Config };

/** Snapshot file of the index, under the data directory (not in tests: databases there are throw-away). */
export function snapshotFile(config: Config | undefined): string | null {
  return config && config.env !== 'test' ? path.join(config.dataDir, 'index-adresses.bin') : null;
}

let writing: Promise<unknown> = Promise.resolve();
function saveSnapshot(ctx: Ctx, index: AddressIndex, fingerprint: string): void {
  const file = snapshotFile(ctx.config);
  if (!file) return;
  writing = writing
    .then(async () => {
      const t0 = Date.now();
      await writeSnapshot(index, file, fingerprint);
      ctx.log.info({ file, ms: Date.now() - t0 }, 'address index snapshot written');
    })
    .catch((err) => ctx.log.warn({ err }, 'address index snapshot not written'));
}

/** At start-up: the snapshot when it matches the table, else a build from the table (in the background). */
export async function loadAddressIndexAtStartup(ctx: Ctx): Promise<'snapshot' | 'build'> {
  const file = snapshotFile(ctx.config);
  if (file) {
    try {
      const t0 = Date.now();
      const idx = await readSnapshot(file, await tableFingerprint(ctx.db));
      if (idx) {
        setAddressIndex(ctx, idx);
        ctx.log.info({ file, addresses: idx.size, ms: Date.now() - t0 }, 'address index loaded from snapshot');
        return 'snapshot';
      }
    } catch (err) {
      ctx.log.warn({ err, file }, 'address index snapshot unreadable, rebuilding');
    }
  }
  rebuildAddressIndex(ctx).catch((err) => ctx.log.error({ err }, 'address index build failed'));
  return 'build';
}

/** Starts (or chains) a rebuild; the returned promise resolves with the new index. */
export function rebuildAddressIndex(ctx: Ctx): Promise<AddressIndex> {
  const h = holder(ctx);
  const prev = h.pending ?? Promise.resolve(null);
  const next = prev
    .catch(() => null)
    .then(async () => {
      const t0 = Date.now();
      // the table as this index will reflect it (imports are serialised and call us after committing)
      const fingerprint = snapshotFile(ctx.config) ? await tableFingerprint(ctx.db) : '';
      const touched = h.touched;
      const fresh = h.fresh;
      h.touched = null;
      h.fresh = [];
      // An import that changed no address (a re-import of the same file elsewhere): nothing to rebuild.
      if (touched && h.current && !fresh.length && touched.departements.size + touched.communes.size === 0)
        return h.current;
      let idx: AddressIndex;
      if (touched && h.current && fresh.length === 1) {
        // Everything in memory: the previous index minus what the import replaced, plus what it wrote.
        const b = newIndexBuild();
        const prev = h.current;
        if (prev.size)
          await b.addAll(prev.rows((code, dept) => touched.departements.has(dept) || touched.communes.has(code)));
        if (b.size === 0) idx = fresh[0]!;
        else {
          await b.addAll(fresh[0]!.rows());
          idx = await b.finishAsync();
        }
        ctx.log.info({ addresses: idx.size, ms: Date.now() - t0 }, 'address index updated from the import');
      } else if (touched && h.current && touched.departements.size + touched.communes.size <= 20) {
        idx = await updateIndexFromDb(ctx.db, h.current, touched, ctx.log);
      } else idx = await buildIndexFromDb(ctx.db, ctx.log);
      h.current = idx;
      h.builtAt = new Date();
      h.ms = Date.now() - t0;
      saveSnapshot(ctx, idx, fingerprint);
      return idx;
    });
  h.pending = next;
  next
    .finally(() => {
      if (h.pending === next) h.pending = null;
    })
    .catch(() => undefined);
  return next;
}

/**
 * The current index; while a rebuild runs, searches keep being answered from it (the new one replaces it
 * when complete). Waits only when there is no index yet (a first build in progress, or none started).
 */
export async function getAddressIndex(ctx: Pick<AppContext, 'db' | 'log'>): Promise<AddressIndex> {
  const h = holder(ctx);
  if (h.current) return h.current;
  if (h.pending) return h.pending;
  return rebuildAddressIndex(ctx);
}

/** An empty table: an empty index, so that the first import updates it from memory. */
export function setEmptyAddressIndex(ctx: Pick<AppContext, 'db'>): void {
  const h = holder(ctx);
  if (!h.current && !h.pending) h.current = new AddressIndexBuilder().finish();
}

/** For benchmarks and tools: serve a ready-made index (e.g. a synthetic one) for this database. */
export function setAddressIndex(ctx: Pick<AppContext, 'db'>, index: AddressIndex): void {
  const h = holder(ctx);
  h.current = index;
  h.builtAt = new Date();
}

export function addressIndexStatus(ctx: Pick<AppContext, 'db'>): {
  ready: boolean;
  building: boolean;
  size: number;
  builtAt: Date | null;
  ms: number;
} {
  const h = holder(ctx);
  return { ready: !!h.current, building: !!h.pending, size: h.current?.size ?? 0, builtAt: h.builtAt, ms: h.ms };
}

export async function searchAddresses(
  ctx: Pick<AppContext, 'db' | 'log'>,
  q: string,
  opts: SearchOptions = {},
): Promise<AddressHit[]> {
  return (await getAddressIndex(ctx)).search(q, opts);
}

/** Score under which a geocoding answer is not taken as the address asked (a share of the query matched). */
const GEOCODE_MIN_SCORE = 0.6;

/**
 * For other modules' imports: the position of a postal address in one commune, from the address index, or null
 * when the commune has no imported address or no indexed address matches well enough. A house number given in
 * the text must be found as such (a street-only answer is not taken for a numbered address).
 */
export async function geocodeInCommune(
  ctx: Pick<AppContext, 'db' | 'log'>,
  text: string,
  citycode: string,
): Promise<{ lon: number; lat: number; id: string; label: string; score: number } | null> {
  const index = await getAddressIndex(ctx);
  const numero = parseQuery(text).housenumber;
  const hit = index.search(text, { citycode, limit: 1 })[0];
  if (!hit || hit.score < GEOCODE_MIN_SCORE) return null;
  if (numero !== null && (hit.type !== 'housenumber' || hit.numero !== numero)) return null;
  return { lon: hit.lon, lat: hit.lat, id: hit.id, label: hit.label, score: hit.score };
}
