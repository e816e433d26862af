import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { cleanSourceFiles } from './retention.ts';

const DAY = 86_400_000;

test('source files older than the retention, or beyond N per job, are removed; recent ones stay', async () => {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'pan-ret-'));
  const now = Date.now();
  const make = (rel: string, ageDays: number) => {
    const p = path.join(data, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, 'x'.repeat(100));
    const t = new Date(now - ageDays * DAY);
    fs.utimesSync(p, t, t);
    return p;
  };
  const keep = [
    make('telechargements/adresses/a1.csv.gz', 2),
    make('telechargements/adresses/a2.csv.gz', 3),
    make('telechargements/adresses/a3.csv.gz', 4),
    make('televersements/contours/c1.geojson', 10),
    make('televersements/ancien-sans-job.csv', 29),
    // Younger than a day: kept whatever its rank (a queued import may need it).
    make('televersements/mci-communes/m0.csv', 0.1),
    make('televersements/mci-communes/m1.csv', 0.2),
    make('televersements/mci-communes/m2.csv', 0.3),
    make('televersements/mci-communes/m3.csv', 0.4),
  ];
  const gone = [
    make('telechargements/adresses/a4.csv.gz', 5),
    make('telechargements/adresses/a5.csv.gz', 6), // beyond 3 for the job
    make('televersements/contours/c2.geojson', 40), // older than 30 days
    make('televersements/ancien-sans-job-2.csv', 31),
  ];
  const r = await cleanSourceFiles(data, { days: 30, perJob: 3 });
  assert.equal(r.removed, gone.length);
  assert.equal(r.bytes, gone.length * 100);
  for (const p of keep) assert.ok(fs.existsSync(p), `kept: ${p}`);
  for (const p of gone) assert.ok(!fs.existsSync(p), `removed: ${p}`);
  // Missing folders are not an error.
  assert.deepEqual(await cleanSourceFiles(path.join(data, 'absent'), { days: 30, perJob: 3 }), {
    removed: 0,
    bytes: 0,
  });
  fs.rmSync(data, { recursive: true, force: true });
});
