/**
 * Load benchmark (issue 8, "bench:charge"; issue 9, "reads during an import"). Loopback only.
 *
 * Phase 1 — two instances on one PostgreSQL (DATABASE_URL, or a temporary server made with initdb
 * from /usr/lib/postgresql/<version>/bin), mixed traffic at fixed rates (pages, API, address search)
 * while address imports run through the CLI one after the other. Prints errors, p50/p99 per route
 * and the RSS growth of each instance (after warm-up to the end).
 * Phase 2 — one instance on the embedded database, database pages while the Paris addresses are
 * re-imported through the server (CLI hand-off), three times (identical file, many rows removed, many
 * rows added): p99 of a database page during each import.
 *
 *   npm run bench:charge                      # 10 minutes of phase 1, then phase 2
 *   npm run bench:charge -- --duree 60        # quick run
 *   npm run bench:charge -- --phase embarquee # phase 2 only
 *
 * Rates stay under the per-client rate limits (every request here comes from 127.0.0.1).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const DATA = path.resolve(process.env.SHARED_DATA_DIR ?? path.join(ROOT, '..', 'shared', 'data'));
const PARIS = path.join(DATA, 'addresses', 'ban-adresses-75-paris-2024-06.csv.gz');

const { values: args } = parseArgs({
  options: { duree: { type: 'string', default: '600' }, phase: { type: 'string', default: 'toutes' } },
});
const DURATION_S = Number(args.duree);
if (!Number.isFinite(DURATION_S) || DURATION_S < 10) throw new Error('--duree : un nombre de secondes ≥ 10');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pan-charge-'));
const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  fs.rmSync(tmp, { recursive: true, force: true });
});

// ---------- test data: real Paris addresses, and a cut version so that re-imports change rows ----------
const parisLines = zlib.gunzipSync(fs.readFileSync(PARIS)).toString('utf8').split('\n');
const PARIS_PART = path.join(tmp, 'paris-partiel.csv');
fs.writeFileSync(PARIS_PART, `${parisLines.slice(0, 100_001).join('\n')}\n`);
const sample = parisLines
  .slice(1)
  .filter((_, i) => i % 997 === 0)
  .map((l) => l.split(';'));
// BAN columns: id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;…;lon;lat
const queries = sample.map((f) => `${f[2]} ${f[4]} ${f[5]}`.toLowerCase());
const ids = sample.map((f) => f[0]!);
const points = sample.map((f) => [f[12], f[13]] as const);

/** A port the OS says is free now (a fixed range collides with other test runs on the machine). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

// ---------- processes ----------
function startInstance(env: Record<string, string>, port: number): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', PORT: String(port), ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(proc);
  return (async () => {
    for (let i = 0; i < 600; i++) {
      if (
        await fetch(`http://127.0.0.1:${port}/api/ready`).then(
          (r) => r.ok,
          () => false,
        )
      )
        return proc;
      if (proc.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`instance on port ${port} did not become ready`);
  })();
}

function cliImport(
  env: Record<string, string>,
  file: string,
): Promise<{ code: number | null; ms: number; out: string }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const p = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', 'import', 'adresses', '--force', '--initialiser', file],
      {
        cwd: ROOT,
        env: { ...process.env, LOG_LEVEL: 'warn', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.push(p);
    let out = '';
    p.stdout!.on('data', (d) => (out += d));
    p.stderr!.on('data', (d) => (out += d));
    p.on('exit', (code) => resolve({ code, ms: performance.now() - t0, out }));
  });
}

const rssKb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);

async function temporaryPostgres(): Promise<{ url: string; stop(): void }> {
  const versions = fs.readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  if (!versions.length)
    throw new Error('PostgreSQL absent : donnez DATABASE_URL ou installez le paquet Debian postgresql');
  const bin = path.join('/usr/lib/postgresql', versions[0]!, 'bin');
  // PostgreSQL refuses to run as root: as root, the server runs as the Debian package's user.
  const asRoot = process.getuid?.() === 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pan-charge-pg-'));
  const run = (cmd: string, a: string[]) =>
    (asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...a]] : [cmd, a]) as [string, string[]];
  if (asRoot) spawnSync('chown', ['postgres:postgres', dir]);
  const port = await freePort();
  const init = spawnSync(
    ...run(path.join(bin, 'initdb'), ['-D', dir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C']),
    { encoding: 'utf8' },
  );
  if (init.status !== 0) throw new Error(`initdb : ${init.stderr}`);
  const pg = spawn(
    ...run(path.join(bin, 'postgres'), [
      '-D',
      dir,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
    ]),
    { stdio: 'ignore' },
  );
  children.push(pg);
  for (let i = 0; i < 60; i++) {
    await new Promise((r) => setTimeout(r, 500));
    if (spawnSync(path.join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)]).status === 0) break;
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  // pg_ctl rather than a signal: under runuser the signal would not reach the server.
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    spawnSync(...run(path.join(bin, 'pg_ctl'), ['stop', '-D', dir, '-m', 'fast']), { stdio: 'ignore' });
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', stop);
  return { url, stop };
}

// ---------- traffic ----------
type Route = { name: string; perSecond: number; url: (i: number) => string; database: boolean };
const pick = <T>(a: readonly T[], i: number) => a[i % a.length]!;
const ROUTES: Route[] = [
  { name: 'page /', perSecond: 4, url: () => '/', database: false },
  { name: 'page /territoires/departement/21', perSecond: 4, url: () => '/territoires/departement/21', database: true },
  { name: 'page /observatoire', perSecond: 2, url: () => '/observatoire', database: true },
  {
    name: 'page /eligibilite/adresse/:id',
    perSecond: 2,
    url: (i) => `/eligibilite/adresse/${encodeURIComponent(pick(ids, i))}`,
    database: true,
  },
  {
    name: 'API territoire',
    perSecond: 8,
    url: (i) => `/api/v1/territoires/commune/${pick(['21231', '25056', '75056', '90010', '71270'], i)}`,
    database: true,
  },
  { name: 'API observatoire', perSecond: 4, url: () => '/api/v1/observatoire/fixe/departement/21', database: true },
  {
    name: 'API adresses/recherche',
    perSecond: 4,
    url: (i) => `/api/v1/adresses/recherche?q=${encodeURIComponent(pick(queries, i))}`,
    database: false,
  },
  {
    name: 'API adresses/inverse',
    perSecond: 2,
    url: (i) => `/api/v1/adresses/inverse?lon=${pick(points, i)[0]}&lat=${pick(points, i)[1]}`,
    database: false,
  },
  {
    name: 'API eligibilite',
    perSecond: 0.8,
    url: (i) => `/api/v1/eligibilite?adresse_id=${encodeURIComponent(pick(ids, i))}`,
    database: true,
  },
];

type Sample = { route: string; base: string; ms: number; status: number; at: number };

/** Open loop: each route fires at its rate whatever the answers' speed (latency is not hidden by waiting). */
function drive(bases: string[], routes: Route[], until: () => boolean, out: Sample[]): Promise<void> {
  const inflight = new Set<Promise<void>>();
  return new Promise((resolve) => {
    const timers = routes.flatMap((r) =>
      bases.map((base, b) => {
        let i = b * 7;
        return setInterval(() => {
          if (until()) return;
          const n = i++;
          const at = performance.now();
          const p = fetch(base + r.url(n), { headers: { accept: 'text/html,application/json' } })
            .then(
              async (res) => {
                await res.arrayBuffer();
                out.push({ route: r.name, base, ms: performance.now() - at, status: res.status, at });
              },
              () => {
                out.push({ route: r.name, base, ms: performance.now() - at, status: 0, at });
              },
            )
            .finally(() => inflight.delete(p));
          inflight.add(p);
        }, 1000 / r.perSecond);
      }),
    );
    const check = setInterval(async () => {
      if (!until()) return;
      clearInterval(check);
      for (const t of timers) clearInterval(t);
      await Promise.all([...inflight]);
      resolve();
    }, 100);
  });
}

