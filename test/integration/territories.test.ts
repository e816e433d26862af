import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { backends, setup } from '../helpers.ts';

for (const backend of backends()) {
  describe(`territories API and pages (${backend.name})`, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    before(async () => {
      t = await setup(backend);
    });
    after(async () => {
      await t.close();
    });

    const get = (url: string) => t.app.inject({ method: 'GET', url });

    test('both reference régions have the 2026 COG counts', async () => {
      for (const [code, depts, communes] of [
        ['27', 8, 3685],
        ['28', 5, 2644],
      ] as const) {
        const list = (await get(`/api/v1/territoires/region/${code}/communes?limit=1`)).json();
        assert.equal(list.total, communes);
        assert.equal(list.items.length, 1);
        const rows = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM departement WHERE region = $1', [
          code,
        ]);
        assert.equal(rows.rows[0]!.n, depts);
      }
    });

    test('a commune comes with its parents and population', async () => {
      const r = await get('/api/v1/territoires/commune/21231');
      assert.equal(r.statusCode, 200);
      const body = r.json();
      assert.equal(body.nom, 'Dijon');
      assert.equal(body.niveau, 'commune');
      assert.ok(body.population > 150000);
      assert.deepEqual(
        body.parents.map((p: { niveau: string; code: string }) => `${p.niveau}:${p.code}`),
        ['epci:242100410', 'departement:21', 'region:27'],
      );
      assert.ok(r.headers.etag);
      assert.match(String(r.headers['cache-control']), /max-age/);
      assert.equal(r.headers['access-control-allow-origin'], '*');
    });

    test('an older commune code is attached to today’s commune', async () => {
      // Any delegated or merged Calvados commune, as the COG lists it.
      const h = await t.db.query<{ code_ancien: string; code_actuel: string }>(
        `SELECT code_ancien, code_actuel FROM commune_code_historique WHERE code_ancien LIKE '14%' ORDER BY code_ancien LIMIT 1`,
      );
      const { code_ancien, code_actuel } = h.rows[0]!;
      const r = (await get(`/api/v1/territoires/commune/${code_ancien}`)).json();
      assert.equal(r.code, code_actuel);
      const page = await get(`/territoires/commune/${code_ancien}`);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /est un ancien code/);
    });

    test('EPCI and département list their communes with paging; total is the full count', async () => {
      const all = (await get('/api/v1/territoires/departement/90/communes?limit=5000')).json();
      assert.equal(all.total, all.items.length);
      const page2 = (await get('/api/v1/territoires/departement/90/communes?limit=10&offset=10')).json();
      assert.equal(page2.total, all.total);
      assert.deepEqual(page2.items, all.items.slice(10, 20));
      const epci = (await get('/api/v1/territoires/epci/242100410/communes?limit=1')).json();
      assert.equal(epci.total, 23); // Dijon Métropole
    });

    test('children: région → départements, département → EPCI, EPCI → communes', async () => {
      const reg = (await get('/api/v1/territoires/region/28/enfants')).json();
      assert.deepEqual(
        reg.items.map((i: { code: string }) => i.code),
        ['14', '27', '50', '61', '76'],
      );
      const dep = (await get('/api/v1/territoires/departement/90/enfants')).json();
      assert.ok(dep.items.every((i: { niveau: string }) => i.niveau === 'epci'));
      assert.ok(dep.items.some((i: { nom: string }) => /Grand Belfort/.test(i.nom)));
      const epci = (await get('/api/v1/territoires/epci/242100410/enfants')).json();
      assert.equal(epci.items.length, 23);
      const paris = (await get('/api/v1/territoires/commune/75056/enfants')).json();
      assert.equal(paris.items.length, 20);
    });

    test('search by name ignores accents and case, and reads codes and postcodes', async () => {
      const byName = (await get('/api/v1/territoires/recherche?q=SAINT-LO')).json();
      assert.equal(byName.items[0].code, '50502');
      const byAccent = (await get('/api/v1/territoires/recherche?q=besancon')).json();
      assert.equal(byAccent.items[0].nom, 'Besançon');
      const byPostcode = (await get('/api/v1/territoires/recherche?q=90000')).json();
      assert.ok(byPostcode.items.some((i: { code: string }) => i.code === '90010'));
      const bySiren = (await get('/api/v1/territoires/recherche?q=242100410')).json();
      assert.equal(bySiren.items[0].niveau, 'epci');
      const dept = (await get('/api/v1/territoires/recherche?q=2A')).json();
      assert.equal(dept.items[0].nom, 'Corse-du-Sud');
    });

    test('bad input: unknown code 404, unknown level 400, hostile query escaped', async () => {
      const unknown = await get('/api/v1/territoires/commune/99999');
      assert.equal(unknown.statusCode, 404);
      assert.equal(unknown.json().erreur.code, 'TERRITOIRE_INCONNU');
      const level = await get('/api/v1/territoires/canton/21');
      assert.equal(level.statusCode, 400);
      assert.equal(level.json().erreur.code, 'REQUETE_INVALIDE');
      const long = await get(`/api/v1/territoires/recherche?q=${'a'.repeat(300)}`);
      assert.equal(long.statusCode, 400);
      const sql = await get(`/api/v1/territoires/recherche?q=${encodeURIComponent("'; DROP TABLE commune; --")}`);
      assert.equal(sql.statusCode, 200);
      const page = await get(`/territoires/recherche?q=${encodeURIComponent('<script>alert(1)</script>')}`);
      assert.equal(page.statusCode, 200);
      assert.ok(!page.body.includes('<script>alert(1)</script>'));
      const html404 = await get('/territoires/commune/00000');
      assert.equal(html404.statusCode, 404);
      assert.match(html404.body, /Aucun territoire/);
      assert.match(String(html404.headers['content-type']), /text\/html/);
    });

    test('pages: home with région figures, département, EPCI, commune, health, OpenAPI', async () => {
      const home = await get('/');
      assert.equal(home.statusCode, 200);
      assert.match(home.body, /Bourgogne-Franche-Comté/);
      assert.match(home.body, /3\u202f685|3 685|3&#160;685/);
      for (const m of [
        'Observatoire',
        'Éligibilité',
        'Inclusion numérique',
        'Stratégie',
        'Ressources',
        'Données ouvertes',
      ])
        assert.ok(home.body.includes(m), m);
      for (const l of ['/accessibilite', '/mentions-legales', '/donnees-personnelles', '/plan-du-site'])
        assert.ok(home.body.includes(`href="${l}"`), l);
      const dept = await get('/territoires/departement/21');
      assert.match(dept.body, /Dijon Métropole/);
      const epci = await get('/territoires/epci/242100410');
      assert.match(epci.body, /Talant/);
      const commune = await get('/territoires/commune/21231');
      assert.match(commune.body, /21000/);
      assert.match(commune.body, /Aucun contour/);
      const health = (await get('/api/health')).json();
      assert.equal(health.statut, 'ok');
      const doc = (await get('/api/openapi.json')).json();
      assert.ok(doc.paths['/api/v1/territoires/{niveau}/{code}']);
      assert.ok(doc.paths['/api/v1/territoires/recherche']);
      assert.equal((await get('/api/docs')).statusCode < 400, true);
    });

    test('Normandie instance shows its own région', async () => {
      const n = await setup(backend, { REGION: '28' });
      try {
        const home = await n.app.inject({ method: 'GET', url: '/' });
        assert.match(home.body, /Normandie/);
        assert.match(home.body, /2\u202f644|2 644|2&#160;644/);
      } finally {
        await n.close();
      }
    });
  });
}
