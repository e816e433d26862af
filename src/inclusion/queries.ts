import type { Queryable } from '../db/db.ts';
import { insertJson } from '../db/db.ts';
import type { Niveau } from '../territories/schema.ts';
import { communesOfSql } from '../territories/service.ts';
import type { NearestResult, TerritoryResult } from './accessibility.ts';
import type { PlaceInput } from './parse.ts';

type ContributionPoint = {
  source: string;
  source_id: string;
  lieu_id: number;
  nom_norm: string;
  siret: string | null;
  lon: number;
  lat: number;
};

/** The place of each record of a source, before a re-import replaces them. */
export async function contributionsOfSource(q: Queryable, source: string) {
  return (
    await q.query<{ source_id: string; lieu_id: number }>(
      'SELECT source_id, lieu_id FROM inclusion_contribution WHERE source = $1',
      [source],
    )
  ).rows;
}

export async function deleteContributionsOfSource(q: Queryable, source: string) {
  await q.query('DELETE FROM inclusion_contribution WHERE source = $1', [source]);
}

/** What the merge compares a new record with: every stored contribution (of the other sources). */
export async function allContributionPoints(q: Queryable): Promise<ContributionPoint[]> {
  return (
    await q.query<ContributionPoint>(
      'SELECT source, source_id, lieu_id, nom_norm, siret, lon, lat FROM inclusion_contribution',
    )
  ).rows;
}

/** Of these places, those that no contribution holds any more. */
export async function placesWithoutContribution(q: Queryable, ids: number[]): Promise<number[]> {
  return (
    await q.query<{ id: number }>(
      `SELECT l.id FROM inclusion_lieu l WHERE l.id = ANY($1::bigint[])
       AND NOT EXISTS (SELECT 1 FROM inclusion_contribution c WHERE c.lieu_id = l.id)`,
      [ids],
    )
  ).rows.map((r) => r.id);
}

export async function deletePlaces(q: Queryable, ids: number[]) {
  if (ids.length) await q.query('DELETE FROM inclusion_lieu WHERE id = ANY($1::bigint[])', [ids]);
}

/** New place ids, reserved before the rows are written (contributions refer to them). */
export async function newPlaceIds(q: Queryable, n: number): Promise<number[]> {
  if (!n) return [];
  return (
    await q.query<{ id: number }>(
      "SELECT nextval(pg_get_serial_sequence('inclusion_lieu', 'id'))::bigint AS id FROM generate_series(1, $1)",
      [n],
    )
  ).rows.map((r) => r.id);
}

export async function insertPlaceStubs(q: Queryable, ids: number[]) {
  await insertJson(
    q,
    'inclusion_lieu',
    { id: 'bigint', nom: 'text', nom_norm: 'text', lon: 'float8', lat: 'float8' },
    ids.map((id) => ({ id, nom: '', nom_norm: '', lon: 0, lat: 0 })),
  );
}

type ContributionRow = {
  source: string;
  source_id: string;
  lieu_id: number;
  job: string;
  fichier: string;
  format: string;
  date_maj: string | null;
  licence: string;
  run_id: number;
  nom_norm: string;
  siret: string | null;
  lon: number;
  lat: number;
  donnees: PlaceInput;
};

export async function insertContributions(q: Queryable, rows: ContributionRow[]) {
  await insertJson(
    q,
    'inclusion_contribution',
    {
      source: 'text',
      source_id: 'text',
      lieu_id: 'bigint',
      job: 'text',
      fichier: 'text',
      format: 'text',
      date_maj: 'date',
      licence: 'text',
      run_id: 'bigint',
      nom_norm: 'text',
      siret: 'text',
      lon: 'float8',
      lat: 'float8',
      donnees: 'jsonb',
    },
    rows,
    { chunk: 1000 },
  );
}

export type StoredContribution = {
  source: string;
  source_id: string;
  lieu_id: number;
  job: string;
  fichier: string;
  format: string;
  date_maj: string | null;
  licence: string;
  importe_le: Date;
  donnees: PlaceInput;
};

const CONTRIB_COLS = `source, source_id, lieu_id, job, fichier, format, to_char(date_maj, 'YYYY-MM-DD') AS date_maj,
  licence, importe_le, donnees`;

