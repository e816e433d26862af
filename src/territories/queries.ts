import type { Queryable } from '../db/db.ts';
import type { Niveau } from './schema.ts';

type RegionRow = { code: string; nom: string; chef_lieu: string | null; zone: string };
export type DepartementRow = { code: string; nom: string; region: string; chef_lieu: string | null; zone: string };
export type EpciRow = {
  code: string;
  nom: string;
  type: string;
  mode_financement: string | null;
  population: number | null;
};
export type CommuneRow = {
  code: string;
  nom: string;
  type: string;
  departement: string;
  region: string;
  arrondissement: string | null;
  epci: string | null;
  commune_parente: string | null;
  siren: string | null;
  codes_postaux: string[];
  population: number | null;
};
export type Figures = { population: number; communes: number; epci: number; departements: number };

export async function regionByCode(q: Queryable, code: string) {
  return (await q.query<RegionRow>('SELECT code, nom, chef_lieu, zone FROM region WHERE code = $1', [code])).rows[0];
}
export async function departementByCode(q: Queryable, code: string) {
  return (
    await q.query<DepartementRow>('SELECT code, nom, region, chef_lieu, zone FROM departement WHERE code = $1', [code])
  ).rows[0];
}
export async function epciByCode(q: Queryable, code: string) {
  return (
    await q.query<EpciRow>('SELECT code, nom, type, mode_financement, population FROM epci WHERE code = $1', [code])
  ).rows[0];
}
export async function communeByCode(q: Queryable, code: string) {
  return (
    await q.query<CommuneRow>(
      `SELECT code, nom, type, departement, region, arrondissement, epci, commune_parente, siren, codes_postaux, population
     FROM commune WHERE code = $1`,
      [code],
    )
  ).rows[0];
}
export async function currentCodeOf(q: Queryable, oldCode: string) {
  return (
    await q.query<{ code_actuel: string }>('SELECT code_actuel FROM commune_code_historique WHERE code_ancien = $1', [
      oldCode,
    ])
  ).rows[0]?.code_actuel;
}

/** SQL condition selecting the current communes of a territory; $1 is the territory code. */
export function communesOfSql(niveau: Niveau, alias = ''): string {
  const a = alias ? `${alias}.` : '';
  switch (niveau) {
    case 'region':
      return `${a}region = $1 AND ${a}type = 'commune-actuelle'`;
    case 'departement':
      return `${a}departement = $1 AND ${a}type = 'commune-actuelle'`;
    case 'epci':
      return `${a}epci = $1`;
    case 'commune':
      return `(${a}code = $1 OR ${a}commune_parente = $1)`;
  }
}

