import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';
import proj4 from 'proj4';
import { launch, NO_BROWSER, pageForAxe, seriousViolations } from '../e2e/axe.ts';
import { backends, missingShared, serve, setup, shared } from '../helpers.ts';

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

    test('indicators per département recomputed from the 2018 file and the contours', async (tc) => {
      // Contours as imported (full resolution), with each current commune's population and département.
      const shapes = (
        await t.db.query<{
          code: string;
          departement: string;
          population: number | null;
          geometrie: Multi;
          bbox: number[];
        }>(
          `SELECT c.code, c.departement, c.population, g.geometrie, g.bbox FROM territoire_geometrie g
           JOIN commune c ON c.code = g.code WHERE g.niveau = 'commune'`,
        )
      ).rows;
      // Area in an equal-area projection (ETRS89-LAEA, EPSG:3035) with the shoelace formula: another method than the importer's.
      const laea = proj4('+proj=laea +lat_0=52 +lon_0=10 +x_0=4321000 +y_0=3210000 +ellps=GRS80 +units=m +no_defs');
      const planar = (r: Ring) => {
        let a = 0;
        const p = r.map((x) => laea.forward(x) as [number, number]);
        for (let i = 0, j = p.length - 1; i < p.length; j = i++) a += p[j]![0] * p[i]![1] - p[i]![0] * p[j]![1];
        return Math.abs(a / 2);
      };
      const area = (g: Multi) =>
        g.coordinates.reduce((s, [o, ...h]) => s + (o ? planar(o) : 0) - h.reduce((x, r) => x + planar(r), 0), 0) / 1e6;
      // Centre: area-weighted centroid of the outer rings (degrees).
      const centre = (g: Multi): [number, number] => {
        let [sx, sy, sw] = [0, 0, 0];
        for (const [o] of g.coordinates) {
          if (!o) continue;
          let [a, cx, cy] = [0, 0, 0];
          for (let i = 0; i < o.length; i++) {
            const [x0, y0] = o[i === 0 ? o.length - 1 : i - 1]!;
            const [x1, y1] = o[i]!;
            const f = x0 * y1 - x1 * y0;
            a += f;
            cx += (x0 + x1) * f;
            cy += (y0 + y1) * f;
          }
          if (!a) continue;
          sx += (cx / (3 * a)) * Math.abs(a / 2);
          sy += (cy / (3 * a)) * Math.abs(a / 2);
          sw += Math.abs(a / 2);
        }
        return [sx / sw, sy / sw];
      };
      const km = (a: [number, number], b: [number, number]) => {
        const r = (d: number) => (d * Math.PI) / 180;
        const h =
          Math.sin(r(b[1] - a[1]) / 2) ** 2 + Math.cos(r(a[1])) * Math.cos(r(b[1])) * Math.sin(r(b[0] - a[0]) / 2) ** 2;
        return 2 * 6371 * Math.asin(Math.sqrt(h));
      };
      // Each site of the file placed by brute force in its commune.
      const sites = subset.flatMap((r) => {
        const p: [number, number] = [Number(r.lon), Number(r.lat)];
        const s = shapes.find(
          (x) =>
            p[0] >= x.bbox[0]! &&
            p[0] <= x.bbox[2]! &&
            p[1] >= x.bbox[1]! &&
            p[1] <= x.bbox[3]! &&
            inside(x.geometrie, p[0], p[1]),
        );
        return s
          ? [{ op: SLUG[r.operateur_mccmnc!]!, p, g4: r.site_4g === '1', commune: s.code, dep: s.departement }]
          : [];
      });
      const ops = ['orange', 'sfr', 'bouygues', 'free'];
      // Every site of the file (also those outside the contours), for the 50 m neighbours.
      const all = subset.map((r) => ({
        op: SLUG[r.operateur_mccmnc!]!,
        p: [Number(r.lon), Number(r.lat)] as [number, number],
      }));
      for (const d of ['21', '58']) {
        const communes = shapes.filter((s) => s.departement === d);
        const res = (await get(`/api/v1/observatoire/mobile/departement/${d}`)).json();
        const ind = res.series[0].indicateurs;
        const pop = (await get(`/api/v1/territoires/departement/${d}`)).json().population as number;
        const aire = communes.reduce((s, c) => s + area(c.geometrie), 0);
        assert.equal(ind.population, pop);
        assert.equal(ind.communes_avec_contour, communes.length);
        tc.diagnostic(
          `${d}: ${JSON.stringify({ aire: ind.aire_km2, total: ind.total, orange: ind.operateurs.orange })}`,
        );
        assert.ok(Math.abs(ind.aire_km2 - aire) / aire < 0.002, `${d}: ${ind.aire_km2} km² vs ${aire}`);
        const here = sites.filter((s) => s.dep === d);
        const reach = { total: new Set<string>() } as Record<string, Set<string>>;
        const sansAucun = new Set(communes.map((c) => c.code));
        for (const o of ops) {
          const mine = here.filter((s) => s.op === o);
          const i = ind.operateurs[o];
          const near = (n: number) => Math.round(n * 100) / 100;
          assert.equal(
            i.sites_4g_pour_10000_habitants,
            near((mine.filter((s) => s.g4).length * 10_000) / pop),
            `${d} ${o}`,
          );
          assert.ok(Math.abs(i.sites_pour_100_km2 - (mine.length * 100) / aire) < 0.02, `${d} ${o} per km²`);
          // Shared: another operator's site of the file within 50 m (the file's own WGS84 points).
          const shared = mine.filter((s) =>
            all.some((r) => r.op !== o && Math.abs(r.p[1] - s.p[1]) < 0.001 && km(s.p, r.p) <= 0.05),
          );
          assert.ok(
            Math.abs(i.sites_partages - shared.length) <= 1,
            `${d} ${o}: ${i.sites_partages} shared vs ${shared.length}`,
          );
          assert.ok(shared.length > mine.length / 4, `${d} ${o}: ${shared.length} of ${mine.length} shared`);
          // Without 4G: no 4G site of the operator in the commune nor within 5 km of its centre (any 4G site of the file).
          const g4 = subset
            .filter((r) => SLUG[r.operateur_mccmnc!] === o && r.site_4g === '1')
            .map((r): [number, number] => [Number(r.lon), Number(r.lat)]);
          const inCommune = new Set(mine.filter((s) => s.g4).map((s) => s.commune));
          let sans = 0;
          let reached = 0;
          for (const c of communes) {
            const ctr = centre(c.geometrie);
            const nearest = Math.min(...g4.map((p) => km(ctr, p)));
            const has = inCommune.has(c.code);
            if (has || nearest <= 5) sansAucun.delete(c.code);
            else sans++;
            // The reach model: 1.5 km around the centre of a commune of 500 inhabitants per km² or more, 6 km elsewhere.
            const radius = (c.population ?? 0) / area(c.geometrie) >= 500 ? 1.5 : 6;
            if (has || nearest <= radius) {
              reached += c.population ?? 0;
              reach.total!.add(c.code);
            }
          }
          assert.ok(Math.abs(i.communes_sans_4g - sans) <= 1, `${d} ${o}: ${i.communes_sans_4g} without 4G vs ${sans}`);
          const popContours = communes.reduce((s, c) => s + (c.population ?? 0), 0);
          assert.ok(Math.abs(i.population_atteinte_4g_estimee - reached) <= popContours * 0.002, `${d} ${o} reach`);
          assert.ok(Math.abs(i.part_population_atteinte_4g_estimee_pct - (reached * 100) / popContours) <= 0.2);
        }
        assert.ok(
          Math.abs(ind.total.communes_sans_4g - sansAucun.size) <= 1,
          `${d}: ${ind.total.communes_sans_4g} vs ${sansAucun.size}`,
        );
        assert.equal(
          ind.total.sites_partages,
          ops.reduce((s, o) => s + ind.operateurs[o].sites_partages, 0),
        );
      }

      // The reach model on two real communes: one with an Orange 4G site inside counts whole; one far from every
      // Orange 4G site (none inside, none within 6 km of its centre) does not.
      const orange4g = sites.filter((s) => s.op === 'orange' && s.g4);
      const withSite = shapes.find(
        (c) => c.departement === '58' && (c.population ?? 0) > 0 && orange4g.some((s) => s.commune === c.code),
      )!;
      const far = shapes.find(
        (c) =>
          c.departement === '58' &&
          (c.population ?? 0) > 0 &&
          !orange4g.some((s) => s.commune === c.code) &&
          orange4g.every((s) => km(centre(c.geometrie), s.p) > 8),
      )!;
      assert.ok(withSite && far, 'both kinds of commune exist in the Nièvre');
      const a = (await get(`/api/v1/observatoire/mobile/commune/${withSite.code}`)).json().series[0].indicateurs;
      assert.equal(a.operateurs.orange.population_atteinte_4g_estimee, withSite.population);
      assert.equal(a.operateurs.orange.part_population_atteinte_4g_estimee_pct, 100);
      const b = (await get(`/api/v1/observatoire/mobile/commune/${far.code}`)).json().series[0].indicateurs;
      assert.equal(b.operateurs.orange.population_atteinte_4g_estimee, 0);
      assert.equal(b.operateurs.orange.communes_sans_4g, 1);

      // The page states the model and that it is an estimate, not ARCEP's coverage.
      const page = await get('/observatoire/mobile');
      assert.match(page.body, /estimation à partir des sites/);
      assert.match(page.body, /pas la couverture publiée par l’Arcep/);
      assert.match(page.body, /<caption>Indicateurs par opérateur/);
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
      // The chart of both snapshots, accessible (title, description with the last figures), before its table twin.
      const chart =
        /<svg class="pan-graphique" id="mobile-evolution-territoire"[\s\S]*?<\/svg>/.exec(page.body)?.[0] ?? '';
      assert.match(
        chart,
        /<title id="mobile-evolution-territoire-titre">Sites mobiles par opérateur à chaque relevé, Calvados/,
      );
      const dep14last = (await get('/api/v1/observatoire/mobile/departement/14')).json().series[1].operateurs.orange;
      assert.ok(
        chart.includes(
          `Orange ${dep14last.sites.toLocaleString('fr-FR')} sites dont ${dep14last.sites_4g.toLocaleString('fr-FR')} en 4G`,
        ),
      );
      assert.equal(chart.match(/<rect /g)?.length, 2 * (4 + 1), 'four operators in 2018, Orange alone in 2023');
      assert.ok(
        page.body.indexOf('id="mobile-evolution-territoire"') <
          page.body.indexOf('Évolution des sites mobiles, Calvados'),
      );
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

    test('the map of a département: the operator’s sites of a snapshot over the communes coloured by measured speeds', async () => {
      // Five Orange 4G measurements in Dijon (median 7 Mbit/s: below 8), four in Beaune (too few to publish a median).
      const send = (lon: number, lat: number, down: number, i: number) =>
        t.app.inject({
          method: 'POST',
          url: '/api/v1/mobile/mesures',
          remoteAddress: `192.0.2.${100 + i}`,
          payload: {
            lon,
            lat,
            operateur: 'orange',
            techno: '4G',
            debit_descendant_mbps: down,
            debit_montant_mbps: 2 + i,
            latence_ms: 40,
            horodatage: new Date(Date.now() - i * 60_000).toISOString(),
          },
        });
      for (const [i, d] of [5, 6, 7, 40, 50].entries()) assert.equal((await send(5.042, 47.322, d, i)).statusCode, 201);
      for (const [i, d] of [20, 25, 30, 35].entries())
        assert.equal((await send(4.84, 47.026, d, 10 + i)).statusCode, 201);
      const api = (await get('/api/v1/observatoire/mobile/departement/21')).json().series;
      const y2018 = api.find((x: { date: string }) => x.date === '2018-01-01').operateurs.orange;
      const page = await get('/observatoire/mobile/carte?code=21&operateur=orange&techno=4G&date=2018-01-01');
      assert.equal(page.statusCode, 200);
      const svg = /<svg class="pan-carte" id="carte-sites"[\s\S]*?<\/svg>/.exec(page.body)?.[0] ?? '';
      assert.match(svg, /<title id="carte-sites-titre">Sites 4G Orange et débits mesurés par commune, Côte-d&#39;Or/);
      assert.equal(svg.match(/<circle /g)?.length, y2018.sites_4g, 'one point per Orange 4G site of the snapshot');
      const m0 = /<g class="m0">([\s\S]*?)<\/g>/.exec(svg)?.[1] ?? '';
      assert.match(m0, /<title>Dijon : \d+ sites 4G, 5 mesures, médiane 7 Mbit\/s<\/title>/);
      const mn = /<g class="mn">([\s\S]*?)<\/g>/.exec(svg)?.[1] ?? '';
      assert.match(mn, /<title>Beaune : \d+ sites? 4G, 4 mesures<\/title>/);
      // The table twin has the same figures.
      assert.match(
        page.body,
        /<a href="\/territoires\/commune\/21231">Dijon<\/a><\/th><td[^>]*>\d+<\/td><td[^>]*>5<\/td><td[^>]*>7<\/td>/,
      );
      // 3G points are another count; an unknown operator is a 400.
      const g3 = await get('/observatoire/mobile/carte?code=21&operateur=orange&techno=3G&date=2018-01-01');
      assert.equal(
        /<svg class="pan-carte"[\s\S]*?<\/svg>/.exec(g3.body)?.[0].match(/<circle /g)?.length,
        y2018.sites_3g,
      );
      assert.equal((await get('/observatoire/mobile/carte?operateur=sosh')).statusCode, 400);
    });

    test('the pages with indicators and the chart stay light and have no serious accessibility violation', {
      skip: NO_BROWSER,
    }, async () => {
      const base = await serve(t.app);
      const browser = await launch();
      try {
        for (const url of [
          '/observatoire/mobile',
          '/territoires/departement/14',
          '/observatoire/mobile/carte?code=21&date=2018-01-01',
        ]) {
          const size = Buffer.byteLength((await get(url)).body);
          assert.ok(size < 150 * 1024, `${url}: ${(size / 1024).toFixed(1)} KB`);
          const page = await pageForAxe(browser);
          await page.goto(`${base}${url}`);
          assert.deepEqual(await seriousViolations(page), [], url);
        }
      } finally {
        await browser.close();
      }
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
