import { parse as parseSync } from 'csv-parse/sync';
import { readLines } from '../imports/source.ts';
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
 * header names, with the line number where each record ends. ARCEP's files rarely quote: lines
 * without a quote are split directly (about 6× faster than a full CSV parser); a line with quotes
 * goes through csv-parse, joined with the next lines while its quotes are unbalanced (a quoted
 * field spanning lines), up to 20 lines. A malformed record becomes a reject with its line number;
 * the rest goes on.
 */
export async function* readCsv(path: string, tally: RunTally, opts: { delimiter?: string } = {}): AsyncGenerator<CsvRow> {
  const sniffed = await sniffDelimiter(path);
  const delimiter = opts.delimiter ?? sniffed.delimiter;
  const header = sniffed.header;
  const toRow = (parts: string[]): Record<string, string> => {
    const row: Record<string, string> = {};
    const m = Math.min(header.length, parts.length);
    for (let k = 0; k < m; k++) row[header[k]!] = parts[k]!.trim();
    return row;
  };
  // Lines waiting to form one record (a quoted field may span lines).
  let buf: { line: string; n: number }[] = [];
  function* drain(final: boolean): Generator<CsvRow> {
    while (buf.length) {
      // A line without a quote is a whole record by itself.
      while (buf.length && !buf[0]!.line.includes('"')) {
        const b = buf.shift()!;
        if (b.line.trim()) yield { n: b.n, row: toRow(b.line.split(delimiter)) };
      }
      if (!buf.length) return;
      const text = buf.map((b) => b.line).join('\n');
      const last = buf[buf.length - 1]!.n;
      if (!text.includes('"')) {
        if (text.trim()) yield { n: last, row: toRow(text.split(delimiter)) };
        buf = [];
        return;
      }
      if (!final && text.match(/"/g)!.length % 2 === 1 && buf.length < 20) return; // wait for the closing quote
      try {
        const recs = parseSync(text, { delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: true }) as string[][];
        for (const r of recs) yield { n: last, row: toRow(r) };
        buf = [];
        return;
      } catch (e) {
        // The first line is the broken one: reject it and read the following ones afresh.
        const [first, ...rest] = buf;
        tally.read++;
        tally.reject(first!.n, `ligne illisible : ${buf.length > 1 ? 'guillemet non refermé' : (e as Error).message}`, first!.line);
        buf = rest;
      }
    }
  }
  for await (const l of readLines(path)) {
    if (l.n === 1) continue;
    buf.push(l);
    yield* drain(false);
  }
  yield* drain(true);
}

/** A raw-ish copy of a record for the reject sample. */
export function rawOf(row: Record<string, string>): string {
  return Object.values(row).join(';');
}
