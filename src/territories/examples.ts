import type { AppContext } from '../context.ts';
import type { Queryable } from '../db/db.ts';
import { untilNextImport } from '../imports/until-next-import.ts';

/**
 * Examples shown in search fields, taken from the instance's own région (a Normandie instance
 * suggests Normandie places), so that no région is hard-coded in the pages.
 */
type RegionExamples = {
  departements: string[];
  /** Most populous current communes of the région, largest first. */
  communes: { code: string; nom: string; code_postal: string | null }[];
  epci: string | null;
};

async function largestCommunes(q: Queryable, region: string) {
  return (
    await q.query<{ code: string; nom: string; code_postal: string | null }>(
      `SELECT code, nom, codes_postaux[1] AS code_postal FROM commune
     WHERE region = $1 AND type = 'commune-actuelle' ORDER BY population DESC NULLS LAST, code LIMIT 20`,
      [region],
    )
  ).rows;
}

async function largestEpci(q: Queryable, region: string) {
  return (
    (
      await q.query<{ nom: string }>(
        `SELECT e.nom FROM epci e WHERE e.code IN (SELECT epci FROM commune WHERE region = $1 AND epci IS NOT NULL)
     ORDER BY e.population DESC NULLS LAST, e.code LIMIT 1`,
        [region],
      )
    ).rows[0]?.nom ?? null
  );
}

async function departementsOf(q: Queryable, region: string) {
  return (
    await q.query<{ code: string }>('SELECT code FROM departement WHERE region = $1 ORDER BY code', [region])
  ).rows.map((r) => r.code);
}

const cached = untilNextImport<RegionExamples>();

/** Computed once, and again after any import (territories or contours may have changed). */
export function regionExamples(ctx: AppContext): Promise<RegionExamples> {
  const region = ctx.config.region;
  return cached(ctx, async () => {
    const [departements, communes, epci] = await Promise.all([
      departementsOf(ctx.db, region),
      largestCommunes(ctx.db, region),
      largestEpci(ctx.db, region),
    ]);
    return { departements, communes, epci };
  });
}

/** "Ex. : Caen, 76351, 50100, CU Le Havre Seine Métropole": a name, an INSEE code, a postcode, an EPCI. */
export function territorySearchExample(x: RegionExamples): string {
  const [a, b, c] = x.communes;
  const parts = [a?.nom, b?.code, (c ?? b ?? a)?.code_postal, x.epci].filter((s): s is string => !!s);
  return parts.length ? `Ex. : ${parts.join(', ')}` : '';
}
