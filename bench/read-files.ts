/**
 * Reading speed and memory of the shared import readers on real files, and what a gzip bomb
 * costs before it is refused. Prints figures; asserts nothing.
 *   node --import tsx bench/read-files.ts
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import zlib from 'node:zlib';
import { readRecords } from '../src/imports/csv.ts';
import { MAX_LINE_BYTES, readLines } from '../src/imports/read.ts';
import { SHARED_DATA } from '../test/helpers.ts';

const limits = { maxBytes: 8 * 2 ** 30, maxLineBytes: MAX_LINE_BYTES };
const BAN = path.join(SHARED_DATA, 'addresses', 'ban-adresses-75-paris-2024-06.csv.gz');
const mb = (n: number) => `${(n / 1048576).toFixed(0)} Mo`;

async function timed(label: string, f: () => Promise<number>) {
  const t0 = process.hrtime.bigint();
  const n = await f();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(
    `${label.padEnd(44)} ${String(n).padStart(9)} lignes  ${ms.toFixed(0).padStart(6)} ms  RSS ${mb(process.memoryUsage().rss)}`,
  );
}

console.log(
  `Fichier : ${path.basename(BAN)} (${mb(fs.statSync(BAN).size)} compressé), Node ${process.version}, ${os.cpus().length} cœurs`,
);
await timed('readline (ancienne lecture, référence)', async () => {
  let n = 0;
  for await (const _ of readline.createInterface({
    input: fs.createReadStream(BAN).pipe(zlib.createGunzip()),
    crlfDelay: Infinity,
  }))
    n++;
  return n;
});
await timed('readLines (octets, plafonds)', async () => {
  let n = 0;
  for await (const _ of readLines(BAN, limits)) n++;
  return n;
});
await timed('readRecords (champs, guillemets, troncature)', async () => {
  let n = 0;
  for await (const _ of readRecords(BAN, { limits, delimiter: ';' })) n++;
  return n;
});

// A gzip bomb: 4 MB of gzip for 4 GB of zeros without a newline, refused at the line cap.
const bomb = path.join(os.tmpdir(), 'pan-bench-bombe.gz');
const gz = zlib.createGzip({ level: 9 });
const out = fs.createWriteStream(bomb);
gz.pipe(out);
const zeros = Buffer.alloc(1 << 20, 0x30);
for (let i = 0; i < 4096; i++) if (!gz.write(zeros)) await new Promise<void>((r) => gz.once('drain', () => r()));
gz.end();
await new Promise<void>((r) => out.once('close', () => r()));
const rss0 = process.memoryUsage().rss;
await timed(`bombe ${mb(fs.statSync(bomb).size)} → 4 Go sans fin de ligne`, async () => {
  let n = 0;
  try {
    for await (const _ of readLines(bomb, limits)) n++;
  } catch (e) {
    console.log(`  refusée : ${(e as { userMessage?: string }).userMessage}`);
  }
  return n;
});
console.log(`  croissance RSS pendant la bombe : ${mb(process.memoryUsage().rss - rss0)}`);
fs.rmSync(bomb, { force: true });
