import { insertJson, type Queryable } from '../db/db.ts';
import type { Niveau } from '../territories/schema.ts';
import { communesOfSql } from '../territories/service.ts';

export type SiteRow = {
  date: string;
  ligne: number;
  operateur: string;
  num_site: string | null;
  commune: string;
  placement: 'contour' | 'fichier';
  lon: number;
  lat: number;
  x_l93: number | null;
  y_l93: number | null;
  site_2g: boolean;
  site_3g: boolean;
  site_4g: boolean;
  site_5g: boolean;
  bandes_5g: number[] | null;
  id_site_partage: string | null;
  zone_blanche: boolean | null;
  couverture_ciblee: boolean | null;
  /** Another operator's site within 50 m (indicators.ts); set before insertion. */
  partage?: boolean;
};

/** Drops the snapshot of that date (its sites go with it) and records the new one. */
export async function replaceSnapshot(
  q: Queryable,
  s: { date: string; format: string; fichier: string; run_id: number; operateurs: string[]; sites: number },
) {
  await q.query('DELETE FROM mobile_releve WHERE date = $1', [s.date]);
  await q.query(
    'INSERT INTO mobile_releve (date, format, fichier, run_id, operateurs, sites) VALUES ($1, $2, $3, $4, $5, $6)',
    [s.date, s.format, s.fichier, s.run_id, s.operateurs, s.sites],
  );
}

export async function insertSites(q: Queryable, rows: readonly SiteRow[]) {
  await insertJson(
    q,
    'mobile_site',
    {
      date: 'date',
      ligne: 'integer',
      operateur: 'text',
      num_site: 'text',
      commune: 'text',
      placement: 'text',
      lon: 'double precision',
      lat: 'double precision',
      x_l93: 'double precision',
      y_l93: 'double precision',
      site_2g: 'boolean',
      site_3g: 'boolean',
      site_4g: 'boolean',
      site_5g: 'boolean',
      bandes_5g: 'integer[]',
      id_site_partage: 'text',
      zone_blanche: 'boolean',
      couverture_ciblee: 'boolean',
      partage: 'boolean',
    },
    rows,
    { chunk: 2000 },
  );
}

export type Snapshot = {
  date: string;
  format: string;
  fichier: string;
  importe_le: string;
  operateurs: string[];
  sites: number;
};

export async function snapshots(q: Queryable): Promise<Snapshot[]> {
  return (
    await q.query<Snapshot>(
      `SELECT to_char(date, 'YYYY-MM-DD') AS date, format, fichier, importe_le::text AS importe_le, operateurs, sites
       FROM mobile_releve ORDER BY date`,
    )
  ).rows;
}

export type Counts = { sites: number; sites_2g: number; sites_3g: number; sites_4g: number; sites_5g: number };
type CountRow = Counts & { date: string; operateur: string };

const COUNTS = `count(*)::int AS sites, count(*) FILTER (WHERE s.site_2g)::int AS sites_2g,
  count(*) FILTER (WHERE s.site_3g)::int AS sites_3g, count(*) FILTER (WHERE s.site_4g)::int AS sites_4g,
  count(*) FILTER (WHERE s.site_5g)::int AS sites_5g`;

/** Sites per snapshot and operator in the current communes of a territory ($1 its code). */
export async function countsOf(q: Queryable, niveau: Niveau, code: string): Promise<CountRow[]> {
  return (
    await q.query<CountRow>(
      `SELECT to_char(s.date, 'YYYY-MM-DD') AS date, s.operateur, ${COUNTS}
       FROM mobile_site s JOIN commune c ON c.code = s.commune
       WHERE ${communesOfSql(niveau, 'c')}
       GROUP BY s.date, s.operateur ORDER BY s.date, s.operateur`,
      [code],
    )
  ).rows;
}

/** Every site of every snapshot (France: whatever the imports placed). */
export async function countsAll(q: Queryable): Promise<CountRow[]> {
  return (
    await q.query<CountRow>(
      `SELECT to_char(s.date, 'YYYY-MM-DD') AS date, s.operateur, ${COUNTS}
       FROM mobile_site s GROUP BY s.date, s.operateur ORDER BY s.date, s.operateur`,
    )
  ).rows;
}

/** One snapshot's sites per département of a région and operator ($1 the région); `operateur` null: no site. */
export async function countsByDepartement(
  q: Queryable,
  region: string,
  date: string,
): Promise<(Counts & { code: string; nom: string; operateur: string | null })[]> {
  return (
    await q.query<Counts & { code: string; nom: string; operateur: string | null }>(
      `SELECT d.code, d.nom, s.operateur, count(s.ligne)::int AS sites,
         count(*) FILTER (WHERE s.site_2g)::int AS sites_2g, count(*) FILTER (WHERE s.site_3g)::int AS sites_3g,
         count(*) FILTER (WHERE s.site_4g)::int AS sites_4g, count(*) FILTER (WHERE s.site_5g)::int AS sites_5g
       FROM departement d
       LEFT JOIN commune c ON c.departement = d.code AND c.type = 'commune-actuelle'
       LEFT JOIN mobile_site s ON s.commune = c.code AND s.date = $2
       WHERE d.region = $1
       GROUP BY d.code, d.nom, s.operateur ORDER BY d.code, s.operateur`,
      [region, date],
    )
  ).rows;
}