export async function communesOf(q: Queryable, niveau: Niveau, code: string, limit: number, offset: number) {
  const where = communesOfSql(niveau);
  const total = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM commune WHERE ${where}`, [code]);
  const items = await q.query<{ code: string; nom: string; population: number | null }>(
    `SELECT code, nom, population FROM commune WHERE ${where} ORDER BY nom_norm, code LIMIT $2 OFFSET $3`,
    [code, limit, offset],
  );
  return { total: total.rows[0]?.n ?? 0, items: items.rows };
}

export async function figuresOf(q: Queryable, niveau: Niveau, code: string): Promise<Figures> {
  const r = await q.query<Figures>(
    `SELECT coalesce(sum(population), 0)::bigint AS population, count(*)::int AS communes,
            count(DISTINCT epci)::int AS epci, count(DISTINCT departement)::int AS departements
     FROM commune WHERE ${communesOfSql(niveau)}`,
    [code],
  );
  return r.rows[0]!;
}

export async function departementsOfRegion(q: Queryable, region: string) {
  return (
    await q.query<{ code: string; nom: string; population: number; communes: number; epci: number }>(
      `SELECT d.code, d.nom, coalesce(sum(c.population), 0)::bigint AS population,
            count(c.code)::int AS communes, count(DISTINCT c.epci)::int AS epci
     FROM departement d LEFT JOIN commune c ON c.departement = d.code AND c.type = 'commune-actuelle'
     WHERE d.region = $1 GROUP BY d.code, d.nom ORDER BY d.code`,
      [region],
    )
  ).rows;
}

/** EPCI with at least one member commune in the territory (an EPCI may straddle départements). */
export async function epcisOf(q: Queryable, niveau: 'region' | 'departement', code: string) {
  return (
    await q.query<{
      code: string;
      nom: string;
      type: string;
      population: number | null;
      communes: number;
      communes_ici: number;
    }>(
      `SELECT e.code, e.nom, e.type, e.population,
            (SELECT count(*)::int FROM commune m WHERE m.epci = e.code) AS communes,
            count(c.code)::int AS communes_ici
     FROM epci e JOIN commune c ON c.epci = e.code
     WHERE c.${niveau} = $1 GROUP BY e.code, e.nom, e.type, e.population ORDER BY e.nom_norm`,
      [code],
    )
  ).rows;
}

export async function departementsOfEpci(q: Queryable, epci: string) {
  return (
    await q.query<{ code: string; nom: string; region: string; region_nom: string; communes: number }>(
      `SELECT d.code, d.nom, d.region, r.nom AS region_nom, count(*)::int AS communes
     FROM commune c JOIN departement d ON d.code = c.departement JOIN region r ON r.code = d.region
     WHERE c.epci = $1 GROUP BY d.code, d.nom, d.region, r.nom ORDER BY count(*) DESC, d.code`,
      [epci],
    )
  ).rows;
}

type SearchRow = { niveau: Niveau; code: string; nom: string; detail: string | null; population: number | null };

/**
 * Name search ranks exact names, then names starting with the query, then names containing it,
 * bigger territories first; a 5-digit query is a code INSEE or a postcode, 9 digits a SIREN.
 */
export async function searchTerritories(q: Queryable, norm: string, raw: string, limit: number): Promise<SearchRow[]> {
  const code = raw.trim().toUpperCase();
  if (/^\d{5}$/.test(code) || /^2[AB]\d{3}$/.test(code)) {
    return (
      await q.query<SearchRow>(
        `SELECT 'commune' AS niveau, c.code, c.nom, d.nom AS detail, c.population FROM commune c JOIN departement d ON d.code = c.departement
       WHERE c.code = $1 OR $1 = ANY(c.codes_postaux)
       UNION ALL
       SELECT 'commune', c.code, c.nom, 'ancien code ' || h.code_ancien, c.population FROM commune_code_historique h JOIN commune c ON c.code = h.code_actuel
       WHERE h.code_ancien = $1
       ORDER BY 5 DESC NULLS LAST LIMIT $2`,
        [code, limit],
      )
    ).rows;
  }
  if (/^\d{9}$/.test(code)) {
    return (
      await q.query<SearchRow>(
        `SELECT 'epci' AS niveau, code, nom, type AS detail, population FROM epci WHERE code = $1
       UNION ALL SELECT 'commune', code, nom, 'SIREN', population FROM commune WHERE siren = $1 LIMIT $2`,
        [code, limit],
      )
    ).rows;
  }
  if (/^(\d{2,3}|2[AB])$/.test(code)) {
    return (
      await q.query<SearchRow>(
        `SELECT 'departement' AS niveau, code, nom, NULL AS detail, NULL::int AS population FROM departement WHERE code = $1
       UNION ALL SELECT 'region', code, nom, NULL, NULL FROM region WHERE code = $1 LIMIT $2`,
        [code, limit],
      )
    ).rows;
  }
  if (!norm) return [];
  const like = `%${norm.replace(/[%_\\]/g, '\\$&')}%`;
  const prefix = `${norm.replace(/[%_\\]/g, '\\$&')}%`;
  return (
    await q.query<SearchRow>(
      `WITH t AS (
       SELECT 'region' AS niveau, code, nom, nom_norm, NULL::text AS detail, 100000000::bigint AS population, 0 AS lvl FROM region WHERE nom_norm LIKE $1
       UNION ALL SELECT 'departement', code, nom, nom_norm, code, 10000000, 1 FROM departement WHERE nom_norm LIKE $1
       UNION ALL SELECT 'epci', code, nom, nom_norm, type, population, 2 FROM epci WHERE nom_norm LIKE $1
       UNION ALL SELECT 'commune', c.code, c.nom, c.nom_norm, d.nom || ' (' || c.departement || ')', c.population, 3
         FROM commune c JOIN departement d ON d.code = c.departement WHERE c.nom_norm LIKE $1
     )
     SELECT niveau, code, nom, detail, population FROM t
     ORDER BY (nom_norm = $2) DESC, (nom_norm LIKE $3) DESC, population DESC NULLS LAST, lvl, nom
     LIMIT $4`,
      [like, norm, prefix, limit],
    )
  ).rows;
}

export async function listRegions(q: Queryable) {
  return (await q.query<{ code: string; nom: string }>('SELECT code, nom FROM region ORDER BY code')).rows;
}

/** Codes of today's communes and arrondissements municipaux. */
export async function allCommuneCodes(q: Queryable): Promise<string[]> {
  return (await q.query<{ code: string }>('SELECT code FROM commune')).rows.map((r) => r.code);
}

/** Every older commune code with today's code it now belongs to. */
export async function allHistoricCodes(q: Queryable): Promise<{ code_ancien: string; code_actuel: string }[]> {
  return (
    await q.query<{ code_ancien: string; code_actuel: string }>(
      'SELECT code_ancien, code_actuel FROM commune_code_historique',
    )
  ).rows;
}

/** A page of the current communes of a région with their codes (open-data list), by code. */
export async function communeRecords(q: Queryable, region: string, limit: number, offset: number) {
  return (
    await q.query<{
      code: string;
      nom: string;
      departement: string;
      region: string;
      epci: string | null;
      siren: string | null;
      codes_postaux: string[];
      population: number | null;
    }>(
      `SELECT code, nom, departement, region, epci, siren, codes_postaux, population FROM commune
       WHERE region = $1 AND type = 'commune-actuelle' ORDER BY code LIMIT $2 OFFSET $3`,
      [region, limit, offset],
    )
  ).rows;
}

/** SIREN of every current commune and EPCI, for files keyed by SIREN. */
export async function collectiviteSirens(q: Queryable) {
  return (
    await q.query<{ siren: string; niveau: 'commune' | 'epci'; code: string }>(
      `SELECT siren, 'commune' AS niveau, code FROM commune WHERE type = 'commune-actuelle' AND siren IS NOT NULL
       UNION ALL SELECT code, 'epci', code FROM epci`,
    )
  ).rows;
}

/** Current communes of a région or département above a population, biggest first. */
export async function communesAbove(q: Queryable, niveau: 'region' | 'departement', code: string, min: number) {
  return (
    await q.query<{ code: string; nom: string; siren: string | null; departement: string; population: number }>(
      `SELECT code, nom, siren, departement, population FROM commune
       WHERE ${communesOfSql(niveau)} AND population > $2 ORDER BY population DESC, code`,
      [code, min],
    )
  ).rows;
}

export async function listDepartements(q: Queryable) {
  return (
    await q.query<{ code: string; nom: string; region: string }>(
      'SELECT code, nom, region FROM departement ORDER BY code',
    )
  ).rows;
}

export type CommuneRef = {
  code: string;
  nom: string;
  codes_postaux: string[];
  population: number | null;
  epci: string | null;
  departement: string;
  region: string;
};

/** Every current commune with its postcodes, population and parents (one read for a whole import or computation). */
export async function allCurrentCommunes(q: Queryable): Promise<CommuneRef[]> {
  return (
    await q.query<CommuneRef>(
      `SELECT code, nom, codes_postaux, population, epci, departement, region
     FROM commune WHERE type = 'commune-actuelle' ORDER BY code`,
    )
  ).rows;
}