const q = (xs: number[], p: number) => {
  if (!xs.length) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};
const fmt = (x: number) => (Number.isNaN(x) ? '—' : x < 10 ? x.toFixed(1) : Math.round(x).toString());

function report(title: string, samples: Sample[]) {
  console.log(`\n${title}`);
  console.log(
    `${'route'.padEnd(36)} ${'n'.padStart(6)} ${'err'.padStart(5)} ${'429'.padStart(5)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)}`,
  );
  const names = [...new Set(samples.map((s) => s.route))];
  for (const name of [...names, 'toutes']) {
    const xs = name === 'toutes' ? samples : samples.filter((s) => s.route === name);
    const err = xs.filter(
      (s) => s.status === 0 || s.status >= 500 || (s.status >= 400 && s.status !== 429 && s.status !== 404),
    ).length;
    const limited = xs.filter((s) => s.status === 429).length;
    const ms = xs.map((s) => s.ms);
    console.log(
      `${name.padEnd(36)} ${String(xs.length).padStart(6)} ${String(err).padStart(5)} ${String(limited).padStart(5)} ${fmt(q(ms, 0.5)).padStart(8)} ${fmt(q(ms, 0.99)).padStart(8)} ${fmt(Math.max(...ms)).padStart(8)}`,
    );
  }
}

