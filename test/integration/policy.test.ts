import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ownerOf, setOwner } from '../../src/accounts/ownership.ts';
import { insertOrganisation, userByEmail } from '../../src/accounts/queries.ts';
import { createUser, openSession, sessionFromToken } from '../../src/accounts/service.ts';
import { buildApp } from '../../src/app.ts';
import { prepareDatabase } from '../../src/bootstrap.ts';
import type { AppModule } from '../../src/context.ts';
import type { Db } from '../../src/db/db.ts';
import { insertRip } from '../../src/eligibility/queries.ts';
import { insertSchedule } from '../../src/imports/schedules.ts';
import { MODULES } from '../../src/modules.ts';
import { insertObjectif } from '../../src/observatory/queries.ts';
import {
  backends,
  cookieHeader,
  cookiesOf,
  type InjectResponse,
  missingShared,
  quietLog,
  shared,
  testConfig,
} from '../helpers.ts';
import { ADMIN_ONLY, CREATE, type Env, type Matrix, OWNED, type Req, WHO, type Who } from '../policy/types.ts';

/**
 * The role matrix: every non-GET route of the running app, read from Fastify's route table, must
 * appear below with what each kind of user gets — or in PUBLIC with the reason. A new write route
 * without an entry fails the first test, so it cannot ship without a decided policy.
 */

const lastRun = async (env: Env) =>
  (await env.db.query<{ id: number }>('SELECT max(id)::int AS id FROM import_run')).rows[0]!.id;
const ripOfA = async (env: Env) => {
  const id = await insertRip(env.db, {
    nom: `Réseau ${env.seq()}`,
    porteur: null,
    exploitant: null,
    contact_gros: null,
    email: null,
    telephone: null,
    site: null,
  });
  await setOwner(env.db, 'rip', id, env.orgA);
  return id;
};
const objectifOfA = async (env: Env) => {
  const id = await insertObjectif(env.db, {
    libelle: `Objectif ${env.seq()}`,
    strategie: 'Stratégie du syndicat',
    territoire_niveau: 'departement',
    territoire_code: '25',
    indicateur: 'taux_ftth',
    cible: 0.9,
    echeance: '2030-12-31',
    source: 'délibération',
    note: null,
    actif: true,
  });
  await setOwner(env.db, 'objectif', id, env.orgA);
  return id;
};
const userOfB = async (env: Env) =>
  createUser(
    env.db,
    { id: null, label: 'test' },
    {
      email: `compte${env.seq()}@jura.fr`,
      nom: 'Compte du Jura',
      motDePasse: 'une phrase de passe assez longue',
      role: 'editeur',
      organisationId: env.orgB,
    },
  );
const ripForm = (env: Env) => ({
  nom: `Réseau ${env.seq()}`,
  porteur: 'Syndicat mixte',
  exploitant: '',
  contact_gros: '',
  email: '',
  telephone: '',
  site: '',
  communes: '25056',
});
const objectifForm = (env: Env) => ({
  libelle: `Objectif ${env.seq()}`,
  strategie: 'Stratégie',
  territoire_niveau: 'departement',
  territoire_code: '25',
  indicateur: 'taux_ftth',
  cible_pct: '90',
  echeance: '2030-12-31',
  source: 'délibération',
  actif: '1',
});
const OFFRES = shared('arcep-fixe', 'france-thd-operateurs-satellite-4g-par-departement-2024.csv.gz');

