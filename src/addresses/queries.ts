import type { Queryable } from '../db/db.ts';

/** One row of table `adresse`, as the API and the eligibility pages use it. */
export type AddressRow = {
  id: string;
  numero: number | null;
  suffixe: string | null;
  voie: string;
  lieu_dit: string | null;
  code_postal: string | null;
  code_insee: string;
  commune: string;
  departement: string;
  lon: number;
  lat: number;
  source: 'ban' | 'bal' | 'bano';
  import_run: number | null;
};

const COLUMNS =
  'id, numero, suffixe, voie, lieu_dit, code_postal, code_insee, commune, departement, lon, lat, source, import_run';

export async function addressById(db: Queryable, id: string): Promise<AddressRow | undefined> {
  const r = await db.query<AddressRow>(`SELECT ${COLUMNS} FROM adresse WHERE id = $1`, [id]);
  const row = r.rows[0];
  return row ? { ...row, import_run: row.import_run === null ? null : Number(row.import_run) } : undefined;
}

export async function countAddresses(db: Queryable): Promise<number> {
  const r = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM adresse');
  return r.rows[0]?.n ?? 0;
}

/** Rows for the search index, by pages in id order (keyset pagination keeps memory flat). */
export async function addressPage(db: Queryable, afterId: string | null, limit: number): Promise<IndexPageRow[]> {
  // `id > ''` rather than `$1 IS NULL OR id > $1`: an OR hides the key from the planner, and every
  // page then sorts the whole table (0.5 s a page for 115,000 rows on the embedded database).
  const r = await db.query<IndexPageRow>(
    `SELECT id, numero, suffixe, voie, code_postal, code_insee, lon, lat FROM adresse
      WHERE id > $1 ORDER BY id LIMIT $2`,
    [afterId ?? '', limit],
  );
  return r.rows;
}
/** Changes whenever an import changes the table: row count and last import run. */
export async function tableFingerprint(db: Queryable): Promise<string> {
  const r = await db.query<{ n: number; run: number | null }>(
    'SELECT count(*)::int AS n, max(import_run)::int AS run FROM adresse',
  );
  return `${r.rows[0]?.n ?? 0}:${r.rows[0]?.run ?? 0}`;
}

/** Départements holding rows written by one import run (another process's import, to refresh the index). */
export async function departementsOfRun(db: Queryable, runId: number): Promise<string[]> {
  return (
    await db.query<{ departement: string }>('SELECT DISTINCT departement FROM adresse WHERE import_run = $1', [runId])
  ).rows.map((r) => r.departement);
}

/** Rows of some départements and communes only (after an import replaced them), by pages in id order. */
export async function addressesOfPage(
  db: Queryable,
  departements: string[],
  communes: string[],
  afterId: string | null,
  limit: number,
): Promise<IndexPageRow[]> {
  const r = await db.query<IndexPageRow>(
    `SELECT id, numero, suffixe, voie, code_postal, code_insee, lon, lat FROM adresse
      WHERE (departement = ANY($1::text[]) OR code_insee = ANY($2::text[])) AND ($3::text IS NULL OR id > $3)
      ORDER BY id LIMIT $4`,
    [departements, communes, afterId, limit],
  );
  return r.rows;
}

/** Commune name and département come from table commune (the importer stores the same values). */
type IndexPageRow = Pick<
  AddressRow,
  'id' | 'numero' | 'suffixe' | 'voie' | 'code_postal' | 'code_insee' | 'lon' | 'lat'
>;

type CommuneRef = {
  code: string;
  nom: string;
  departement: string;
  codes_postaux: string[];
  population: number | null;
};
const COMMUNE_PAGE = 5000;

/**
 * Current communes and arrondissements with what the importer needs, read by pages: on the embedded
 * database one query for all 35,000 held every page that reads the database for 0.4 s.
 */