async function phaseServer() {
  const given = process.env.DATABASE_URL;
  const pg = given ? undefined : await temporaryPostgres();
  const url = given ?? pg!.url;
  console.log(
    `Phase 1 : deux instances sur PostgreSQL (${given ? 'DATABASE_URL' : `serveur temporaire ${url}`}), ${DURATION_S} s de trafic pendant des imports d’adresses.`,
  );
  const env = { DATABASE_URL: url, DATA_DIR: path.join(tmp, 'i1') };
  const first = await cliImport(env, PARIS);
  if (first.code !== 0) throw new Error(`import initial : ${first.out}`);
  const ports = [await freePort(), await freePort()];
  const procs = await Promise.all(
    ports.map((port, i) => startInstance({ DATABASE_URL: url, DATA_DIR: path.join(tmp, `i${i + 1}`) }, port)),
  );
  const bases = ports.map((p) => `http://127.0.0.1:${p}`);
  const samples: Sample[] = [];
  const t0 = performance.now();
  const end = t0 + DURATION_S * 1000;
  const warm = t0 + Math.min(60_000, DURATION_S * 100);
  let rssWarm: number[] = [];
  setTimeout(() => (rssWarm = procs.map((p) => rssKb(p.pid!))), warm - t0);
  const imports: { ms: number; code: number | null }[] = [];
  const importing = (async () => {
    await new Promise((r) => setTimeout(r, Math.min(10_000, DURATION_S * 100)));
    for (let k = 0; performance.now() < end - 5000; k++) {
      const r = await cliImport(env, k % 2 ? PARIS : PARIS_PART);
      imports.push({ ms: r.ms, code: r.code });
      if (r.code !== 0)
        console.log(`import en échec (code ${r.code}) : ${r.out.trim().split('\n').slice(-3).join(' / ')}`);
    }
  })();
  await drive(bases, ROUTES, () => performance.now() > end, samples);
  const rssEnd = procs.map((p) => rssKb(p.pid!));
  await importing;
  report(
    `Phase 1 — ${samples.length} requêtes en ${DURATION_S} s sur 2 instances ; ${imports.length} imports d’adresses Paris (${imports.filter((i) => i.code === 0).length} réussis, ${imports.map((i) => `${(i.ms / 1000).toFixed(1)} s`).join(', ')})`,
    samples,
  );
  procs.forEach((_p, i) => {
    const g = rssWarm[i] ? ((rssEnd[i]! - rssWarm[i]!) / rssWarm[i]!) * 100 : Number.NaN;
    console.log(
      `RSS instance ${i + 1} : ${(rssWarm[i]! / 1024).toFixed(0)} Mo après échauffement → ${(rssEnd[i]! / 1024).toFixed(0)} Mo à la fin (${g >= 0 ? '+' : ''}${g.toFixed(1)} %)`,
    );
  });
  const api = samples.filter((s) => s.route.startsWith('API')).map((s) => s.ms);
  console.log(
    `p99 de l’API : ${fmt(q(api, 0.99))} ms (objectif < 50 ms) ; erreurs : ${samples.filter((s) => s.status === 0 || s.status >= 500).length} (objectif 0)`,
  );
  for (const p of procs) p.kill('SIGTERM');
  await Promise.all(procs.map((p) => new Promise((r) => (p.exitCode !== null ? r(null) : p.on('exit', r)))));
  pg?.stop();
}

