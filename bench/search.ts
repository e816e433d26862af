/**
 * Address search benchmark: in-process index vs a PostgreSQL text-search baseline (pg_trgm).
 *
 *   npm run bench:search                       # 150k (real Paris BAN) and 2M (synthetic)
 *   npm run bench:search -- --sizes 150k       # one size
 *   npm run bench:search -- --26M              # adds 26M (synthetic; several minutes, ~5 GB RAM)
 *   options: --duration 10 (HTTP seconds), --queries 2000, --baseline-queries 200, --no-baseline, --no-pglite, --seed 42,
 *            --chemin-production (HTTP with the rate limit on and the logger at info, as in production)
 *   DATABASE_URL=postgres://… adds a PostgreSQL server baseline next to PGlite.
 *
 * For each size: index build time and memory, p50/p99 latency in-process, HTTP throughput with
 * autocannon on 127.0.0.1 (the real route, in a child process so that the load generator does not
 * share the server's thread), then the same queries against pg_trgm (GIN index, `%` + similarity).
 * Last line: `search addresses=N p50_ms=… p99_ms=… rps=… baseline_p99_ms=… ratio_p99=…` (largest size).
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import pino from 'pino';
import { type AddressIndex, AddressIndexBuilder, type IndexInput } from '../src/addresses/index-search.ts';
import { createAddressesModule } from '../src/addresses/module.ts';
import { foldText } from '../src/addresses/normalize.ts';
import { readAddressFile } from '../src/addresses/read-file.ts';
import { setAddressIndex } from '../src/addresses/service.ts';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { Db } from '../src/db/db.ts';
import { insertJson } from '../src/db/db.ts';
import { migrate } from '../src/db/migrate.ts';
import { openDb } from '../src/db/open.ts';
import { departementOfCommune } from '../src/territories/codes.ts';
import { type Calibration, DEFAULT_SHARED, generateAddresses, loadCalibration, rng } from './generate-addresses.ts';

const SELF = fileURLToPath(import.meta.url);

// ---------------------------------------------------------------- autocannon child
if (process.argv[2] === '--autocannon-worker') {
  // @ts-expect-error -- autocannon ships no type declarations
  const { default: autocannon } = await import('autocannon');
  const spec = JSON.parse(fs.readFileSync(process.argv[3]!, 'utf8')) as {
    url: string;
    paths: string[];
    duration: number;
    connections: number;
  };
  let k = 0;
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.duration,
    pipelining: 1,
    // biome-ignore lint/suspicious/noExplicitAny: autocannon ships no type declarations
    requests: [{ method: 'GET', setupRequest: (req: any) => ({ ...req, path: spec.paths[k++ % spec.paths.length] }) }],
    // biome-ignore lint/suspicious/noExplicitAny: autocannon ships no type declarations
  } as any);
  process.send!({
    rps: result.requests.average,
    p99: result.latency.p99,
    p50: result.latency.p50,
    non2xx: result.non2xx,
    errors: result.errors,
    total: result.requests.total,
  });
  process.exit(0);
}

// ---------------------------------------------------------------- options
const args = process.argv.slice(2);
const flag = (n: string) => args.includes(`--${n}`);
const opt = (n: string, d: string) => {
  const i = args.indexOf(`--${n}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : d;
};
const parseSize = (s: string) => {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(s);
  if (!m) throw new Error(`size ${s}`);
  return Math.round(Number(m[1]) * (m[2]?.toLowerCase() === 'k' ? 1e3 : m[2]?.toLowerCase() === 'm' ? 1e6 : 1));
};
const sizes = opt('sizes', '150k,2M').split(',').map(parseSize);
if (flag('26M') && !sizes.includes(26e6)) sizes.push(26e6);
const DURATION = Number(opt('duration', '10'));
const NQ = Number(opt('queries', '2000'));
const NBQ = Number(opt('baseline-queries', '200'));
const SEED = Number(opt('seed', '42'));
const SHARED = path.resolve(opt('shared', DEFAULT_SHARED));
const PARIS = path.join(SHARED, 'addresses', 'ban-adresses-75-paris-2024-06.csv.gz');
const REAL_PARIS = 158_048;

const gc: () => void = (() => {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
})();
const mb = (b: number) => `${(b / 1048576).toFixed(0)} MB`;
const pct = (a: number[], p: number) => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const f2 = (x: number) => (x >= 10 ? x.toFixed(1) : x.toFixed(3));

// ---------------------------------------------------------------- data
let calibration: Calibration | null = null;
async function* rowsOf(size: number): AsyncGenerator<IndexInput> {
  if (size === REAL_PARIS || size === 150_000) {
    for await (const a of readAddressFile(PARIS)) yield { ...a, departement: departementOfCommune(a.code_insee) };
    return;
  }
  calibration ??= await loadCalibration(SHARED);
  yield* generateAddresses(calibration, size, SEED);
}

/** Queries as users type them, built from a sample of the addresses themselves. */
function makeQueries(sample: IndexInput[], n: number, seed: number): string[] {
  const r = rng(seed);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const a = sample[Math.floor(r() * sample.length)]!;
    const num = a.numero !== null ? `${a.numero}${a.suffixe ? ` ${a.suffixe}` : ''} ` : '';
    const city = a.commune.replace(/ \d+(er|e) Arrondissement$/, '');
    const x = r();
    if (x < 0.4) out.push(`${num}${a.voie} ${a.code_postal ?? ''} ${city}`.replace(/\s+/g, ' ').trim());
    else if (x < 0.6) out.push(foldText(`${num}${a.voie} ${city}`));
    else if (x < 0.8) {
      const full = `${num}${a.voie}`;
      out.push(full.slice(0, Math.max(6, Math.floor(full.length * (0.5 + r() * 0.5)))).trim());
    } else if (x < 0.9) out.push(`${a.voie} ${city}`);
    else {
      const words = `${num}${a.voie} ${city}`.split(' ');
      const wi = words.reduce((b, w, k) => (w.length > words[b]!.length ? k : b), 0);
      const w = words[wi]!;
      const p = 1 + Math.floor(r() * (w.length - 2));
      words[wi] = w.slice(0, p) + (w[p] === 'e' ? 'a' : 'e') + w.slice(p + 1);
      out.push(words.join(' '));
    }
  }
  return out;
}