/** Non-GET routes and the policy each follows; `request` builds a fresh request (and resource) per user. */
const MATRIX: Matrix = {
  'POST /admin/imports': {
    expect: ADMIN_ONLY,
    request: async () => ({
      url: '/admin/imports',
      multipart: { fields: { job: 'offres-repli' }, file: { name: 'offres.csv.gz', path: OFFRES } },
    }),
  },
  'POST /admin/planification': {
    expect: ADMIN_ONLY,
    request: async () => ({
      url: '/admin/planification',
      form: { job: 'offres-repli', source: 'https://www.example.fr/offres.csv', heures: '168', options: '' },
    }),
  },
  'POST /admin/planification/:id/suppression': {
    expect: ADMIN_ONLY,
    request: async (env) => ({
      url: `/admin/planification/${(await insertSchedule(env.db, { job: 'offres-repli', source: 'https://www.example.fr/x.csv', options: {}, hours: 24 })).id}/suppression`,
      form: {},
    }),
  },
  'POST /admin/imports/:id/annulation': {
    expect: ADMIN_ONLY,
    request: async (env) => ({ url: `/admin/imports/${await lastRun(env)}/annulation`, form: {} }),
  },
  'POST /admin/imports/:id/suites': {
    expect: ADMIN_ONLY,
    request: async (env) => ({ url: `/admin/imports/${await lastRun(env)}/suites`, form: {} }),
  },
  'POST /admin/utilisateurs': {
    expect: ADMIN_ONLY,
    request: async (env) => ({
      url: '/admin/utilisateurs',
      form: {
        nom: 'Nouvel éditeur',
        email: `editeur${env.seq()}@exemple.fr`,
        motDePasse: 'une phrase de passe assez longue',
        role: 'editeur',
        organisationId: String(env.orgB),
      },
    }),
  },
  'POST /admin/organisations': {
    expect: ADMIN_ONLY,
    request: async (env) => ({
      url: '/admin/organisations',
      form: { nom: `Organisation ${env.seq()}`, type: 'gip', territoire: '' },
    }),
  },
  'POST /admin/utilisateurs/:id/desactivation': {
    expect: ADMIN_ONLY,
    request: async (env) => ({ url: `/admin/utilisateurs/${await userOfB(env)}/desactivation`, form: {} }),
  },
  'POST /admin/utilisateurs/:id/reactivation': {
    expect: ADMIN_ONLY,
    request: async (env) => ({ url: `/admin/utilisateurs/${await userOfB(env)}/reactivation`, form: {} }),
  },
  // Everyone signed in changes their own password (the current one is required).
  'POST /compte/mot-de-passe': {
    expect: CREATE,
    request: async (env) => {
      const nouveau = `une autre phrase de passe numéro ${env.seq()}`;
      return {
        url: '/compte/mot-de-passe',
        form: { actuel: 'une phrase de passe assez longue', nouveau, confirmation: nouveau },
      };
    },
  },
  'POST /admin/eligibilite/rip': {
    expect: CREATE,
    request: async (env) => ({ url: '/admin/eligibilite/rip', form: ripForm(env) }),
  },
  'POST /admin/eligibilite/rip/:id': {
    expect: OWNED,
    request: async (env) => ({ url: `/admin/eligibilite/rip/${await ripOfA(env)}`, form: ripForm(env) }),
  },
  'POST /admin/eligibilite/rip/:id/suppression': {
    expect: OWNED,
    request: async (env) => ({ url: `/admin/eligibilite/rip/${await ripOfA(env)}/suppression`, form: {} }),
  },
  'POST /observatoire/objectifs': {
    expect: CREATE,
    request: async (env) => ({ url: '/observatoire/objectifs', form: objectifForm(env) }),
  },
  'POST /observatoire/objectifs/:id': {
    expect: OWNED,
    request: async (env) => ({ url: `/observatoire/objectifs/${await objectifOfA(env)}`, form: objectifForm(env) }),
  },
  'POST /observatoire/objectifs/:id/suppression': {
    expect: OWNED,
    request: async (env) => ({ url: `/observatoire/objectifs/${await objectifOfA(env)}/suppression`, form: {} }),
  },
};

/** Non-GET routes open to visitors on purpose, and why. */
const PUBLIC: Record<string, string> = {
  'POST /connexion': 'the login form itself (CSRF by double-submit cookie, rate-limited)',
  'POST /deconnexion': 'ends whatever session the cookie names; nothing to protect for a visitor (CSRF still required)',
  'POST /interne/imports':
    'CLI hand-off: loopback only, authorised by the bearer token of the lock file, never by a session',
  'POST /interne/administrateurs':
    'CLI hand-off of creer-admin: loopback only, bearer token of the lock file, never a session',
};

