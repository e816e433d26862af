import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createUser } from '../../src/accounts/service.ts';
import { checkScheduleSource, runDueSchedules } from '../../src/imports/scheduler.ts';
import { insertSchedule } from '../../src/imports/schedules.ts';
import { backends, cookieHeader, csrfIn, quietLog, setup, shared, signIn } from '../helpers.ts';

const PASSWORD = 'Une phrase de passe bien longue pour Caen 2026';
// Planned imports may read files of this folder only (real files, read in place).
const importDir = shared('boundaries', 'france-geojson-2018');

describe('what a planned import may read', () => {
  const config = { importDir };
  test('http(s) URLs, and files inside IMPORT_DIR only', () => {
    assert.equal(
      checkScheduleSource('https://exemple.fr/departements.geojson', config),
      'https://exemple.fr/departements.geojson',
    );
    assert.equal(
      checkScheduleSource('departements-bourgogne-franche-comte.geojson.gz', config),
      path.join(fs.realpathSync(importDir), 'departements-bourgogne-franche-comte.geojson.gz'),
    );
    for (const bad of [
      'x:../../../../etc/passwd',
      '../../../../etc/passwd',
      '/etc/passwd',
      'file:///etc/passwd',
      'ftp://exemple.fr/a.csv',
      `a\0b`,
    ]) {
      assert.throws(
        () => checkScheduleSource(bad, config),
        (e: Error & { code?: string; userMessage?: string }) =>
          e.code === 'REQUETE_INVALIDE' && /Source refusée/.test(e.userMessage ?? ''),
        bad,
      );
    }
    // Without IMPORT_DIR, no local file at all.
    assert.throws(
      () => checkScheduleSource('departements-bourgogne-franche-comte.geojson.gz', { importDir: undefined }),
      /REQUETE_INVALIDE: /,
    );
  });

  test('a symbolic link inside the folder that leads out of it is refused', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pan-import-dir-'));
    fs.symlinkSync('/etc/passwd', path.join(dir, 'mots-de-passe.csv'));
    assert.throws(() => checkScheduleSource('mots-de-passe.csv', { importDir: dir }), /REQUETE_INVALIDE: /);
  });
});

for (const backend of backends()) {
  describe(`scheduler (${backend.name})`, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    before(async () => {
      t = await setup(backend, { IMPORT_DIR: importDir });
    });
    after(async () => {
      await t.close();
    });

    test('the admin form refuses a source outside http(s) and IMPORT_DIR, and options the job rejects', async () => {
      await createUser(
        t.db,
        { id: null, label: 'test' },
        { email: 'admin@region.fr', nom: 'Admin', motDePasse: PASSWORD, role: 'administrateur', organisationId: null },
      );
      const { jar } = await signIn(t.app, 'admin@region.fr', PASSWORD);
      const csrf = csrfIn(
        (await t.app.inject({ method: 'GET', url: '/admin/imports', headers: { cookie: cookieHeader(jar) } })).body,
      );
      const plan = (data: Record<string, string>) =>
        t.app.inject({
          method: 'POST',
          url: '/admin/planification',
          headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ _csrf: csrf, job: 'contours', heures: '24', options: '', ...data }).toString(),
        });
      const passwd = await plan({ source: 'x:../../../../etc/passwd' });
      assert.equal(passwd.statusCode, 400);
      assert.match(passwd.body, /Source refusée/);
      assert.doesNotMatch(passwd.body, /root:/);
      const array = await plan({ source: 'https://exemple.fr/departements.geojson', options: '[1,2]' });
      assert.equal(array.statusCode, 400);
      // An object the job itself refuses is caught when planned, not at its first run.
      const options = await plan({
        source: 'https://exemple.fr/departements.geojson',
        options: '{"niveau": "canton"}',
      });
      assert.equal(options.statusCode, 400);
      assert.match(options.body, /Options invalides pour contours/);
      const ok = await plan({ source: 'departements-bourgogne-franche-comte.geojson.gz' });
      assert.equal(ok.statusCode, 303);
      await t.db.query('DELETE FROM import_planification');
    });

    test('a bad schedule becomes a failed run with a French reason; the others due that minute still run', async () => {
      // As stored by an earlier version, or edited in the database: the scheduler must cope.
      const badOptions = await insertSchedule(t.db, {
        job: 'contours',
        source: 'departements-bourgogne-franche-comte.geojson.gz',
        options: [1, 2],
        hours: 24,
      });
      const badSource = await insertSchedule(t.db, {
        job: 'contours',
        source: 'x:../../../../etc/passwd',
        options: {},
        hours: 24,
      });
      const good = await insertSchedule(t.db, {
        job: 'contours',
        source: 'departements-bourgogne-franche-comte.geojson.gz',
        options: {},
        hours: 24,
      });
      const runs = await runDueSchedules({ db: t.db, config: t.config, log: quietLog, runImport: t.ctx.runImport });
      assert.equal(runs.length, 3);
      const byPlan = (id: number) => runs.find((r) => r.started_by === `planificateur (planification n° ${id})`)!;
      assert.equal(byPlan(badOptions.id).status, 'failed');
      assert.match(
        byPlan(badOptions.id).message ?? '',
        new RegExp(`^Planification n° ${badOptions.id} non exécutée : Options invalides pour contours`),
      );
      assert.equal(byPlan(badSource.id).status, 'failed');
      assert.match(byPlan(badSource.id).message ?? '', /Source refusée/);
      for (const r of runs) assert.doesNotMatch(r.message ?? '', /root:/);
      assert.equal(byPlan(good.id).status, 'succeeded', byPlan(good.id).message ?? '');
      assert.equal(byPlan(good.id).rows_read, 8);
      // Claimed: not due again this minute.
      assert.equal(
        (await runDueSchedules({ db: t.db, config: t.config, log: quietLog, runImport: t.ctx.runImport })).length,
        0,
      );
      // Planned imports are in the journal.
      const journal = await t.db.query<{ acteur: string }>(
        `SELECT acteur FROM journal_audit WHERE action = 'lancement-import'`,
      );
      assert.ok(journal.rows.some((r) => r.acteur === 'planificateur'));
    });
  });
}
