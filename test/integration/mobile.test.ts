import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';
import { backends, missingShared, setup, shared } from '../helpers.ts';

const NATIONAL = 'arcep-mobile/sites-mobiles-2g3g4g-metropole-2018-01-l93.csv.gz';
const SUBSET = 'arcep-mobile/sites-mobiles-2g3g4g-bfc-normandie-2018-01.csv.gz';
const T4 = 'arcep-mobile/sites-mobiles-2023t4-normandie-orange.csv.gz';
const STATS = 'arcep-mobile/monreseaumobile-stats-nationales-2022.json.gz';
const BFC = 'boundaries/france-geojson-2018/communes-bourgogne-franche-comte.geojson.gz';
const NORMANDIE = 'boundaries/france-geojson-2018/communes-normandie.geojson.gz';
const text = (f: string) => zlib.gunzipSync(fs.readFileSync(shared(f))).toString('utf8');
const SLUG: Record<string, string> = { '20801': 'orange', '20810': 'sfr', '20815': 'free', '20820': 'bouygues' };

type Ring = [number, number][];
type Multi = { coordinates: Ring[][] };
/** Ray casting written here, apart from the importer's, to place the file's own WGS84 points. */
function inside(g: Multi, x: number, y: number): boolean {
  const ring = (r: Ring) => {
    let c = false;
    for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
      const [xi, yi] = r[i]!;
      const [xj, yj] = r[j]!;
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c;
    }
    return c;
  };
  return g.coordinates.some(([outer, ...holes]) => !!outer && ring(outer) && !holes.some(ring));
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mobile-test-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

