import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { createUser } from '../../src/accounts/service.ts';
import { addressIndexStatus } from '../../src/addresses/service.ts';
import { buildApp } from '../../src/app.ts';
import { prepareDatabase } from '../../src/bootstrap.ts';
import { importCommand } from '../../src/cli-commands.ts';
import type { AppContext } from '../../src/context.ts';
import type { Db } from '../../src/db/db.ts';
import { openDb } from '../../src/db/open.ts';
import { type ImportListenerHandle, startImportListener } from '../../src/imports/notify.ts';
import { runDueSchedules } from '../../src/imports/scheduler.ts';
import { insertSchedule } from '../../src/imports/schedules.ts';
import { cookieHeader, cookiesOf, csrfIn, quietLog, shared, signIn, testConfig } from '../helpers.ts';
import { slowServer } from '../slow-source.ts';

/**
 * Two instances of the platform on one PostgreSQL database, as behind a reverse proxy: each with
 * its own connection pool, in-memory address index, scheduler and notification listener. Needs a
 * PostgreSQL server (CI sets TEST_DATABASE_URL); PGlite is single-process by design.
 */
const url = process.env.TEST_DATABASE_URL;
const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'eligibility');
async function until<T>(what: string, f: () => Promise<T | undefined | null | false>, tries = 600): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await f();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`still waiting for: ${what}`);
}

const PASSWORD = 'Une phrase de passe bien longue pour Besançon 2026';

type Instance = {
  db: Db;
  app: Awaited<ReturnType<typeof buildApp>>['app'];
  ctx: AppContext;
  listener: ImportListenerHandle;
};

