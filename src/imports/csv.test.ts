import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import zlib from 'node:zlib';
import { missingShared, shared } from '../../test/helpers.ts';
import { AppError } from '../errors.ts';
import { readCsv, readHeader, readRecords, sniffDelimiter, splitRecord } from './csv.ts';
import { MAX_LINE_BYTES, type ReadLimits, readLines } from './read.ts';
import { RunTally } from './rejects.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pan-csv-'));
const write = (name: string, bytes: string | Buffer) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, bytes);
  return p;
};
const limits: ReadLimits = { maxBytes: 64 << 20, maxLineBytes: MAX_LINE_BYTES };
const collect = async <T>(g: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const x of g) out.push(x);
  return out;
};
const fails = async (p: Promise<unknown>, re: RegExp) =>
  assert.rejects(p, (e: unknown) => e instanceof AppError && re.test(e.userMessage) && !e.userMessage.includes('\0'));

test('delimited reader: quoted fields, a field across lines, broken quotes rejected with their line, the rest kept', async () => {
  const file = write(
    'x.csv',
    '\uFEFFA;B;C\n1;"x;y";3\n2;"multi\nline";4\n\n5;"bad"q";6\n7;8\n9;"never closed;10\n11;12;13;extra\n',
  );
  const tally = new RunTally();
  const got: [number, Record<string, string>][] = [];
  for await (const r of readCsv(file, tally, { limits })) got.push([r.n, r.row]);
  assert.deepEqual(got, [
    [2, { a: '1', b: 'x;y', c: '3' }],
    [3, { a: '2', b: 'multi\nline', c: '4' }],
    [7, { a: '7', b: '8' }],
    [9, { a: '11', b: '12', c: '13' }],
  ]);
  assert.deepEqual(
    tally.sample.map((r) => r.line),
    [6, 8],
  );
});

test('separator sniffed from the first lines, quotes ignored; CRLF and BOM removed', async () => {
  assert.equal(sniffDelimiter(['a;b;c', '1;2;3']), ';');
  assert.equal(sniffDelimiter(['"x;y;z",b', '1,2']), ',');
  assert.equal(sniffDelimiter(['Réseaux FttH,,,,', 'Code commune,Champ,T1 2018']), ',');
  assert.equal(sniffDelimiter(['seul']), ',');
  const f = write('crlf.csv', "\uFEFFcode\tnom\r\n01001\tL'Abergement\r\n");
  assert.deepEqual(await readHeader(f, limits), { delimiter: '\t', header: ['code', 'nom'], first: 'code\tnom' });
  assert.deepEqual(
    (await collect(readRecords(f, { limits }))).map((r) => r.fields),
    [
      ['code', 'nom'],
      ['01001', "L'Abergement"],
    ],
  );
  assert.deepEqual(splitRecord('a,"b ""c""",', ','), ['a', 'b "c"', '']);
  assert.equal(splitRecord('a,"b', ','), 'open');
});

test('truncation: a last line without its end and with missing fields fails; a complete one does not', async () => {
  const cut = write('cut.csv', 'a;b;c\n1;2;3\n4;5');
  await fails(collect(readRecords(cut, { limits })), /tronqué.*ligne \(3\).*2 champs sur 3/);
  const fine = write('fine.csv', 'a;b;c\n1;2;3\n4;5;6');
  assert.equal((await collect(readRecords(fine, { limits }))).length, 3);
  // A line that ends properly with fewer fields is a reject for the job, not a truncation.
  const short = write('short.csv', 'a;b;c\n1;2\n4;5;6\n');
  assert.equal((await collect(readRecords(short, { limits }))).length, 3);
  // A quoted field cut by the end of the file.
  const open = write('open.csv', 'a;b;c\n1;"deux\n');
  assert.equal((await collect(readRecords(open, { limits, onBad: () => {} }))).length, 1);
  const openCut = write('open-cut.csv', 'a;b;c\n1;"deux');
  await fails(collect(readRecords(openCut, { limits })), /tronqué.*guillemets/);
});

test('real files: every record of the France THD file has the header’s 7 fields; the same file cut fails', {
  skip: missingShared('arcep-fixe/france-thd-operateurs-satellite-4g-par-departement-2024.csv.gz'),
}, async () => {
  const file = shared('arcep-fixe', 'france-thd-operateurs-satellite-4g-par-departement-2024.csv.gz');
  const recs = await collect(readRecords(file, { limits }));
  assert.equal(recs.length, 587);
  assert.ok(
    recs.every((r) => r.fields.length === 7),
    'every record has 7 fields',
  );
  const text = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8');
  const cut = write('fthd-cut.csv', text.slice(0, text.lastIndexOf(',', text.length - 30)));
  await fails(collect(readRecords(cut, { limits })), /tronqué/);
});

test('a truncated or corrupt gzip, a ZIP, a binary file, a missing file: French reasons, nothing thrown raw', async () => {
  const gz = zlib.gzipSync(Buffer.from('a;b\n1;2\n'.repeat(5000)));
  await fails(collect(readLines(write('t.csv.gz', gz.subarray(0, gz.length / 2)), limits)), /tronqué/);
  const flipped = Buffer.from(gz);
  flipped[40]! ^= 0xff;
  flipped[41]! ^= 0xff;
  await fails(collect(readLines(write('f.csv.gz', flipped), limits)), /corrompu|tronqué/);
  await fails(
    collect(readLines(write('z.csv', Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(100)])), limits)),
    /archive ZIP/,
  );
  await fails(collect(readLines(write('b.bin', Buffer.alloc(5000, 0)), limits)), /pas un fichier texte/);
  await fails(collect(readLines(path.join(dir, 'absent.csv'), limits)), /n'a pas pu être lu/);
});

test('caps: decompressed size and line length; NUL bytes never reach the text', async () => {
  const small: ReadLimits = { maxBytes: 100_000, maxLineBytes: 1000 };
  await fails(
    collect(readLines(write('big.gz', zlib.gzipSync(Buffer.from('1;2\n'.repeat(50_000)))), small)),
    /décompressé dépasse/,
  );
  await fails(collect(readLines(write('long.csv', `a;b\n${'x'.repeat(5000)}\n`), small)), /ligne 2 .*dépasse 1 Ko/);
  const lines = await collect(readLines(write('nul.csv', 'a;b\n1\x002;3\n'), small));
  assert.deepEqual(
    lines.map((l) => l.line),
    ['a;b', '1\uFFFD2;3'],
  );
});

test('a reader stopped after the header closes its file and leaves no stream error behind', async () => {
  const gz = zlib.gzipSync(Buffer.from(`a;b\n${'1;2\n'.repeat(200_000)}`));
  const f = write('stop.csv.gz', gz.subarray(0, gz.length - 100));
  assert.deepEqual((await readHeader(f, limits)).header, ['a', 'b']);
  // The rest of the same file is cut: reading it all fails with a reason.
  await fails(collect(readRecords(f, { limits })), /tronqué/);
});

test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