async function phaseEmbedded() {
  console.log('\nPhase 2 : une instance sur la base embarquée, imports des adresses de Paris confiés au serveur.');
  const env = { DATABASE_URL: '', DATA_DIR: path.join(tmp, 'embarquee') };
  const first = await cliImport(env, PARIS);
  if (first.code !== 0) throw new Error(`import initial : ${first.out}`);
  const port = await freePort();
  const proc = await startInstance(env, port);
  const samples: Sample[] = [];
  let done = false;
  // Three re-imports: identical file (rows loaded, nothing to swap), 98,048 addresses removed, then
  // the same 98,048 added back (the worst case: 62 % of the département changes in the swap).
  const steps = [
    { label: 'Paris à l’identique', file: PARIS },
    { label: 'Paris partiel (98 048 adresses retirées)', file: PARIS_PART },
    { label: 'Paris complet (98 048 adresses ajoutées)', file: PARIS },
  ];
  const windows: { label: string; a: number; b: number; ms: number; code: number | null }[] = [];
  const importing = (async () => {
    await new Promise((r) => setTimeout(r, 3000));
    for (const step of steps) {
      const a = performance.now();
      const r = await cliImport(env, step.file);
      windows.push({ label: step.label, a, b: performance.now(), ms: r.ms, code: r.code });
      if (r.code !== 0) console.log(`import en échec : ${r.out}`);
      await new Promise((res) => setTimeout(res, 2000));
    }
    done = true;
  })();
  await drive([`http://127.0.0.1:${port}`], ROUTES, () => done, samples);
  await importing;
  const isDb = (s: Sample) => ROUTES.find((r) => r.name === s.route)?.database === true;
  const during = samples.filter((s) => windows.some((w) => s.at >= w.a && s.at <= w.b));
  report(`Phase 2 — pendant les imports (${during.length} requêtes)`, during);
  const outside = samples.filter((s) => !windows.some((w) => s.at >= w.a && s.at <= w.b) && isDb(s)).map((s) => s.ms);
  console.log(
    `pages et API lisant la base hors import : p50 ${fmt(q(outside, 0.5))} ms, p99 ${fmt(q(outside, 0.99))} ms`,
  );
  for (const w of windows) {
    const xs = samples.filter((s) => s.at >= w.a && s.at <= w.b && isDb(s)).map((s) => s.ms);
    console.log(
      `pendant l’import « ${w.label} » (${(w.ms / 1000).toFixed(1)} s, ${w.code === 0 ? 'réussi' : 'ÉCHEC'}) : pages et API lisant la base p50 ${fmt(q(xs, 0.5))} ms, p99 ${fmt(q(xs, 0.99))} ms, max ${fmt(Math.max(...xs))} ms (objectif p99 < 500 ms)`,
    );
  }
  proc.kill('SIGTERM');
  await new Promise((r) => (proc.exitCode !== null ? r(null) : proc.on('exit', r)));
}

async function main() {
  console.log(
    `bench:charge — ${new Date().toISOString()}, ${os.cpus().length} cœurs, Node ${process.version}, charge moyenne ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  if (args.phase !== 'embarquee') await phaseServer();
  if (args.phase !== 'serveur') await phaseEmbedded();
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