describe('two instances on one PostgreSQL', {
  skip: url ? false : 'TEST_DATABASE_URL non défini : le test à deux instances demande un serveur PostgreSQL (ignoré)',
}, () => {
  const name = `pan_test_multi_${crypto.randomBytes(5).toString('hex')}`;
  let admin: Db;
  let dbUrl: string;
  let a: Instance;
  let b: Instance;

  async function start(instance: string): Promise<Instance> {
    const db = await openDb({ databaseUrl: dbUrl });
    const config = testConfig({ DATABASE_URL: dbUrl, IMPORT_URL_ALLOWLIST: '127.0.0.1' });
    await prepareDatabase(db, config, quietLog);
    const { app, ctx } = await buildApp(config, { db, log: quietLog, instance });
    await app.ready();
    // What main.ts does when DATABASE_URL is set.
    const listener = await startImportListener({
      databaseUrl: dbUrl,
      db,
      instance,
      log: quietLog,
      onImport: async (job, runId, followUpsDone) =>
        void (await ctx.dispatchImported({ job, runId, remote: true, followUpsDone })),
      onRetry: async (runId) => void (await ctx.retryFollowUps(runId)),
    });
    return { db, app, ctx, listener };
  }

  before(async () => {
    admin = await openDb({ databaseUrl: url! });
    await admin.query(`CREATE DATABASE ${name}`);
    const u = new URL(url!);
    u.pathname = `/${name}`;
    dbUrl = u.toString();
    a = await start('instance-a');
    b = await start('instance-b');
  });

  after(async () => {
    for (const i of [a, b]) {
      if (!i) continue;
      await i.listener.stop();
      await i.app.close();
      await i.db.close();
    }
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.close();
  });

  const search = async (i: Instance, q: string) => {
    const r = await i.app.inject({
      method: 'GET',
      url: `/api/v1/adresses/recherche?q=${encodeURIComponent(q)}&limit=1`,
    });
    assert.equal(r.statusCode, 200, r.body);
    return r.json().features as { properties: { citycode: string; label: string } }[];
  };
  /** Polls until the instance answers with the address (the notification arrives within seconds). */
  const found = async (i: Instance, q: string, citycode: string) => {
    for (let n = 0; n < 300; n++) {
      if ((await search(i, q))[0]?.properties.citycode === citycode) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  };

  test('an address import through one instance is found by both', async () => {
    assert.equal((await search(b, '2 rue Joffre Mont-Bonvillers'))[0]?.properties.citycode, undefined);
    const run = await a.ctx.runImport({
      job: 'adresses',
      source: shared('addresses', 'bal-54084-mont-bonvillers-fixture.csv.gz'),
      startedBy: 'test',
    });
    assert.equal(run.status, 'succeeded', run.message ?? '');
    assert.equal((await search(a, '2 rue Joffre Mont-Bonvillers'))[0]?.properties.citycode, '54084');
    assert.ok(await found(b, '2 rue Joffre Mont-Bonvillers', '54084'), 'instance B never saw the import');
  });

  test('an address import through the CLI on the same DATABASE_URL is found by both', async () => {
    const run = await importCommand(
      testConfig({ DATABASE_URL: dbUrl, IMPORT_URL_ALLOWLIST: '127.0.0.1' }),
      quietLog,
      {
        job: 'adresses',
        source: shared('addresses', 'bano-90-territoire-de-belfort-2015-03.csv.gz'),
        startedBy: 'cli (test)',
      },
      { say: () => undefined },
    );
    assert.equal(run.status, 'succeeded', run.message ?? '');
    assert.ok(await found(a, '32 rue des Bruyères Auxelles-Haut', '90006'), 'instance A never saw the CLI import');
    assert.ok(await found(b, '32 rue des Bruyères Auxelles-Haut', '90006'), 'instance B never saw the CLI import');
    // The earlier import is still served: B refreshed, it did not replace its index with the CLI's rows only.
    assert.equal((await search(b, '2 rue Joffre Mont-Bonvillers'))[0]?.properties.citycode, '54084');
    const journal = await a.db.query<{ acteur: string }>(
      `SELECT acteur FROM journal_audit WHERE action = 'lancement-import'`,
    );
    assert.ok(journal.rows.some((r) => r.acteur === 'cli (test)'));
  });

  test('after a CLI address import, an instance matches the buildings again (the CLI has no listeners)', async () => {
    const buildings = await a.ctx.runImport({
      job: 'mci-immeubles',
      source: path.join(FIXTURES, 'base_imb_54.csv'),
      startedBy: 'test',
    });
    assert.equal(buildings.status, 'succeeded', buildings.message ?? '');
    await a.db.query(`UPDATE mci_immeuble SET adresse_id = NULL, appariement = 'aucun', distance_m = NULL`);
    const run = await importCommand(
      testConfig({ DATABASE_URL: dbUrl, IMPORT_URL_ALLOWLIST: '127.0.0.1' }),
      quietLog,
      {
        job: 'adresses',
        source: shared('addresses', 'bal-54084-mont-bonvillers-fixture.csv.gz'),
        startedBy: 'cli (test)',
        force: true,
      },
      { say: () => undefined },
    );
    assert.equal(run.status, 'succeeded', run.message ?? '');
    let matched = 0;
    for (let n = 0; n < 300 && matched < 5; n++) {
      await new Promise((r) => setTimeout(r, 100));
      matched = (
        await a.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM mci_immeuble WHERE appariement <> 'aucun'`)
      ).rows[0]!.n;
    }
    assert.equal(matched, 5);
  });

  test('an instance that lost its notification connection reconnects and catches up', async () => {
    const builtBefore = addressIndexStatus(b.ctx).builtAt;
    const killed = await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'pan-ecoute-imports instance-b'`,
      [name],
    );
    assert.equal(killed.rows.length, 1);
    // Imported while B is (probably) not listening: B replays it once reconnected. The file must change an
    // address (an import that changes none leaves every index as it is): one street is renamed.
    const renamed = path.join(os.tmpdir(), `pan-bal-renommee-${crypto.randomBytes(4).toString('hex')}.csv`);
    const lines = zlib
      .gunzipSync(fs.readFileSync(shared('addresses', 'bal-54084-mont-bonvillers-fixture.csv.gz')))
      .toString('utf8')
      .split('\n');
    lines[1] = lines[1]!.replace(';Rue Joffre;', ';Place du Rendez-vous;');
    fs.writeFileSync(renamed, lines.join('\n'));
    after(() => fs.rmSync(renamed, { force: true }));
    const run = await a.ctx.runImport({ job: 'adresses', source: renamed, startedBy: 'test', force: true });
    assert.equal(run.status, 'succeeded', run.message ?? '');
    let refreshed = false;
    for (let n = 0; n < 300 && !refreshed; n++) {
      await new Promise((r) => setTimeout(r, 100));
      refreshed = b.listener.connected() && addressIndexStatus(b.ctx).builtAt !== builtBefore;
    }
    assert.ok(refreshed, 'B did not reconnect and refresh');
    assert.equal((await search(b, '2 rue Joffre Mont-Bonvillers'))[0]?.properties.citycode, '54084');
    assert.equal((await search(b, '1 place du Rendez-vous Mont-Bonvillers'))[0]?.properties.citycode, '54084');
  });

  test('an instance starting fails only silent runs; a cancel asked on one instance stops the run on the other', async () => {
    const slow = await slowServer();
    try {
      const pending = a.ctx.runImport({ job: 'adresses', source: slow.url, startedBy: 'test' });
      const live = await until(
        'the live run with progress',
        async () =>
          (
            await a.db.query<{ id: number }>(
              `SELECT id::int AS id FROM import_run WHERE source = $1 AND status = 'running' AND bytes_read > 0`,
              [slow.url],
            )
          ).rows[0]?.id,
      );
      // A run of a process that died ten minutes ago.
      const dead = (
        await b.db.query<{ id: number }>(
          `INSERT INTO import_run (job, source, status, instance, started_at, progress_at)
           VALUES ('adresses', 'https://exemple.fr/adresses-21.csv.gz', 'running', 'hote:123', now() - interval '11 minutes', now() - interval '10 minutes')
           RETURNING id::int AS id`,
        )
      ).rows[0]?.id;
      // What an instance (or the CLI) does when it starts.
      await prepareDatabase(b.db, testConfig({ DATABASE_URL: dbUrl, IMPORT_URL_ALLOWLIST: '127.0.0.1' }), quietLog);
      const status = async (id: number | undefined) =>
        (await b.db.query<{ status: string }>('SELECT status FROM import_run WHERE id = $1', [id])).rows[0]?.status;
      assert.equal(await status(dead), 'failed');
      assert.equal(await status(live), 'running');

      // B's administrator asks; B records the request (B's process does not run the import).
      await b.db.query('UPDATE import_run SET cancel_requested_by = $2 WHERE id = $1', [live, 'admin@region.fr']);
      const run = await pending;
      assert.equal(run.status, 'cancelled');
      assert.match(run.message ?? '', /annulé par admin@region\.fr/);
    } finally {
      await slow.close();
    }
  });

  test('a planned import due now runs once, though both instances check at the same moment', async () => {
    const s = await insertSchedule(a.db, {
      job: 'contours',
      source: shared('boundaries', 'france-geojson-2018', 'departements-bourgogne-franche-comte.geojson.gz'),
      options: {},
      hours: 24,
    });
    // Local files need IMPORT_DIR; both instances are configured alike.
    const config = testConfig({ DATABASE_URL: dbUrl, IMPORT_DIR: shared('boundaries', 'france-geojson-2018') });
    const [ra, rb] = await Promise.all([
      runDueSchedules({ db: a.db, config, log: quietLog, runImport: a.ctx.runImport }),
      runDueSchedules({ db: b.db, config, log: quietLog, runImport: b.ctx.runImport }),
    ]);
    assert.equal(ra.length + rb.length, 1);
    assert.equal([...ra, ...rb][0]!.status, 'succeeded');
    const runs = await a.db.query('SELECT 1 FROM import_run WHERE started_by = $1', [
      `planificateur (planification n° ${s.id})`,
    ]);
    assert.equal(runs.rows.length, 1);
  });

  test('a session opened on one instance is valid on the other, CSRF included', async () => {
    await createUser(
      a.db,
      { id: null, label: 'test' },
      {
        email: 'admin@region.fr',
        nom: 'Admin Région',
        motDePasse: PASSWORD,
        role: 'administrateur',
        organisationId: null,
      },
    );
    const { res: login, jar } = await signIn(b.app, 'admin@region.fr', PASSWORD, { formFrom: a.app });
    assert.equal(login.statusCode, 303, 'the login form of A is accepted by B');
    const page = await a.app.inject({
      method: 'GET',
      url: '/admin/utilisateurs',
      headers: { cookie: cookieHeader(jar) },
    });
    assert.equal(page.statusCode, 200);
    const post = await b.app.inject({
      method: 'POST',
      url: '/admin/organisations',
      headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        _csrf: csrfIn(page.body),
        nom: 'Syndicat mixte Doubs Très Haut Débit',
        type: 'syndicat-mixte',
        territoire: '25',
      }).toString(),
    });
    assert.equal(post.statusCode, 303, post.body);
    const org = await a.db.query(`SELECT 1 FROM organisation WHERE nom = 'Syndicat mixte Doubs Très Haut Débit'`);
    assert.equal(org.rows.length, 1);
  });

  test('the login limit is shared: attempts spread over both instances add up', async () => {
    // Eleven wrong attempts from one address, alternating: each instance sees at most six, fewer
    // than the limit of ten, so only shared counters can refuse one.
    const statuses: number[] = [];
    for (let n = 0; n < 11; n++) {
      const i = n % 2 ? b : a;
      const form = await i.app.inject({ method: 'GET', url: '/connexion', remoteAddress: '192.0.2.7' });
      const r = await i.app.inject({
        method: 'POST',
        url: '/connexion',
        remoteAddress: '192.0.2.7',
        headers: { cookie: cookieHeader(cookiesOf(form)), 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          _csrf: csrfIn(form.body),
          email: 'admin@region.fr',
          motDePasse: 'pas le bon mot de passe',
          next: '/admin',
        }).toString(),
      });
      statuses.push(r.statusCode);
    }
    assert.ok(statuses.includes(429), `statuses: ${statuses.join(' ')}`);
  });
});
