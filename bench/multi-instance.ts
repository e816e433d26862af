/**
 * Two instances on one PostgreSQL server (DATABASE_URL or TEST_DATABASE_URL, a throw-away database is
 * created on it): how long after an address import committed on instance A does instance B answer
 * with the new addresses (LISTEN/NOTIFY, then B re-reads the départements the import wrote), for the
 * Paris BAN file (158k addresses, one département) imported through A, then through the CLI function;
 * and what the shared rate-limit counters cost per request (address search, in process, 2,000
 * requests with and without a limit).
 *
 *   node --import tsx bench/multi-instance.ts
 *
 * Last line: `multi refresh_a_ms=… refresh_cli_ms=… search_p50_ms=… search_p99_ms=… limited_p50_ms=… limited_p99_ms=…`
 */
import crypto from 'node:crypto';
import path from 'node:path';
import pino from 'pino';
import { createAddressesModule } from '../src/addresses/module.ts';
import { buildApp } from '../src/app.ts';
import { prepareDatabase } from '../src/bootstrap.ts';
import { importCommand } from '../src/cli-commands.ts';
import { loadConfig } from '../src/config.ts';
import { openDb } from '../src/db/open.ts';
import { startImportListener } from '../src/imports/notify.ts';
import { MODULES } from '../src/modules.ts';

const URL_ = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
if (!URL_) {
  console.error('DATABASE_URL ou TEST_DATABASE_URL : un serveur PostgreSQL est nécessaire.');
  process.exit(2);
}
const ROOT = path.join(path.dirname(new URL(import.meta.url).pathname), '..');
const DATA = process.env.SHARED_DATA_DIR ?? path.join(ROOT, '..', 'shared', 'data');
const PARIS = path.join(DATA, 'addresses', 'ban-adresses-75-paris-2024-06.csv.gz');
const BELFORT = path.join(DATA, 'addresses', 'bano-90-territoire-de-belfort-2015-03.csv.gz');
const log = pino({ level: 'silent' });

const name = `pan_bench_multi_${crypto.randomBytes(4).toString('hex')}`;
const admin = await openDb({ databaseUrl: URL_ });
await admin.query(`CREATE DATABASE ${name}`);
const u = new URL(URL_);
u.pathname = `/${name}`;
const dbUrl = u.toString();
const config = loadConfig({
  NODE_ENV: 'test',
  DATABASE_URL: dbUrl,
  LOG_LEVEL: 'silent',
  DATA_DIR: path.join(ROOT, 'data', 'bench'),
});

async function start(instance: string, limited: boolean) {
  const db = await openDb({ databaseUrl: dbUrl });
  await prepareDatabase(db, config, log);
  const modules = MODULES.map((m) =>
    m.name === 'adresses'
      ? createAddressesModule({ rateLimit: limited ? { max: 1_000_000, timeWindow: '1 minute' } : false })
      : m,
  );
  const { app, ctx } = await buildApp(config, { db, log, instance, modules });
  await app.ready();
  const listener = await startImportListener({
    databaseUrl: dbUrl,
    db,
    instance,
    log,
    onImport: async (job, runId, followUpsDone) =>
      void (await ctx.dispatchImported({ job, runId, remote: true, followUpsDone })),
    onRetry: async (runId) => void (await ctx.retryFollowUps(runId)),
  });
  return { db, app, ctx, listener };
}

const a = await start('bench-a', false);
const b = await start('bench-b', true);
const found = async (q: string, citycode: string) => {
  const r = await b.app.inject({ method: 'GET', url: `/api/v1/adresses/recherche?q=${encodeURIComponent(q)}&limit=1` });
  return r.json().features[0]?.properties.citycode === citycode;
};
/** From the run's end as recorded (database clock, same machine) to B's first answer with the new data. */
async function refreshMs(endedAt: Date | null, q: string, citycode: string): Promise<number> {
  const t0 = performance.now();
  while (!(await found(q, citycode))) {
    if (performance.now() - t0 > 120_000) throw new Error(`B never answered ${q}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - new Date(endedAt ?? Date.now()).getTime();
}

const run = await a.ctx.runImport({ job: 'adresses', source: PARIS, startedBy: 'bench' });
if (run.status !== 'succeeded') throw new Error(run.message ?? run.status);
const refreshA = await refreshMs(run.ended_at, '12 rue de Rivoli Paris', '75104');
console.log(
  `import through A: ${run.rows_accepted} addresses; B answers with them ${refreshA.toFixed(0)} ms after the run ended`,
);

const cli = await importCommand(
  config,
  log,
  { job: 'adresses', source: BELFORT, startedBy: 'bench' },
  { say: () => undefined },
);
if (cli.status !== 'succeeded') throw new Error(cli.message ?? cli.status);
const refreshCli = await refreshMs(cli.ended_at, '32 rue des Bruyères Auxelles-Haut', '90006');
console.log(
  `import through the CLI: ${cli.rows_accepted} addresses; B answers with them ${refreshCli.toFixed(0)} ms after the run ended`,
);

async function timings(i: typeof a): Promise<number[]> {
  const ms: number[] = [];
  for (let n = 0; n < 2000; n++) {
    const t0 = performance.now();
    await i.app.inject({
      method: 'GET',
      url: `/api/v1/adresses/recherche?q=${encodeURIComponent(`${1 + (n % 40)} rue de rivoli`)}&limit=5`,
    });
    ms.push(performance.now() - t0);
  }
  return ms.sort((x, y) => x - y);
}
const q = (s: number[], p: number) => s[Math.min(s.length - 1, Math.floor(s.length * p))]!.toFixed(2);
// A has the same index (it imported Paris itself, then heard of the CLI import).
const free = await timings(a);
const limited = await timings(b);
console.log(`address search in process, no limit: p50 ${q(free, 0.5)} ms, p99 ${q(free, 0.99)} ms`);
console.log(
  `address search in process, limit counted in PostgreSQL: p50 ${q(limited, 0.5)} ms, p99 ${q(limited, 0.99)} ms`,
);

for (const i of [a, b]) {
  await i.listener.stop();
  await i.app.close();
  await i.db.close();
}
await admin.query(`DROP DATABASE IF EXISTS ${name}`);
await admin.close();
console.log(
  `multi refresh_a_ms=${refreshA.toFixed(0)} refresh_cli_ms=${refreshCli.toFixed(0)} search_p50_ms=${q(free, 0.5)} search_p99_ms=${q(free, 0.99)} limited_p50_ms=${q(limited, 0.5)} limited_p99_ms=${q(limited, 0.99)}`,
);
