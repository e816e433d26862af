/**
 * The one reader of delimited text files (CSV, gzip or not) for every import job: delimiter
 * sniffing, BOM, quoted fields (doubled quotes, fields across lines), line numbers, the caps of
 * `readLines`, and truncation: a last line without its line end and with fewer fields than
 * expected, or a quote left open by the end of such a line, means the file was cut, and the
 * run fails rather than keep a partial row.
 */
import path from 'node:path';
import { AppError } from '../errors.ts';
import { type Line, type ReadLimits, readLines } from './read.ts';
import type { RunTally } from './rejects.ts';

/** One record: the line where it starts, its fields, and its text (for reject samples). */
export type CsvRecord = { n: number; fields: string[]; raw: string };

type RecordOptions = {
  limits: ReadLimits;
  /** Known separator; sniffed from the first lines otherwise. */
  delimiter?: string;
  /** Fields a complete record has (the header's); the previous record's count otherwise. */
  expectedFields?: number;
  /** Keep blank lines as records of one empty field (sheet readers count lines). */
  keepEmpty?: boolean;
  /** A malformed record (broken quotes): reported here with its line, then skipped. */
  onBad?: (n: number, reason: string, raw: string) => void;
};

const CANDIDATES = [';', ',', '\t', '|'];
/** A quoted field may hold line ends; past this many lines the opening quote is taken as broken. */
const MAX_RECORD_LINES = 20;
const SNIFF_LINES = 10;

/** The separator used most, outside quotes, over the first lines; `,` when none appears. */
export function sniffDelimiter(lines: readonly string[]): string {
  const counts = new Map(CANDIDATES.map((c) => [c, 0]));
  for (const line of lines) {
    let quoted = false;
    for (const ch of line) {
      if (ch === '"') quoted = !quoted;
      else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
    }
  }
  let best = ',';
  let max = 0;
  for (const [c, k] of counts)
    if (k > max) {
      best = c;
      max = k;
    }
  return best;
}

/**
 * Fields of one record's text. Quoted fields may hold the separator, doubled quotes and line
 * ends; a quote inside an unquoted field is a character. 'open': a quoted field is not closed
 * by the end of the text (the record goes on at the next line).
 */
export function splitRecord(text: string, d: string): string[] | 'open' | { bad: string } {
  if (!text.includes('"')) return text.split(d);
  const out: string[] = [];
  const n = text.length;
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        const j = text.indexOf('"', i);
        if (j < 0) return 'open';
        v += text.slice(i, j);
        if (text[j + 1] === '"') {
          v += '"';
          i = j + 2;
          continue;
        }
        i = j + 1;
        break;
      }
      out.push(v);
      if (i >= n) return out;
      if (!text.startsWith(d, i))
        return { bad: `guillemet fermant suivi de « ${text.slice(i, i + 12)} » au lieu d'un séparateur` };
      i += d.length;
    } else {
      const j = text.indexOf(d, i);
      if (j < 0) {
        out.push(text.slice(i));
        return out;
      }
      out.push(text.slice(i, j));
      i = j + d.length;
    }
  }
}

function truncated(file: string, n: number, detail: string): AppError {
  return new AppError(
    'IMPORT_ECHEC',
    `${file}: truncated at line ${n} (${detail})`,
    `Le fichier ${path.basename(file)} semble tronqué : sa dernière ligne (${n}) n'a pas de fin de ligne et ${detail}. Téléchargez-le de nouveau ; rien n'a été modifié.`,
  );
}

