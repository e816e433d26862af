import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createUser } from '../../src/accounts/service.ts';
import { runDueSchedules } from '../../src/imports/scheduler.ts';
import { backends, quietLog, setup } from '../helpers.ts';

const PASSWORD = 'Correct-horse-battery-staple-42';

for (const backend of backends()) {
  describe(`GDPR retention job run by the scheduler (${backend.name})`, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    let user: number;
    before(async () => {
      t = await setup(backend);
      user = await createUser(
        t.db,
        { id: null, label: 'test' },
        {
          email: 'retention@exemple.fr',
          nom: 'Rétention',
          motDePasse: PASSWORD,
          role: 'administrateur',
          organisationId: null,
        },
      );
    });
    after(async () => t.close());

    const count = async (sql: string, params: unknown[] = []) =>
      (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params)).rows[0]!.n;
    const measure = (id: number, daysAgo: number, lon: number, lat: number) =>
      t.db.query(
        `INSERT INTO mobile_mesure (id, recu_le, horodatage, lon, lat, commune, operateur, techno, debit_descendant_mbps,
           debit_montant_mbps, latence_ms, origine, empreinte)
         VALUES ($1, now() - make_interval(days => $2), now() - make_interval(days => $2), $3, $4, '21231', 'orange', '4G',
           42.5, 8.1, 35, 'api', $5)`,
        [id, daysAgo, lon, lat, `empreinte-${id}`],
      );
    const runScheduled = async () => {
      await t.db.query(
        "UPDATE import_planification SET prochaine_execution = now() - interval '1 minute' WHERE job = 'retention'",
      );
      const runs = await runDueSchedules({ db: t.db, config: t.config, log: quietLog, runImport: t.ctx.runImport });
      const run = runs.find((r) => r.job === 'retention');
      assert.ok(run, 'the seeded daily schedule runs the job');
      return run;
    };

    test('the register states the configured default durations', async () => {
      const r = t.config.retention;
      assert.deepEqual(r, { echecsConnexion: 1, journal: 1095, mesuresPrecision: 365, mesures: 1825 });
      const d = async (code: string) =>
        (
          await t.db.query<{ d: string }>('SELECT duree_conservation AS d FROM registre_traitement WHERE code = $1', [
            code,
          ])
        ).rows[0]!.d;
      assert.match(await d('sessions'), new RegExp(`Échecs de connexion : ${r.echecsConnexion} jour`));
      assert.match(await d('journal-audit'), new RegExp(`^${r.journal / 365} ans`));
      assert.match(await d('mesures-mobiles'), new RegExp(`pendant ${r.mesuresPrecision / 365} an,`));
      assert.match(await d('mesures-mobiles'), new RegExp(`après ${r.mesures / 365} ans`));
      const page = await t.app.inject('/donnees/registre');
      assert.match(page.body, /Mesures participatives de la couverture mobile/);
      const schedule = (
        await t.db.query<{ source: string; h: number }>(
          "SELECT source, intervalle_heures AS h FROM import_planification WHERE job = 'retention' AND actif",
        )
      ).rows;
      assert.deepEqual(schedule, [{ source: '', h: 24 }]);
    });

    test('expired sessions, old failed logins, old journal entries go; old measurements are coarsened then deleted; the run is recorded', async () => {
      await t.db.query(
        `INSERT INTO session (id_hash, utilisateur_id, csrf_token, cree_le, expire_le) VALUES
           ('expiree', $1, 'c1', now() - interval '2 days', now() - interval '1 day'),
           ('valide', $1, 'c2', now(), now() + interval '12 hours')`,
        [user],
      );
      await t.db.query(
        `INSERT INTO connexion_echec (email, adresse, le) VALUES
           ('x@exemple.fr', '192.0.2.1', now() - interval '2 days'), ('y@exemple.fr', '192.0.2.2', now())`,
      );
      await t.db.query(
        `INSERT INTO journal_audit (utilisateur_id, acteur, action, objet_type, le) VALUES
           ($1, 'retention@exemple.fr', 'ancienne', 'test', now() - interval '1100 days'),
           ($1, 'retention@exemple.fr', 'recente', 'test', now() - interval '1000 days')`,
        [user],
      );
      await measure(900001, 10, 5.041, 47.322);
      await measure(900002, 400, 5.047, 47.326);
      await measure(900003, 2000, 5.043, 47.321);

      const run = await runScheduled();
      assert.equal(run.status, 'succeeded', run.message ?? '');
      assert.match(run.started_by ?? '', /planificateur/);
      assert.match(run.message ?? '', /1 session\(s\) expirée\(s\) et 1 échec\(s\)/);
      assert.match(run.message ?? '', /1 entrée\(s\) du journal de plus de 1095 jours/);
      assert.match(run.message ?? '', /1 arrondie\(s\).*1 supprimée\(s\)/);
      assert.equal(await count("import_run WHERE job = 'retention' AND status = 'succeeded'"), 1);

      assert.equal(await count("session WHERE id_hash = 'expiree'"), 0);
      assert.equal(await count("session WHERE id_hash = 'valide'"), 1);
      assert.equal(await count("connexion_echec WHERE email = 'x@exemple.fr'"), 0);
      assert.equal(await count("connexion_echec WHERE email = 'y@exemple.fr'"), 1);
      assert.equal(await count("journal_audit WHERE action = 'ancienne'"), 0);
      assert.equal(await count("journal_audit WHERE action = 'recente'"), 1);
      const rows = (
        await t.db.query<{ id: number; lon: number; lat: number; empreinte: string }>(
          'SELECT id::int AS id, lon, lat, empreinte FROM mobile_mesure WHERE id >= 900001 ORDER BY id',
        )
      ).rows;
      assert.deepEqual(rows, [
        { id: 900001, lon: 5.041, lat: 47.322, empreinte: 'empreinte-900001' },
        { id: 900002, lon: 5.05, lat: 47.33, empreinte: '' },
      ]);

      // Every run does its work (never « unchanged »), and a second pass finds nothing left to do.
      const again = await runScheduled();
      assert.equal(again.status, 'succeeded', again.message ?? '');
      assert.match(again.message ?? '', /^0 session/);
      assert.match(again.message ?? '', /0 arrondie\(s\).*0 supprimée\(s\)/);
    });

    test('durations come from the configuration', async () => {
      const s = await setup(backend, { RETENTION_MESURES_PRECISION_JOURS: '5', RETENTION_JOURNAL_JOURS: '900' });
      try {
        await s.db.query(
          `INSERT INTO mobile_mesure (recu_le, horodatage, lon, lat, operateur, techno, debit_descendant_mbps,
             debit_montant_mbps, latence_ms, origine, empreinte)
           VALUES (now() - interval '10 days', now(), 5.041, 47.322, 'sfr', '5G', 300, 40, 20, 'formulaire', 'e')`,
        );
        await s.db.query(
          "INSERT INTO journal_audit (acteur, action, objet_type, le) VALUES ('cli', 'x', 'test', now() - interval '1000 days')",
        );
        const run = await s.ctx.runImport({ job: 'retention', startedBy: 'test' });
        assert.equal(run.status, 'succeeded', run.message ?? '');
        assert.match(run.message ?? '', /1 entrée\(s\) du journal de plus de 900 jours/);
        const m = (await s.db.query<{ lon: number }>('SELECT lon FROM mobile_mesure')).rows;
        assert.deepEqual(m, [{ lon: 5.04 }]);
      } finally {
        await s.close();
      }
    });
  });
}