export async function contributionsOfPlaces(q: Queryable, ids: number[]): Promise<StoredContribution[]> {
  return (
    await q.query<StoredContribution>(
      `SELECT ${CONTRIB_COLS} FROM inclusion_contribution WHERE lieu_id = ANY($1::bigint[])
       ORDER BY lieu_id, date_maj DESC NULLS LAST, source, source_id`,
      [ids],
    )
  ).rows;
}

export type PlaceFields = {
  id: number;
  nom: string;
  nom_norm: string;
  categories: string[];
  services: string[];
  siret: string | null;
  code_insee: string | null;
  commune: string | null;
  code_postal: string | null;
  adresse: string | null;
  lon: number;
  lat: number;
  precision: 'adresse' | 'commune';
  telephone: string | null;
  courriel: string | null;
  site_web: string | null;
  horaires: string | null;
  itinerant: boolean;
  label_tiers_lieu: boolean;
  date_maj: string | null;
  recherche: string;
};

/** Writes the merged fields of places (recomputed from their contributions). */
export async function updatePlaces(q: Queryable, rows: PlaceFields[]) {
  const cols: Record<string, string> = {
    id: 'bigint',
    nom: 'text',
    nom_norm: 'text',
    categories: 'text[]',
    services: 'text[]',
    siret: 'text',
    code_insee: 'text',
    commune: 'text',
    code_postal: 'text',
    adresse: 'text',
    lon: 'float8',
    lat: 'float8',
    precision: 'text',
    telephone: 'text',
    courriel: 'text',
    site_web: 'text',
    horaires: 'text',
    itinerant: 'boolean',
    label_tiers_lieu: 'boolean',
    date_maj: 'date',
    recherche: 'text',
  };
  const names = Object.keys(cols).filter((c) => c !== 'id');
  const defs = Object.entries(cols)
    .map(([n, t]) => `${n} ${t === 'text[]' ? 'json' : t}`)
    .join(', ');
  const set = names
    .map((n) => (cols[n] === 'text[]' ? `${n} = ARRAY(SELECT json_array_elements_text(r.${n}))` : `${n} = r.${n}`))
    .join(', ');
  for (let i = 0; i < rows.length; i += 1000)
    await q.query(
      `UPDATE inclusion_lieu l SET ${set} FROM json_to_recordset($1::json) AS r(${defs}) WHERE l.id = r.id`,
      [JSON.stringify(rows.slice(i, i + 1000))],
    );
}

export type PlaceFilter = {
  niveau?: Niveau | undefined;
  code?: string | undefined;
  categorie?: string | undefined;
  /** Folded text (normalizeName). */
  q?: string | undefined;
  /** Only these places (those open at the time asked: the hours are read in JS, not in SQL). */
  ids?: readonly number[] | undefined;
};

function whereOf(f: PlaceFilter): { where: string; params: unknown[] } {
  const params: unknown[] = [];
  const conds: string[] = [];
  if (f.niveau && f.code) {
    params.push(f.code);
    // communesOfSql uses $1: the territory's code is the first parameter.
    conds.push(`l.code_insee IN (SELECT c.code FROM commune c WHERE ${communesOfSql(f.niveau, 'c')})`);
  }
  if (f.categorie) {
    params.push(f.categorie);
    conds.push(`$${params.length} = ANY(l.categories)`);
  }
  if (f.q) {
    params.push(`%${f.q.replace(/[%_\\]/g, '\\$&')}%`);
    conds.push(`l.recherche LIKE $${params.length}`);
  }
  if (f.ids) {
    params.push(f.ids);
    conds.push(`l.id = ANY($${params.length}::bigint[])`);
  }
  return { where: conds.length ? `WHERE ${conds.join(' AND ')}` : '', params };
}

export type PlaceRow = PlaceFields & { sources: { source: string; id: string; date_maj: string | null }[] };

const PLACE_COLS = `l.id, l.nom, l.categories, l.services, l.siret, l.code_insee, l.commune, l.code_postal, l.adresse,
  l.lon, l.lat, l.precision, l.telephone, l.courriel, l.site_web, l.horaires, l.itinerant, l.label_tiers_lieu,
  to_char(l.date_maj, 'YYYY-MM-DD') AS date_maj,
  (SELECT coalesce(json_agg(json_build_object('source', c.source, 'id', c.source_id,
     'date_maj', to_char(c.date_maj, 'YYYY-MM-DD')) ORDER BY c.source, c.source_id), '[]'::json)
   FROM inclusion_contribution c WHERE c.lieu_id = l.id) AS sources`;

