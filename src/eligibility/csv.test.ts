import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { RunTally } from '../imports/rejects.ts';
import { readCsv } from './csv.ts';

test('delimited reader: quoted fields, a field across lines, broken quotes rejected with their line, the rest kept', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'elig-csv-'));
  const file = path.join(dir, 'x.csv');
  fs.writeFileSync(file, '\uFEFFA;B;C\n1;"x;y";3\n2;"multi\nline";4\n\n5;"bad"q";6\n7;8\n9;"never closed;10\n11;12;13;extra\n');
  const tally = new RunTally();
  const got: [number, Record<string, string>][] = [];
  for await (const r of readCsv(file, tally)) got.push([r.n, r.row]);
  assert.deepEqual(got, [
    [2, { a: '1', b: 'x;y', c: '3' }],
    [4, { a: '2', b: 'multi\nline', c: '4' }],
    [7, { a: '7', b: '8' }],
    [9, { a: '11', b: '12', c: '13' }],
  ]);
  assert.deepEqual(tally.sample.map((r) => r.line), [6, 8]);
  fs.rmSync(dir, { recursive: true, force: true });
});
