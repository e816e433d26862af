import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { createUser } from '../../src/accounts/service.ts';
import { defineJob } from '../../src/imports/job.ts';
import { cancelImport, cancelLocalImports, localProgress, runImport } from '../../src/imports/runner.ts';
import { backends, cookieHeader, csrfIn, quietLog, setup, shared, signIn } from '../helpers.ts';
import { slowServer } from '../slow-source.ts';

const PASSWORD = 'Une phrase de passe bien longue pour Dijon 2026';
const departementsBfc = shared('boundaries', 'france-geojson-2018', 'departements-bourgogne-franche-comte.geojson.gz');
const bal = shared('addresses', 'bal-54084-mont-bonvillers-fixture.csv.gz');
const paris = shared('addresses', 'ban-adresses-75-paris-2024-06.csv.gz');

async function until<T>(
  what: string,
  f: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  tries = 600,
): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await f();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`still waiting for: ${what}`);
}

for (const backend of backends()) {
  describe(`import runner: follow-ups, run id, progress and cancellation (${backend.name})`, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    let jar: Record<string, string>;
    before(async () => {
      // The slow source is a local test server: allowed as an intranet source would be.
      t = await setup(backend, { IMPORT_URL_ALLOWLIST: '127.0.0.1' });
      await createUser(
        t.db,
        { id: null, label: 'test' },
        { email: 'admin@region.fr', nom: 'Admin', motDePasse: PASSWORD, role: 'administrateur', organisationId: null },
      );
      const signed = await signIn(t.app, 'admin@region.fr', PASSWORD);
      assert.equal(signed.res.statusCode, 303);
      jar = signed.jar;
    });
    after(async () => {
      await t.close();
    });

    const get = (url: string) => t.app.inject({ method: 'GET', url, headers: { cookie: cookieHeader(jar) } });
    const post = async (url: string) => {
      const csrf = csrfIn((await get('/admin/imports')).body);
      return t.app.inject({
        method: 'POST',
        url,
        headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
        payload: `_csrf=${encodeURIComponent(csrf)}`,
      });
    };

    test('a follow-up failing after the import committed leaves the run succeeded, is flagged and can be retried', async () => {
      let broken = true;
      t.ctx.onImported((job) => {
        if (job === 'contours' && broken) throw new Error('reconstruction impossible');
      }, 'index de test');
      const run = await t.ctx.runImport({ job: 'contours', source: departementsBfc, startedBy: 'test' });
      assert.equal(run.status, 'succeeded', run.message ?? '');
      assert.doesNotMatch(run.message ?? '', /n'ont pas été modifiées/);
      const shapes = await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM territoire_geometrie WHERE niveau = 'departement'`,
      );
      assert.equal(shapes.rows[0]!.n, 8);
      const open = await t.db.query<{ listener: string; message: string; instance: string }>(
        'SELECT listener, message, instance FROM import_run_suite WHERE run_id = $1 AND resolved_at IS NULL',
        [run.id],
      );
      assert.equal(open.rows.length, 1);
      assert.equal(open.rows[0]!.listener, 'index de test');
      assert.match(open.rows[0]!.message, /reconstruction impossible/);
      assert.equal(open.rows[0]!.instance, t.ctx.instance);

      const page = await get('/admin/imports');
      assert.match(page.body, /Index ou suites d’import à refaire/);
      assert.match(page.body, /index de test : reconstruction impossible/);
      assert.match((await get(`/admin/imports/${run.id}`)).body, /Relancer les suites de l’import n° \d+/);

      broken = false;
      const retried = await post(`/admin/imports/${run.id}/suites`);
      assert.equal(retried.statusCode, 303);
      const still = await t.db.query('SELECT 1 FROM import_run_suite WHERE run_id = $1 AND resolved_at IS NULL', [
        run.id,
      ]);
      assert.equal(still.rows.length, 0);
      assert.doesNotMatch((await get('/admin/imports')).body, /Index ou suites d’import à refaire/);
      // Without the CSRF token the retry is refused.
      const forged = await t.app.inject({
        method: 'POST',
        url: `/admin/imports/${run.id}/suites`,
        headers: { cookie: cookieHeader(jar) },
      });
      assert.equal(forged.statusCode, 403);
    });

    test('a job gets its run id: the addresses it writes carry that run', async () => {
      const run = await t.ctx.runImport({ job: 'adresses', source: bal, startedBy: 'test' });
      assert.equal(run.status, 'succeeded', run.message ?? '');
      const runs = await t.db.query<{ import_run: number }>(
        'SELECT DISTINCT import_run::int AS import_run FROM adresse',
      );
      assert.deepEqual(
        runs.rows.map((r) => r.import_run),
        [Number(run.id)],
      );
    });

    test('a slow source is recorded and visible from the start, blocks no other import, and an administrator cancels it', async () => {
      const slow = await slowServer();
      try {
        const pending = t.ctx.runImport({ job: 'adresses', source: slow.url, startedBy: 'test' });
        const row = await until(
          'the run row with bytes received',
          async () =>
            (
              await t.db.query<{ id: number; phase: string; bytes_read: number; status: string }>(
                `SELECT id::int AS id, phase, bytes_read::int AS bytes_read, status FROM import_run WHERE source = $1 AND bytes_read > 0`,
                [slow.url],
              )
            ).rows[0],
        );
        assert.equal(row.status, 'running');
        assert.equal(row.phase, 'telechargement');

        // Another import meanwhile is not queued behind the download.
        const other = await t.ctx.runImport({
          job: 'contours',
          source: departementsBfc,
          startedBy: 'test',
          force: true,
        });
        assert.equal(other.status, 'succeeded');
        assert.equal(
          (await t.db.query<{ status: string }>('SELECT status FROM import_run WHERE id = $1', [row.id])).rows[0]!
            .status,
          'running',
        );

        const page = await get(`/admin/imports/${row.id}`);
        assert.match(page.body, /Import en cours/);
        assert.match(page.body, /téléchargement de la source/);
        assert.match(page.body, /Annuler cet import/);
        const forged = await t.app.inject({
          method: 'POST',
          url: `/admin/imports/${row.id}/annulation`,
          headers: { cookie: cookieHeader(jar) },
        });
        assert.equal(forged.statusCode, 403);
        const anonymous = await t.app.inject({ method: 'POST', url: `/admin/imports/${row.id}/annulation` });
        assert.notEqual(anonymous.statusCode, 303);

        const cancel = await post(`/admin/imports/${row.id}/annulation`);
        assert.equal(cancel.statusCode, 303);
        const run = await pending;
        assert.equal(run.status, 'cancelled');
        assert.match(run.message ?? '', /Import annulé par admin@region\.fr/);
        assert.match((await get('/admin/journal')).body, /annulation-import/);
      } finally {
        await slow.close();
      }
    });

    test('at shutdown, the runs of this process are cancelled and recorded before it stops', async () => {
      const slow = await slowServer();
      try {
        const pending = t.ctx.runImport({ job: 'adresses', source: slow.url, startedBy: 'test' });
        const id = await until(
          'the run row',
          async () =>
            (
              await t.db.query<{ id: number }>(
                `SELECT id::int AS id FROM import_run WHERE source = $1 AND status = 'running'`,
                [slow.url],
              )
            ).rows[0]?.id,
        );
        assert.deepEqual(await cancelLocalImports('arrêt du serveur'), [id]);
        // Recorded by the time the shutdown goes on: no run left 'running'.
        assert.equal(
          (await t.db.query<{ status: string }>('SELECT status FROM import_run WHERE id = $1', [id])).rows[0]?.status,
          'cancelled',
        );
        assert.match((await pending).message ?? '', /annulé par arrêt du serveur/);
      } finally {
        await slow.close();
      }
    });

    test('a cancel arriving after the data was committed does not report the run as cancelled', async () => {
      let runId = 0;
      let committed!: () => void;
      const didCommit = new Promise<void>((r) => (committed = r));
      let go!: () => void;
      const gate = new Promise<void>((r) => (go = r));
      // A job with a step after its commit, as the observatory jobs have (VACUUM).
      const job = defineJob({
        name: 'essai-etape-apres-validation',
        title: 'essai',
        accepts: 'un fichier',
        options: z.object({}),
        async run(ctx) {
          runId = ctx.runId;
          await ctx.db.transaction((tx) =>
            tx.query(`INSERT INTO organisation (nom, type) VALUES ('Organisation validée', 'autre')`),
          );
          committed();
          await gate;
          await ctx.db.query('SELECT 1');
          return 'fait';
        },
      });
      const pending = runImport(
        { db: t.db, config: t.config, log: quietLog, jobs: new Map([[job.name, job]]) },
        { job: job.name, source: bal, startedBy: 'test' },
      );
      await didCommit;
      assert.equal(await cancelImport(t.db, runId, 'admin@region.fr'), true);
      go();
      const run = await pending;
      assert.equal(run.status, 'succeeded', run.message ?? '');
      assert.equal((await t.db.query(`SELECT 1 FROM organisation WHERE nom = 'Organisation validée'`)).rows.length, 1);
    });

    test('cancelling while the data loads rolls the load back', async () => {
      const before = (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM adresse')).rows[0]!.n;
      const pending = t.ctx.runImport({ job: 'adresses', source: paris, startedBy: 'test' });
      const id = await until(
        'the run id',
        async () =>
          (await t.db.query<{ id: number }>(`SELECT id::int AS id FROM import_run WHERE source = $1`, [paris])).rows[0]
            ?.id,
      );
      await until('rows being read', () => (localProgress(id)?.read ?? 0) > 20_000);
      assert.equal(localProgress(id)?.phase, 'lecture');
      assert.equal(await cancelImport(t.db, id, 'admin@region.fr'), true);
      const run = await pending;
      assert.equal(run.status, 'cancelled', run.message ?? '');
      assert.equal((await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM adresse')).rows[0]!.n, before);
      assert.equal(
        (await t.db.query('SELECT 1 FROM adresse WHERE code_insee LIKE $1 LIMIT 1', ['751%'])).rows.length,
        0,
      );
      // Nothing left running, and a cancelled run is not "already imported": the same file loads next time.
      assert.equal(await cancelImport(t.db, id, 'admin@region.fr'), false);
    });
  });
}