// ---------------------------------------------------------------- measures
type Result = {
  size: number;
  buildS: number;
  memIndex: number;
  rss: number;
  heap: number;
  p50: number;
  p99: number;
  mean: number;
  rps: number;
  httpP99: number;
  base: Record<string, { p50: number; p99: number; rows: number; loadS: number }>;
};

async function buildIndex(
  size: number,
): Promise<{ index: AddressIndex; sample: IndexInput[]; readS: number; buildS: number }> {
  const b = new AddressIndexBuilder();
  const sample: IndexInput[] = [];
  const r = rng(SEED + 1);
  let n = 0;
  const t0 = performance.now();
  for await (const a of rowsOf(size)) {
    b.add(a);
    n++;
    // reservoir sample of 5 000 addresses for the queries
    if (sample.length < 5000) sample.push(a);
    else {
      const j = Math.floor(r() * n);
      if (j < 5000) sample[j] = a;
    }
  }
  const t1 = performance.now();
  const index = b.finish();
  const t2 = performance.now();
  return { index, sample, readS: (t1 - t0) / 1000, buildS: (t2 - t1) / 1000 };
}

/**
 * Wall-clock latency per query, and the process CPU time per query: on a shared machine the wall
 * clock also counts the time other processes hold the cores (the CPU figure does not).
 */
function inProcess(
  index: AddressIndex,
  queries: string[],
): { p50: number; p99: number; mean: number; cpuP50: number; cpuP99: number } {
  for (let k = 0; k < 3; k++) for (const q of queries) index.search(q, { limit: 10 });
  const times: number[] = [];
  const cpu: number[] = [];
  for (const q of queries) {
    const c = process.cpuUsage();
    const t = performance.now();
    index.search(q, { limit: 10 });
    times.push(performance.now() - t);
    const u = process.cpuUsage(c);
    cpu.push((u.user + u.system) / 1000);
  }
  return {
    p50: pct(times, 50),
    p99: pct(times, 99),
    mean: times.reduce((s, x) => s + x, 0) / times.length,
    cpuP50: pct(cpu, 50),
    cpuP99: pct(cpu, 99),
  };
}

