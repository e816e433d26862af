import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createUser } from '../../src/accounts/service.ts';
import { backends, cookieHeader, csrfIn, setup, signIn } from '../helpers.ts';

const SYSTEM = { id: null, label: 'test' };

for (const backend of backends()) {
  describe(`GDPR: register of processing activities and own-data download (${backend.name})`, () => {
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
  });
}
