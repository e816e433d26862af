import type { Queryable } from '../db/db.ts';
import { insertJson } from '../db/db.ts';

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

const COLUMNS = 'id, numero, suffixe, voie, lieu_dit, code_postal, code_insee, commune, departement, lon, lat, source, import_run';

export async function addressById(db: Queryable, id: string): Promise<AddressRow | undefined> {
  const r = await db.query<AddressRow>(`SELECT ${COLUMNS} FROM adresse WHERE id = $1`, [id]);
  const row = r.rows[0];
  return row ? { ...row, import_run: row.import_run === null ? null : Number(row.import_run) } : undefined;
}

export async function countAddresses(db: Queryable): Promise<number> {
  const r = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM adresse');
  return r.rows[0]?.n ?? 0;
}

export async function countAddressesByDepartement(db: Queryable): Promise<{ departement: string; n: number }[]> {
  return (await db.query<{ departement: string; n: number }>('SELECT departement, count(*)::int AS n FROM adresse GROUP BY departement ORDER BY departement')).rows;
}

/** Rows for the search index, by pages in id order (keyset pagination keeps memory flat). */
export async function addressPage(db: Queryable, afterId: string | null, limit: number): Promise<IndexPageRow[]> {
  const r = await db.query<IndexPageRow>(
    `SELECT id, numero, suffixe, voie, code_postal, code_insee, lon, lat FROM adresse
      WHERE $1::text IS NULL OR id > $1 ORDER BY id LIMIT $2`, [afterId, limit]);
  return r.rows;
}
/** Changes whenever an import changes the table: row count and last import run. */
export async function tableFingerprint(db: Queryable): Promise<string> {
  const r = await db.query<{ n: number; run: number | null }>('SELECT count(*)::int AS n, max(import_run)::int AS run FROM adresse');
  return `${r.rows[0]?.n ?? 0}:${r.rows[0]?.run ?? 0}`;
}

/** Départements holding rows written by one import run (another process's import, to refresh the index). */
export async function departementsOfRun(db: Queryable, runId: number): Promise<string[]> {
  return (await db.query<{ departement: string }>('SELECT DISTINCT departement FROM adresse WHERE import_run = $1', [runId])).rows.map((r) => r.departement);
}

/** Rows of some départements and communes only (after an import replaced them). */
export async function addressesOf(db: Queryable, departements: string[], communes: string[]): Promise<IndexPageRow[]> {
  const r = await db.query<IndexPageRow>(
    `SELECT id, numero, suffixe, voie, code_postal, code_insee, lon, lat FROM adresse
      WHERE departement = ANY($1::text[]) OR code_insee = ANY($2::text[])`, [departements, communes]);
  return r.rows;
}

/** Commune name and département come from table commune (the importer stores the same values). */
export type IndexPageRow = Pick<AddressRow, 'id' | 'numero' | 'suffixe' | 'voie' | 'code_postal' | 'code_insee' | 'lon' | 'lat'>;

/** Current communes and arrondissements with what the importer needs. */
export async function communeRefs(db: Queryable): Promise<{ code: string; nom: string; departement: string; codes_postaux: string[]; population: number | null }[]> {
  return (await db.query<{ code: string; nom: string; departement: string; codes_postaux: string[]; population: number | null }>(
    'SELECT code, nom, departement, codes_postaux, population FROM commune')).rows;
}

export async function deleteAddressesOfDepartement(tx: Queryable, departement: string): Promise<number> {
  return (await tx.query('DELETE FROM adresse WHERE departement = $1', [departement])).rowCount;
}

export async function deleteAddressesOfCommune(tx: Queryable, codeInsee: string): Promise<number> {
  return (await tx.query('DELETE FROM adresse WHERE code_insee = $1', [codeInsee])).rowCount;
}

/** Ids already stored outside the perimeter being replaced (an id must stay unique). */
export async function existingIdsElsewhere(tx: Queryable, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const r = await tx.query<{ id: string }>('SELECT id FROM adresse WHERE id = ANY($1::text[])', [ids]);
  return new Set(r.rows.map((x) => x.id));
}

export type AddressInsert = Omit<AddressRow, 'import_run'> & { import_run: number | null };

export async function insertAddresses(tx: Queryable, rows: AddressInsert[]): Promise<number> {
  return insertJson(tx, 'adresse', {
    id: 'text', numero: 'integer', suffixe: 'text', voie: 'text', lieu_dit: 'text', code_postal: 'text', code_insee: 'text',
    commune: 'text', departement: 'text', lon: 'double precision', lat: 'double precision', source: 'text', import_run: 'bigint',
  }, rows, { chunk: 10000 });
}
