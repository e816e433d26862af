import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createUser } from '../../src/accounts/service.ts';
import {
  backends,
  cookieHeader,
  cookiesOf,
  csrfIn,
  missingShared,
  type InjectResponse as Res,
  setup,
  shared,
  signIn,
} from '../helpers.ts';

for (const backend of backends()) {
  describe(`accounts, roles, CSRF and audit (${backend.name})`, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    before(async () => {
      t = await setup(backend);
      await createUser(
        t.db,
        { id: null, label: 'cli' },
        {
          email: 'admin@region.fr',
          nom: 'Admin Région',
          motDePasse: 'correct horse battery',
          role: 'administrateur',
          organisationId: null,
        },
      );
    });
    after(async () => {
      await t.close();
    });

    const login = (email: string, password: string) => signIn(t.app, email, password);

    test('wrong credentials get one generic message, whichever part was wrong', async () => {
      const a = await login('admin@region.fr', 'wrong password!!');
      const b = await login('nobody@region.fr', 'correct horse battery');
      assert.equal(a.res.statusCode, 401);
      assert.equal(b.res.statusCode, 401);
      const msg = (r: Res) => /<p>(Adresse électronique ou mot de passe incorrect\.)<\/p>/.exec(r.body)?.[1];
      assert.ok(msg(a.res));
      assert.equal(msg(a.res), msg(b.res));
    });

    test('a form posted without the CSRF token is refused', async () => {
      const form = await t.app.inject({ method: 'GET', url: '/connexion' });
      const r = await t.app.inject({
        method: 'POST',
        url: '/connexion',
        headers: { cookie: cookieHeader(cookiesOf(form)), 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'email=admin%40region.fr&motDePasse=correct+horse+battery',
      });
      assert.equal(r.statusCode, 403);
      assert.match(r.body, /CSRF_INVALIDE/);
    });

    test('admin signs in, creates an organisation and an editor; every write is in the journal', async () => {
      const { res, jar } = await login('admin@region.fr', 'correct horse battery');
      assert.equal(res.statusCode, 303);
      assert.ok(jar.pan_session);
      const page = await t.app.inject({
        method: 'GET',
        url: '/admin/utilisateurs',
        headers: { cookie: cookieHeader(jar) },
      });
      assert.equal(page.statusCode, 200);
      const csrf = csrfIn(page.body);
      const post = (url: string, data: Record<string, string>) =>
        t.app.inject({
          method: 'POST',
          url,
          headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ _csrf: csrf, ...data }).toString(),
        });
      assert.equal(
        (await post('/admin/organisations', { nom: 'Département du Doubs', type: 'departement', territoire: '25' }))
          .statusCode,
        303,
      );
      const org = await t.db.query<{ id: number }>(`SELECT id FROM organisation WHERE nom = 'Département du Doubs'`);
      const created = await post('/admin/utilisateurs', {
        nom: 'Éditrice Doubs',
        email: 'edit@doubs.fr',
        motDePasse: 'un mot de passe long',
        role: 'editeur',
        organisationId: String(org.rows[0]!.id),
      });
      assert.equal(created.statusCode, 303);
      assert.equal(created.headers.location, '/admin/utilisateurs');
      const hash = await t.db.query<{ mot_de_passe_hash: string }>(
        `SELECT mot_de_passe_hash FROM utilisateur WHERE email = 'edit@doubs.fr'`,
      );
      assert.match(hash.rows[0]!.mot_de_passe_hash, /^\$argon2id\$/);
      const journal = await t.app.inject({
        method: 'GET',
        url: '/admin/journal',
        headers: { cookie: cookieHeader(jar) },
      });
      assert.match(journal.body, /organisation/);
      assert.match(journal.body, /edit@doubs.fr/);
      assert.ok(!journal.body.includes('un mot de passe long'));
      // An editor cannot reach administrator pages or writes.
      const ed = await login('edit@doubs.fr', 'un mot de passe long');
      assert.equal(ed.res.statusCode, 303);
      assert.equal(
        (await t.app.inject({ method: 'GET', url: '/admin', headers: { cookie: cookieHeader(ed.jar) } })).statusCode,
        200,
      );
      assert.equal(
        (await t.app.inject({ method: 'GET', url: '/admin/imports', headers: { cookie: cookieHeader(ed.jar) } }))
          .statusCode,
        403,
      );
    });

    test('anonymous visitors cannot reach administration', async () => {
      const r = await t.app.inject({ method: 'GET', url: '/admin/imports' });
      assert.equal(r.statusCode, 401);
    });

    test('admin uploads a boundary file from the admin page; oversized uploads are refused', {
      skip: missingShared('boundaries/france-geojson-2018/departements-normandie.geojson.gz'),
    }, async () => {
      const { jar } = await login('admin@region.fr', 'correct horse battery');
      const page = await t.app.inject({ method: 'GET', url: '/admin/imports', headers: { cookie: cookieHeader(jar) } });
      const csrf = /action="\/admin\/imports\?_csrf=([^"]+)"/.exec(page.body)![1]!;
      const fs = await import('node:fs');
      const file = fs.readFileSync(shared('boundaries', 'france-geojson-2018', 'departements-normandie.geojson.gz'));
      const boundary = '----pan';
      const body = Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="job"\r\n\r\ncontours\r\n--${boundary}\r\nContent-Disposition: form-data; name="fichier"; filename="departements-normandie.geojson.gz"\r\nContent-Type: application/gzip\r\n\r\n`,
        ),
        file,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      const r = await t.app.inject({
        method: 'POST',
        url: `/admin/imports?_csrf=${csrf}`,
        headers: { cookie: cookieHeader(jar), 'content-type': `multipart/form-data; boundary=${boundary}` },
        payload: body,
      });
      assert.equal(r.statusCode, 303);
      for (let i = 0; i < 50; i++) {
        const runs = await t.db.query<{ status: string }>(
          `SELECT status FROM import_run WHERE job = 'contours' ORDER BY id DESC LIMIT 1`,
        );
        if (runs.rows[0] && runs.rows[0].status !== 'running') break;
        await new Promise((res) => setTimeout(res, 100));
      }
      const n = await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM territoire_geometrie WHERE niveau = 'departement'`,
      );
      assert.equal(n.rows[0]!.n, 5);

      const small = await setup(backend, { UPLOAD_MAX_MB: '1' });
      try {
        await createUser(
          small.db,
          { id: null, label: 'cli' },
          {
            email: 'a@b.fr',
            nom: 'A',
            motDePasse: 'correct horse battery',
            role: 'administrateur',
            organisationId: null,
          },
        );
        const f = await small.app.inject({ method: 'GET', url: '/connexion' });
        const j1 = cookiesOf(f);
        const li = await small.app.inject({
          method: 'POST',
          url: '/connexion',
          headers: { cookie: cookieHeader(j1), 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({
            _csrf: csrfIn(f.body),
            email: 'a@b.fr',
            motDePasse: 'correct horse battery',
          }).toString(),
        });
        const j2 = { ...j1, ...cookiesOf(li) };
        const p2 = await small.app.inject({
          method: 'GET',
          url: '/admin/imports',
          headers: { cookie: cookieHeader(j2) },
        });
        const c2 = /action="\/admin\/imports\?_csrf=([^"]+)"/.exec(p2.body)![1]!;
        const big = Buffer.concat([
          Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="job"\r\n\r\ncontours\r\n--${boundary}\r\nContent-Disposition: form-data; name="fichier"; filename="gros.geojson"\r\nContent-Type: application/json\r\n\r\n`,
          ),
          Buffer.alloc(2 * 1024 * 1024, 32),
          Buffer.from(`\r\n--${boundary}--\r\n`),
        ]);
        const rr = await small.app.inject({
          method: 'POST',
          url: `/admin/imports?_csrf=${c2}`,
          headers: { cookie: cookieHeader(j2), 'content-type': `multipart/form-data; boundary=${boundary}` },
          payload: big,
        });
        assert.equal(rr.statusCode, 413);
        assert.match(rr.body, /taille maximale/);
      } finally {
        await small.close();
      }
    });

    test('login is rate-limited', async () => {
      let last = 0;
      for (let i = 0; i < 12; i++) last = (await login('admin@region.fr', 'bad')).res.statusCode;
      assert.equal(last, 429);
    });
  });
}