export type ReferenceRow = {
  operateur: string;
  millesime: string;
  fichier: string;
  couv_4g_population: number | null;
  couv_4g_territoire: number | null;
  debit_descendant_mbps: number | null;
  debit_montant_mbps: number | null;
  sites_5g_700: number | null;
  sites_5g_2100: number | null;
  sites_5g_3500: number | null;
};

/** The national reference is one set: an import replaces it whole. */
export async function replaceReference(q: Queryable, rows: ReferenceRow[]) {
  await q.query('DELETE FROM mobile_reference');
  await insertJson(
    q,
    'mobile_reference',
    {
      operateur: 'text',
      millesime: 'text',
      fichier: 'text',
      couv_4g_population: 'double precision',
      couv_4g_territoire: 'double precision',
      debit_descendant_mbps: 'double precision',
      debit_montant_mbps: 'double precision',
      sites_5g_700: 'integer',
      sites_5g_2100: 'integer',
      sites_5g_3500: 'integer',
    },
    rows,
  );
}

export async function reference(q: Queryable): Promise<(ReferenceRow & { importe_le: string })[]> {
  return (
    await q.query<ReferenceRow & { importe_le: string }>(
      `SELECT operateur, millesime, fichier, importe_le::text AS importe_le, couv_4g_population, couv_4g_territoire,
         debit_descendant_mbps, debit_montant_mbps, sites_5g_700, sites_5g_2100, sites_5g_3500
       FROM mobile_reference`,
    )
  ).rows;
}

/** One snapshot's commune areas and centres, and per operator its 4G sites and nearest 4G site. */
export async function insertCommuneIndicators(
  q: Queryable,
  date: string,
  communes: readonly { commune: string; aire_km2: number; centre_lon: number; centre_lat: number }[],
  operators: readonly { commune: string; operateur: string; sites_4g: number; distance_4g_km: number | null }[],
) {
  await insertJson(
    q,
    'mobile_commune_releve',
    {
      date: 'date',
      commune: 'text',
      aire_km2: 'double precision',
      centre_lon: 'double precision',
      centre_lat: 'double precision',
    },
    communes.map((c) => ({ date, ...c })),
  );
  await insertJson(
    q,
    'mobile_commune_operateur',
    { date: 'date', commune: 'text', operateur: 'text', sites_4g: 'integer', distance_4g_km: 'double precision' },
    operators.map((o) => ({ date, ...o })),
  );
}

/** Current communes of a territory, or every current commune for France ($1 is then ignored). */
const scopeSql = (niveau: Niveau | 'france') =>
  niveau === 'france' ? `c.type = 'commune-actuelle' AND $1::text IS NOT NULL` : communesOfSql(niveau, 'c');

type TerritoryGeoRow = { date: string; communes: number; aire_km2: number; population: number };

/** Per snapshot: communes of the territory with a contour, their area and population. */
export async function territoryGeo(q: Queryable, niveau: Niveau | 'france', code: string): Promise<TerritoryGeoRow[]> {
  return (
    await q.query<TerritoryGeoRow>(
      `SELECT to_char(r.date, 'YYYY-MM-DD') AS date, count(*)::int AS communes, sum(r.aire_km2)::float8 AS aire_km2,
         coalesce(sum(c.population), 0)::float8 AS population
       FROM mobile_commune_releve r JOIN commune c ON c.code = r.commune
       WHERE ${scopeSql(niveau)} GROUP BY r.date ORDER BY r.date`,
      [code],
    )
  ).rows;
}

type SiteIndicatorRow = {
  date: string;
  operateur: string;
  partages: number;
  sites_contour: number;
  sites_4g_contour: number;
};

/** Per snapshot and operator: shared sites, and sites in communes that have a contour (for the density per km²). */
export async function siteIndicators(
  q: Queryable,
  niveau: Niveau | 'france',
  code: string,
): Promise<SiteIndicatorRow[]> {
  return (
    await q.query<SiteIndicatorRow>(
      `SELECT to_char(s.date, 'YYYY-MM-DD') AS date, s.operateur, count(*) FILTER (WHERE s.partage)::int AS partages,
         count(r.commune)::int AS sites_contour, count(r.commune) FILTER (WHERE s.site_4g)::int AS sites_4g_contour
       FROM mobile_site s JOIN commune c ON c.code = s.commune
       LEFT JOIN mobile_commune_releve r ON r.date = s.date AND r.commune = s.commune
       WHERE ${scopeSql(niveau)} GROUP BY s.date, s.operateur ORDER BY s.date, s.operateur`,
      [code],
    )
  ).rows;
}

