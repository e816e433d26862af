import { z } from 'zod';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import { type CsvRecord, readHeader, readRecords } from '../imports/csv.ts';
import { readLimits } from '../imports/read.ts';
import type { RunTally } from '../imports/rejects.ts';
import type { Source } from '../imports/source.ts';
import { DEPARTEMENT_CODE } from '../territories/codes.ts';
import type { Reject } from './parse.ts';

/** What the observatory's import jobs share: options, failure, rejects and CSV reading. */
export const DeptListSchema = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : v.split(/[,\s]+/)).map((x) => x.trim().toUpperCase()).filter(Boolean))
  .pipe(z.array(z.string().regex(DEPARTEMENT_CODE, 'code de département attendu (ex. 21, 2A, 971)')).min(1));

export function fail(detail: string, message: string): never {
  throw new AppError('IMPORT_ECHEC', detail, message);
}

export function rejectAll(tally: RunTally, rejects: Reject[], sheet: string) {
  for (const r of rejects) tally.reject(r.line, `Feuille « ${sheet} » : ${r.reason}`, r.raw);
}

/**
 * Header (first non-blank line) and records of a CSV source, streamed; a malformed record is a
 * reject with its line. The header record itself is not yielded.
 */
export async function csvTable(
  source: Source,
  tally: RunTally,
  config: Config,
): Promise<{ header: string[]; records: AsyncGenerator<CsvRecord> }> {
  const limits = readLimits(config);
  const { header, delimiter } = await readHeader(source.path, limits);
  const onBad = (n: number, reason: string, raw: string) => {
    tally.read++;
    tally.reject(n, `ligne illisible : ${reason}`, raw);
  };
  async function* records(): AsyncGenerator<CsvRecord> {
    let first = true;
    for await (const rec of readRecords(source.path, { limits, delimiter, onBad })) {
      if (first) first = false;
      else yield rec;
    }
  }
  return { header, records: records() };
}
