import type { Queryable } from '../db/db.ts';
import { insertJson } from '../db/db.ts';
import { departementOfCommune } from '../territories/codes.ts';
import {
  AddressMatcher,
  type AddressPoint,
  type BuildingIn,
  type Match,
  type MatchSummary,
  type Method,
  summarize,
} from './matching.ts';

type BuildingTable = { table: string; kind: 'mci' | 'fibre' };

const BUILDING_COLUMNS: Record<'mci' | 'fibre', string> = {
  mci: `imb_id, code_insee, lon, lat, addr_code, NULL::text AS imb_code, addr_numero AS numero, addr_rep AS rep,
        NULL::text AS type_voie, addr_nom_voie AS nom_voie, addr_nom_ld AS lieu_dit`,
  fibre: `imb_id, code_insee, lon, lat, NULL::text AS addr_code, imb_id AS imb_code, num_voie AS numero, cp_no_voie AS rep,
        type_voie, nom_voie, NULL::text AS lieu_dit`,
};

/** Addresses of the communes, plus those named by a building's BAN key wherever they are. */
async function addressesOf(q: Queryable, communes: string[], keys: string[]): Promise<AddressPoint[]> {
  return (
    await q.query<AddressPoint>(
      'SELECT id, numero, suffixe, voie, lieu_dit, code_insee, lon, lat FROM adresse WHERE code_insee = ANY($1::text[]) OR id = ANY($2::text[])',
      [communes, keys],
    )
  ).rows;
}

async function mciMatchedByCode(q: Queryable, communes: string[]): Promise<Map<string, string>> {
  const rows = (
    await q.query<{ imb_code: string; adresse_id: string }>(
      `SELECT imb_code, adresse_id FROM mci_immeuble
     WHERE code_insee = ANY($1::text[]) AND imb_code IS NOT NULL AND adresse_id IS NOT NULL AND appariement IN ('cle_interop', 'voie_numero')`,
      [communes],
    )
  ).rows;
  return new Map(rows.map((r) => [r.imb_code, r.adresse_id]));
}

/**
 * Matches every building of `t.table` (a staging table or the stored one) to the address base,
 * one département at a time, and writes adresse_id / appariement / distance_m in place.
 */
type MatchTimings = { load_ms: number; match_ms: number; write_ms: number };

export async function matchTable(
  q: Queryable,
  t: BuildingTable,
  onlyCommunes?: string[],
  timings?: MatchTimings,
): Promise<MatchSummary> {
  const tm = timings ?? { load_ms: 0, match_ms: 0, write_ms: 0 };
  const communes =
    onlyCommunes ??
    (await q.query<{ code_insee: string }>(`SELECT DISTINCT code_insee FROM ${t.table}`)).rows.map((r) => r.code_insee);
  const byDept = new Map<string, string[]>();
  for (const c of communes) {
    const d = departementOfCommune(c);
    const l = byDept.get(d);
    if (l) l.push(c);
    else byDept.set(d, [c]);
  }
  const tmp = `tmp_match_${t.kind}`;
  await q.query(
    `CREATE TEMP TABLE IF NOT EXISTS ${tmp} (imb_id text PRIMARY KEY, adresse_id text, appariement text NOT NULL, distance_m double precision)`,
  );
  const methods: Method[] = [];
  for (const [, list] of [...byDept].sort((a, b) => a[0].localeCompare(b[0]))) {
    await q.query(`TRUNCATE ${tmp}`);
    let t0 = Date.now();
    const buildings = (
      await q.query<BuildingIn>(
        `SELECT ${BUILDING_COLUMNS[t.kind]} FROM ${t.table} WHERE code_insee = ANY($1::text[])`,
        [list],
      )
    ).rows;
    const keys = [
      ...new Set(
        buildings.flatMap((b) => (b.addr_code?.includes('_') ? [b.addr_code, b.addr_code.toLowerCase()] : [])),
      ),
    ];
    const addresses = await addressesOf(q, list, keys);
    const viaCode = t.kind === 'fibre' ? await mciMatchedByCode(q, list) : new Map<string, string>();
    tm.load_ms += Date.now() - t0;
    t0 = Date.now();
    const matcher = new AddressMatcher(addresses, viaCode);
    const out: (Match & { imb_id: string })[] = [];
    for (const b of buildings) {
      const m = matcher.match(b);
      methods.push(m.appariement);
      out.push({
        imb_id: b.imb_id,
        ...m,
        distance_m: m.distance_m === null ? null : Math.round(m.distance_m * 10) / 10,
      });
    }
    tm.match_ms += Date.now() - t0;
    t0 = Date.now();
    await insertJson(
      q,
      tmp,
      { imb_id: 'text', adresse_id: 'text', appariement: 'text', distance_m: 'double precision' },
      out,
    );
    await q.query(
      `UPDATE ${t.table} b SET adresse_id = m.adresse_id, appariement = m.appariement, distance_m = m.distance_m FROM ${tmp} m WHERE m.imb_id = b.imb_id`,
    );
    tm.write_ms += Date.now() - t0;
  }
  await q.query(`DROP TABLE IF EXISTS ${tmp}`);
  return summarize(methods);
}

/** After new addresses: match the stored buildings again (MCI first: Cartefibre reuses its matches). */
export async function rematchAll(q: Queryable): Promise<{ mci: MatchSummary; fibre: MatchSummary }> {
  const mci = await matchTable(q, { table: 'mci_immeuble', kind: 'mci' });
  const fibre = await matchTable(q, { table: 'fibre_immeuble', kind: 'fibre' });
  return { mci, fibre };
}

/**
 * Communes whose stored matches are stale: a building points to an address that no longer exists,
 * or is unmatched while its commune now has addresses. Happens when addresses were imported by a
 * process that did not run the eligibility module's listener (the CLI on a stopped server).
 */
export async function staleCommunes(q: Queryable): Promise<string[]> {
  return (
    await q.query<{ code_insee: string }>(
      `SELECT DISTINCT code_insee FROM (
       SELECT b.code_insee FROM mci_immeuble b WHERE (b.adresse_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM adresse a WHERE a.id = b.adresse_id))
         OR (b.adresse_id IS NULL AND EXISTS (SELECT 1 FROM adresse a WHERE a.code_insee = b.code_insee))
       UNION
       SELECT b.code_insee FROM fibre_immeuble b WHERE (b.adresse_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM adresse a WHERE a.id = b.adresse_id))
         OR (b.adresse_id IS NULL AND EXISTS (SELECT 1 FROM adresse a WHERE a.code_insee = b.code_insee))) x
     ORDER BY 1`,
    )
  ).rows.map((r) => r.code_insee);
}

export async function rematchCommunes(
  q: Queryable,
  communes: string[],
): Promise<{ mci: MatchSummary; fibre: MatchSummary }> {
  const mci = await matchTable(q, { table: 'mci_immeuble', kind: 'mci' }, communes);
  const fibre = await matchTable(q, { table: 'fibre_immeuble', kind: 'fibre' }, communes);
  return { mci, fibre };
}
