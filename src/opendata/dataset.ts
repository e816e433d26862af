import type { Config } from '../config.ts';
import type { Db } from '../db/db.ts';
import type { LicenceId } from '../http/licences.ts';

/**
 * A dataset a module publishes in the open-data catalogue (`/donnees`). Modules declare theirs in
 * their own `datasets.ts`, reading their data through their own service functions, and list them in
 * `AppModule.datasets`, as they list import jobs. Every resource (CSV, JSON, GeoJSON) is generated on
 * demand from `pages()`, one page at a time, so no file is ever held whole in memory.
 */

/** Table Schema field types (https://specs.frictionlessdata.io/table-schema/) the platform publishes. */
export type FieldType = 'string' | 'integer' | 'number' | 'boolean' | 'date' | 'datetime';

export type Field = {
  name: string;
  type: FieldType;
  title: string;
  description?: string;
  /** Required cells may not be empty. */
  required?: boolean;
  /**
   * Every published column says so here: a column not declared public is refused at publication
   * (personal data never leaves in open data). `false` keeps a column out of every resource.
   */
  public: boolean;
};

export type TableSchema = { fields: Field[]; primaryKey?: string[] };

/** A cell as modules give it: strings, numbers, booleans, dates (`YYYY-MM-DD` strings or instants) or empty. */
export type Cell = string | number | boolean | Date | null | undefined;
export type DataRow = Record<string, Cell>;

/** A GeoJSON geometry (RFC 7946), as stored by the geo module. */
export type Geometry = { type: string; coordinates: unknown };

export type DatasetSource = {
  producteur: string;
  jeu: string;
  licence: LicenceId;
  url?: string;
  /** The import job that reads it, whose runs date it. */
  job?: string;
};

export type DatasetContext = { db: Db; config: Config };

export type Frequency = 'trimestrielle' | 'annuelle' | 'mensuelle' | 'continue' | 'ponctuelle' | 'irreguliere';

export type Dataset = {
  /** Stable identifier: the file name in `/donnees/{id}.{format}` (lower-case letters, digits, hyphens). */
  id: string;
  /** The module that declares it (set by the registry from `AppModule.name`). */
  module?: string;
  title: string;
  description: string;
  /** Who publishes the dataset (default: the platform's operator). */
  publisher?: string;
  /** Licence Ouverte 2.0 unless a source requires otherwise (ODbL for anything derived from BANO). */
  licence?: LicenceId;
  /** Free keywords, also the theme filter of the catalogue page. */
  themes: string[];
  /** What the data covers, in words (the instance's région by default). */
  spatial?: string;
  temporal?: string;
  frequency: Frequency;
  /** Import jobs the data derives from: the last successful run of any of them is the dataset's modification date. */
  jobs: string[];
  sources: DatasetSource[];
  schema: TableSchema;
  /** The rows, a page at a time (a few thousand rows at most per page). */
  pages(ctx: DatasetContext): AsyncIterable<DataRow[]>;
  /**
   * For data entered on the platform rather than imported: when it last changed and a short fingerprint
   * (count, last id…) so that downloads get a correct ETag and Last-Modified.
   */
  stamp?(ctx: DatasetContext): Promise<{ modified: Date | null; tag: string }>;
  /** Large datasets also publish Parquet (typed columns, compressed: the format of analysis tools). */
  parquet?: boolean;
  /** Spatial datasets also publish GeoJSON: the geometries of a page's rows, by the value of `key`. */
  geo?: { key: string; shapes(ctx: DatasetContext, keys: string[]): Promise<Map<string, Geometry>> };
};

export function defineDataset(d: Dataset): Dataset {
  return d;
}

/** Reads a paged list (`fetch(limit, offset)`) page by page until a short page. */
export async function* pagesOf<T>(
  fetch: (limit: number, offset: number) => Promise<T[]>,
  map: (row: T) => DataRow,
  size = 2000,
): AsyncIterable<DataRow[]> {
  for (let offset = 0; ; offset += size) {
    const rows = await fetch(size, offset);
    if (rows.length) yield rows.map(map);
    if (rows.length < size) return;
  }
}
