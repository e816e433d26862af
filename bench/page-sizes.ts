/**
 * Size of the HTML of the public pages after importing real data (no timing: sizes only).
 *
 *   node --import tsx bench/page-sizes.ts            # BFC instance (REGION=27)
 *   REGION=28 node --import tsx bench/page-sizes.ts  # Normandie instance
 *
 * Imports, on an in-memory PGlite, the commune contours of both régions (IGN, 2018), the EPCI,
 * département and région contours (2025), ARCEP's 2018 T1 observatory sheets, Ma connexion internet
 * 2022 T4 for BFC and Normandie and the BANO addresses of the Territoire de Belfort, then prints the
 * size of each page and the heaviest one. Goal: every public page under 150 KB of HTML.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { buildApp } from '../src/app.ts';
import { prepareDatabase } from '../src/bootstrap.ts';
import { loadConfig } from '../src/config.ts';
import { openDb } from '../src/db/open.ts';
import { shared } from '../test/helpers.ts';

const REGION = process.env.REGION ?? '27';
const log = pino({ level: 'silent' });
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'page-sizes-'));
const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dataDir, REGION });
const db = await openDb({ memory: true });
await prepareDatabase(db, config, log);
const { app, ctx } = await buildApp(config, { db, log });
await app.ready();

const b18 = (f: string) => shared('boundaries', 'france-geojson-2018', f);
const b25 = (f: string) => shared('boundaries', 'ngeofr-2025', f);
const a = (f: string) => shared('arcep-fixe', f);
const sheets = fs.mkdtempSync(path.join(dataDir, 'sheets-'));
for (const s of [
  'ftthCommunes',
  'communes',
  'ftthDepartements',
  'departements',
  'ftthRegions',
  'regions',
  'ftthEpci',
  'epci',
]) {
  fs.symlinkSync(a(`arcep-obs-thd-2018t1-${s}.csv.gz`), path.join(sheets, `arcep-obs-thd-2018t1-${s}.csv.gz`));
}
const imports: [string, string, unknown?][] = [
  ['contours', b18('communes-bourgogne-franche-comte.geojson.gz'), { niveau: 'commune' }],
  ['contours', b18('communes-normandie.geojson.gz'), { niveau: 'commune' }],
  ['contours', b25('epci-bfc-normandie-2025.geojson.gz'), { niveau: 'epci' }],
  ['contours', b25('departements-fra-2025.geojson.gz'), { niveau: 'departement' }],
  ['contours', b25('regions-fra-2025.geojson.gz'), { niveau: 'region' }],
  ['arcep-deploiements', sheets],
  ['mci-communes', a('mci-commune-debit-2022t4-bfc-normandie.csv.gz')],
  ['adresses', shared('addresses', 'bano-90-territoire-de-belfort-2015-03.csv.gz')],
];
for (const [job, source, options] of imports) {
  const run = await ctx.runImport({ job, source, startedBy: 'bench', ...(options ? { options } : {}) });
  console.log(`import ${job.padEnd(20)} ${path.basename(source).padEnd(48)} ${run.status}`);
}

const biggest = async (sql: string) => (await db.query<{ code: string }>(sql, [REGION])).rows[0]!.code;
const dept = await biggest(
  `SELECT departement AS code FROM commune WHERE region = $1 GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`,
);
const epci = await biggest(
  `SELECT c.epci AS code FROM commune c WHERE c.region = $1 AND c.epci IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`,
);
const commune = await biggest(`SELECT code FROM commune WHERE region = $1 ORDER BY population DESC NULLS LAST LIMIT 1`);
const adresse = (await db.query<{ id: string }>(`SELECT id FROM adresse ORDER BY id LIMIT 1`)).rows[0]?.id;

const pages = [
  '/',
  '/territoires',
  `/territoires/region/${REGION}`,
  `/territoires/departement/${dept}`,
  `/territoires/departement/${dept}/communes`,
  `/territoires/epci/${epci}`,
  `/territoires/commune/${commune}`,
  '/territoires/recherche?q=saint',
  '/observatoire',
  `/observatoire?niveau=departement&code=${dept}`,
  `/observatoire?niveau=epci&code=${epci}`,
  '/observatoire?niveau=france&code=FR',
  '/observatoire/objectifs',
  '/eligibilite',
  '/eligibilite/donnees',
  ...(adresse ? [`/eligibilite/adresse/${adresse}`] : []),
  '/adresses/recherche?q=rue+de+belfort',
  '/donnees',
  '/donnees/collectivites',
  '/donnees/communes',
  '/donnees/registre',
  '/licences',
  '/plan-du-site',
  '/mentions-legales',
];
let max = { url: '', size: 0 };
console.log(
  `\nRégion ${REGION}: plus grand département ${dept}, plus grand EPCI ${epci}, plus grande commune ${commune}`,
);
for (const url of pages) {
  const r = await app.inject({ method: 'GET', url });
  const size = Buffer.byteLength(r.body);
  if (size > max.size) max = { url, size };
  console.log(`${String(r.statusCode).padEnd(4)} ${(size / 1024).toFixed(1).padStart(7)} KB  ${url}`);
}
console.log(`\nheaviest public page: ${max.url} ${(max.size / 1024).toFixed(1)} KB (goal < 150 KB)`);
await app.close();
await db.close();
fs.rmSync(dataDir, { recursive: true, force: true });