type CommuneRuleRow = {
  date: string;
  /** An operator slug, or '*' for "any operator". */
  operateur: string;
  sans_4g: number;
  population_atteinte: number;
};

/**
 * Per snapshot and operator (and '*': any operator): communes with no 4G site inside nor within $2 km of their
 * centre; population of the communes reached by the radius model ($3 urban density, $4 urban km, $5 rural km).
 */
export async function communeRules(
  q: Queryable,
  niveau: Niveau | 'france',
  code: string,
  m: { nearKm: number; urbanDensity: number; urbanKm: number; ruralKm: number },
): Promise<CommuneRuleRow[]> {
  return (
    await q.query<CommuneRuleRow>(
      `WITH co AS (
         SELECT o.date, o.operateur, o.commune, coalesce(c.population, 0) AS population,
           (o.sites_4g > 0 OR coalesce(o.distance_4g_km <= $2::float8, false)) AS proche,
           (o.sites_4g > 0 OR coalesce(o.distance_4g_km <= CASE
              WHEN r.aire_km2 > 0 AND coalesce(c.population, 0) / r.aire_km2 >= $3::float8 THEN $4::float8 ELSE $5::float8 END,
              false)) AS atteinte
         FROM mobile_commune_operateur o
         JOIN mobile_commune_releve r ON r.date = o.date AND r.commune = o.commune
         JOIN commune c ON c.code = o.commune
         WHERE ${scopeSql(niveau)}),
       tous AS (
         SELECT date, commune, max(population) AS population, bool_or(proche) AS proche, bool_or(atteinte) AS atteinte
         FROM co GROUP BY date, commune)
       SELECT to_char(date, 'YYYY-MM-DD') AS date, operateur, count(*) FILTER (WHERE NOT proche)::int AS sans_4g,
         coalesce(sum(population) FILTER (WHERE atteinte), 0)::float8 AS population_atteinte
       FROM co GROUP BY date, operateur
       UNION ALL
       SELECT to_char(date, 'YYYY-MM-DD'), '*', count(*) FILTER (WHERE NOT proche)::int,
         coalesce(sum(population) FILTER (WHERE atteinte), 0)::float8
       FROM tous GROUP BY date
       ORDER BY 1, 2`,
      [code, m.nearKm, m.urbanDensity, m.urbanKm, m.ruralKm],
    )
  ).rows;
}

/** Population of the current communes of a territory (INSEE, as imported with the communes). */
export async function populationOf(q: Queryable, niveau: Niveau | 'france', code: string): Promise<number> {
  const r = await q.query<{ p: number }>(
    `SELECT coalesce(sum(c.population), 0)::float8 AS p FROM commune c WHERE ${scopeSql(niveau)}`,
    [code],
  );
  return r.rows[0]?.p ?? 0;
}

const TECHNO_COLUMN = { '2G': 's.site_2g', '3G': 's.site_3g', '4G': 's.site_4g', '5G': 's.site_5g' } as const;

/** One snapshot's sites of an operator with a technology in the current communes of a territory ($1 its code). */
export async function sitePointsOf(
  q: Queryable,
  niveau: Niveau,
  code: string,
  date: string,
  operateur: string,
  techno: keyof typeof TECHNO_COLUMN,
): Promise<{ commune: string; lon: number; lat: number }[]> {
  return (
    await q.query<{ commune: string; lon: number; lat: number }>(
      `SELECT s.commune, s.lon, s.lat FROM mobile_site s JOIN commune c ON c.code = s.commune
       WHERE ${communesOfSql(niveau, 'c')} AND s.date = $2 AND s.operateur = $3 AND ${TECHNO_COLUMN[techno]}
       ORDER BY s.ligne`,
      [code, date, operateur],
    )
  ).rows;
}

export async function hasSnapshots(q: Queryable): Promise<boolean> {
  return (await q.query('SELECT 1 FROM mobile_releve LIMIT 1')).rows.length > 0;
}

/** One stored snapshot's sites, as the indicators read them (position, operator, 4G, commune placed in). */
export async function snapshotSitePoints(
  q: Queryable,
  date: string,
): Promise<{ operateur: string; lon: number; lat: number; site_4g: boolean; commune: string }[]> {
  return (
    await q.query<{ operateur: string; lon: number; lat: number; site_4g: boolean; commune: string }>(
      'SELECT operateur, lon, lat, site_4g, commune FROM mobile_site WHERE date = $1 ORDER BY ligne',
      [date],
    )
  ).rows;
}

/** Drops one snapshot's commune indicators (their per-operator rows go with them). */
export async function deleteCommuneIndicators(q: Queryable, date: string) {
  await q.query('DELETE FROM mobile_commune_releve WHERE date = $1', [date]);
}