export async function communeRefs(db: Queryable): Promise<CommuneRef[]> {
  const out: CommuneRef[] = [];
  for (let after = ''; ; ) {
    const { rows } = await db.query<CommuneRef>(
      `SELECT code, nom, departement, codes_postaux, population FROM commune
        WHERE code > $1 ORDER BY code LIMIT $2`,
      [after, COMMUNE_PAGE],
    );
    out.push(...rows);
    if (rows.length < COMMUNE_PAGE) return out;
    after = rows[rows.length - 1]!.code;
  }
}

export type AddressInsert = Omit<AddressRow, 'import_run'> & { import_run: number | null };

export const ADDRESS_COLUMNS = {
  id: 'text',
  numero: 'integer',
  suffixe: 'text',
  voie: 'text',
  lieu_dit: 'text',
  code_postal: 'text',
  code_insee: 'text',
  commune: 'text',
  departement: 'text',
  lon: 'double precision',
  lat: 'double precision',
  source: 'text',
  import_run: 'bigint',
};

type Perimeter = { kind: 'departement' | 'commune'; keys: string[] };
const perimeterColumn = (p: Perimeter) => (p.kind === 'departement' ? 'departement' : 'code_insee');

/** Addresses stored per perimeter (département or commune) and a fingerprint that any write to them changes. */
export async function perimeterState(
  db: Queryable,
  p: Perimeter,
): Promise<{ counts: Map<string, number>; fingerprint: string }> {
  const r = await db.query<{ k: string; n: number; run: number | null }>(
    `SELECT ${perimeterColumn(p)} AS k, count(*)::int AS n, max(import_run)::int AS run FROM adresse
      WHERE ${perimeterColumn(p)} = ANY($1::text[]) GROUP BY 1 ORDER BY 1`,
    [p.keys],
  );
  return {
    counts: new Map(r.rows.map((x) => [x.k, x.n])),
    fingerprint: r.rows.map((x) => `${x.k}:${x.n}:${x.run ?? 0}`).join(','),
  };
}

/** Ids stored for one commune (read commune by commune, so that no read holds the embedded database long). */
export async function addressIdsOfCommune(db: Queryable, codeInsee: string): Promise<string[]> {
  return (await db.query<{ id: string }>('SELECT id FROM adresse WHERE code_insee = $1', [codeInsee])).rows.map(
    (x) => x.id,
  );
}

/** Staged rows per commune, through an index on the staging table that the swap's parts then use. */
export async function stagedPerCommune(db: Queryable, staging: string): Promise<Map<string, number>> {
  await db.query(`CREATE INDEX ON ${staging} (code_insee)`);
  const r = await db.query<{ code: string; n: number }>(
    `SELECT code_insee AS code, count(*)::int AS n FROM ${staging} GROUP BY 1`,
  );
  return new Map(r.rows.map((x) => [x.code, x.n]));
}

/**
 * Swap of some communes: their stored rows gone from the new file, and the rows of the perimeter
 * the staging table holds a new version of for these communes (an address that moved from another
 * commune of the perimeter leaves it here; an id stored outside the perimeter stays, and the insert
 * that follows fails).
 */
export async function deleteAddressesReplaced(
  tx: Queryable,
  staging: string,
  p: Perimeter,
  communes: string[],
  goneIds: string[],
): Promise<number> {
  // IN (subquery), not `id = ANY($2)`: the planner hashes the subquery, while ANY scans the array per row.
  return (
    await tx.query(
      `DELETE FROM adresse WHERE ${perimeterColumn(p)} = ANY($1::text[])
        AND id IN (SELECT unnest($2::text[]) UNION ALL SELECT id FROM ${staging} WHERE code_insee = ANY($3::text[]))`,
      [p.keys, goneIds, communes],
    )
  ).rowCount;
}

/** Swap: the staged rows (new or changed) of these communes into the table. */
export async function insertAddressesFromStaging(tx: Queryable, staging: string, communes: string[]): Promise<number> {
  const cols = Object.keys(ADDRESS_COLUMNS).join(', ');
  return (
    await tx.query(`INSERT INTO adresse (${cols}) SELECT ${cols} FROM ${staging} WHERE code_insee = ANY($1::text[])`, [
      communes,
    ])
  ).rowCount;
}
