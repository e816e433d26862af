import { readLines } from '../imports/source.ts';
import { detectFormat, parseFields, splitCsvLine, type AddressFormat, type ParsedAddress } from './formats.ts';

/** Département code of a commune code (2A/2B for Corsica, 3 digits overseas). */
export function departementOf(codeInsee: string): string {
  return codeInsee.startsWith('97') ? codeInsee.slice(0, 3) : codeInsee.slice(0, 2);
}

/**
 * Streams the valid addresses of a BAN, BAL or BANO file without a database (benchmarks,
 * evaluation); malformed lines go to `onReject`. The import job does the same with the COG.
 */
export async function* readAddressFile(file: string, onReject?: (line: number, reason: string) => void): AsyncGenerator<ParsedAddress & { format: AddressFormat }> {
  let detected: ReturnType<typeof detectFormat> = null;
  for await (const { line, n } of readLines(file)) {
    if (n === 1) {
      detected = detectFormat(line);
      if (!detected) throw new Error(`${file}: unrecognised address format`);
      if (detected.hasHeader) continue;
    }
    if (!line.trim()) continue;
    const f = splitCsvLine(line, detected!.sep);
    if (!f) {
      onReject?.(n, 'guillemets non refermés');
      continue;
    }
    const r = parseFields(detected!, f);
    if (!r.ok) onReject?.(n, r.reason);
    else yield { ...r.value, format: detected!.format };
  }
}
