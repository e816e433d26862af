import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createUser } from '../../src/accounts/service.ts';
import { backends, cookieHeader, cookiesOf, csrfIn, missingShared, setup, shared } from '../helpers.ts';

const BANO = 'addresses/bano-90-territoire-de-belfort-2015-03.csv.gz';
const FTHD = 'arcep-fixe/france-thd-operateurs-satellite-4g-par-departement-2024.csv.gz';
const BFC_COMMUNES = 'boundaries/france-geojson-2018/communes-bourgogne-franche-comte.geojson.gz';
const rows = (body: string, caption: RegExp) => {
  const table = body.split('<table>').find((t) => caption.test(t.slice(0, 300))) ?? '';
  return [...table.split('</table>')[0]!.matchAll(/<tr><td><a href="\/territoires\/(?:commune|epci)\/(\w+)"/g)].map(
    (m) => m[1]!,
  );
};

for (const backend of backends()) {
  describe(`public pages: pagination, French, région examples, licences, login return (${backend.name})`, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });
    before(async () => {
      t = await setup(backend, { REGION: '27' });
      await createUser(
        t.db,
        { id: null, label: 'test' },
        {
          email: 'admin@region.fr',
          nom: 'Admin',
          motDePasse: 'correct horse battery',
          role: 'administrateur',
          organisationId: null,
        },
      );
    });
    after(async () => {
      await t.close();
    });

    test('a département’s 698 communes come 100 per page with DSFR pagination links that work without JavaScript', async () => {
      const p1 = await get('/territoires/departement/21');
      assert.equal(p1.statusCode, 200);
      const first = rows(p1.body, /Communes \(698\)/);
      assert.equal(first.length, 100);
      assert.match(p1.body, /Communes \(698\) — lignes 1 à 100 sur 698/);
      assert.match(p1.body, /<nav role="navigation" class="fr-pagination[^"]*" aria-label="Pagination : communes">/);
      assert.match(
        p1.body,
        /<a class="fr-pagination__link fr-pagination__link--next[^"]*" href="\/territoires\/departement\/21\?page=2#communes">Page suivante<\/a>/,
      );
      assert.match(p1.body, /aria-current="page" title="Page 1">1</);
      const p2 = await get('/territoires/departement/21?page=2');
      const second = rows(p2.body, /Communes \(698\)/);
      assert.equal(second.length, 100);
      assert.equal(second.filter((c) => first.includes(c)).length, 0);
      assert.match(p2.body, /lignes 101 à 200 sur 698/);
      // The seven pages together are the 698 communes, each once.
      const all = new Set<string>();
      for (let n = 1; n <= 7; n++)
        for (const c of rows((await get(`/territoires/departement/21?page=${n}`)).body, /Communes \(698\)/)) all.add(c);
      assert.equal(all.size, 698);
      // A page past the end shows the last one; a page that is not a number is a clear French error.
      assert.match((await get('/territoires/departement/21?page=99')).body, /lignes 601 à 698 sur 698/);
      const bad = await get('/territoires/departement/21?page=abc');
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /numéro de page/);
      // The dedicated list pages alike, keeping its other parameters out of the way.
      assert.match((await get('/territoires/departement/21/communes?page=7')).body, /lignes 601 à 698 sur 698/);
    });

    test('the EPCI list of a région pages on its own parameter', async () => {
      const r = await get('/territoires/region/27');
      const n = Number(/EPCI à fiscalité propre \((\d+)\)/.exec(r.body)?.[1]);
      assert.ok(n > 100);
      assert.equal(rows(r.body, /EPCI à fiscalité propre/).length, 100);
      const p2 = await get('/territoires/region/27?page_epci=2');
      assert.equal(rows(p2.body, /EPCI à fiscalité propre/).length, n - 100);
      assert.match(r.body, /href="\/territoires\/region\/27\?page_epci=2#epci"/);
    });

    test('with the commune boundaries imported, the heaviest territory page stays under 150 KB', {
      skip: missingShared(BFC_COMMUNES),
    }, async () => {
      const run = await t.ctx.runImport({
        job: 'contours',
        source: shared(BFC_COMMUNES),
        startedBy: 'test',
        options: { niveau: 'commune' },
      });
      assert.equal(run.status, 'succeeded', run.message ?? '');
      const r = await get('/territoires/departement/21');
      const paths = r.body.match(/<path d="M/g)?.length ?? 0;
      assert.ok(paths >= 690, `${paths} communes drawn`);
      assert.ok(Buffer.byteLength(r.body) < 150 * 1024, `${Math.round(Buffer.byteLength(r.body) / 1024)} KB`);
    });

    test('a 401 page links to the login page, and login returns to the page asked for', async () => {
      const r = await get('/admin/imports?lance=1');
      assert.equal(r.statusCode, 401);
      assert.match(r.body, /<h1>Connexion requise<\/h1>/);
      const href = /class="fr-btn" href="(\/connexion\?next=[^"]+)">Se connecter/.exec(r.body)?.[1];
      assert.equal(href, '/connexion?next=%2Fadmin%2Fimports%3Flance%3D1');
      const form = await get(href!.replace(/&amp;/g, '&'));
      assert.match(form.body, /<input type="hidden" name="next" value="\/admin\/imports\?lance=1">/);
      const login = (next: string) =>
        t.app.inject({
          method: 'POST',
          url: '/connexion',
          headers: { cookie: cookieHeader(cookiesOf(form)), 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({
            _csrf: csrfIn(form.body),
            email: 'admin@region.fr',
            motDePasse: 'correct horse battery',
            next,
          }).toString(),
        });
      const ok = await login('/admin/imports?lance=1');
      assert.equal(ok.statusCode, 303);
      assert.equal(ok.headers.location, '/admin/imports?lance=1');
      // No open redirect: anything that is not a path of this site falls back to the administration.
      for (const evil of [
        '//evil.example/admin',
        'https://evil.example/',
        '/\\evil.example',
        '/\t/evil.example',
        'javascript:alert(1)',
      ]) {
        const res = await login(evil);
        assert.equal(res.headers.location, '/admin', evil);
      }
      // The header's "Se connecter" carries the current page too.
      assert.match(
        (await get('/territoires/departement/21')).body,
        /href="\/connexion\?next=%2Fterritoires%2Fdepartement%2F21"/,
      );
    });

    test('search examples come from the instance’s région', async () => {
      const home = await get('/');
      const placeholder = /placeholder="([^"]*)"/.exec(home.body)?.[1] ?? '';
      assert.match(placeholder, /^Ex\. : Dijon, /);
      assert.doesNotMatch(placeholder, /Caen|Rouen|Le Havre/);
      const hint = (await get('/eligibilite')).body;
      assert.doesNotMatch(hint, /Rivoli|Jean Jaurès Belfort/);
    });

    test('BANO addresses carry the ODbL licence and OpenStreetMap attribution wherever they are shown', {
      skip: missingShared(BANO),
    }, async () => {
      const run = await t.ctx.runImport({ job: 'adresses', source: shared(BANO), startedBy: 'test' });
      assert.equal(run.status, 'succeeded', run.message ?? '');
      const api = (await get('/api/v1/adresses/recherche?q=rue+des+balastieres+andelnans')).json();
      assert.ok(api.features.length > 0);
      assert.equal(api.features[0].properties.licence, 'ODbL 1.0');
      assert.match(api.attribution, /© les contributeurs d’OpenStreetMap/);
      assert.match(api.licence, /ODbL/);
      const id = api.features[0].properties.id as string;
      const one = (await get(`/api/v1/adresses/${id}`)).json();
      assert.match(one.properties.attribution, /OpenStreetMap/);
      const reverse = (await get('/api/v1/adresses/inverse?lon=6.866262&lat=47.602108')).json();
      assert.match(reverse.attribution, /OpenStreetMap/);
      const elig = (await get(`/api/v1/eligibilite?adresse_id=${id}`)).json();
      assert.equal(elig.adresse.licence.licence, 'ODbL 1.0');
      assert.match(elig.adresse.licence.attribution, /OpenStreetMap/);
      assert.match(
        (await get(`/eligibilite/adresse/${id}`)).body,
        /<a href="\/licences#odbl-1\.0">ODbL 1\.0<\/a> \(© les contributeurs d’OpenStreetMap/,
      );
      assert.match(
        (await get('/adresses/recherche?q=rue+des+balastieres')).body,
        /Adresses BANO : © les contributeurs d’OpenStreetMap/,
      );
      // The address hint now suggests real addresses of the région.
      assert.match((await get('/eligibilite')).body, /Numéro, voie et commune ou code postal\. Ex\. : \d+ [^<]+/);
      // The footer names the exception; the licences page lists it with its mention.
      const licences = await get('/licences');
      assert.match(licences.body, /Open Database License \(ODbL\) 1\.0/);
      assert.match(licences.body, /Mention obligatoire : « © les contributeurs d’OpenStreetMap/);
      assert.match(licences.body, /<a href="\/licences">mentions contraires<\/a> : adresses BANO sous licence ODbL/);
    });

    test('import states are in French on the eligibility data page', { skip: missingShared(FTHD) }, async () => {
      await t.ctx.runImport({ job: 'offres-repli', source: shared(FTHD), startedBy: 'test' });
      await t.ctx.runImport({ job: 'offres-repli', source: shared(FTHD), startedBy: 'test' });
      const r = await get('/eligibilite/donnees');
      assert.match(r.body, /<td>Réussi<\/td>/);
      assert.match(r.body, /<td>Inchangé \(source déjà importée\)<\/td>/);
      assert.doesNotMatch(r.body, />\s*(succeeded|failed|unchanged|running)\s*</);
      assert.doesNotMatch(r.body, /<td>offres-repli<\/td>/);
      assert.equal((await get('/eligibilite/donnees?page=abc')).statusCode, 400);
      assert.equal((await get('/eligibilite/donnees?page=4')).statusCode, 200);
      // Dates in French, Paris time.
      assert.match(r.body, /<td>\d{1,2}(er)? [a-zéû]+ 20\d\d à \d\d:\d\d<\/td>/);
    });
  });

  describe(`a Normandie instance suggests Normandie places (${backend.name})`, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    before(async () => {
      t = await setup(backend, { REGION: '28' });
    });
    after(async () => {
      await t.close();
    });

    test('territory search examples name Normandie communes and EPCI, not BFC ones', async () => {
      const body = (await t.app.inject({ method: 'GET', url: '/territoires' })).body;
      const placeholder = /placeholder="([^"]*)"/.exec(body)?.[1] ?? '';
      assert.match(placeholder, /^Ex\. : Le Havre, \d{5}, \d{5}, /);
      assert.doesNotMatch(placeholder, /Dijon|Montbéliard|Besançon/);
      const hint = (await t.app.inject({ method: 'GET', url: '/adresses/recherche' })).body;
      assert.doesNotMatch(hint, /Belfort|Rivoli/);
    });
  });
}