for (const backend of backends()) {
  describe(`mobile sites observatory (${backend.name})`, {
    skip: missingShared(NATIONAL, SUBSET, T4, STATS, BFC, NORMANDIE),
  }, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    const get = (url: string) => t.app.inject({ method: 'GET', url });
    // The BFC–Normandie subset: ARCEP's 2018 rows with their Lambert-93, the publisher's WGS84 and a département.
    const [head, ...lines] = text(SUBSET).trim().split('\n');
    const cols = head!.split(',');
    const subset = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i]!, v])));

    before(async () => {
      t = await setup(backend);
      for (const f of [BFC, NORMANDIE]) {
        const run = await t.ctx.runImport({ job: 'contours', source: shared(f), startedBy: 'test' });
        assert.equal(run.status, 'succeeded', run.message ?? '');
      }
    });
    after(async () => t.close());

    test('without a snapshot the page says how to import one', async () => {
      const page = await get('/observatoire/mobile');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Aucun relevé de sites mobiles importé/);
      const api = await get('/api/v1/observatoire/mobile/region/28');
      assert.deepEqual(api.json().series, []);
    });

    test('4G sites per département and operator equal a count made from the 2018 BFC–Normandie file', async () => {
      // The subset's rows written back in ARCEP's 2018 national layout (Operateur;x;y;2G;3G;4G).
      const file = path.join(tmp, '2018_01_Sites_mobiles_bfc_normandie.csv');
      fs.writeFileSync(
        file,
        `Operateur;x;y;2G;3G;4G\n${subset.map((r) => [r.operateur_mccmnc, r.x_l93, r.y_l93, r.site_2g, r.site_3g, r.site_4g].join(';')).join('\n')}\n`,
      );
      const run = await t.ctx.runImport({ job: 'sites-mobiles', source: file, startedBy: 'test' });
      assert.equal(run.status, 'succeeded', run.message ?? '');
      assert.equal(run.rows_read, subset.length);

      // The count, made here: each row's own WGS84 point in the imported commune outlines (brute force).
      const shapes = (
        await t.db.query<{ departement: string; region: string; geometrie: Multi; bbox: number[] }>(
          `SELECT c.departement, c.region, g.geometrie, g.bbox FROM territoire_geometrie g
           JOIN commune c ON c.code = g.code WHERE g.niveau = 'commune'`,
        )
      ).rows;
      const expected = new Map<string, number>();
      const expectedSites = new Map<string, number>();
      let outside = 0;
      let sameAsFile = 0;
      for (const r of subset) {
        const lon = Number(r.lon);
        const lat = Number(r.lat);
        const s = shapes.find(
          (x) =>
            lon >= x.bbox[0]! &&
            lon <= x.bbox[2]! &&
            lat >= x.bbox[1]! &&
            lat <= x.bbox[3]! &&
            inside(x.geometrie, lon, lat),
        );
        if (!s) {
          outside++;
          continue;
        }
        if (s.departement === r.departement) sameAsFile++;
        const k = `${s.departement}:${SLUG[r.operateur_mccmnc!]}`;
        expectedSites.set(s.region, (expectedSites.get(s.region) ?? 0) + 1);
        if (r.site_4g === '1') expected.set(k, (expected.get(k) ?? 0) + 1);
      }
      assert.equal(run.rows_rejected, outside, 'every site outside the outlines is a reject');
      for (const rej of run.rejects)
        assert.match(rej.reason, /hors de tous les contours.*lon -?\d+\.\d{5}, lat \d+\.\d{5}/);
      // The file's own département column (generalised 2025 outlines) agrees for all but border sites.
      assert.ok(sameAsFile / subset.length > 0.995, `${sameAsFile} / ${subset.length}`);

      for (const region of ['27', '28']) {
        const res = await get(`/api/v1/observatoire/mobile/region/${region}`);
        assert.equal(res.statusCode, 200);
        const [point] = res.json().series;
        assert.equal(point.date, '2018-01-01', 'date read from the file name');
        assert.equal(point.total.sites, expectedSites.get(region));
        assert.equal(point.total.sites_5g, 0);
      }
      const deps = ['21', '25', '39', '58', '70', '71', '89', '90', '14', '27', '50', '61', '76'];
      for (const d of deps) {
        const res = (await get(`/api/v1/observatoire/mobile/departement/${d}`)).json();
        assert.equal(res.niveau, 'departement');
        assert.equal(res.series.length, 1);
        const p = res.series[0];
        let sum = 0;
        for (const o of ['orange', 'sfr', 'bouygues', 'free']) {
          assert.equal(p.operateurs[o].sites_4g, expected.get(`${d}:${o}`) ?? 0, `${d} ${o}`);
          sum += p.operateurs[o].sites_4g;
        }
        assert.equal(p.total.sites_4g, sum);
        assert.equal(p.source.licence, 'Licence Ouverte 2.0 (Etalab)');
      }
      // The page shows the same figures per département and operator, with date, source and licence.
      const page = await get('/observatoire/mobile');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<caption>Orange : sites mobiles par département de Bourgogne-Franche-Comté/);
      assert.match(page.body, /données au 1er janvier 2018/);
      assert.match(page.body, /Licence Ouverte 2\.0/);
      const csv = await get('/observatoire/mobile/donnees/departements.csv');
      assert.equal(csv.statusCode, 200);
      const coteDorOrange = csv.body
        .split('\r\n')
        .find((l) => l.startsWith('2018-01-01;21;') && l.includes(';orange;'));
      assert.equal(coteDorOrange?.split(';')[7], String(expected.get('21:orange')));
    });

    test('the national 2018 file: same date replaces the snapshot, #N/A and outside sites are rejects', async () => {
      const run = await t.ctx.runImport({ job: 'sites-mobiles', source: shared(NATIONAL), startedBy: 'test' });
      assert.equal(run.status, 'succeeded', run.message ?? '');
      const rows = text(NATIONAL).trim().split('\n').slice(1);
      assert.equal(run.rows_read, rows.length);
      const kept = await t.db.query<{ n: number; d: number }>(
        'SELECT count(*)::int AS n, count(DISTINCT date)::int AS d FROM mobile_site',
      );
      assert.equal(kept.rows[0]!.d, 1, 'same date: the snapshot was replaced');
      assert.equal(run.rows_accepted, kept.rows[0]!.n);
      assert.equal(run.rows_accepted + run.rows_rejected, run.rows_read);
      // The subset is the national file's BFC–Normandie part: the same sites, and a few coastal ones its outlines dropped.
      assert.ok(
        run.rows_accepted >= subset.length - 10 && run.rows_accepted <= subset.length + 20,
        `${run.rows_accepted}`,
      );

      // The #N/A row, an unknown operator and a bad flag, with their line numbers, beside a good row.
      const na = rows.find((l) => l.includes('#N/A'))!;
      const small = path.join(tmp, 'sites-2018-01-extrait.csv');
      fs.writeFileSync(
        small,
        `Operateur;x;y;2G;3G;4G\n${na}\n20899;846000;6700000;1;1;1\n20801;846000;6700000;1;x;1\n20801;846000;6700000;1;1;1\n`,
      );
      const r = await t.ctx.runImport({
        job: 'sites-mobiles',
        source: small,
        startedBy: 'test',
        options: { date: '2017-06-30' },
      });
      assert.equal(r.status, 'succeeded', r.message ?? '');
      assert.deepEqual(
        r.rejects.map((x) => x.line),
        [2, 3, 4],
      );
      assert.match(r.rejects[0]!.reason, /coordonnées absentes/);
      assert.match(r.rejects[1]!.reason, /code opérateur inconnu « 20899 »/);
      assert.match(r.rejects[2]!.reason, /0 ou 1 attendu/);
      const snaps = await t.db.query<{ date: string }>(
        "SELECT to_char(date, 'YYYY-MM-DD') AS date FROM mobile_releve ORDER BY date",
      );
      assert.deepEqual(
        snaps.rows.map((x) => x.date),
        ['2017-06-30', '2018-01-01'],
        'history accumulates',
      );
      await t.db.query("DELETE FROM mobile_releve WHERE date = '2017-06-30'");
    });

    test('the quarterly format (2023 T4, Orange, Normandie) is a second snapshot with 5G', async () => {
      const run = await t.ctx.runImport({ job: 'sites-mobiles', source: shared(T4), startedBy: 'test' });
      assert.equal(run.status, 'succeeded', run.message ?? '');
      const [h, ...rs] = text(T4).trim().split('\n');
      const hc = h!.split(';');
      const rows = rs.map((l) => Object.fromEntries(l.split(';').map((v, i) => [hc[i]!, v])));
      assert.equal(run.rows_read, rows.length);
      assert.equal(run.rows_rejected, 0, JSON.stringify(run.rejects.slice(0, 3)));
      const res = (await get('/api/v1/observatoire/mobile/region/28')).json();
      assert.deepEqual(
        res.series.map((s: { date: string }) => s.date),
        ['2018-01-01', '2023-12-31'],
      );
      const last = res.series[1];
      assert.deepEqual(Object.keys(last.operateurs), ['orange'], 'only the operator the file covers');
      assert.equal(last.operateurs.orange.sites, rows.length);
      assert.equal(last.operateurs.orange.sites_5g, rows.filter((r) => r.site_5g === '1').length);
      assert.equal(last.operateurs.orange.sites_4g, rows.filter((r) => r.site_4g === '1').length);
      // A territory page shows its mobile section with both snapshots.
      const page = await get('/territoires/departement/14');
      assert.match(page.body, /Couverture mobile : sites des opérateurs/);
      assert.match(page.body, /Évolution des sites mobiles, Calvados/);
      // Sites 4G per 10,000 inhabitants, from the territory's population (INSEE, as the territory API gives it).
      const pop = (await get('/api/v1/territoires/departement/14')).json().population as number;
      const dep14 = (await get('/api/v1/observatoire/mobile/departement/14')).json().series[1];
      const per10k = (Math.round((dep14.operateurs.orange.sites_4g * 100_000) / pop) / 10).toLocaleString('fr-FR');
      assert.ok(pop > 600_000);
      assert.ok(page.body.includes(`<td>${per10k}</td></tr>`), per10k);
      const hist = await get('/observatoire/mobile/donnees/historique.csv?niveau=departement&code=14');
      assert.equal(hist.statusCode, 200);
      assert.equal(hist.body.trim().split('\r\n').length, 3);
      const unknown = await get('/api/v1/observatoire/mobile/departement/99');
      assert.equal(unknown.statusCode, 404);
    });

    test('the national reference of Mon réseau mobile is shown beside the regional figures', async () => {
      const run = await t.ctx.runImport({ job: 'mobile-stats', source: shared(STATS), startedBy: 'test' });
      assert.equal(run.status, 'succeeded', run.message ?? '');
      assert.equal(run.rows_accepted, 4);
      const m = JSON.parse(text(STATS)).metropole;
      const page = await get('/observatoire/mobile');
      assert.match(page.body, /<caption>Référence nationale \(France métropolitaine, 2022\)/);
      const pop = m.couverture['4G'].Couverture_en_population.ReseauPropre.Orange as number;
      const dl = (m.debitsDl.national.tous.Orange / 1000).toLocaleString('fr-FR', {
        minimumFractionDigits: 1,
        maximumFractionDigits: 1,
      });
      const sites = (m.sites['5G'].SitesTous5G.Sites3500.Orange as number).toLocaleString('fr-FR');
      assert.ok(
        page.body.includes(`<th scope="row">Orange</th><td class="pan-num">${pop}</td>`) &&
          page.body.includes(`>${dl}</td>`),
        `${pop} ${dl}`,
      );
      assert.ok(page.body.includes(`<td class="pan-num">${sites}</td></tr>`), sites);
    });

    test('a header of neither format, or no date, fails the run and changes nothing', async () => {
      const before = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM mobile_site');
      const bad = path.join(tmp, 'autre.csv');
      fs.writeFileSync(bad, 'a;b;c\n1;2;3\n');
      const r1 = await t.ctx.runImport({ job: 'sites-mobiles', source: bad, startedBy: 'test' });
      assert.equal(r1.status, 'failed');
      assert.match(r1.message ?? '', /En-tête non reconnu/);
      const nodate = path.join(tmp, 'sites.csv');
      fs.writeFileSync(nodate, 'Operateur;x;y;2G;3G;4G\n20801;846000;6700000;1;1;1\n');
      const r2 = await t.ctx.runImport({ job: 'sites-mobiles', source: nodate, startedBy: 'test' });
      assert.equal(r2.status, 'failed');
      assert.match(r2.message ?? '', /option date=AAAA-MM-JJ/);
      const after = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM mobile_site');
      assert.equal(after.rows[0]!.n, before.rows[0]!.n);
    });
  });
}