type Http = { rps: number; p99: number; non2xx: number; total: number; cpuUs: number };
/**
 * The real route on 127.0.0.1. `cpuUs`: the server's CPU time per answered request, which the load of other
 * processes on a shared machine changes far less than the request rate. With --chemin-production the route
 * runs as in production: rate limit on (a limit never reached) and the logger at info (written to /dev/null).
 */
async function http(index: AddressIndex, queries: string[]): Promise<Http> {
  const db = await openDb({ memory: true });
  await migrate(db);
  const prod = flag('chemin-production');
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: prod ? 'info' : 'silent',
    DATA_DIR: path.join(os.tmpdir(), 'pan-bench'),
  });
  const log = prod ? pino({ level: 'info' }, pino.destination('/dev/null')) : pino({ level: 'silent' });
  const modules = [createAddressesModule({ rateLimit: prod ? { max: 1e9, timeWindow: '1 minute' } : false })];
  const { app, ctx } = await buildApp(config, { db, log, modules });
  setAddressIndex(ctx, index);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address() as { port: number };
  const spec = path.join(os.tmpdir(), `pan-bench-${process.pid}.json`);
  fs.writeFileSync(
    spec,
    JSON.stringify({
      url: `http://127.0.0.1:${addr.port}`,
      duration: DURATION,
      connections: 16,
      paths: queries.map((q) => `/api/v1/adresses/recherche?limit=10&q=${encodeURIComponent(q)}`),
    }),
  );
  try {
    const cpu0 = process.cpuUsage();
    const child = fork(SELF, ['--autocannon-worker', spec], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
    const res = await new Promise<Omit<Http, 'cpuUs'>>((resolve, reject) => {
      child.once('message', (m) => resolve(m as Omit<Http, 'cpuUs'>));
      child.once('exit', (code) => code && reject(new Error(`autocannon exited ${code}`)));
    });
    const cpu = process.cpuUsage(cpu0);
    return { ...res, cpuUs: (cpu.user + cpu.system) / Math.max(1, res.total) };
  } finally {
    fs.rmSync(spec, { force: true });
    await app.close();
    await db.close();
  }
}