export async function listPlaces(q: Queryable, f: PlaceFilter, limit: number, offset: number) {
  const { where, params } = whereOf(f);
  const total = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM inclusion_lieu l ${where}`, params);
  const items = await q.query<PlaceRow>(
    `SELECT ${PLACE_COLS} FROM inclusion_lieu l ${where}
     ORDER BY l.commune NULLS LAST, l.nom_norm, l.id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, limit, offset],
  );
  return { total: total.rows[0]?.n ?? 0, items: items.rows };
}

/** The hours of the places that match `f` and have hours. */
export async function placeHours(q: Queryable, f: PlaceFilter) {
  const { where, params } = whereOf(f);
  return (
    await q.query<{ id: number; horaires: string }>(
      `SELECT l.id::float8 AS id, l.horaires FROM inclusion_lieu l ${where ? `${where} AND` : 'WHERE'} l.horaires IS NOT NULL`,
      params,
    )
  ).rows;
}

export async function placeById(q: Queryable, id: number) {
  return (await q.query<PlaceRow>(`SELECT ${PLACE_COLS} FROM inclusion_lieu l WHERE l.id = $1`, [id])).rows[0];
}

/** Places per category in a territory (a place of several categories counts in each). */
export async function categoryCounts(q: Queryable, f: PlaceFilter) {
  const { where, params } = whereOf(f);
  return (
    await q.query<{ categorie: string; n: number }>(
      `SELECT cat AS categorie, count(*)::int AS n FROM inclusion_lieu l CROSS JOIN LATERAL unnest(l.categories) AS cat
       ${where} GROUP BY cat ORDER BY cat`,
      params,
    )
  ).rows;
}

/** The files behind the places shown: one row per source and file, for the sources block. */
export async function sourceFiles(q: Queryable) {
  return (
    await q.query<{
      source: string;
      fichier: string;
      format: string;
      licence: string;
      n: number;
      date_min: string | null;
      date_max: string | null;
      importe_le: Date;
    }>(
      `SELECT source, fichier, format, licence, count(*)::int AS n,
              to_char(min(date_maj), 'YYYY-MM-DD') AS date_min, to_char(max(date_maj), 'YYYY-MM-DD') AS date_max,
              max(importe_le) AS importe_le
       FROM inclusion_contribution GROUP BY source, fichier, format, licence ORDER BY source, fichier`,
    )
  ).rows;
}

/** Every place with what the accessibility computation needs. */
export async function hasPlaces(q: Queryable): Promise<boolean> {
  return (await q.query('SELECT 1 FROM inclusion_lieu LIMIT 1')).rows.length > 0;
}

export async function allPlacePoints(q: Queryable) {
  return (
    await q.query<{
      id: number;
      nom: string;
      lon: number;
      lat: number;
      categories: string[];
      code_insee: string | null;
    }>('SELECT id, nom, lon, lat, categories, code_insee FROM inclusion_lieu ORDER BY id')
  ).rows;
}

type AccessRow = Omit<TerritoryResult, 'indicateurs'> & { calcule_le: string; run_id: number };
type IndicatorRow = { niveau: string; code: string; categorie: string } & NonNullable<
  TerritoryResult['indicateurs']['tous']
>;

/** Replaces every stored indicator by a new computation (in the caller's transaction). */
export async function replaceAccessibility(
  q: Queryable,
  territories: AccessRow[],
  indicators: IndicatorRow[],
  nearest: NearestResult[],
) {
  await q.query('DELETE FROM inclusion_accessibilite_indicateur');
  await q.query('DELETE FROM inclusion_accessibilite');
  await q.query('DELETE FROM inclusion_plus_proche');
  await insertJson(
    q,
    'inclusion_accessibilite',
    {
      niveau: 'text',
      code: 'text',
      population: 'bigint',
      population_calculee: 'bigint',
      methode: 'text',
      communes_adresses: 'int',
      communes_contour: 'int',
      communes_non_calculees: 'int',
      points: 'int',
      calcule_le: 'timestamptz',
      run_id: 'bigint',
    },
    territories.map((t) => ({
      ...t,
      population: Math.round(t.population),
      population_calculee: Math.round(t.population_calculee),
    })),
  );
  await insertJson(
    q,
    'inclusion_accessibilite_indicateur',
    {
      niveau: 'text',
      code: 'text',
      categorie: 'text',
      lieux: 'int',
      lieux_pour_10000_hab: 'float8',
      distance_moyenne_km: 'float8',
      distance_mediane_km: 'float8',
      part_population_plus_5km: 'float8',
      part_population_plus_10km: 'float8',
      part_population_plus_20km: 'float8',
    },
    indicators,
  );
  await insertJson(
    q,
    'inclusion_plus_proche',
    { code: 'text', categorie: 'text', lieu_id: 'bigint', nom: 'text', distance_km: 'float8' },
    nearest,
  );
}