// Each later module's entries live in test/policy/<module>.ts (see its README).
const POLICY_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'policy');
for (const f of fs
  .readdirSync(POLICY_DIR)
  .filter((n) => n.endsWith('.ts') && n !== 'types.ts')
  .sort()) {
  const mod = (await import(path.join(POLICY_DIR, f))) as { matrix?: Matrix; publicRoutes?: Record<string, string> };
  for (const [route, entry] of Object.entries(mod.matrix ?? {})) {
    assert.ok(!(route in MATRIX), `${route} is in two matrix files`);
    MATRIX[route] = entry;
  }
  Object.assign(PUBLIC, mod.publicRoutes ?? {});
}

type Session = { cookie: string; csrf: string };

for (const backend of backends()) {
  describe(`role matrix and route inputs (${backend.name})`, {
    skip: missingShared('arcep-fixe/france-thd-operateurs-satellite-4g-par-departement-2024.csv.gz'),
  }, () => {
    let db: Db;
    let drop: () => Promise<void>;
    let app: Awaited<ReturnType<typeof buildApp>>['app'];
    let env: Env;
    const routes: { method: string; url: string; schema: Record<string, unknown> | undefined }[] = [];
    const as: Partial<Record<Who, Session>> = {};

    // Records the route table as modules register (Fastify's onRoute hook), before any module adds a route.
    const recorder: AppModule = {
      name: 'route-recorder',
      register(a) {
        a.addHook('onRoute', (r) => {
          for (const method of [r.method].flat())
            routes.push({ method, url: r.url, schema: r.schema as Record<string, unknown> | undefined });
        });
      },
    };

    const sessionOf = async (email: string): Promise<Session> => {
      const { token } = await openSession(db, (await userByEmail(db, email))!);
      return { cookie: `pan_session=${token}`, csrf: (await sessionFromToken(db, token))!.csrf_token };
    };

    /** Sends a request as someone; `csrf: false` leaves the token out. Visitors use the double-submit cookie. */
    const send = async (who: Who, r: Req, csrf = true): Promise<InjectResponse> => {
      let s = as[who];
      if (!s) {
        const form = await app.inject({ method: 'GET', url: '/connexion' });
        const jar = cookiesOf(form);
        s = { cookie: cookieHeader(jar), csrf: jar.pan_csrf! };
      }
      const token = csrf ? s.csrf : '';
      if (r.multipart) {
        const b = '----matrix';
        const parts = Object.entries(r.multipart.fields).map(([k, v]) =>
          Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`),
        );
        const payload = Buffer.concat([
          ...parts,
          Buffer.from(
            `--${b}\r\nContent-Disposition: form-data; name="fichier"; filename="${r.multipart.file.name}"\r\nContent-Type: application/gzip\r\n\r\n`,
          ),
          fs.readFileSync(r.multipart.file.path),
          Buffer.from(`\r\n--${b}--\r\n`),
        ]);
        return app.inject({
          method: 'POST',
          url: `${r.url}?_csrf=${encodeURIComponent(token)}`,
          headers: { cookie: s.cookie, 'content-type': `multipart/form-data; boundary=${b}` },
          payload,
        });
      }
      return app.inject({
        method: 'POST',
        url: r.url,
        headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ ...(csrf ? { _csrf: token } : {}), ...r.form }).toString(),
      });
    };
    const post = (who: Who, url: string, form: Record<string, string>) => send(who, { url, form });

    // testConfig() gives each call its own directory: remember this app's, where its uploads go.
    let dataDir = '';
    before(async () => {
      ({ db, drop } = await backend.open());
      const config = testConfig();
      dataDir = config.dataDir;
      await prepareDatabase(db, config, quietLog);
      ({ app } = await buildApp(config, {
        db,
        log: quietLog,
        modules: [recorder, ...MODULES],
        internalToken: 'test-token',
      }));
      await app.ready();
      const orgA = await insertOrganisation(db, {
        nom: 'Syndicat mixte Doubs Très Haut Débit',
        type: 'syndicat-mixte',
        territoireNiveau: 'departement',
        territoireCode: '25',
      });
      const orgB = await insertOrganisation(db, {
        nom: 'Département du Jura',
        type: 'departement',
        territoireNiveau: 'departement',
        territoireCode: '39',
      });
      let n = 0;
      env = { db, orgA, orgB, seq: () => ++n };
      const cli = { id: null, label: 'test' };
      const pw = 'une phrase de passe assez longue';
      await createUser(db, cli, {
        email: 'admin@region.fr',
        nom: 'Admin',
        motDePasse: pw,
        role: 'administrateur',
        organisationId: null,
      });
      await createUser(db, cli, {
        email: 'editeur@doubs.fr',
        nom: 'Éditrice Doubs',
        motDePasse: pw,
        role: 'editeur',
        organisationId: orgA,
      });
      await createUser(db, cli, {
        email: 'editeur@jura.fr',
        nom: 'Éditeur Jura',
        motDePasse: pw,
        role: 'editeur',
        organisationId: orgB,
      });
      as.admin = await sessionOf('admin@region.fr');
      as.editeurProprietaire = await sessionOf('editeur@doubs.fr');
      as.editeurAutre = await sessionOf('editeur@jura.fr');
    });
    after(async () => {
      // Imports launched by the matrix run in the background: let them end before closing the database.
      for (let i = 0; i < 100 && (await db.query(`SELECT 1 FROM import_run WHERE status = 'running'`)).rows.length; i++)
        await new Promise((r) => setTimeout(r, 100));
      await app.close();
      await drop();
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    });

    test('every non-GET route has a decided policy (or is public for a stated reason)', () => {
      const writes = routes
        .filter((r) => !['GET', 'HEAD', 'OPTIONS'].includes(r.method))
        .map((r) => `${r.method} ${r.url}`)
        .sort();
      assert.ok(writes.length >= 14, `only ${writes.length} write routes seen: the route table was not recorded`);
      const decided = [...Object.keys(MATRIX), ...Object.keys(PUBLIC)].sort();
      assert.deepEqual(
        writes,
        decided,
        'a write route is missing from MATRIX or PUBLIC (or an entry names a route that no longer exists)',
      );
    });

    test('every route with path parameters validates them with a schema', () => {
      const missing = routes.filter((r) => r.url.includes(':') && !r.schema?.params).map((r) => `${r.method} ${r.url}`);
      assert.deepEqual(missing, []);
    });

    for (const [route, spec] of Object.entries(MATRIX)) {
      for (const who of WHO) {
        test(`${route} — ${who}: ${spec.expect[who]}`, async () => {
          const res = await send(who, await spec.request(env));
          const want = spec.expect[who];
          if (want === 'ok')
            assert.equal(res.statusCode, 303, `${route} as ${who}: ${res.statusCode} ${res.body.slice(0, 300)}`);
          else {
            assert.equal(res.statusCode, want, `${route} as ${who}: ${res.body.slice(0, 300)}`);
            assert.match(res.body, want === 401 ? /NON_AUTHENTIFIE/ : /code INTERDIT/);
          }
        });
      }
      test(`${route} — refused without the CSRF token, even for the administrator`, async () => {
        const res = await send('admin', await spec.request(env), false);
        assert.equal(res.statusCode, 403);
        assert.match(res.body, /CSRF_INVALIDE/);
      });
    }

    test('public write routes: login and logout still need the CSRF token; the hand-off needs its bearer token', async () => {
      for (const url of ['/connexion', '/deconnexion']) {
        const res = await send('anonyme', { url, form: { email: 'admin@region.fr', motDePasse: 'x' } }, false);
        assert.equal(res.statusCode, 403, url);
        assert.match(res.body, /CSRF_INVALIDE/);
      }
      assert.equal((await send('anonyme', { url: '/deconnexion', form: {} })).statusCode, 303);
      for (const who of WHO) {
        const res = await app.inject({
          method: 'POST',
          url: '/interne/imports',
          headers: { cookie: as[who]?.cookie ?? '', 'content-type': 'application/json' },
          payload: { job: 'offres-repli', startedBy: who },
        });
        assert.equal(res.statusCode, 403, who);
        const admin = await app.inject({
          method: 'POST',
          url: '/interne/administrateurs',
          headers: { cookie: as[who]?.cookie ?? '', 'content-type': 'application/json' },
          payload: {
            email: 'intrus@exemple.fr',
            nom: 'Intrus',
            motDePasse: 'une phrase de passe assez longue',
            acteur: who,
          },
        });
        assert.equal(admin.statusCode, 403, who);
      }
    });

    test("an editor's new network and target belong to their organisation; only administrators give them away", async () => {
      const created = await post('editeurProprietaire', '/admin/eligibilite/rip', {
        ...ripForm(env),
        nom: 'Réseau du syndicat',
      });
      assert.equal(created.statusCode, 303);
      const id = Number(/rip\/(\d+)/.exec(String(created.headers.location))![1]);
      assert.equal((await ownerOf(db, 'rip', id))?.organisationId, env.orgA);
      const giveAway = await post('editeurProprietaire', `/admin/eligibilite/rip/${id}`, {
        ...ripForm(env),
        organisationId: String(env.orgB),
      });
      assert.equal(giveAway.statusCode, 403);
      assert.equal((await ownerOf(db, 'rip', id))?.organisationId, env.orgA);
      // The administrator hands it to the Jura: its editor may now change it, the Doubs' no longer.
      assert.equal(
        (await post('admin', `/admin/eligibilite/rip/${id}`, { ...ripForm(env), organisationId: String(env.orgB) }))
          .statusCode,
        303,
      );
      assert.equal((await post('editeurAutre', `/admin/eligibilite/rip/${id}`, ripForm(env))).statusCode, 303);
      assert.equal((await post('editeurProprietaire', `/admin/eligibilite/rip/${id}`, ripForm(env))).statusCode, 403);
      const journal = await db.query<{ acteur: string; apres: { organisation_id: number } }>(
        `SELECT acteur, apres FROM journal_audit WHERE objet_type = 'rip' AND objet_id = $1 ORDER BY id`,
        [String(id)],
      );
      assert.deepEqual(
        journal.rows.map((r) => [r.acteur, r.apres.organisation_id]),
        [
          ['editeur@doubs.fr', env.orgA],
          ['admin@region.fr', env.orgB],
          ['editeur@jura.fr', env.orgB],
        ],
      );

      const target = await post('editeurProprietaire', '/observatoire/objectifs', {
        ...objectifForm(env),
        libelle: 'Fibre partout dans le Doubs',
      });
      assert.equal(target.statusCode, 303);
      const tid = (
        await db.query<{ id: number }>(
          `SELECT id::int AS id FROM obs_objectif WHERE libelle = 'Fibre partout dans le Doubs'`,
        )
      ).rows[0]!.id;
      assert.equal((await ownerOf(db, 'objectif', tid))?.organisationId, env.orgA);
      // Seeded regional targets have no owner: editors may not change them.
      const seeded = (
        await db.query<{ id: number }>(`SELECT id::int AS id FROM obs_objectif WHERE libelle = 'FttH partout en 2025'`)
      ).rows[0]!.id;
      assert.equal(
        (await post('editeurProprietaire', `/observatoire/objectifs/${seeded}`, objectifForm(env))).statusCode,
        403,
      );
    });

    test('editors see edit forms and links only for what their organisation owns', async () => {
      const mine = await ripOfA(env);
      const page = (who: Who, url: string) => app.inject({ method: 'GET', url, headers: { cookie: as[who]!.cookie } });
      const list = await page('editeurAutre', '/admin/eligibilite/rip');
      assert.equal(list.statusCode, 200);
      assert.ok(!list.body.includes(`href="/admin/eligibilite/rip/${mine}"`));
      assert.ok(
        (await page('editeurProprietaire', '/admin/eligibilite/rip')).body.includes(
          `href="/admin/eligibilite/rip/${mine}"`,
        ),
      );
      assert.equal((await page('editeurAutre', `/admin/eligibilite/rip/${mine}`)).statusCode, 403);
      const own = await page('editeurProprietaire', `/admin/eligibilite/rip/${mine}`);
      assert.equal(own.statusCode, 200);
      assert.ok(!own.body.includes('name="organisationId"'), 'editors are not offered the owner choice');
      assert.ok((await page('admin', `/admin/eligibilite/rip/${mine}`)).body.includes('name="organisationId"'));

      const target = await objectifOfA(env);
      const targets = await page('editeurProprietaire', '/observatoire/objectifs');
      assert.ok(targets.body.includes(`action="/observatoire/objectifs/${target}"`));
      assert.ok(
        !(await page('editeurAutre', '/observatoire/objectifs')).body.includes(
          `action="/observatoire/objectifs/${target}"`,
        ),
      );
    });

    describe('inputs refused with a French message instead of a 500 (issue 9)', () => {
      const NUL = 'a\u0000b';
      const refused = async (res: InjectResponse, pattern: RegExp) => {
        assert.equal(res.statusCode, 400, res.body.slice(0, 400));
        assert.match(res.body, /REQUETE_INVALIDE/);
        assert.match(res.body, pattern);
      };

      test('a NUL byte in any administration text field', async () => {
        const forms: [string, Record<string, string>, string[]][] = [
          ['/admin/organisations', { nom: 'Organisation NUL', type: 'gip', territoire: '' }, ['nom', 'territoire']],
          [
            '/admin/utilisateurs',
            {
              nom: 'Nom',
              email: 'nul@exemple.fr',
              motDePasse: 'une phrase de passe assez longue',
              role: 'editeur',
              organisationId: String(env.orgA),
            },
            ['nom', 'email'],
          ],
          [
            '/admin/planification',
            { job: 'offres-repli', source: 'https://www.example.fr/a.csv', heures: '24', options: '' },
            ['job', 'source', 'options', 'heures'],
          ],
          [
            '/admin/eligibilite/rip',
            {
              ...ripForm(env),
              exploitant: 'x',
              contact_gros: 'x',
              telephone: '03',
              email: 'a@b.fr',
              site: 'https://a.fr',
            },
            ['nom', 'porteur', 'exploitant', 'contact_gros', 'email', 'telephone', 'site', 'communes'],
          ],
          [
            '/observatoire/objectifs',
            { ...objectifForm(env), note: 'note' },
            ['libelle', 'strategie', 'territoire_code', 'source', 'note', 'echeance', 'cible_pct'],
          ],
        ];
        for (const [url, form, fields] of forms) {
          for (const f of fields) {
            const res = await post('admin', url, {
              ...form,
              [f]: f === 'options' ? '{"niveau": "a\\u0000b"}' : `${form[f]}${NUL}`,
            });
            assert.equal(res.statusCode, 400, `${url} ${f}: ${res.statusCode} ${res.body.slice(0, 300)}`);
            assert.match(res.body, /REQUETE_INVALIDE/, `${url} ${f}`);
          }
        }
        const login = await send('anonyme', {
          url: '/connexion',
          form: { email: `admin@region.fr${NUL}`, motDePasse: 'x' },
        });
        assert.equal(login.statusCode, 401);
        assert.equal((await db.query(`SELECT 1 FROM organisation WHERE nom LIKE 'Organisation NUL%'`)).rows.length, 0);
      });

      test('a non-existent or too large organisationId', async () => {
        const user = { nom: 'Nom', motDePasse: 'une phrase de passe assez longue', role: 'editeur' };
        await refused(
          await post('admin', '/admin/utilisateurs', { ...user, email: 'org1@exemple.fr', organisationId: '999999' }),
          /Cette organisation n’existe pas/,
        );
        await refused(
          await post('admin', '/admin/utilisateurs', {
            ...user,
            email: 'org2@exemple.fr',
            organisationId: '99999999999999999999',
          }),
          /identifiant invalide/,
        );
        await refused(
          await post('admin', '/admin/utilisateurs', { ...user, email: 'org3@exemple.fr', organisationId: '-1' }),
          /identifiant invalide/,
        );
        await refused(
          await post('admin', '/admin/eligibilite/rip', { ...ripForm(env), organisationId: '999999' }),
          /Cette organisation n’existe pas/,
        );
        await refused(
          await post('admin', '/observatoire/objectifs', {
            ...objectifForm(env),
            organisationId: '99999999999999999999',
          }),
          /identifiant invalide/,
        );
        assert.equal((await db.query(`SELECT 1 FROM utilisateur WHERE email LIKE 'org_@exemple.fr'`)).rows.length, 0);
      });

      test('an organisation name already taken', async () => {
        await refused(
          await post('admin', '/admin/organisations', {
            nom: 'département du jura',
            type: 'departement',
            territoire: '39',
          }),
          /Une organisation s’appelle déjà/,
        );
      });

      test('an impossible deadline', async () => {
        for (const echeance of ['2030-13-45', '2030-02-30', '30/12/2030']) {
          await refused(await post('admin', '/observatoire/objectifs', { ...objectifForm(env), echeance }), /date/);
        }
      });

      test('ids in paths that are not ids, or name nothing', async () => {
        const get = (url: string) => app.inject({ method: 'GET', url, headers: { cookie: as.admin!.cookie } });
        await refused(await get('/admin/eligibilite/rip/abc'), /identifiant invalide/);
        await refused(await get('/admin/eligibilite/rip/99999999999999999999'), /identifiant invalide/);
        await refused(await get('/admin/imports/abc'), /identifiant invalide/);
        await refused(await post('admin', '/admin/planification/abc/suppression', {}), /identifiant invalide/);
        await refused(await post('admin', '/observatoire/objectifs/1e3', objectifForm(env)), /identifiant invalide/);
        const gone = await post('admin', '/admin/planification/999999/suppression', {});
        assert.equal(gone.statusCode, 404);
        assert.match(gone.body, /Cette planification n’existe pas/);
        assert.equal((await get('/admin/eligibilite/rip/999999')).statusCode, 404);
      });

      test('an upload whose name holds a NUL byte, or a refused upload, leaves no file behind', async () => {
        const dir = path.join(dataDir, 'televersements');
        const marker = `matrice-${process.pid}-${Date.now()}`;
        const left = () => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.includes(marker)) : []);
        await refused(
          await send('admin', {
            url: '/admin/imports',
            multipart: { fields: { job: 'offres-repli' }, file: { name: `${marker}\u0000.csv.gz`, path: OFFRES } },
          }),
          /caractères de contrôle interdits/,
        );
        const unknownJob = await send('admin', {
          url: '/admin/imports',
          multipart: { fields: { job: 'inconnu' }, file: { name: `${marker}.csv.gz`, path: OFFRES } },
        });
        assert.equal(unknownJob.statusCode, 404);
        await refused(
          await send('admin', {
            url: '/admin/imports',
            multipart: {
              fields: { job: 'offres-repli', options: '[1,2]' },
              file: { name: `${marker}.csv.gz`, path: OFFRES },
            },
          }),
          /objet JSON/,
        );
        assert.deepEqual(left(), []);
      });

      test('no route answers 500 to hostile path parameters or query strings, signed in or not', async () => {
        const hostile = [
          'abc',
          '%00',
          '99999999999999999999',
          '-1',
          '1e3',
          'x'.repeat(3000),
          '%C3%28',
          '..%2F..%2Fetc',
        ];
        const failures: string[] = [];
        const admin = await sessionOf('admin@region.fr');
        for (const r of routes) {
          // Signing out takes no input and would end the session the loop uses.
          if (r.method === 'HEAD' || r.url.includes('*') || r.url.startsWith('/api/docs') || r.url === '/deconnexion')
            continue;
          for (const v of hostile) {
            const url = `${r.url.replace(/:\w+/g, v)}?q=${v}&niveau=${v}&code=${v}&id=${v}&next=${v}&limit=${v}&offset=${v}&adresse_id=${v}&lon=${v}&lat=${v}`;
            for (const s of [undefined, admin]) {
              const res = await app.inject({
                method: r.method as 'GET',
                url,
                headers: {
                  cookie: s?.cookie ?? '',
                  'x-csrf-token': s?.csrf ?? '',
                  'content-type': 'application/x-www-form-urlencoded',
                },
                payload: r.method === 'GET' ? undefined : `_csrf=${s?.csrf ?? ''}&nom=${v}`,
              });
              if (res.statusCode >= 500)
                failures.push(`${r.method} ${url.slice(0, 120)} ${s ? 'as admin' : 'as visitor'}: ${res.statusCode}`);
            }
          }
        }
        assert.deepEqual(failures, []);
      });

      test('import options must be a JSON object', async () => {
        await refused(
          await post('admin', '/admin/planification', {
            job: 'offres-repli',
            source: 'https://www.example.fr/a.csv',
            heures: '24',
            options: '[1,2]',
          }),
          /objet JSON/,
        );
        await refused(
          await post('admin', '/admin/planification', {
            job: 'offres-repli',
            source: 'file:///etc/passwd',
            heures: '24',
            options: '',
          }),
          /http/,
        );
      });
    });
  });
}
