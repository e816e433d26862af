import type { AppContext } from '../context.ts';

/**
 * A per-app memo for values derived from imported data (examples in search fields, lists of sources): computed on
 * first use and again after the next successful import. A failed computation is not kept.
 */
export function untilNextImport<T>(): (ctx: AppContext, compute: () => Promise<T>) => Promise<T> {
  const cache = new WeakMap<AppContext, Promise<T>>();
  const subscribed = new WeakSet<AppContext>();
  return (ctx, compute) => {
    const hit = cache.get(ctx);
    if (hit) return hit;
    if (!subscribed.has(ctx)) {
      subscribed.add(ctx);
      ctx.onImported(() => {
        cache.delete(ctx);
      });
    }
    const p = compute();
    cache.set(ctx, p);
    p.catch(() => cache.delete(ctx));
    return p;
  };
}