export async function accessibilityOf(q: Queryable, niveau: string, code: string) {
  const t = (
    await q.query<AccessRow>(
      `SELECT niveau, code, population, population_calculee, methode, communes_adresses, communes_contour,
              communes_non_calculees, points, calcule_le, run_id
       FROM inclusion_accessibilite WHERE niveau = $1 AND code = $2`,
      [niveau, code],
    )
  ).rows[0];
  if (!t) return undefined;
  const indicators = (
    await q.query<IndicatorRow>(
      'SELECT * FROM inclusion_accessibilite_indicateur WHERE niveau = $1 AND code = $2 ORDER BY categorie',
      [niveau, code],
    )
  ).rows;
  const nearest =
    niveau === 'commune'
      ? (
          await q.query<NearestResult>(
            'SELECT code, categorie, lieu_id, nom, distance_km FROM inclusion_plus_proche WHERE code = $1 ORDER BY categorie',
            [code],
          )
        ).rows
      : [];
  return { ...t, indicators, nearest };
}

export type IfnRow = {
  niveau: 'commune' | 'epci';
  code: string;
  nom: string;
  code_publie: string;
  no_thd_coverage_rate: number;
  no_4g_coverage_rate: number;
  poverty_rate: number;
  older_65_rate: number;
  nscol15p_rate: number;
  total: number;
  fichier: string;
  run_id: number;
};

export async function replaceIfn(q: Queryable, niveau: 'commune' | 'epci', rows: IfnRow[]) {
  await q.query('DELETE FROM inclusion_ifn WHERE niveau = $1', [niveau]);
  await insertJson(
    q,
    'inclusion_ifn',
    {
      niveau: 'text',
      code: 'text',
      nom: 'text',
      code_publie: 'text',
      no_thd_coverage_rate: 'float8',
      no_4g_coverage_rate: 'float8',
      poverty_rate: 'float8',
      older_65_rate: 'float8',
      nscol15p_rate: 'float8',
      total: 'float8',
      fichier: 'text',
      run_id: 'bigint',
    },
    rows,
  );
}

type IfnScore = Omit<IfnRow, 'run_id'> & { importe_le: Date; communes?: number; population?: number };

/**
 * The IFN of a commune or an EPCI as published; of a département or a région, the population-weighted mean of its
 * communes' scores (communes with a score and a population).
 */
export async function ifnOf(q: Queryable, niveau: Niveau, code: string): Promise<IfnScore | undefined> {
  if (niveau === 'commune' || niveau === 'epci')
    return (
      await q.query<IfnScore>(
        `SELECT niveau, code, nom, code_publie, no_thd_coverage_rate, no_4g_coverage_rate, poverty_rate, older_65_rate,
                nscol15p_rate, total, fichier, importe_le FROM inclusion_ifn WHERE niveau = $2 AND code = $1`,
        [code, niveau],
      )
    ).rows[0];
  const r = (
    await q.query<IfnScore>(
      `SELECT $2::text AS niveau, $1::text AS code, '' AS nom, '' AS code_publie,
              sum(i.no_thd_coverage_rate * c.population) / sum(c.population) AS no_thd_coverage_rate,
              sum(i.no_4g_coverage_rate * c.population) / sum(c.population) AS no_4g_coverage_rate,
              sum(i.poverty_rate * c.population) / sum(c.population) AS poverty_rate,
              sum(i.older_65_rate * c.population) / sum(c.population) AS older_65_rate,
              sum(i.nscol15p_rate * c.population) / sum(c.population) AS nscol15p_rate,
              sum(i.total * c.population) / sum(c.population) AS total,
              min(i.fichier) AS fichier, max(i.importe_le) AS importe_le,
              count(*)::int AS communes, sum(c.population)::bigint AS population
       FROM inclusion_ifn i JOIN commune c ON c.code = i.code
       WHERE i.niveau = 'commune' AND c.population > 0 AND ${communesOfSql(niveau, 'c')}`,
      [code, niveau],
    )
  ).rows[0];
  return r?.communes ? r : undefined;
}
