import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { backends, missingShared, setup, shared } from '../helpers.ts';

const FS = 'france-services/liste-france-services-20240801-bfc-normandie.csv.gz';
const decode = (s: string) =>
  s
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&amp;', '&');

for (const backend of backends()) {
  describe(`inclusion map, embed snippet and embeddable map (${backend.name})`, { skip: missingShared(FS) }, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    const get = (url: string) => t.app.inject({ method: 'GET', url });
    before(async () => {
      t = await setup(backend);
      const run = await t.ctx.runImport({ job: 'france-services', source: shared(FS), startedBy: 'test' });
      assert.equal(run.status, 'succeeded', run.message ?? '');
    });
    after(async () => t.close());

    test('/inclusion: the map container above the list, its data URL with the filters, CSP widened for the base map only', async () => {
      const res = await get('/inclusion?niveau=departement&code=21&categorie=france-services');
      assert.equal(res.statusCode, 200);
      const div = res.body.match(/<div class="carte[^>]*>/)?.[0] ?? '';
      assert.match(
        div,
        /data-donnees="\/api\/v1\/inclusion\/lieux\.geojson\?categorie=france-services&amp;niveau=departement&amp;code=21"/,
      );
      assert.match(div, /data-contours="\/api\/v1\/territoires\/departement\/21\/communes\/contours"/);
      assert.match(
        div,
        /data-style="https:\/\/data\.geopf\.fr\/annexes\/ressources\/vectorTiles\/styles\/PLAN\.IGN\/standard\.json"/,
      );
      assert.match(div, / hidden>/, 'hidden until the script draws it');
      assert.ok(res.body.indexOf('data-carte') < res.body.indexOf('id="lieux"'), 'map above the list');
      assert.match(res.body, /<p class="fr-sr-only">[^<]*<a href="#lieux">consultez la liste des lieux<\/a>/);
      assert.match(res.body, /<script type="module" src="\/static\/carte\.js"><\/script>/);
      assert.match(res.body, /href="\/static\/maplibre\/6\.20\.0\/maplibre-gl\.css"/);
      const csp = String(res.headers['content-security-policy']);
      assert.match(csp, /connect-src 'self' https:\/\/data\.geopf\.fr(;|$)/);
      assert.match(csp, /worker-src 'self' blob:/);
      assert.match(csp, /script-src 'self';/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.equal(res.headers['x-frame-options'], 'DENY');
      // Every other page keeps the strict policy.
      const home = await get('/');
      assert.match(String(home.headers['content-security-policy']), /connect-src 'self';/);
      assert.equal(home.headers['x-frame-options'], 'DENY');
      // The data URL answers the same places as the list.
      const fc = (
        await get('/api/v1/inclusion/lieux.geojson?categorie=france-services&niveau=departement&code=21&limit=1000')
      ).json();
      assert.ok(fc.total > 5, `${fc.total} France Services in Côte-d’Or`);
      assert.match(res.body, new RegExp(`sur ${fc.total} lieux|${fc.total} lieux`));
    });

    test('/inclusion/integrer builds the iframe snippet; /inclusion/carte is framable, bare, and lists the places', async () => {
      const res = await get('/inclusion/integrer?niveau=departement&code=21&categorie=france-services&hauteur=600');
      assert.equal(res.statusCode, 200);
      const area = res.body.match(/<textarea[^>]*id="code-integration"[^>]*>([^<]*)<\/textarea>/)?.[1];
      assert.ok(area, 'snippet textarea');
      const snippet = decode(area);
      assert.match(
        snippet,
        /^<iframe src="[^"]+" title="[^"]+" width="100%" height="600" style="border:0" loading="lazy"/,
      );
      assert.match(snippet, /title="Lieux d’inclusion numérique \(France Services\) — Côte-d['’]Or"/);
      const src = decode(snippet.match(/src="([^"]+)"/)![1]!);
      assert.equal(src, 'http://localhost:80/inclusion/carte?categorie=france-services&niveau=departement&code=21');
      assert.equal(res.headers['x-frame-options'], 'DENY');

      const map = await get(new URL(src).pathname + new URL(src).search);
      assert.equal(map.statusCode, 200);
      const csp = String(map.headers['content-security-policy']);
      assert.match(csp, /frame-ancestors \*/);
      assert.match(csp, /connect-src 'self' https:\/\/data\.geopf\.fr/);
      assert.equal(map.headers['x-frame-options'], undefined);
      assert.ok(!map.body.includes('fr-header') && !map.body.includes('fr-footer'), 'no header nor footer');
      assert.match(map.body, /data-cible="_blank"/);
      assert.match(map.body, /data-lien="http:\/\/localhost:80\/inclusion\/lieux\/\{id\}"/);
      // Without JavaScript: the list, every place of the selection (fewer than 100 here), linking out of the frame.
      const fc = (
        await get('/api/v1/inclusion/lieux?categorie=france-services&niveau=departement&code=21&limit=1000')
      ).json();
      const links = [
        ...map.body.matchAll(/<li><a href="http:\/\/localhost:80\/inclusion\/lieux\/(\d+)" target="_blank"/g),
      ].map((m) => Number(m[1]));
      assert.deepEqual(links.sort(), fc.items.map((i: { id: number }) => i.id).sort());

      assert.equal((await get('/inclusion/integrer?niveau=departement&code=999')).statusCode, 404);
      assert.equal((await get('/inclusion/integrer?hauteur=5')).statusCode, 400);
      assert.equal((await get('/inclusion/carte?niveau=departement')).statusCode, 400);
      const plain = await get('/inclusion/integrer');
      assert.match(
        decode(plain.body.match(/id="code-integration"[^>]*>([^<]*)</)![1]!),
        /src="http:\/\/localhost:80\/inclusion\/carte" title="Lieux d’inclusion numérique — Bourgogne-Franche-Comté"/,
      );
    });

    test('MapLibre served from node_modules under its version, cached for a year; nothing else of the package', async () => {
      const js = await get('/static/maplibre/6.20.0/maplibre-gl.mjs');
      assert.equal(js.statusCode, 200);
      assert.match(String(js.headers['content-type']), /javascript/);
      assert.match(String(js.headers['cache-control']), /max-age=31536000/);
      assert.match(String(js.headers['cache-control']), /immutable/);
      assert.match(js.body.slice(0, 200), /MapLibre GL JS/);
      const worker = await get('/static/maplibre/6.20.0/maplibre-gl-worker.mjs?v=6.20.0');
      assert.equal(worker.statusCode, 200);
      assert.equal((await get('/static/maplibre/6.20.0/maplibre-gl.css')).statusCode, 200);
      for (const u of ['maplibre-gl.mjs.map', 'maplibre-gl.d.ts', '../package.json', '%2e%2e/package.json'])
        assert.equal((await get(`/static/maplibre/6.20.0/${u}`)).statusCode, 404, u);
      const carte = await get('/static/carte.js');
      assert.equal(carte.statusCode, 200);
    });
  });
}