/** Records of a delimited file, in order, with the separator used. */
export async function* readRecords(file: string, opts: RecordOptions): AsyncGenerator<CsvRecord> {
  const it = readLines(file, opts.limits)[Symbol.asyncIterator]();
  try {
    const head: Line[] = [];
    while (!opts.delimiter && head.length < SNIFF_LINES) {
      const r = await it.next();
      if (r.done) break;
      head.push(r.value);
    }
    const d = opts.delimiter ?? sniffDelimiter(head.map((l) => l.line));
    let expected = opts.expectedFields;
    const queue: Line[] = head;
    let buf: Line[] = [];
    let eof = false;
    for (;;) {
      if (!queue.length && !eof) {
        const r = await it.next();
        if (r.done) eof = true;
        else queue.push(r.value);
      }
      if (!queue.length && !buf.length) return;
      if (queue.length) buf.push(queue.shift()!);
      const text = buf.length === 1 ? buf[0]!.line : buf.map((l) => l.line).join('\n');
      const fields = splitRecord(text, d);
      const last = buf[buf.length - 1]!;
      if (fields === 'open') {
        if (buf.length < MAX_RECORD_LINES && (queue.length || !eof)) continue;
        if (eof && !queue.length && !last.terminated)
          throw truncated(file, last.n, 'un champ entre guillemets n’y est pas refermé');
        // The opening quote was a stray one: reject its line and read the following ones afresh.
        opts.onBad?.(
          buf[0]!.n,
          buf.length > 1 ? 'guillemet non refermé' : 'guillemet non refermé en fin de ligne',
          buf[0]!.line,
        );
        queue.unshift(...buf.slice(1));
        buf = [];
        continue;
      }
      const first = buf[0]!;
      buf = [];
      if (!Array.isArray(fields)) {
        opts.onBad?.(first.n, fields.bad, text);
        continue;
      }
      if (!opts.keepEmpty && !text.trim()) continue;
      if (!last.terminated && expected !== undefined && fields.length < expected) {
        throw truncated(file, last.n, `n'a que ${fields.length} champs sur ${expected}`);
      }
      if (opts.expectedFields === undefined && text.trim()) expected = fields.length;
      yield { n: first.n, fields, raw: text };
    }
  } finally {
    await it.return?.(undefined);
  }
}

/** Header names as jobs look them up: BOM, surrounding quotes and spaces gone, lowercase. */
function normalizeHeader(h: string): string {
  return h
    .replace(/^\uFEFF/, '')
    .replace(/^"|"$/g, '')
    .trim()
    .toLowerCase();
}

/**
 * The first non-blank line of a file as is (`first`) and split as a header, normalised, with the
 * separator sniffed from the first lines; no header and no `first` for an empty file.
 */
export async function readHeader(
  file: string,
  limits: ReadLimits,
): Promise<{ delimiter: string; header: string[]; first?: string }> {
  const head: string[] = [];
  for await (const l of readLines(file, limits)) {
    head.push(l.line);
    if (head.length >= SNIFF_LINES) break;
  }
  const delimiter = sniffDelimiter(head);
  const first = head.find((l) => l.trim());
  if (first === undefined) return { delimiter, header: [] };
  const fields = splitRecord(first, delimiter);
  return { delimiter, header: (Array.isArray(fields) ? fields : first.split(delimiter)).map(normalizeHeader), first };
}

type CsvRow = { n: number; row: Record<string, string>; raw: string };

/**
 * Records after the header as objects keyed by normalised header names, values trimmed. A
 * malformed record is a reject with its line number (counted as read); the rest goes on.
 */
export async function* readCsv(
  file: string,
  tally: RunTally,
  opts: { limits: ReadLimits; delimiter?: string },
): AsyncGenerator<CsvRow> {
  let header: string[] | null = null;
  const onBad = (n: number, reason: string, raw: string) => {
    tally.read++;
    tally.reject(n, `ligne illisible : ${reason}`, raw);
  };
  for await (const rec of readRecords(file, { ...opts, onBad })) {
    if (!header) {
      header = rec.fields.map(normalizeHeader);
      continue;
    }
    const row: Record<string, string> = {};
    const m = Math.min(header.length, rec.fields.length);
    for (let k = 0; k < m; k++) row[header[k]!] = rec.fields[k]!.trim();
    yield { n: rec.n, row, raw: rec.raw };
  }
}
