/**
 * Building → address matching at scale, on real addresses: Paris BAN 2024 (158k addresses).
 * A base_imb file is generated from those addresses, deterministically (seeded): 40 % of the
 * buildings carry the BAN key (addr_source=ban), 40 % only an operator-style address (the
 * file's own AFNOR street name with ARCEP's abbreviations applied in reverse: R, AV, BD, ST…)
 * 5–40 m from the address point, 20 % are cadastre points with no number 3–60 m away. The
 * `mci-immeubles` job is then timed, and each building's match is checked against the address it
 * was generated from.
 *
 *   node --import tsx bench/eligibility-matching.ts (npm run bench:eligibility) [buildings=100000]
 *
 * Last line: `matching buildings=N import_s=… rows_per_s=… match_rate=… correct_rate=… answer_p50_ms=… answer_p99_ms=…`
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import pino from 'pino';
import { buildApp } from '../src/app.ts';
import { prepareDatabase } from '../src/bootstrap.ts';
import { loadConfig } from '../src/config.ts';
import { openDb } from '../src/db/open.ts';
import { TYPE_VOIE } from '../src/eligibility/street.ts';

const N = Number(process.argv[2] ?? 100000);
const ROOT = path.join(path.dirname(new URL(import.meta.url).pathname), '..');
const DATA = process.env.SHARED_DATA_DIR ?? path.join(ROOT, '..', 'shared', 'data');
const PARIS = path.join(DATA, 'addresses', 'ban-adresses-75-paris-2024-06.csv.gz');

// mulberry32: small, seeded, good enough for sampling.
let seed = 42;
const rnd = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
  return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
};

// Reverse of ARCEP's street-type table: the first (shortest) abbreviation of each designation.
const ABBR = new Map<string, string>();
for (const [abbr, full] of Object.entries(TYPE_VOIE))
  if (!ABBR.has(full) || abbr.length < ABBR.get(full)!.length) ABBR.set(full, abbr);

function operatorName(afnor: string): string {
  const words = afnor.toLowerCase().split(/\s+/);
  for (const n of [2, 1]) {
    const head = words.slice(0, n).join(' ');
    if (ABBR.has(head))
      return [ABBR.get(head)!, ...words.slice(n)]
        .join(' ')
        .replace(/\bsaint\b/g, 'st')
        .toUpperCase();
  }
  return afnor.replace(/\bSAINT\b/g, 'ST');
}

function offset(lon: number, lat: number, metres: number): [number, number] {
  const a = rnd() * 2 * Math.PI;
  return [
    lon + (Math.cos(a) * metres) / (111320 * Math.cos((lat * Math.PI) / 180)),
    lat + (Math.sin(a) * metres) / 110574,
  ];
}

async function main() {
  const log = pino({ level: process.env.BENCH_LOG ?? 'silent' });
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: path.join(os.tmpdir(), 'pan-bench-elig'),
    LOG_LEVEL: 'silent',
  });
  const db = await openDb(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : { memory: true });
  await prepareDatabase(db, config, log);
  const { app, ctx } = await buildApp(config, { db, log });
  await app.ready();
  let t0 = Date.now();
  const addr = await ctx.runImport({ job: 'adresses', source: PARIS, startedBy: 'bench' });
  console.log(`adresses: ${addr.status} ${addr.rows_accepted} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const lines = zlib.gunzipSync(fs.readFileSync(PARIS)).toString('utf8').trim().split('\n');
  const head = lines[0]!.split(';');
  const col = (n: string) => head.indexOf(n);
  const rows = lines
    .slice(1)
    .map((l) => l.split(';'))
    .filter((f) => f[col('numero')] && Number(f[col('numero')]) > 0 && Number(f[col('numero')]) < 5000);
  const out = [
    'imb_id;imb_longitude;imb_latitude;imb_code;imb_code_insee;imb_nbr_logloc;imb_source;imb_type;addr_code;imb_num;addr_numero;addr_rep;addr_nom_voie;addr_nom_ld;addr_code_insee;addr_nom_commune;addr_id_fantoir;addr_source',
  ];
  const truth = new Map<string, { id: string; kind: string }>();
  for (let i = 0; i < N; i++) {
    const f = rows[Math.floor(rnd() * rows.length)]!;
    const id = String(7500000 + i);
    const lon = Number(f[col('lon')]);
    const lat = Number(f[col('lat')]);
    const r = rnd();
    const kind = r < 0.4 ? 'ban' : r < 0.8 ? 'fo' : 'cada';
    const [x, y] =
      kind === 'ban'
        ? offset(lon, lat, rnd() * 10)
        : kind === 'fo'
          ? offset(lon, lat, 5 + rnd() * 35)
          : offset(lon, lat, 3 + rnd() * 57);
    truth.set(id, { id: f[col('id')]!, kind });
    const ci = f[col('code_insee')]!;
    if (kind === 'ban')
      out.push(
        `${id};${x.toFixed(6)};${y.toFixed(6)};;${ci};${1 + Math.floor(rnd() * 20)};ban;;${f[col('id')]};;${f[col('numero')]};${f[col('rep')]};${f[col('nom_voie')]};;${ci};PARIS;;ban`,
      );
    else if (kind === 'fo')
      out.push(
        `${id};${x.toFixed(6)};${y.toFixed(6)};IMB/${ci}/X/${i};${ci};${1 + Math.floor(rnd() * 40)};fo;imm;IMB/${ci}/X/${i};;${f[col('numero')]};${(f[col('rep')] ?? '').slice(0, 1).toUpperCase()};${operatorName(f[col('nom_afnor')]!)};;${ci};PARIS;;fo`,
      );
    else out.push(`${id};${x.toFixed(6)};${y.toFixed(6)};;${ci};1;cada;;C${i};;;;;;${ci};PARIS;;cada`);
  }
  const file = path.join(os.tmpdir(), `base_imb_bench_${N}.csv`);
  fs.writeFileSync(file, `${out.join('\n')}\n`);

  t0 = Date.now();
  const run = await ctx.runImport({ job: 'mci-immeubles', source: file, startedBy: 'bench', force: true });
  const importS = (Date.now() - t0) / 1000;
  console.log(`mci-immeubles: ${run.status} — ${run.message}`);
  const got = (
    await db.query<{ imb_id: string; adresse_id: string | null; appariement: string }>(
      'SELECT imb_id, adresse_id, appariement FROM mci_immeuble',
    )
  ).rows;
  const byKind: Record<string, { n: number; matched: number; correct: number; methods: Record<string, number> }> = {};
  for (const g of got) {
    const tr = truth.get(g.imb_id)!;
    const k = (byKind[tr.kind] ??= { n: 0, matched: 0, correct: 0, methods: {} });
    k.n++;
    if (g.adresse_id) k.matched++;
    if (g.adresse_id === tr.id) k.correct++;
    k.methods[g.appariement] = (k.methods[g.appariement] ?? 0) + 1;
  }
  if (process.env.BENCH_SHOW_MISSES) {
    const misses = got
      .filter((g) => truth.get(g.imb_id)!.kind === 'fo' && g.appariement !== 'voie_numero')
      .slice(0, 15);
    for (const m of misses)
      console.log(
        'miss',
        m.imb_id,
        out
          .find((l) => l.startsWith(`${m.imb_id};`))
          ?.split(';')
          .slice(10, 13)
          .join(' '),
        '←',
        truth.get(m.imb_id)!.id,
      );
  }
  for (const [kind, k] of Object.entries(byKind)) {
    console.log(
      `${kind}: ${k.n} buildings, matched ${((100 * k.matched) / k.n).toFixed(1)} %, to their own address ${((100 * k.correct) / k.n).toFixed(1)} % — ${JSON.stringify(k.methods)}`,
    );
  }
  // Answer latency (in-process HTTP) on addresses carrying buildings.
  const ids = [...new Set(got.filter((g) => g.adresse_id).map((g) => g.adresse_id!))].slice(0, 1000);
  const times: number[] = [];
  for (const [i, id] of ids.entries()) {
    const s = process.hrtime.bigint();
    // One client address per request: the public API is rate-limited per client.
    const r = await app.inject({
      method: 'GET',
      url: `/api/v1/eligibilite?adresse_id=${encodeURIComponent(id)}`,
      remoteAddress: `10.0.${i >> 8}.${i & 255}`,
    });
    times.push(Number(process.hrtime.bigint() - s) / 1e6);
    if (r.statusCode !== 200) throw new Error(r.body);
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(2);
  const matched = got.filter((g) => g.adresse_id).length;
  const correct = got.filter((g) => g.adresse_id === truth.get(g.imb_id)!.id).length;
  await app.close();
  await db.close();
  fs.rmSync(file, { force: true });
  console.log(
    `matching buildings=${got.length} import_s=${importS.toFixed(1)} rows_per_s=${Math.round(got.length / importS)} match_rate=${(matched / got.length).toFixed(4)} correct_rate=${(correct / got.length).toFixed(4)} answer_p50_ms=${q(0.5)} answer_p99_ms=${q(0.99)}`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
