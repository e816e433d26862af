/**
 * Nearest-place benchmark of the accessibility indicators: N synthetic address points (2 million by default)
 * against the national places (France Services 2024, CNFS 2022 and data·inclusion 2022 national files, merged by
 * the import jobs), with the in-process search the `accessibilite` job uses (`NearestIndex`: kdbush + geokdbush,
 * candidates per grid cell). With DATABASE_URL on a server that has PostGIS, the same points against the same
 * places with PostGIS KNN (`ORDER BY geog <-> point LIMIT 1`, GiST index, geography).
 *
 *   npm run bench:accessibilite                     # 2,000,000 points
 *   npm run bench:accessibilite -- --points 500000 --seed 7
 *   DATABASE_URL=postgres://… npm run bench:accessibilite
 *
 * Synthetic points: 80 % scattered around the places (Gaussian, σ ≈ 3 km, as towns are), 20 % uniform over
 * metropolitan France's bounding box. Timed: the nearest search of every point (category « tous »), index
 * build included; a second line times all five indicator categories. Last line:
 * `accessibilite points=N places=M seconds=S postgis_seconds=P ratio=R` (P and R are NA without PostGIS).
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { categoryIndexes, INDICATOR_CATEGORIES } from '../src/inclusion/accessibility.ts';
import { NearestIndex } from '../src/inclusion/nearest.ts';
import { backends, setup, shared } from '../test/helpers.ts';

const { values } = parseArgs({
  options: { points: { type: 'string', default: '2000000' }, seed: { type: 'string', default: '42' } },
});
const N = Number(values.points);

/** Small seeded PRNG (mulberry32), so that runs compare. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const t = await setup(backends()[0]!);
for (const [job, file] of [
  ['france-services', shared('france-services', 'liste-france-services-20240801-national.csv.gz')],
  ['lieux-mediation', shared('mediation-numerique', 'lieux-cnfs-national-2022.json.gz')],
  ['lieux-mediation', shared('mediation-numerique', 'lieux-mediation-numerique-data-inclusion-national-2022.json.gz')],
] as const) {
  const r = await t.ctx.runImport({ job, source: file, startedBy: 'bench' });
  console.log(`${job} ${file.split('/').pop()}: ${r.status} — ${r.message}`);
}
const places = (
  await t.db.query<{
    id: number;
    nom: string;
    lon: number;
    lat: number;
    categories: string[];
    code_insee: string | null;
  }>('SELECT id, nom, lon, lat, categories, code_insee FROM inclusion_lieu ORDER BY id')
).rows;
await t.close();
const metro = places.filter((p) => p.lon > -5.5 && p.lon < 10 && p.lat > 41 && p.lat < 51.5);

const rand = rng(Number(values.seed));
const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
const lon = new Float64Array(N);
const lat = new Float64Array(N);
for (let i = 0; i < N; i++) {
  if (rand() < 0.8) {
    const p = metro[Math.floor(rand() * metro.length)]!;
    lat[i] = p.lat + gauss() * 0.027;
    lon[i] = p.lon + (gauss() * 0.027) / Math.cos((p.lat * Math.PI) / 180);
  } else {
    lon[i] = -4.8 + rand() * 13;
    lat[i] = 42.3 + rand() * 8.8;
  }
}
console.log(`${N} points synthétiques, ${places.length} lieux (${metro.length} en métropole)`);

const outIdx = new Int32Array(N);
const outKm = new Float32Array(N);
let t0 = performance.now();
new NearestIndex(
  places.map((p) => p.lon),
  places.map((p) => p.lat),
).nearestAll(lon, lat, outIdx, outKm);
const seconds = (performance.now() - t0) / 1000;
let sum = 0;
for (let i = 0; i < N; i++) sum += outKm[i]!;
console.log(`en mémoire (tous) : ${seconds.toFixed(2)} s, distance moyenne ${(sum / N).toFixed(2)} km`);

t0 = performance.now();
const idx = categoryIndexes(places);
for (const c of INDICATOR_CATEGORIES) idx[c].index.nearestAll(lon, lat, outIdx, outKm);
console.log(
  `en mémoire (${INDICATOR_CATEGORIES.length} catégories : ${INDICATOR_CATEGORIES.join(', ')}) : ${((performance.now() - t0) / 1000).toFixed(2)} s`,
);

let postgis: number | null = null;
if (process.env.DATABASE_URL) {
  const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await c.connect();
  const has = (await c.query("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")).rowCount;
  if (!has) console.log('PostGIS absent de ce serveur : pas de comparaison');
  else {
    await c.query('CREATE EXTENSION IF NOT EXISTS postgis');
    await c.query('CREATE TEMP TABLE b_lieu (id int, g geography(Point, 4326))');
    await c.query('CREATE TEMP TABLE b_pt (id int, g geography(Point, 4326))');
    await c.query(
      `INSERT INTO b_lieu SELECT (r->>'id')::int, ST_MakePoint((r->>'lon')::float8, (r->>'lat')::float8)::geography
       FROM json_array_elements($1::json) r`,
      [JSON.stringify(places.map((p) => ({ id: p.id, lon: p.lon, lat: p.lat })))],
    );
    for (let i = 0; i < N; i += 50_000) {
      const part = [];
      for (let k = i; k < Math.min(N, i + 50_000); k++) part.push([k, lon[k], lat[k]]);
      await c.query(
        `INSERT INTO b_pt SELECT (r->>0)::int, ST_MakePoint((r->>1)::float8, (r->>2)::float8)::geography
         FROM json_array_elements($1::json) r`,
        [JSON.stringify(part)],
      );
    }
    await c.query('CREATE INDEX ON b_lieu USING gist (g)');
    await c.query('ANALYZE b_lieu');
    t0 = performance.now();
    await c.query(
      `SELECT count(*) FROM b_pt p CROSS JOIN LATERAL (SELECT l.id FROM b_lieu l ORDER BY l.g <-> p.g LIMIT 1) n`,
    );
    postgis = (performance.now() - t0) / 1000;
    console.log(`PostGIS KNN : ${postgis.toFixed(2)} s`);
  }
  await c.end();
}

console.log(
  `accessibilite points=${N} places=${places.length} seconds=${seconds.toFixed(2)} postgis_seconds=${postgis === null ? 'NA' : postgis.toFixed(2)} ratio=${postgis === null ? 'NA' : (postgis / seconds).toFixed(1)}`,
);
