/**
 * Observatory benchmark: national import and aggregates, then page server times.
 *
 *   npm run bench:observatory
 *   npm run bench:observatory -- --requests 1000 --cold-requests 100
 *   DATABASE_URL=postgres://… (or TEST_DATABASE_URL) adds a PostgreSQL server run next to PGlite
 *   (a scratch database is created and dropped on that server).
 *
 * 1. Imports the national commune sheets of ARCEP's quarterly observatory (35 361 communes ×
 *    3 quarters, then the informations sheet), the département/région sheets, the national Ma
 *    connexion internet file (34 957 communes) and INSEE dwellings (34 963 communes): time of
 *    each run (each ends with the recompute of the materialised indicators), peak RSS.
 * 2. Recomputes all aggregates from scratch once more (all levels, both data sets), timed.
 * 3. Server time (app.inject, no network) of the région dashboard, a département dashboard, a
 *    commune and a département page and the API: p50/p95 over N requests, warm (cache kept) and
 *    cold (the observatory's in-memory cache emptied before every request; commune pages cycle
 *    through every commune of the région so no two requests ask for the same one).
 */
import crypto from 'node:crypto';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { buildApp } from '../src/app.ts';
import { prepareDatabase } from '../src/bootstrap.ts';
import { loadConfig } from '../src/config.ts';
import type { Db } from '../src/db/db.ts';
import { openDb } from '../src/db/open.ts';
import { clearObservatoryCache } from '../src/observatory/routes.ts';
import { recompute } from '../src/observatory/store.ts';
import { shared } from '../test/helpers.ts';

const { values: args } = parseArgs({
  options: { requests: { type: 'string', default: '1000' }, 'cold-requests': { type: 'string', default: '100' } },
});
const N = Number(args.requests);
const NCOLD = Number(args['cold-requests']);

let peak = 0;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 20);
const mb = (b: number) => `${Math.round(b / 1048576)} MB`;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const ms = (x: number) => x.toFixed(1);

async function onBackend(name: string, db: Db, drop: () => Promise<void>) {
  const log = pino({ level: 'silent' });
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: '/tmp/obs-bench', REGION: '27' });
  await prepareDatabase(db, config, log);
  const { app, ctx } = await buildApp(config, { db, log });
  await app.ready();
  console.log(`\n== ${name}`);
  const imp = async (job: string, file: string) => {
    peak = process.memoryUsage().rss;
    const t0 = performance.now();
    const run = await ctx.runImport({ job, source: file, startedBy: 'bench', force: true });
    const dt = performance.now() - t0;
    console.log(
      `import ${job.padEnd(18)} ${file.split('/').pop()!.padEnd(46)} ${ms(dt).padStart(8)} ms  rows=${run.rows_read} rejected=${run.rows_rejected} status=${run.status}  peak_rss=${mb(peak)}`,
    );
    if (run.status !== 'succeeded') throw new Error(run.message ?? 'import failed');
    return dt;
  };
  const a = shared('arcep-fixe');
  let total = 0;
  total += await imp('arcep-deploiements', `${a}/arcep-obs-thd-2018t1-ftthCommunes.csv.gz`);
  total += await imp('arcep-deploiements', `${a}/arcep-obs-thd-2018t1-communes.csv.gz`);
  for (const s of ['ftthDepartements', 'departements', 'ftthRegions', 'regions', 'ftthEpci', 'epci'])
    total += await imp('arcep-deploiements', `${a}/arcep-obs-thd-2018t1-${s}.csv.gz`);
  total += await imp('mci-communes', `${a}/mci-commune-debit-2022t4-national.csv.gz`);
  total += await imp('logements-insee', shared('logements', 'insee-rp2021-logements-communes-geo2024.csv.gz'));
  await imp('contours', shared('boundaries', 'ngeofr-2025', 'epci-bfc-normandie-2025.geojson.gz'));
  await imp('contours', shared('boundaries', 'france-geojson-2018', 'communes-bourgogne-franche-comte.geojson.gz'));
  console.log(`national imports (observatory jobs) total ${ms(total)} ms`);
  peak = process.memoryUsage().rss;
  const t0 = performance.now();
  await db.transaction((tx) => recompute(tx));
  const rows = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM obs_serie')).rows[0]!.n;
  console.log(
    `full recompute of all aggregates: ${ms(performance.now() - t0)} ms (${rows} indicator rows, commune → EPCI, département, région, France)  peak_rss=${mb(peak)}`,
  );

  const communes = (
    await db.query<{ code: string }>(
      `SELECT code FROM commune WHERE region = '27' AND type = 'commune-actuelle' ORDER BY code`,
    )
  ).rows.map((r) => r.code);
  const pages: { label: string; url: (i: number) => string; cold: number }[] = [
    { label: 'dashboard région 27', url: () => '/observatoire', cold: NCOLD },
    { label: 'dashboard département 21', url: () => '/observatoire?departement=21', cold: NCOLD },
    { label: 'commune page (section)', url: (i) => `/territoires/commune/${communes[i % communes.length]}`, cold: N },
    { label: 'département page 21', url: () => '/territoires/departement/21', cold: N },
    {
      label: 'API fixe/commune',
      url: (i) => `/api/v1/observatoire/fixe/commune/${communes[i % communes.length]}`,
      cold: N,
    },
    { label: 'API fixe/region/27', url: () => '/api/v1/observatoire/fixe/region/27', cold: N },
  ];
  for (const p of pages) {
    const cold: number[] = [];
    for (let i = 0; i < p.cold; i++) {
      clearObservatoryCache(ctx);
      const s = performance.now();
      const r = await app.inject({ method: 'GET', url: p.url(i) });
      cold.push(performance.now() - s);
      if (r.statusCode !== 200) throw new Error(`${p.url(i)} → ${r.statusCode}`);
    }
    const warm: number[] = [];
    await app.inject({ method: 'GET', url: p.url(0) });
    for (let i = 0; i < N; i++) {
      const s = performance.now();
      await app.inject({
        method: 'GET',
        url: p.url(p.label.startsWith('commune') || p.label.startsWith('API fixe/commune') ? 0 : i),
      });
      warm.push(performance.now() - s);
    }
    console.log(
      `${p.label.padEnd(28)} cold (n=${String(p.cold).padStart(4)}) p50=${ms(pct(cold, 50)).padStart(7)} ms p95=${ms(pct(cold, 95)).padStart(7)} ms | warm (n=${N}) p50=${ms(pct(warm, 50)).padStart(7)} ms p95=${ms(pct(warm, 95)).padStart(7)} ms`,
    );
  }
  console.log(`peak RSS over the run: ${mb(Math.max(peak, process.memoryUsage().rss))}`);
  await app.close();
  await drop();
}

const pg = await openDb({ memory: true });
await onBackend('PGlite (in memory)', pg, () => pg.close());
const url = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
if (url) {
  const admin = await openDb({ databaseUrl: url });
  const name = `pan_bench_obs_${crypto.randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  const db = await openDb({ databaseUrl: u.toString() });
  await onBackend(`PostgreSQL (${u.host})`, db, async () => {
    await db.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.close();
  });
}
clearInterval(sampler);
