/**
 * The reading side of imports: every byte a job reads from a source file comes through here, so
 * that damaged or hostile files fail the run with a French reason instead of taking the process
 * down. Gzip is detected by its magic bytes; every stream error (truncated or corrupt gzip,
 * unreadable file) becomes an AppError; the decompressed size and the length of a line are
 * capped; nothing here holds more than one line (or one chunk) at a time.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream';
import zlib from 'node:zlib';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';

export type ReadLimits = {
  /** Bytes read once decompressed (IMPORT_MAX_DECOMPRESSED_MB). */
  maxBytes: number;
  /** Bytes in one line; beyond it the file is binary or has lost its line ends. */
  maxLineBytes: number;
};

/** A line of CSV is a few hundred bytes; 1 MiB leaves room for any real record and stops a file without line ends. */
export const MAX_LINE_BYTES = 1 << 20;

export function readLimits(config: Pick<Config, 'importMaxBytes'>): ReadLimits {
  return { maxBytes: config.importMaxBytes, maxLineBytes: MAX_LINE_BYTES };
}

const MB = 1024 * 1024;
const GZIP_MAGIC = [0x1f, 0x8b];

async function isGzip(p: string): Promise<boolean> {
  const fh = await fsp.open(p, 'r');
  try {
    const b = Buffer.alloc(2);
    await fh.read(b, 0, 2, 0);
    return b[0] === GZIP_MAGIC[0] && b[1] === GZIP_MAGIC[1];
  } finally {
    await fh.close();
  }
}

/** A French reason for a low-level read error (zlib and file-system codes), never the raw English text. */
function readFailure(file: string, e: unknown): AppError {
  if (e instanceof AppError) return e;
  const err = e as NodeJS.ErrnoException;
  const name = path.basename(file);
  if (err.code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(err.message ?? '')) {
    return new AppError(
      'IMPORT_ECHEC',
      `${file}: ${err.message}`,
      `Le fichier compressé ${name} est tronqué (fin de l'archive gzip inattendue) : téléchargez-le de nouveau.`,
    );
  }
  if (err.code?.startsWith('Z_') || err.code === 'ERR_ZLIB_INITIALIZATION_FAILED') {
    return new AppError(
      'IMPORT_ECHEC',
      `${file}: ${err.code} ${err.message}`,
      `Le fichier compressé ${name} est corrompu (données gzip invalides) : téléchargez-le de nouveau.`,
    );
  }
  return new AppError(
    'SOURCE_ILLISIBLE',
    `${file}: ${err.code ?? ''} ${err.message}`,
    `Le fichier ${name} n'a pas pu être lu.`,
  );
}

/**
 * The bytes of a file, gunzipped when it is gzip whatever its name, as chunks. Stops with a
 * French reason past `maxBytes` decompressed; stopping early (the caller breaks) closes the
 * streams, and a stream error is thrown here rather than left without a listener.
 */
export async function* readChunks(file: string, limits: Pick<ReadLimits, 'maxBytes'>): AsyncGenerator<Buffer> {
  let stream: NodeJS.ReadableStream;
  try {
    const gzip = await isGzip(file);
    const raw = fs.createReadStream(file);
    // pipeline() forwards every stage's error to the last stream, which the loop below reads.
    stream = gzip ? pipeline(raw, zlib.createGunzip(), () => {}) : raw;
  } catch (e) {
    throw readFailure(file, e);
  }
  let total = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > limits.maxBytes) {
        throw new AppError(
          'FICHIER_TROP_GROS',
          `${file}: over ${limits.maxBytes} bytes decompressed`,
          `Le fichier ${path.basename(file)} décompressé dépasse ${Math.round(limits.maxBytes / MB)} Mo (limite IMPORT_MAX_DECOMPRESSED_MB) : import refusé.`,
        );
      }
      yield chunk;
    }
  } catch (e) {
    throw readFailure(file, e);
  } finally {
    (stream as unknown as { destroy?: () => void }).destroy?.();
  }
}

export type Line = {
  /** Text of the line: UTF-8 (invalid sequences replaced), no line end, no NUL byte, BOM removed. */
  line: string;
  /** Line number from 1. */
  n: number;
  /** False for a last line that has no line end: what a cut file leaves. */
  terminated: boolean;
};

const ZIP_MAGIC = Buffer.from('PK\x03\x04', 'latin1');

/** A text file is expected: a ZIP (or XLSX) or a file full of NUL bytes gets a clear reason, not garbage rows. */
function checkText(file: string, head: Buffer): void {
  const name = path.basename(file);
  if (head.subarray(0, 4).equals(ZIP_MAGIC)) {
    throw new AppError(
      'IMPORT_ECHEC',
      `${file}: zip`,
      `${name} est une archive ZIP (ou un classeur XLSX) : un fichier texte CSV, éventuellement compressé en .gz, est attendu. Extrayez-en le fichier CSV.`,
    );
  }
  const sample = head.subarray(0, 4096);
  let nul = 0;
  for (const b of sample) if (b === 0) nul++;
  if (nul >= 4 && nul * 50 > sample.length) {
    throw new AppError(
      'IMPORT_ECHEC',
      `${file}: binary (${nul} NUL bytes)`,
      `${name} n'est pas un fichier texte (contenu binaire ; un fichier UTF-16 doit être enregistré en UTF-8).`,
    );
  }
}

function decode(buf: Buffer, n: number): string {
  let s = buf.toString('utf8');
  if (s.endsWith('\r')) s = s.slice(0, -1);
  if (n === 1 && s.charCodeAt(0) === 0xfeff) s = s.slice(1);
  return s.includes('\0') ? s.replaceAll('\0', '\uFFFD') : s;
}

/**
 * Lines of a text file (gzip or not), numbered from 1. A line longer than `maxLineBytes` stops
 * the read with a French reason (readline would build it whole, up to the process's death).
 */
export async function* readLines(file: string, limits: ReadLimits): AsyncGenerator<Line> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let n = 0;
  let first = true;
  const tooLong = () =>
    new AppError(
      'IMPORT_ECHEC',
      `${file}: line ${n + 1} over ${limits.maxLineBytes} bytes`,
      `La ligne ${n + 1} de ${path.basename(file)} dépasse ${Math.round(limits.maxLineBytes / 1024)} Ko : le fichier n'est pas un fichier texte par lignes (binaire, ou fins de ligne perdues).`,
    );
  for await (const chunk of readChunks(file, limits)) {
    if (first) {
      checkText(file, chunk);
      first = false;
    }
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      if (pendingBytes + nl - start > limits.maxLineBytes) throw tooLong();
      const part = chunk.subarray(start, nl);
      const buf = pending.length ? Buffer.concat([...pending, part]) : part;
      pending = [];
      pendingBytes = 0;
      n++;
      yield { line: decode(buf, n), n, terminated: true };
      start = nl + 1;
    }
    if (start < chunk.length) {
      pendingBytes += chunk.length - start;
      if (pendingBytes > limits.maxLineBytes) throw tooLong();
      pending.push(chunk.subarray(start));
    }
  }
  if (pendingBytes) {
    n++;
    yield { line: decode(Buffer.concat(pending), n), n, terminated: false };
  }
}
