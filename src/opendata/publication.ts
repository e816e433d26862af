import type { Cell, DataRow, Dataset, Field, FieldType } from './dataset.ts';

/**
 * What every published resource goes through, in tests and at each download: columns must be
 * declared public in the dataset's Table Schema, each value must have its field's type, and no value
 * may look like an e-mail address or a phone number (personal data never leaves in open data).
 */

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;
/** French numbers, national (01…09) or international (+33, 0033), with or without separators. */
const PHONE = /(?<![\d+])(?:(?:\+|00)33[\s.-]?(?:\(0\))?[\s.-]?[1-9]|0[1-9])(?:[\s.-]?\d{2}){4}(?!\d)/;

export function personalDataIn(s: string): 'adresse électronique' | 'numéro de téléphone' | null {
  if (EMAIL.test(s)) return 'adresse électronique';
  if (PHONE.test(s)) return 'numéro de téléphone';
  return null;
}

type Problem = { ligne: number | null; colonne: string | null; message: string };

export class PublicationError extends Error {
  constructor(
    readonly dataset: string,
    readonly problems: Problem[],
  ) {
    super(`publication refusée (${dataset}) : ${problems.map((p) => p.message).join(' ; ')}`);
  }
}

/** Columns of the schema not declared public: a dataset that has any is never published. */
export function schemaProblems(d: Dataset): Problem[] {
  const out: Problem[] = [];
  const seen = new Set<string>();
  for (const f of d.schema.fields) {
    if (seen.has(f.name)) out.push({ ligne: null, colonne: f.name, message: `colonne ${f.name} déclarée deux fois` });
    seen.add(f.name);
    if (f.public !== true)
      out.push({ ligne: null, colonne: f.name, message: `colonne ${f.name} non déclarée publique` });
  }
  return out;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const validDay = (s: string) => {
  if (!DATE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
};

function typeOk(t: FieldType, v: Exclude<Cell, null | undefined>): boolean {
  switch (t) {
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isSafeInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'date':
      return typeof v === 'string' ? validDay(v) : v instanceof Date && !Number.isNaN(v.getTime());
    case 'datetime':
      return v instanceof Date ? !Number.isNaN(v.getTime()) : typeof v === 'string' && !Number.isNaN(Date.parse(v));
  }
}

/** The problems of one row (line numbers from 1, the header not counted). */
export function rowProblems(fields: Field[], row: DataRow, line: number): Problem[] {
  const out: Problem[] = [];
  const byName = new Map(fields.map((f) => [f.name, f]));
  for (const k of Object.keys(row))
    if (!byName.has(k)) out.push({ ligne: line, colonne: k, message: `colonne ${k} absente du schéma` });
  for (const f of fields) {
    const v = row[f.name];
    if (v === null || v === undefined || v === '') {
      if (f.required) out.push({ ligne: line, colonne: f.name, message: `ligne ${line} : ${f.name} est requis` });
      continue;
    }
    if (!typeOk(f.type, v))
      out.push({ ligne: line, colonne: f.name, message: `ligne ${line} : ${f.name} n’est pas de type ${f.type}` });
    else if (typeof v === 'string') {
      const leak = personalDataIn(v);
      if (leak) out.push({ ligne: line, colonne: f.name, message: `ligne ${line} : ${f.name} contient un(e) ${leak}` });
    }
  }
  return out;
}

/** Checks a page of rows; throws `PublicationError` at the first problem page. */
export function checkPage(d: Dataset, rows: DataRow[], firstLine: number): void {
  const problems = rows.flatMap((r, i) => rowProblems(d.schema.fields, r, firstLine + i));
  if (problems.length) throw new PublicationError(d.id, problems.slice(0, 20));
}

/** The publication report of a dataset: every row read and checked (tests, and the dataset's control page). */
export async function publicationReport(
  d: Dataset,
  ctx: Parameters<Dataset['pages']>[0],
): Promise<{ lignes: number; problems: Problem[] }> {
  const problems = schemaProblems(d);
  let n = 0;
  if (!problems.length)
    for await (const page of d.pages(ctx)) {
      for (const r of page) {
        n++;
        if (problems.length < 100) problems.push(...rowProblems(d.schema.fields, r, n));
      }
    }
  return { lignes: n, problems };
}

/**
 * Validates a cell of a published CSV against its field (Table Schema's default formats): what a reuser
 * checks with a Table Schema validator. Empty means missing.
 */
export function csvCellProblem(f: Field, s: string): string | null {
  if (s === '') return f.required ? `${f.name} est requis` : null;
  const ok = {
    string: () => true,
    integer: () => /^-?\d+$/.test(s),
    number: () => /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(s),
    boolean: () => s === 'true' || s === 'false',
    date: () => validDay(s),
    datetime: () => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s),
  }[f.type]();
  return ok ? null : `${f.name} : « ${s.slice(0, 40)} » n’est pas de type ${f.type}`;
}
