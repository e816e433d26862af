import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';
import { buildIndexFromDb, getAddressIndex } from '../../src/addresses/service.ts';
import { readSnapshot, writeSnapshot } from '../../src/addresses/snapshot.ts';
import { backends, missingShared, setup, shared } from '../helpers.ts';

const PARIS = shared('addresses', 'ban-adresses-75-paris-2024-06.csv.gz');
const BELFORT = shared('addresses', 'bano-90-territoire-de-belfort-2015-03.csv.gz');
const BAL = shared('addresses', 'bal-54084-mont-bonvillers-fixture.csv.gz');

type Feature = {
  geometry: { coordinates: [number, number] };
  properties: { citycode: string; score: number; [k: string]: unknown };
};

for (const backend of backends()) {
  describe(`adresses (${backend.name})`, {
    skip: missingShared(
      'addresses/ban-adresses-75-paris-2024-06.csv.gz',
      'addresses/bano-90-territoire-de-belfort-2015-03.csv.gz',
      'addresses/bal-54084-mont-bonvillers-fixture.csv.gz',
    ),
  }, () => {
    let env: Awaited<ReturnType<typeof setup>>;
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pan-adresses-'));
    const balLines = zlib.gunzipSync(fs.readFileSync(BAL)).toString('utf8').split('\n').filter(Boolean);
    const BAL_ROWS = balLines.length - 1; // 486 data lines (header excluded)
    const search = async (q: string, extra = '') => {
      const r = await env.app.inject(`/api/v1/adresses/recherche?q=${encodeURIComponent(q)}${extra}`);
      assert.equal(r.statusCode, 200, r.body);
      return r.json().features as Feature[];
    };
    const count = async (where: string, params: unknown[] = []) =>
      (await env.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM adresse WHERE ${where}`, params)).rows[0]!.n;

    before(async () => {
      env = await setup(backend);
    });
    after(async () => {
      await env.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    });

    test('imports the Paris BAN file (158 048 addresses) within seconds', async (t) => {
      const t0 = Date.now();
      const run = await env.ctx.runImport({ job: 'adresses', source: PARIS, startedBy: 'test' });
      const ms = Date.now() - t0;
      t.diagnostic(`Paris BAN import + index rebuild on ${backend.name}: ${ms} ms`);
      assert.equal(run.status, 'succeeded', run.message ?? '');
      assert.equal(run.rows_read, 158048);
      assert.equal(run.rows_accepted, 158048);
      assert.equal(await count(`departement = '75'`), 158048);
      // arrondissement codes kept as published, and the run recorded on the rows
      assert.equal((await count(`code_insee = '75104'`)) > 0, true);
      assert.equal(await count(`import_run = $1`, [run.id]), 158048);
      assert.ok(ms < 120_000, `import took ${ms} ms`);
    });

    test('imports the Belfort BANO file and the BAL fixture, formats recognised from content', async () => {
      const bano = await env.ctx.runImport({ job: 'adresses', source: BELFORT, startedBy: 'test' });
      assert.equal(bano.status, 'succeeded', bano.message ?? '');
      assert.equal(bano.rows_read, 35847);
      assert.equal(bano.rows_accepted + bano.rows_rejected, 35847);
      assert.ok(bano.rows_accepted > 35000, `${bano.rows_accepted} accepted`);
      assert.equal(await count(`departement = '90' AND source = 'bano'`), bano.rows_accepted);
      const bal = await env.ctx.runImport({ job: 'adresses', source: BAL, startedBy: 'test' });
      assert.equal(bal.status, 'succeeded', bal.message ?? '');
      assert.equal(bal.rows_accepted, BAL_ROWS);
      assert.equal(await count(`code_insee = '54084' AND source = 'bal'`), BAL_ROWS);
      // the BAL has no postcode column: the commune's only postcode is used
      assert.equal(await count(`code_insee = '54084' AND code_postal = '54111'`), BAL_ROWS);
      assert.equal(await count(`departement = '75'`), 158048);
    });

    test('"12 r de rivoli" finds 12 rue de Rivoli first', async () => {
      const f = await search('12 r de rivoli');
      const p = f[0]!.properties;
      assert.equal(p.street, 'Rue de Rivoli');
      assert.equal(p.housenumber, '12');
      assert.match(p.citycode, /^751\d\d$/);
      assert.ok(p.score > 0.9 && p.score <= 1);
      assert.ok(
        f.every((x, i) => i === 0 || x.properties.score <= f[i - 1]!.properties.score),
        'ordered best first',
      );
      const row = (
        await env.db.query<{ lon: number; lat: number }>('SELECT lon, lat FROM adresse WHERE id = $1', [p.id])
      ).rows[0]!;
      assert.deepEqual(f[0]!.geometry.coordinates, [row.lon, row.lat]);
    });

    test('"av jean jaures belfort" finds avenue Jean Jaurès in Belfort first; typos and accents tolerated', async () => {
      for (const q of [
        'av jean jaures belfort',
        'Avenue Jean Jaurès 90000',
        'avenue jean jaurse belfort',
        'AV. JEAN-JAURES, BELFORT',
      ]) {
        const p = (await search(q))[0]!.properties;
        assert.equal(p.street, 'Avenue Jean Jaurès', q);
        assert.equal(p.city, 'Belfort', q);
        assert.equal(p.citycode, '90010', q);
      }
    });

    test('a postcode alone, a commune alone, filters and the location bias', async () => {
      const byPc = await search('90000');
      assert.ok(byPc.length > 0);
      assert.ok(byPc.every((x) => x.properties.postcode === '90000'));
      const byCommune = await search('Mont-Bonvillers');
      assert.ok(byCommune.length > 0);
      assert.ok(byCommune.every((x) => x.properties.citycode === '54084'));
      const filtered = await search('rue de la republique', '&departement=90&limit=20');
      assert.ok(filtered.length > 0 && filtered.every((x) => x.properties.departement === '90'));
      const inCity = await search('grande rue', '&citycode=90010');
      assert.ok(inCity.every((x) => x.properties.citycode === '90010'));
      // the same street name in several communes: the bias picks the nearest one
      const target = (
        await env.db.query<{ id: string; lon: number; lat: number }>(
          `SELECT id, lon, lat FROM adresse WHERE departement = '90' AND voie = 'Grande Rue' AND numero = 2 ORDER BY id LIMIT 1 OFFSET 3`,
        )
      ).rows[0]!;
      const biased = await search('2 grande rue', `&lon=${target.lon}&lat=${target.lat}`);
      assert.equal(biased[0]!.properties.id, target.id);
    });

    test('reverse geocoding returns the nearest addresses first', async () => {
      const a = (
        await env.db.query<{ id: string; lon: number; lat: number }>(
          `SELECT id, lon, lat FROM adresse WHERE id = '75104_8249_00012'`,
        )
      ).rows[0]!;
      const r = await env.app.inject(`/api/v1/adresses/inverse?lon=${a.lon}&lat=${a.lat}&limit=5`);
      assert.equal(r.statusCode, 200);
      const f = r.json().features as Feature[];
      assert.equal(f[0]!.properties.id, a.id);
      assert.equal(f[0]!.properties.distance, 0);
      const d = f.map((x) => x.properties.distance as number);
      assert.deepEqual(
        d,
        [...d].sort((x, y) => x - y),
      );
      assert.equal(f.length, 5);
    });

    test('bad input: 400 with a French message and no stack trace; unknown id: 404', async () => {
      const bad = ['', 'a', ' ', 'x'.repeat(2000), 'rue\u0001de rivoli', '%%%'];
      for (const q of bad) {
        const r = await env.app.inject(`/api/v1/adresses/recherche?q=${encodeURIComponent(q)}`);
        assert.equal(r.statusCode, 400, `q=${JSON.stringify(q.slice(0, 20))}: ${r.body}`);
        const body = r.json();
        assert.equal(body.erreur.code, 'REQUETE_INVALIDE');
        assert.ok(!/at .*\.ts|stack/i.test(r.body));
      }
      assert.equal((await env.app.inject('/api/v1/adresses/recherche')).statusCode, 400);
      for (const qs of ['lon=200&lat=48', 'lon=2&lat=-91', 'lon=abc&lat=1', 'lat=48']) {
        const r = await env.app.inject(`/api/v1/adresses/inverse?${qs}`);
        assert.equal(r.statusCode, 400, qs);
        assert.match(r.json().erreur.message, /longitude|latitude|lon|lat/);
      }
      assert.equal((await env.app.inject('/api/v1/adresses/recherche?q=rivoli&lon=2')).statusCode, 400);
      // SQL and HTML fragments are just text: no error, no echo as markup
      const sql = await env.app.inject(
        `/api/v1/adresses/recherche?q=${encodeURIComponent("'; DROP TABLE adresse; --")}`,
      );
      assert.equal(sql.statusCode, 200);
      const page = await env.app.inject(`/adresses/recherche?q=${encodeURIComponent('<script>alert(1)</script>')}`);
      assert.equal(page.statusCode, 200);
      assert.ok(!page.body.includes('<script>alert(1)</script>'));
      const nf = await env.app.inject('/api/v1/adresses/75104_nope_00012');
      assert.equal(nf.statusCode, 404);
      assert.equal(nf.json().erreur.code, 'INTROUVABLE');
      const ok = await env.app.inject('/api/v1/adresses/75104_8249_00012');
      assert.equal(ok.json().properties.label, '12 Rue de Rivoli 75004 Paris 4e Arrondissement');
    });

    test('the search page works without JavaScript and links to the eligibility page', async () => {
      const r = await env.app.inject('/adresses/recherche?q=12+r+de+rivoli');
      assert.equal(r.statusCode, 200);
      assert.match(r.body, /<a href="\/eligibilite\/adresse\/75104_8249_00012">12 Rue de Rivoli 75004/);
      assert.match(r.body, /data-pan-autocomplete/);
      assert.match(r.body, /\/static\/autocomplete\.js/);
      const empty = await env.app.inject('/adresses/recherche');
      assert.equal(empty.statusCode, 200);
      assert.equal((await env.app.inject('/static/autocomplete.js')).statusCode, 200);
      const api = (await env.app.inject('/api/openapi.json')).json();
      for (const p of ['/api/v1/adresses/recherche', '/api/v1/adresses/inverse', '/api/v1/adresses/{id}'])
        assert.deepEqual(api.paths[p].get.tags, ['adresses'], p);
    });

    test('a malformed line is rejected with its line number while the rest loads', async () => {
      const lines = [...balLines];
      lines.splice(4, 0, lines[4]!.replace(/;5\.\d+;49\.\d+;/, ';abc;49.3;')); // line 5: longitude not numeric
      lines.splice(10, 0, 'pas;une;adresse'); // line 11: wrong column count
      const file = path.join(tmp, 'bal-malformed.csv');
      fs.writeFileSync(file, `${lines.join('\n')}\n`);
      const run = await env.ctx.runImport({ job: 'adresses', source: file, startedBy: 'test' });
      assert.equal(run.status, 'succeeded', run.message ?? '');
      assert.equal(run.rows_accepted, BAL_ROWS);
      assert.equal(run.rows_rejected, 2);
      assert.deepEqual(
        run.rejects.map((x) => x.line),
        [5, 11],
      );
      assert.match(run.rejects[0]!.reason, /coordonnées/);
      assert.match(run.rejects[1]!.reason, /colonnes/);
    });

    test('re-importing replaces the perimeter atomically; a failed import changes nothing', async () => {
      const file = path.join(tmp, 'bal-100.csv');
      fs.writeFileSync(file, `${balLines.slice(0, 101).join('\n')}\n`);
      const run = await env.ctx.runImport({ job: 'adresses', source: file, startedBy: 'test' });
      assert.equal(run.status, 'succeeded', run.message ?? '');
      assert.equal(await count(`code_insee = '54084'`), 100);
      assert.equal(await count(`departement = '75'`), 158048);
      assert.equal((await search('Mont-Bonvillers', '&limit=50')).length > 0, true);
      // a file whose second half is a duplicate: rejects, and the first load stays
      const bad = path.join(tmp, 'not-addresses.csv');
      fs.writeFileSync(bad, 'ceci;n;est;pas\n1;2;3;4\n');
      const failed = await env.ctx.runImport({ job: 'adresses', source: bad, startedBy: 'test' });
      assert.equal(failed.status, 'failed');
      assert.match(failed.message ?? '', /format non reconnu/);
      assert.equal(await count(`code_insee = '54084'`), 100);
      // Belfort re-imported with a département perimeter: same count, no duplicates
      const before90 = await count(`departement = '90'`);
      const again = await env.ctx.runImport({ job: 'adresses', source: BELFORT, startedBy: 'test', force: true });
      assert.equal(again.status, 'succeeded');
      assert.equal(await count(`departement = '90'`), before90);
      assert.match(again.message ?? '', /remplacées/);
      // the index, updated in memory after each import, holds exactly what a full read of the table gives
      const idx = await getAddressIndex(env.ctx);
      assert.equal(idx.size, await count('true'));
      const full = await buildIndexFromDb(env.db);
      for (const q of [
        '12 r de rivoli',
        'av jean jaures belfort',
        '6A Avenue du Champ de Mars 90000',
        '3 rue joffre mont-bonvillers',
      ]) {
        assert.equal(idx.search(q, { limit: 1 })[0]?.id, full.search(q, { limit: 1 })[0]?.id, q);
      }
      // and a snapshot of it loads back to the same answers
      const snap = path.join(tmp, 'index.bin');
      await writeSnapshot(idx, snap, 'empreinte-1');
      assert.equal(await readSnapshot(snap, 'autre-empreinte'), null);
      const loaded = (await readSnapshot(snap, 'empreinte-1'))!;
      assert.equal(loaded.size, idx.size);
      assert.deepEqual(loaded.search('12 r de rivoli', { limit: 5 }), idx.search('12 r de rivoli', { limit: 5 }));
      assert.deepEqual(loaded.reverse(6.8444, 47.6441, 3), idx.reverse(6.8444, 47.6441, 3));
    });

    test('the public endpoints are rate-limited per client', async () => {
      let limited = 0;
      for (let i = 0; i < 620 && !limited; i++) {
        const r = await env.app.inject({
          url: '/api/v1/adresses/inverse?lon=6.86&lat=47.64',
          remoteAddress: '10.9.9.9',
        });
        if (r.statusCode === 429) {
          limited++;
          assert.equal(r.json().erreur.code, 'TROP_DE_REQUETES');
        }
      }
      assert.equal(limited, 1);
      const other = await env.app.inject({
        url: '/api/v1/adresses/inverse?lon=6.86&lat=47.64',
        remoteAddress: '10.9.9.8',
      });
      assert.equal(other.statusCode, 200);
    });
  });
}
