import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import type { RunTally } from '../imports/rejects.ts';
import { readText, type Source } from '../imports/source.ts';
import type { Reject } from './parse.ts';
import { guessDelimiter } from './sheets.ts';

/** What the observatory's import jobs share: options, failure and CSV reading. */
export const DeptListSchema = z.union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : v.split(/[,\s]+/)).map((x) => x.trim().toUpperCase()).filter(Boolean))
  .pipe(z.array(z.string().regex(/^(\d{2,3}|2[AB])$/, 'code de département attendu (ex. 21, 2A, 971)')).min(1));

export function fail(detail: string, message: string): never {
  throw new AppError('IMPORT_ECHEC', detail, message);
}

export function rejectAll(tally: RunTally, rejects: Reject[], sheet: string) {
  for (const r of rejects) tally.reject(r.line, `Feuille « ${sheet} » : ${r.reason}`, r.raw);
}

/** The whole CSV as rows of strings, or a failed run saying why it cannot be read. */
export async function readCsvRows(source: Source): Promise<string[][]> {
  const text = await readText(source.path);
  try {
    return parse(text, { delimiter: guessDelimiter(text), relax_column_count: true, skip_empty_lines: true, bom: true }) as string[][];
  } catch (e) {
    return fail(`${source.name}: ${(e as Error).message}`, `Le fichier ${source.name} n'est pas un CSV lisible : ${(e as Error).message}`);
  }
}

