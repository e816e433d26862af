import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createUser } from '../../src/accounts/service.ts';
import { backends, cookieHeader, csrfIn, setup, signIn } from '../helpers.ts';

const ADMIN_PW = 'Brume-sur-la-Saône-2026';
const EDITOR_PW = 'lanterne verte au bord du Doubs';

for (const backend of backends()) {
  describe(`passwords, password change, deactivation, logout journal (${backend.name})`, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    let client = 0;
    before(async () => {
      t = await setup(backend);
      await createUser(
        t.db,
        { id: null, label: 'cli' },
        { email: 'admin@region.fr', nom: 'Admin', motDePasse: ADMIN_PW, role: 'administrateur', organisationId: null },
      );
    });
    after(async () => {
      await t.close();
    });

    /** Signs in from a fresh client address (the per-address login limit is tested elsewhere). */
    async function login(email: string, password: string) {
      const { res, jar } = await signIn(t.app, email, password, { remoteAddress: `192.0.2.${++client}` });
      return { status: res.statusCode, jar };
    }
    const page = (jar: Record<string, string>, url: string) =>
      t.app.inject({ method: 'GET', url, headers: { cookie: cookieHeader(jar) } });
    async function post(jar: Record<string, string>, url: string, data: Record<string, string>) {
      const csrf = csrfIn((await page(jar, '/compte/mot-de-passe')).body);
      return t.app.inject({
        method: 'POST',
        url,
        headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: csrf, ...data }).toString(),
      });
    }
    const journal = async (action: string) =>
      (
        await t.db.query<{ acteur: string; objet_id: string | null }>(
          'SELECT acteur, objet_id FROM journal_audit WHERE action = $1 ORDER BY id',
          [action],
        )
      ).rows;

    test('weak passwords are refused with French advice, by the service and by the admin form', async () => {
      for (const weak of ['            ', 'aaaaaaaaaaaa', 'azertyuiop12', 'motdepasse', 'dupont.martin@region.fr']) {
        await assert.rejects(
          createUser(
            t.db,
            { id: null, label: 'cli' },
            {
              email: 'dupont.martin@region.fr',
              nom: 'Martin Dupont',
              motDePasse: weak,
              role: 'administrateur',
              organisationId: null,
            },
          ),
          (e: Error & { code?: string; userMessage?: string }) =>
            e.code === 'MOT_DE_PASSE_FAIBLE' && /Mot de passe trop/.test(e.userMessage ?? ''),
          JSON.stringify(weak),
        );
      }
      const admin = await login('admin@region.fr', ADMIN_PW);
      assert.equal(admin.status, 303);
      const r = await post(admin.jar, '/admin/utilisateurs', {
        nom: 'Faible',
        email: 'faible@region.fr',
        motDePasse: 'aaaaaaaaaaaa',
        role: 'administrateur',
        organisationId: '',
      });
      assert.equal(r.statusCode, 400);
      assert.match(r.body, /Mot de passe trop facile à deviner\. Les caractères répétés/);
      assert.equal((await t.db.query(`SELECT 1 FROM utilisateur WHERE email = 'faible@region.fr'`)).rows.length, 0);
    });

    test('a user changes their password: current one required, other sessions end, journal written', async () => {
      const org = await t.db.query<{ id: number }>(
        `INSERT INTO organisation (nom, type) VALUES ('Syndicat test', 'syndicat-mixte') RETURNING id`,
      );
      await createUser(
        t.db,
        { id: null, label: 'cli' },
        {
          email: 'edit@region.fr',
          nom: 'Éditrice',
          motDePasse: EDITOR_PW,
          role: 'editeur',
          organisationId: org.rows[0]!.id,
        },
      );
      const a = await login('edit@region.fr', EDITOR_PW);
      const b = await login('edit@region.fr', EDITOR_PW);
      assert.equal((await page(b.jar, '/admin')).statusCode, 200);

      const wrong = await post(a.jar, '/compte/mot-de-passe', {
        actuel: 'pas le bon mot de passe',
        nouveau: 'orage sur les plateaux du Morvan',
        confirmation: 'orage sur les plateaux du Morvan',
      });
      assert.equal(wrong.statusCode, 400);
      assert.match(wrong.body, /mot de passe actuel est incorrect/);
      const weak = await post(a.jar, '/compte/mot-de-passe', {
        actuel: EDITOR_PW,
        nouveau: 'aaaaaaaaaaaa',
        confirmation: 'aaaaaaaaaaaa',
      });
      assert.equal(weak.statusCode, 400);
      assert.match(weak.body, /trop facile à deviner/);
      const mismatch = await post(a.jar, '/compte/mot-de-passe', {
        actuel: EDITOR_PW,
        nouveau: 'orage sur les plateaux du Morvan',
        confirmation: 'autre chose',
      });
      assert.match(mismatch.body, /confirmation ne correspond pas/);

      const ok = await post(a.jar, '/compte/mot-de-passe', {
        actuel: EDITOR_PW,
        nouveau: 'orage sur les plateaux du Morvan',
        confirmation: 'orage sur les plateaux du Morvan',
      });
      assert.equal(ok.statusCode, 303);
      assert.equal((await page(a.jar, '/admin')).statusCode, 200, 'the current session stays');
      assert.equal((await page(b.jar, '/admin')).statusCode, 401, 'the other session ended');
      assert.equal((await login('edit@region.fr', EDITOR_PW)).status, 401);
      assert.equal((await login('edit@region.fr', 'orage sur les plateaux du Morvan')).status, 303);
      assert.deepEqual(
        (await journal('changement-mot-de-passe')).map((r) => r.acteur),
        ['edit@region.fr'],
      );
    });

    test('an administrator deactivates a user (sessions end, login refused) and reactivates them', async () => {
      const id = (await t.db.query<{ id: number }>(`SELECT id FROM utilisateur WHERE email = 'edit@region.fr'`))
        .rows[0]!.id;
      const editor = await login('edit@region.fr', 'orage sur les plateaux du Morvan');
      const admin = await login('admin@region.fr', ADMIN_PW);
      const users = await page(admin.jar, '/admin/utilisateurs');
      assert.match(users.body, new RegExp(`action="/admin/utilisateurs/${id}/desactivation"`));
      assert.equal((await post(admin.jar, `/admin/utilisateurs/${id}/desactivation`, {})).statusCode, 303);
      assert.equal((await page(editor.jar, '/admin')).statusCode, 401);
      assert.equal((await t.db.query('SELECT 1 FROM session WHERE utilisateur_id = $1', [id])).rows.length, 0);
      assert.equal((await login('edit@region.fr', 'orage sur les plateaux du Morvan')).status, 401);
      assert.equal((await post(admin.jar, `/admin/utilisateurs/${id}/reactivation`, {})).statusCode, 303);
      assert.equal((await login('edit@region.fr', 'orage sur les plateaux du Morvan')).status, 303);
      assert.deepEqual(
        (await journal('desactivation')).map((r) => r.objet_id),
        [String(id)],
      );
      assert.deepEqual(
        (await journal('reactivation')).map((r) => r.objet_id),
        [String(id)],
      );
      // Not oneself, and not a user who does not exist.
      const adminId = (await t.db.query<{ id: number }>(`SELECT id FROM utilisateur WHERE email = 'admin@region.fr'`))
        .rows[0]!.id;
      const self = await post(admin.jar, `/admin/utilisateurs/${adminId}/desactivation`, {});
      assert.equal(self.statusCode, 400);
      assert.match(self.body, /propre compte/);
      assert.equal((await post(admin.jar, '/admin/utilisateurs/999999/desactivation', {})).statusCode, 404);
      assert.equal((await post(admin.jar, '/admin/utilisateurs/abc/desactivation', {})).statusCode, 400);
      // An editor cannot do it.
      const ed = await login('edit@region.fr', 'orage sur les plateaux du Morvan');
      assert.equal((await post(ed.jar, `/admin/utilisateurs/${adminId}/desactivation`, {})).statusCode, 403);
    });

    test('logout is in the journal', async () => {
      const admin = await login('admin@region.fr', ADMIN_PW);
      const before = (await journal('deconnexion')).length;
      const csrf = csrfIn((await page(admin.jar, '/admin')).body);
      const out = await t.app.inject({
        method: 'POST',
        url: '/deconnexion',
        headers: { cookie: cookieHeader(admin.jar), 'content-type': 'application/x-www-form-urlencoded' },
        payload: `_csrf=${csrf}`,
      });
      assert.equal(out.statusCode, 303);
      const rows = await journal('deconnexion');
      assert.equal(rows.length, before + 1);
      assert.equal(rows.at(-1)!.acteur, 'admin@region.fr');
      assert.equal((await page(admin.jar, '/admin')).statusCode, 401);
    });
  });
}
