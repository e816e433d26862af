import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createUser } from '../../src/accounts/service.ts';
import { backends, cookieHeader, csrfIn, setup, signIn } from '../helpers.ts';

const SYSTEM = { id: null, label: 'test' };

for (const backend of backends()) {
  describe(`GDPR: register of processing activities, own-data download and erasure (${backend.name})`, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    const PASSWORD = 'Correct-horse-battery-staple-42';
    before(async () => {
      t = await setup(backend);
      await createUser(t.db, SYSTEM, {
        email: 'admin@exemple.fr',
        nom: 'Admin',
        motDePasse: PASSWORD,
        role: 'administrateur',
        organisationId: null,
      });
      const org = (
        await t.db.query<{ id: number }>(
          "INSERT INTO organisation (nom, type) VALUES ('Département test', 'departement') RETURNING id",
        )
      ).rows[0]!.id;
      await createUser(t.db, SYSTEM, {
        email: 'editrice@exemple.fr',
        nom: 'Éditrice',
        motDePasse: PASSWORD,
        role: 'editeur',
        organisationId: org,
      });
    });
    after(async () => t.close());

    test('the register is public and lists the seeded processings with every article 30 heading', async () => {
      const r = await t.app.inject('/donnees/registre');
      assert.equal(r.statusCode, 200);
      const n = (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM registre_traitement')).rows[0]!.n;
      assert.ok(n >= 6);
      assert.equal((r.body.match(/<caption>Fiche du traitement/g) ?? []).length, n);
      for (const h of [
        'Finalité',
        'Base légale',
        'Catégories de données',
        'Catégories de personnes concernées',
        'Durée de conservation',
        'Destinataires',
        'Transferts hors de l’Union européenne',
        'Mesures de sécurité',
      ])
        assert.ok(r.body.includes(h), h);
      assert.doesNotMatch(r.body, /Modifier ce traitement/);
      const csv = await t.app.inject('/donnees/registre-traitements.csv');
      assert.equal(csv.statusCode, 200);
      assert.equal(csv.body.trim().split('\r\n').length - 1, n);
    });

    test('an administrator edits an entry (journalised); an editor may not', async () => {
      const { jar } = await signIn(t.app, 'admin@exemple.fr', PASSWORD);
      const form = await t.app.inject({
        url: '/donnees/registre/sessions/modifier',
        headers: { cookie: cookieHeader(jar) },
      });
      assert.equal(form.statusCode, 200);
      const fields = Object.fromEntries(
        [...form.body.matchAll(/name="([a-z_]+)"(?: value="([^"]*)")?[^>]*>(?:([^<]*)<\/textarea>)?/g)].map((m) => [
          m[1]!,
          m[2] ?? m[3] ?? '',
        ]),
      );
      const post = await t.app.inject({
        method: 'POST',
        url: '/donnees/registre/sessions',
        headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          ...fields,
          _csrf: csrfIn(form.body),
          duree_conservation: 'Sessions : 8 heures.',
        }).toString(),
      });
      assert.equal(post.statusCode, 303);
      const page = await t.app.inject({ url: '/donnees/registre', headers: { cookie: cookieHeader(jar) } });
      assert.match(page.body, /Sessions : 8 heures\./);
      assert.match(page.body, /Modifier ce traitement/);
      const j = (
        await t.db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM journal_audit WHERE objet_type = 'registre_traitement' AND objet_id = 'sessions'",
        )
      ).rows[0]!.n;
      assert.equal(j, 1);
      const bad = await t.app.inject({
        method: 'POST',
        url: '/donnees/registre/sessions',
        headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ ...fields, _csrf: csrfIn(form.body), finalite: '' }).toString(),
      });
      assert.equal(bad.statusCode, 400);
      const ed = await signIn(t.app, 'editrice@exemple.fr', PASSWORD);
      assert.equal(
        (await t.app.inject({ url: '/donnees/registre/sessions/modifier', headers: { cookie: cookieHeader(ed.jar) } }))
          .statusCode,
        403,
      );
      assert.equal(
        (await t.app.inject({ url: '/donnees/registre/inconnu/modifier', headers: { cookie: cookieHeader(jar) } }))
          .statusCode,
        404,
      );
    });

    test('an account holder downloads their own data, and only theirs; a visitor gets 401', async () => {
      assert.equal((await t.app.inject('/compte/donnees.json')).statusCode, 401);
      const { jar } = await signIn(t.app, 'editrice@exemple.fr', PASSWORD);
      const r = await t.app.inject({ url: '/compte/donnees.json', headers: { cookie: cookieHeader(jar) } });
      assert.equal(r.statusCode, 200);
      assert.match(String(r.headers['content-type']), /^application\/json/);
      assert.match(String(r.headers['content-disposition']), /attachment/);
      const d = r.json();
      assert.equal(d.compte.email, 'editrice@exemple.fr');
      assert.equal(d.compte.organisation, 'Département test');
      assert.ok(d.sessions.length >= 1);
      assert.doesNotMatch(r.body, /argon2|mot_de_passe|admin@exemple\.fr/);
      const logged = (
        await t.db.query<{ acteur: string }>(
          "SELECT acteur FROM journal_audit WHERE action = 'export-donnees-personnelles'",
        )
      ).rows;
      assert.deepEqual(
        logged.map((x) => x.acteur),
        ['editrice@exemple.fr'],
      );
      // The download names no one else: there is no parameter to ask for another account.
      const other = await t.app.inject({ url: '/compte/donnees.json?id=1', headers: { cookie: cookieHeader(jar) } });
      assert.equal(other.json().compte.email, 'editrice@exemple.fr');
    });

    test('erasure: only one’s own account, password confirmed; afterwards no table holds the e-mail or name, the journal keeps its entries', async () => {
      const EMAIL = 'eugenie.effacable@exemple.fr';
      const NOM = 'Eugénie Effaçable-Témoin';
      const org = (
        await t.db.query<{ id: number }>("SELECT id::int AS id FROM organisation WHERE nom = 'Département test'")
      ).rows[0]!.id;
      const admin = (
        await t.db.query<{ id: number }>("SELECT id::int AS id FROM utilisateur WHERE email = 'admin@exemple.fr'")
      ).rows[0]!.id;
      const id = await createUser(
        t.db,
        { id: admin, label: 'admin@exemple.fr' },
        {
          email: EMAIL,
          nom: NOM,
          motDePasse: PASSWORD,
          role: 'editeur',
          organisationId: org,
        },
      );
      const other = (
        await t.db.query<{ id: number }>("SELECT id::int AS id FROM utilisateur WHERE email = 'editrice@exemple.fr'")
      ).rows[0]!.id;
      // What she leaves behind: a failed login, a session, a download (journal), an aid alert, an import she launched.
      const failed = await signIn(t.app, EMAIL, 'pas-le-bon-mot-de-passe');
      assert.notEqual(failed.res.statusCode, 303);
      const { jar } = await signIn(t.app, EMAIL, PASSWORD);
      const cookie = cookieHeader(jar);
      assert.equal((await t.app.inject({ url: '/compte/donnees.json', headers: { cookie } })).statusCode, 200);
      await t.db.query(
        "INSERT INTO alerte_aides (utilisateur_id, nom, filtres) VALUES ($1, 'Aides numériques', '{}')",
        [id],
      );
      await t.db.query(
        "INSERT INTO import_run (job, source, status, started_by) VALUES ('aides-territoires', 'test.csv', 'failed', $1)",
        [EMAIL],
      );
      const mine = await t.app.inject({ url: '/compte/donnees.json', headers: { cookie } });
      assert.deepEqual(
        mine.json().ressources.alertes.map((a: { nom: string }) => a.nom),
        ['Aides numériques'],
      );
      assert.equal(mine.json().imports.imports_lances, 1);
      const journalBefore = (
        await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM journal_audit WHERE utilisateur_id = $1', [id])
      ).rows[0]!.n;
      assert.ok(journalBefore >= 2, `${journalBefore} entries`);

      const page = await t.app.inject({ url: '/compte/effacement', headers: { cookie } });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, new RegExp(`action="/compte/${id}/effacement"`));
      const csrf = csrfIn(page.body);
      const post = (target: number, form: Record<string, string>, c = cookie) =>
        t.app.inject({
          method: 'POST',
          url: `/compte/${target}/effacement`,
          headers: { cookie: c, 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams(form).toString(),
        });
      // Someone else's account: forbidden, nothing changes.
      assert.equal((await post(other, { _csrf: csrf, mot_de_passe: PASSWORD })).statusCode, 403);
      assert.equal((await post(id, { mot_de_passe: PASSWORD })).statusCode, 403, 'CSRF token required');
      const wrong = await post(id, { _csrf: csrf, mot_de_passe: 'pas-le-bon' });
      assert.equal(wrong.statusCode, 400);
      assert.match(wrong.body, /mot de passe est incorrect/);
      assert.equal(
        (await t.db.query('SELECT 1 FROM utilisateur WHERE email = $1', [EMAIL])).rows.length,
        1,
        'a refused request erases nothing',
      );

      const done = await post(id, { _csrf: csrf, mot_de_passe: PASSWORD });
      assert.equal(done.statusCode, 303);
      assert.equal(done.headers.location, '/compte/effacement?fait=1');
      assert.match(String(done.headers['set-cookie']), /pan_session=;/, 'session cookie cleared');
      assert.equal((await t.app.inject({ url: '/compte/donnees.json', headers: { cookie } })).statusCode, 401);

      // Every text and JSON column of every table: neither the e-mail nor the name.
      const cols = (
        await t.db.query<{ table_name: string; column_name: string }>(
          `SELECT c.table_name, c.column_name FROM information_schema.columns c
           JOIN information_schema.tables x ON x.table_schema = c.table_schema AND x.table_name = c.table_name
           WHERE c.table_schema = current_schema() AND x.table_type = 'BASE TABLE'
             AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')`,
        )
      ).rows;
      assert.ok(cols.length > 100, `${cols.length} columns`);
      const found: string[] = [];
      for (const c of cols) {
        const n = (
          await t.db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM "${c.table_name}"
             WHERE strpos(lower("${c.column_name}"::text), $1) > 0 OR strpos(lower("${c.column_name}"::text), $2) > 0`,
            [EMAIL, NOM.toLowerCase()],
          )
        ).rows[0]!.n;
        if (n) found.push(`${c.table_name}.${c.column_name}: ${n}`);
      }
      assert.deepEqual(found, []);

      // The journal keeps her entries (and the erasure's), under the anonymous label; contributions are kept.
      const journal = (
        await t.db.query<{ acteur: string; action: string }>(
          'SELECT acteur, action FROM journal_audit WHERE utilisateur_id = $1 ORDER BY id',
          [id],
        )
      ).rows;
      assert.equal(journal.length, journalBefore + 1);
      assert.deepEqual([...new Set(journal.map((j) => j.acteur))], [`compte effacé n° ${id}`]);
      assert.equal(journal.at(-1)!.action, 'effacement-compte');
      const created = (
        await t.db.query<{ apres: { email: string; nom: string } }>(
          "SELECT apres FROM journal_audit WHERE action = 'creation' AND objet_type = 'utilisateur' AND objet_id = $1",
          [String(id)],
        )
      ).rows[0]!;
      assert.equal(created.apres.email, `compte effacé n° ${id}`);
      const run = (
        await t.db.query<{ started_by: string }>("SELECT started_by FROM import_run WHERE source = 'test.csv'")
      ).rows[0]!;
      assert.equal(run.started_by, `compte effacé n° ${id}`);
      const account = (
        await t.db.query<{ email: string; nom: string; mot_de_passe_hash: string; actif: boolean }>(
          'SELECT email, nom, mot_de_passe_hash, actif FROM utilisateur WHERE id = $1',
          [id],
        )
      ).rows[0]!;
      assert.deepEqual(account, {
        email: `compte-efface-${id}`,
        nom: 'Compte effacé',
        mot_de_passe_hash: '',
        actif: false,
      });
      assert.equal((await t.db.query('SELECT 1 FROM session WHERE utilisateur_id = $1', [id])).rows.length, 0);
      assert.equal((await t.db.query('SELECT 1 FROM alerte_aides WHERE utilisateur_id = $1', [id])).rows.length, 0);
      // Signing in with the old address fails (this attempt is a new failed login, kept one day like any other).
      assert.notEqual((await signIn(t.app, EMAIL, PASSWORD)).res.statusCode, 303);
      // The other account is untouched.
      assert.equal(
        (await t.db.query('SELECT 1 FROM utilisateur WHERE email = $1', ['editrice@exemple.fr'])).rows.length,
        1,
      );
    });
  });
}
