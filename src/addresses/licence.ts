import type { AppContext } from '../context.ts';
import type { Queryable } from '../db/db.ts';
import { addressLicence, LICENCES, OSM_ATTRIBUTION } from '../http/licences.ts';

/**
 * Which communes' addresses come from BANO (ODbL). Imports replace addresses per département (BAN,
 * BANO) or per commune (BAL), so a commune's addresses share one origin: the set of BANO communes is
 * enough to attribute every search hit without carrying the source in the in-memory index.
 */
async function banoCommuneCodes(q: Queryable): Promise<Set<string>> {
  return new Set(
    (await q.query<{ code_insee: string }>(`SELECT DISTINCT code_insee FROM adresse WHERE source = 'bano'`)).rows.map(
      (r) => r.code_insee,
    ),
  );
}

const cache = new WeakMap<Pick<AppContext, 'db'>, Promise<Set<string>>>();
const listening = new WeakSet<object>();

export function banoCommunes(ctx: Pick<AppContext, 'db' | 'onImported'>): Promise<Set<string>> {
  let p = cache.get(ctx);
  if (!p) {
    if (!listening.has(ctx)) {
      listening.add(ctx);
      ctx.onImported((job) => {
        if (job === 'adresses') cache.delete(ctx);
      });
    }
    p = banoCommuneCodes(ctx.db);
    p.catch(() => cache.delete(ctx));
    cache.set(ctx, p);
  }
  return p;
}

export const BANO_LICENCE = addressLicence('bano');
export const OPEN_LICENCE = addressLicence('ban');

/** The collection-level licence and attribution of a GeoCodeJSON answer (fields of the format). */
export function collectionLicence(anyBano: boolean): { licence: string; attribution: string } {
  return anyBano
    ? {
        licence: `${LICENCES['licence-ouverte-2.0'].court} (BAN, BAL) ; ${LICENCES['odbl-1.0'].court} (BANO)`,
        attribution: `Base Adresse Nationale ; BANO ${OSM_ATTRIBUTION}`,
      }
    : { licence: LICENCES['licence-ouverte-2.0'].court, attribution: 'Base Adresse Nationale' };
}