type Base = { p50: number; p99: number; n: number };
/** Text-search baselines on the same rows: tsvector (GIN, AND of words, prefix on the last) and pg_trgm (GIN, % + similarity). */
async function baseline(
  db: Db,
  size: number,
  queries: string[],
  withTrgm: boolean,
): Promise<{ tsv: Base; trgm: Base | null; rows: number; loadS: number }> {
  const t0 = performance.now();
  await db.exec(
    `CREATE EXTENSION IF NOT EXISTS pg_trgm; DROP TABLE IF EXISTS bench_adresse; CREATE TABLE bench_adresse (id text PRIMARY KEY, label text NOT NULL, label_norm text NOT NULL);`,
  );
  let batch: { id: string; label: string; label_norm: string }[] = [];
  let rows = 0;
  const flush = async () => {
    if (batch.length)
      await insertJson(db, 'bench_adresse', { id: 'text', label: 'text', label_norm: 'text' }, batch, { chunk: 10000 });
    rows += batch.length;
    batch = [];
  };
  for await (const a of rowsOf(size)) {
    const label = `${a.numero !== null ? `${a.numero}${a.suffixe ? ` ${a.suffixe}` : ''} ` : ''}${a.voie} ${a.code_postal ?? ''} ${a.commune}`;
    batch.push({ id: a.id, label, label_norm: foldText(label) });
    if (batch.length >= 20000) await flush();
  }
  await flush();
  await db.exec(`CREATE INDEX bench_adresse_tsv ON bench_adresse USING gin (to_tsvector('simple', label_norm));`);
  if (withTrgm) await db.exec('CREATE INDEX bench_adresse_trgm ON bench_adresse USING gin (label_norm gin_trgm_ops);');
  await db.exec('ANALYZE bench_adresse');
  const loadS = (performance.now() - t0) / 1000;
  const measureOn = async (qs: string[], sql: string, arg: (q: string) => string): Promise<Base> => {
    for (const q of qs.slice(0, 3)) await db.query(sql, [arg(q)]);
    const times: number[] = [];
    for (const q of qs) {
      const t = performance.now();
      await db.query(sql, [arg(q)]);
      times.push(performance.now() - t);
    }
    return { p50: pct(times, 50), p99: pct(times, 99), n: times.length };
  };
  const tsq = (q: string) => {
    const w = foldText(q).split(' ').filter(Boolean);
    return w.map((x, i) => (i === w.length - 1 ? `${x}:*` : x)).join(' & ');
  };
  const tsv = await measureOn(
    queries,
    `SELECT id, label FROM bench_adresse WHERE to_tsvector('simple', label_norm) @@ to_tsquery('simple', $1)
    ORDER BY ts_rank(to_tsvector('simple', label_norm), to_tsquery('simple', $1)) DESC LIMIT 10`,
    tsq,
  );
  // pg_trgm takes seconds per query on PGlite: fewer queries there (the p99 is then the worst of them)
  const trgmQueries = db.kind === 'pglite' ? queries.slice(0, 50) : queries;
  const trgm = withTrgm
    ? await measureOn(
        trgmQueries,
        'SELECT id, label FROM bench_adresse WHERE label_norm % $1 ORDER BY similarity(label_norm, $1) DESC LIMIT 10',
        (q) => foldText(q),
      )
    : null;
  await db.exec('DROP TABLE bench_adresse');
  return { tsv, trgm, rows, loadS };
}

