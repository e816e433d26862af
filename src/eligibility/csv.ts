import { parse } from 'csv-parse';
import { openStream, readLines } from '../imports/source.ts';
import type { RunTally } from '../imports/rejects.ts';

export type CsvRow = { n: number; row: Record<string, string> };

/** The separator of a delimited file, guessed from its header line (ARCEP uses `;` for MCI, `,` for Cartefibre). */
export async function sniffDelimiter(path: string): Promise<{ delimiter: string; header: string[] }> {
  for await (const { line } of readLines(path)) {
    const counts = [';', ',', '\t', '|'].map((d) => [d, line.split(d).length] as const).sort((a, b) => b[1] - a[1]);
    const delimiter = counts[0]![1] > 1 ? counts[0]![0] : ',';
    return { delimiter, header: line.split(delimiter).map(normalizeHeader) };
  }
  return { delimiter: ',', header: [] };
}

export function normalizeHeader(h: string): string {
  return h.replace(/^\uFEFF/, '').replace(/^"|"$/g, '').trim().toLowerCase();
}

/**
 * Streams the records of a delimited text file (gzip or not) as objects keyed by lowercased
 * header names, with the line number where each record ends. Malformed records (broken quoting)
 * become rejects with their line number; the rest goes on.
 */
export async function* readCsv(path: string, tally: RunTally, opts: { delimiter?: string } = {}): AsyncGenerator<CsvRow> {
  const delimiter = opts.delimiter ?? (await sniffDelimiter(path)).delimiter;
  const parser = parse({
    delimiter,
    columns: (h: string[]) => h.map(normalizeHeader),
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    info: true,
    trim: true,
  });
  parser.on('skip', (err: Error & { lines?: number; record?: unknown }) => {
    tally.read++;
    tally.reject(err.lines ?? null, `ligne illisible : ${err.message}`);
  });
  const input = await openStream(path);
  input.on('error', (e) => parser.destroy(e));
  input.pipe(parser);
  for await (const rec of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    yield { n: rec.info.lines, row: rec.record };
  }
}

/** A raw-ish copy of a record for the reject sample. */
export function rawOf(row: Record<string, string>): string {
  return Object.values(row).join(';');
}
