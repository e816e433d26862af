import { loadConfig } from '../config.ts';
import { readHeader, readRecords } from '../imports/csv.ts';
import { readLimits } from '../imports/read.ts';
import { type AddressFormat, detectFormat, type ParsedAddress, parseFields } from './formats.ts';

/**
 * Streams the valid addresses of a BAN, BAL or BANO file without a database (benchmarks,
 * evaluation); malformed lines go to `onReject`. The import job does the same with the COG.
 */
export async function* readAddressFile(
  file: string,
  onReject?: (line: number, reason: string) => void,
): AsyncGenerator<ParsedAddress & { format: AddressFormat }> {
  const limits = readLimits(loadConfig());
  const { first } = await readHeader(file, limits);
  const detected = first === undefined ? null : detectFormat(first);
  if (!detected) throw new Error(`${file}: unrecognised address format`);
  let header = detected.hasHeader;
  for await (const { fields, n } of readRecords(file, {
    limits,
    delimiter: detected.sep,
    onBad: (n, reason) => onReject?.(n, reason),
  })) {
    if (header) {
      header = false;
      continue;
    }
    const r = parseFields(detected, fields);
    if (!r.ok) onReject?.(n, r.reason);
    else yield { ...r.value, format: detected.format };
  }
}