async function runSize(size: number): Promise<Result> {
  gc();
  const m0 = process.memoryUsage();
  console.log(
    `\n== ${size === REAL_PARIS || size === 150_000 ? `${REAL_PARIS} adresses (BAN Paris réelle)` : `${size.toLocaleString('fr-FR')} adresses synthétiques (graine ${SEED})`}`,
  );
  const { index, sample, readS, buildS } = await buildIndex(size);
  gc();
  const m1 = process.memoryUsage();
  console.log(
    `lecture/génération ${readS.toFixed(1)} s ; construction de l’index ${buildS.toFixed(1)} s ; ${index.size} adresses, ${index.streetCount} voies, ${index.tokenCount} mots`,
  );
  console.log(
    `mémoire : tableaux typés de l’index ${mb(index.memoryBytes())} ; RSS ${mb(m1.rss)} (+${mb(m1.rss - m0.rss)}) ; tas JS ${mb(m1.heapUsed)} ; ArrayBuffers ${mb(m1.arrayBuffers)}`,
  );
  const queries = makeQueries(sample, NQ, SEED + 2);
  const lat = inProcess(index, queries);
  console.log(
    `en mémoire : p50 ${f2(lat.p50)} ms ; p99 ${f2(lat.p99)} ms ; moyenne ${f2(lat.mean)} ms (${queries.length} requêtes, limit=10) ; temps CPU par requête p50 ${f2(lat.cpuP50)} ms, p99 ${f2(lat.cpuP99)} ms ; charge ${os.loadavg()[0]!.toFixed(1)}`,
  );
  const h = await http(index, queries);
  console.log(
    `charge ${os.loadavg()[0]!.toFixed(1)} ; HTTP (autocannon, 127.0.0.1, 16 connexions, ${DURATION} s${flag('chemin-production') ? ', chemin de production : limite de débit, journal info' : ''}) : ${h.rps.toFixed(0)} recherches/s ; p99 ${h.p99} ms ; réponses non 2xx ${h.non2xx} ; CPU du serveur ${h.cpuUs.toFixed(0)} µs par requête (≈ ${(1e6 / h.cpuUs).toFixed(0)} requêtes/s sur un cœur libre)`,
  );
  const base: Result['base'] = {};
  if (!flag('no-baseline')) {
    const bq = queries.slice(0, NBQ);
    const backends: [string, () => Promise<Db>][] = [];
    if (flag('no-pglite')) console.log('référence PGlite : non demandée (--no-pglite)');
    else if (size <= 3e6) backends.push(['pglite', () => openDb({ memory: true })]);
    else
      console.log(
        'référence PGlite : non mesurée à cette taille (chargement de plusieurs heures dans PGlite) ; donnez DATABASE_URL pour un serveur PostgreSQL',
      );
    if (process.env.DATABASE_URL) backends.push(['postgres', () => openDb({ databaseUrl: process.env.DATABASE_URL })]);
    for (const [name, open] of backends) {
      const db = await open();
      try {
        const withTrgm = size <= 200_000 || (name === 'postgres' && size <= 3e6);
        const b = await baseline(db, size, bq, withTrgm);
        console.log(`référence ${name} : chargement + index GIN ${b.loadS.toFixed(0)} s (${b.rows} lignes)`);
        console.log(
          `  tsvector (GIN, mots ET, préfixe sur le dernier, ts_rank) : p50 ${f2(b.tsv.p50)} ms ; p99 ${f2(b.tsv.p99)} ms (${b.tsv.n} requêtes) ; rapport p99 ${(b.tsv.p99 / lat.p99).toFixed(1)}×, p50 ${(b.tsv.p50 / lat.p50).toFixed(1)}×`,
        );
        if (b.trgm)
          console.log(
            `  pg_trgm (GIN, % + similarity) : p50 ${f2(b.trgm.p50)} ms ; p99 ${f2(b.trgm.p99)} ms (${b.trgm.n} requêtes) ; rapport p99 ${(b.trgm.p99 / lat.p99).toFixed(1)}×, p50 ${(b.trgm.p50 / lat.p50).toFixed(1)}×`,
          );
        else
          console.log(
            '  pg_trgm : non mesuré à cette taille sur PGlite (plusieurs secondes par requête dès 150 000 adresses)',
          );
        // the ratio is computed against the faster of the two baselines
        const best = b.trgm && b.trgm.p99 < b.tsv.p99 ? b.trgm : b.tsv;
        base[name] = { p50: best.p50, p99: best.p99, rows: b.rows, loadS: b.loadS };
      } finally {
        await db.close();
      }
    }
  }
  return {
    size: index.size,
    buildS,
    memIndex: index.memoryBytes(),
    rss: m1.rss,
    heap: m1.heapUsed,
    p50: lat.p50,
    p99: lat.p99,
    mean: lat.mean,
    rps: h.rps,
    httpP99: h.p99,
    base,
  };
}

const results: Result[] = [];
console.log(
  `machine : ${os.cpus().length} cœurs, ${mb(os.totalmem())} ; charge moyenne au départ ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' / ')} (1/5/15 min) — d’autres processus partagent les cœurs si elle dépasse ~1`,
);
for (const s of sizes) results.push(await runSize(s));
console.log(
  `charge moyenne à la fin ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' / ')}`,
);
console.log('\n== résumé');
for (const r of results) {
  const b = r.base.postgres ?? r.base.pglite;
  console.log(
    `${String(r.size).padStart(9)} adresses : index ${r.buildS.toFixed(1)} s, ${mb(r.memIndex)} (RSS ${mb(r.rss)}) ; p50 ${f2(r.p50)} ms, p99 ${f2(r.p99)} ms ; HTTP ${r.rps.toFixed(0)}/s${b ? ` ; meilleure référence SQL p99 ${f2(b.p99)} ms → ${(b.p99 / r.p99).toFixed(0)}× plus lente` : ''}`,
  );
}
const last = results[results.length - 1]!;
const lb = last.base.postgres ?? last.base.pglite;
console.log(
  `search addresses=${last.size} p50_ms=${last.p50.toFixed(3)} p99_ms=${last.p99.toFixed(3)} rps=${last.rps.toFixed(0)} baseline_p99_ms=${lb ? lb.p99.toFixed(1) : 'NA'} ratio_p99=${lb ? (lb.p99 / last.p99).toFixed(1) : 'NA'}`,
);
process.exit(0);
