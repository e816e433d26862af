import type { AppContext } from '../context.ts';
import type { Html } from '../http/html.ts';
import { controleLines } from './api.ts';

/**
 * Pages read precomputed figures, but a région's tables still join thousands of rows: they are
 * kept in memory per scope until the next import or target change.
 */
type State = {
  cache: Map<string, Promise<unknown>>;
  controle: Map<string, Promise<Awaited<ReturnType<typeof controleLines>>>>;
  regionDepts: Map<string, Set<string>>;
  /** Rendered dashboard bodies (no user data in them: the layout adds the viewer and CSRF token). */
  pages: Map<string, Html>;
};
const states = new WeakMap<AppContext, State>();
export function stateOf(ctx: AppContext): State {
  let st = states.get(ctx);
  if (!st) states.set(ctx, (st = { cache: new Map(), controle: new Map(), regionDepts: new Map(), pages: new Map() }));
  return st;
}
export function clearObservatoryCache(ctx: AppContext) {
  const st = stateOf(ctx);
  st.cache.clear();
  st.controle.clear();
  st.regionDepts.clear();
  st.pages.clear();
}

/** The value for this key, computed once until the cache is cleared; a failure is not kept. */
export function memo<T>(ctx: AppContext, key: string, build: () => Promise<T>): Promise<T> {
  const { cache } = stateOf(ctx);
  let v = cache.get(key) as Promise<T> | undefined;
  if (!v) {
    v = build();
    if (cache.size > 500) cache.clear();
    cache.set(key, v);
    v.catch(() => cache.delete(key));
  }
  return v;
}

export function controleCached(ctx: AppContext, niveau: 'departement' | 'region') {
  const controleCache = stateOf(ctx).controle;
  let v = controleCache.get(niveau);
  if (!v) {
    v = controleLines(ctx, niveau, null);
    controleCache.set(niveau, v);
    v.catch(() => controleCache.delete(niveau));
  }
  return v;
}

async function loadRegionDepts(ctx: AppContext) {
  const { regionDepts } = stateOf(ctx);
  const rows = (await ctx.db.query<{ code: string; region: string }>('SELECT code, region FROM departement')).rows;
  regionDepts.clear();
  for (const r of rows) {
    const s = regionDepts.get(r.region) ?? new Set<string>();
    s.add(r.code);
    regionDepts.set(r.region, s);
  }
}

/** Départements of a région, loaded once per cache generation. */
export async function regionDepartements(ctx: AppContext, region: string): Promise<Set<string> | undefined> {
  if (!stateOf(ctx).regionDepts.size) await loadRegionDepts(ctx);
  return stateOf(ctx).regionDepts.get(region);
}
