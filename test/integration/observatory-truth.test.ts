/**
 * Figures that cannot mislead (issue 7 §1–§3), on the real files of ../shared/data: BFC and
 * Normandie from ARCEP's 2018 T1 workbook, the FttH series of its 2022 T2 workbook, Ma connexion
 * internet 2022 T4 (all technologies, satellite included) and IGN contours.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';
import { backends, missingShared, setup, shared } from '../helpers.ts';

const DEPTS = ['21', '25', '39', '58', '70', '71', '89', '90', '14', '27', '50', '61', '76'];
const arcep = (sheet: string) => shared('arcep-fixe', `arcep-obs-thd-2018t1-${sheet}.csv.gz`);
const SERIE_DEP = shared('arcep-fixe', 'arcep-obs-thd-2022t2-ftth-departements-serie-2017t4-2022t2.csv.gz');
const SERIE_REG = shared('arcep-fixe', 'arcep-obs-thd-2022t2-ftth-regions-serie-2017t4-2022t2.csv.gz');
const MCI = shared('arcep-fixe', 'mci-commune-debit-2022t4-bfc-normandie.csv.gz');
const lines = (file: string) =>
  zlib
    .gunzipSync(fs.readFileSync(file))
    .toString('utf8')
    .split(/\r?\n/)
    .filter((l) => l.length);

/** Premises ≥ 100 Mbit/s over premises, per région, summed here from the MCI file itself. */
function mciShare(region: string, field: 'elig_thd100' | 'elig_thd30'): number {
  const [head, ...rows] = lines(MCI);
  const h = head!.split(';');
  let n = 0;
  let d = 0;
  for (const l of rows) {
    const c = l.split(';');
    if (c[h.indexOf('code_reg')] !== region) continue;
    n += Number(c[h.indexOf(field)]);
    d += Number(c[h.indexOf('nbr')]);
  }
  return n / d;
}
/** One row of the 2022 T2 département series, read here from the file. */
function serieDep(code: string, periode: string): { raccordables: number; estimation: number } {
  const [y, t] = periode.split('-T');
  const row = lines(SERIE_DEP)
    .slice(1)
    .map((l) => l.split(','))
    .find((c) => c[0] === code && c[3] === y && c[4] === t)!;
  return { raccordables: Number(row[5]), estimation: Number(row[2]) };
}

for (const backend of backends()) {
  describe(`observatory figures that cannot mislead (${backend.name})`, {
    skip: missingShared(
      'arcep-fixe/arcep-obs-thd-2018t1-ftthCommunes.csv.gz',
      'arcep-fixe/arcep-obs-thd-2018t1-communes.csv.gz',
      'arcep-fixe/arcep-obs-thd-2018t1-ftthDepartements.csv.gz',
      'arcep-fixe/arcep-obs-thd-2018t1-departements.csv.gz',
      'arcep-fixe/arcep-obs-thd-2018t1-ftthRegions.csv.gz',
      'arcep-fixe/arcep-obs-thd-2018t1-regions.csv.gz',
      'arcep-fixe/arcep-obs-thd-2022t2-ftth-departements-serie-2017t4-2022t2.csv.gz',
      'arcep-fixe/arcep-obs-thd-2022t2-ftth-regions-serie-2017t4-2022t2.csv.gz',
      'arcep-fixe/mci-commune-debit-2022t4-bfc-normandie.csv.gz',
      'boundaries/ngeofr-2025/epci-bfc-normandie-2025.geojson.gz',
      'boundaries/france-geojson-2018/communes-normandie.geojson.gz',
    ),
  }, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    const runs: Record<string, Awaited<ReturnType<typeof t.ctx.runImport>>> = {};
    const get = (url: string) => t.app.inject({ method: 'GET', url });
    const imp = (job: string, source: string, options?: unknown) =>
      t.ctx.runImport({ job, source, startedBy: 'test', ...(options ? { options } : {}) });

    before(async () => {
      t = await setup(backend);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obs-truth-'));
      for (const s of ['ftthCommunes', 'communes', 'ftthDepartements', 'departements', 'ftthRegions', 'regions'])
        fs.symlinkSync(arcep(s), path.join(dir, path.basename(arcep(s))));
      runs.arcep2018 = await imp('arcep-deploiements', dir, { departements: DEPTS.join(',') });
      runs.serieDep = await imp('arcep-deploiements', SERIE_DEP);
      runs.serieReg = await imp('arcep-deploiements', SERIE_REG);
      runs.mci = await imp('mci-communes', MCI);
      runs.epci = await imp('contours', shared('boundaries', 'ngeofr-2025', 'epci-bfc-normandie-2025.geojson.gz'));
      runs.communes28 = await imp(
        'contours',
        shared('boundaries', 'france-geojson-2018', 'communes-normandie.geojson.gz'),
      );
    });
    after(async () => {
      await t.close();
    });

    test('every import succeeds; the long-format FttH series is read as such', () => {
      for (const [k, r] of Object.entries(runs)) assert.equal(r.status, 'succeeded', `${k}: ${r.message}`);
      assert.equal(runs.serieDep!.rows_read, 96 * 19);
      assert.equal(runs.serieDep!.rows_accepted, 96 * 19);
      assert.match(
        runs.serieDep!.message!,
        /série longue de 96 départements × 19 trimestres \(2017-T4 → 2022-T2\), meilleure estimation des locaux de 2022-T2/,
      );
      // Région codes are empty in this file: names are matched to today's régions, all 13 found.
      assert.equal(runs.serieReg!.rows_rejected, 0);
      assert.match(runs.serieReg!.message!, /13 régions × 19 trimestres/);
    });

    test('§1 a THD target is not declared met on satellite-inclusive data: not evaluable, the file that would make it so, the closest honest figure', async () => {
      for (const [region, libelle] of [
        ['27', 'Très haut débit pour tous en 2022'],
        ['28', '60 % de très haut débit en 2020'],
      ] as const) {
        // The satellite-inclusive ≥ 30 Mbit/s share is near 100 %: read on it, the target would look met.
        assert.ok(mciShare(region, 'elig_thd30') > 0.999);
        const obj = (await get(`/api/v1/observatoire/fixe/region/${region}/objectifs`)).json();
        const thd = obj.objectifs.find((o: { objectif: { libelle: string } }) => o.objectif.libelle === libelle);
        assert.equal(thd.objectif.perimetre, 'terrestre');
        assert.equal(thd.projection.statut, 'non_evaluable');
        assert.equal(thd.projection.actuel, null);
        assert.match(thd.projection.message, /non évaluable avec les données importées \(le satellite y est compté\)/);
        assert.match(thd.projection.message, /commune_debit_terrestre/);
        assert.ok(Math.abs(thd.projection.valeur_proche.valeur - mciShare(region, 'elig_thd100')) < 1e-9);
        assert.match(
          thd.projection.valeur_proche.libelle,
          /≥ 100 Mbit\/s, toutes technologies, satellite compris — valeur la plus proche/,
        );
        const gig = obj.objectifs.find(
          (o: { objectif: { libelle: string } }) => o.objectif.libelle === '100 Mbit/s pour tous les foyers en 2025',
        );
        assert.equal(gig.objectif.perimetre, 'filaire');
        assert.match(gig.projection.message, /commune_debit_filaire/);
        const page = await get(`/observatoire?niveau=region&code=${region}&indicateur=part_thd30`);
        assert.equal(page.statusCode, 200);
        assert.doesNotMatch(page.body, /Objectif atteint|Cible atteinte/);
        assert.match(page.body, /<strong>non évaluable<\/strong>/);
      }
    });

    test('§1 every tile, chart, map legend and table built from satellite-inclusive data says so in its title', async () => {
      const page = (await get('/observatoire?indicateur=part_thd30')).body;
      const tiles = [...page.matchAll(/<p class="fr-tile__desc">([^<]+)<\/p>/g)].map((m) => m[1]!);
      const mciTiles = tiles.filter((x) => /Mbit|Gbit/.test(x));
      assert.ok(mciTiles.length >= 4);
      for (const x of mciTiles) assert.match(x, /toutes technologies, satellite compris/, x);
      for (const id of ['part_thd30', 'part_thd100', 'part_bhd8', 'part_thd1g']) {
        assert.match(
          page,
          new RegExp(`<h3 id="graphique-${id}-h" class="fr-h5">[^<]*toutes technologies, satellite compris`),
          id,
        );
      }
      assert.match(
        page,
        /<figcaption[^>]*><div class="pan-legende"[^>]*><p[^>]*><strong>[^<]*≥ 30 Mbit\/s\), toutes technologies, satellite compris/,
      );
      for (const caption of [
        'Locaux par classe de débit',
        'Évolution — Bourgogne',
        'Les \\d+ communes les moins couvertes à 100 Mbit/s',
      ]) {
        assert.match(page, new RegExp(`<caption>${caption}[^<]*satellite compris`), caption);
      }
      for (const table of ['debits', 'communes', 'epci', 'series']) {
        assert.match(
          (await get(`/observatoire/donnees/${table}.json`)).json().titre,
          /toutes technologies, satellite compris/,
          table,
        );
      }
    });

    test('§2 five years of FttH history from the 2022 T2 series, ARCEP’s own totals and denominator, said so', async () => {
      const d21 = (await get('/api/v1/observatoire/fixe/departement/21')).json();
      const ftth = d21.series.filter((s: { jeu: string }) => s.jeu === 'arcep-deploiements');
      assert.deepEqual(ftth.map((s: { periode: string }) => s.periode).slice(0, 3), ['2017-T3', '2017-T4', '2018-T1']);
      assert.equal(ftth.at(-1).periode, '2022-T2');
      assert.equal(ftth.length, 20);
      const last = ftth.at(-1);
      const ref = serieDep('21', '2022-T2');
      assert.equal(last.locaux_raccordables, ref.raccordables);
      assert.equal(last.origine, 'arcep');
      assert.equal(last.denominateur_taux_ftth, 'locaux_arcep');
      assert.ok(Math.abs(last.taux_ftth - ref.raccordables / ref.estimation) < 1e-9);
      assert.equal(last.taux_ftth.toFixed(3), '0.680');
      // One denominator for the whole series, so that rates stay comparable in time.
      assert.equal(new Set(ftth.map((s: { locaux: number }) => s.locaux)).size, 1);
      // EPCI have no published series: their totals are commune sums, and say so.
      const epci = (await get('/api/v1/observatoire/fixe/epci/242100410')).json();
      const e = epci.series.find((s: { jeu: string }) => s.jeu === 'arcep-deploiements');
      assert.equal(e.origine, 'communes');
      const page = (await get('/observatoire?departement=21')).body;
      assert.match(page, /publiés par l’Arcep/);
      assert.match(page, /rapporté aux [\d\s\u202f]+ locaux publiés par l’Arcep/);
    });

    test('§2 old data is dated on every figure and never projected; the method is stated', async () => {
      const obj = (await get('/api/v1/observatoire/fixe/region/27/objectifs')).json();
      const ftth = obj.objectifs.find(
        (o: { objectif: { libelle: string } }) => o.objectif.libelle === 'FttH partout en 2025',
      ).projection;
      assert.equal(ftth.periode_actuelle, '2022-T2');
      assert.equal(ftth.date_mesure, '2022-06-30');
      assert.equal(ftth.donnees_anciennes, true);
      assert.equal(ftth.date_projetee, null);
      assert.equal(ftth.statut, 'tendance_indisponible');
      assert.match(ftth.message, /Dernière mesure du 30 juin 2022, plus ancienne que 12 mois : aucune projection/);
      const page = (await get('/observatoire')).body;
      const tiles = [
        ...page.matchAll(
          /<p class="fr-tile__detail">Données au [^<]+<\/p>(<p class="fr-badge[^"]*">Données de plus de 12 mois<\/p>)?/g,
        ),
      ];
      assert.ok(tiles.length >= 6);
      assert.ok(
        tiles.every((m) => m[1]),
        'every tile of 2018/2022 data is marked as dated',
      );
      assert.doesNotMatch(page, /objectif atteint en/i);
    });

    test('§2 time on charts: each date inside its own year band; 2022 T2 is in 2022', async () => {
      const page = (await get('/territoires/departement/21')).body;
      const svg = /<svg class="pan-graphique" id="graphique-territoire-taux_ftth"[\s\S]*?<\/svg>/.exec(page)![0];
      const bands = [
        ...svg.matchAll(/<text class="pan-annee" data-debut="([\d.]+)" data-fin="([\d.]+)"[^>]*>(\d{4})<\/text>/g),
      ].map((m) => ({ a: Number(m[1]), b: Number(m[2]), y: m[3]! }));
      const points = [...svg.matchAll(/<circle data-date="(\d{4})-(\d\d-\d\d)" cx="([\d.]+)"/g)];
      assert.equal(points.length, 20);
      for (const [, year, md, cx] of points) {
        const band = bands.find((b) => b.y === year)!;
        assert.ok(band, `no band for ${year}`);
        assert.ok(Number(cx) > band.a && Number(cx) <= band.b, `${year}-${md} at ${cx} outside ${band.a}–${band.b}`);
      }
    });

    test('§3 a commune’s rank says how many communes share its value (ex æquo)', async () => {
      // A commune with no FttH in 2018 T1 in an EPCI where several had none.
      const r = await t.db.query<{ code: string; epci: string; n: number }>(
        `SELECT c.code, c.epci, (SELECT count(*)::int FROM commune c2 JOIN obs_serie s2 ON s2.niveau = 'commune' AND s2.code = c2.code AND s2.jeu = 'arcep-deploiements' AND s2.periode = '2018-T1'
                                   WHERE c2.epci = c.epci AND c2.type = 'commune-actuelle' AND s2.locaux_raccordables = 0 AND s2.locaux > 0) AS n
         FROM commune c JOIN obs_serie s ON s.niveau = 'commune' AND s.code = c.code AND s.jeu = 'arcep-deploiements' AND s.periode = '2018-T1'
         WHERE c.departement = '21' AND c.type = 'commune-actuelle' AND s.locaux_raccordables = 0 AND s.locaux > 0 ORDER BY c.code LIMIT 1`,
      );
      const { code, n } = r.rows[0]!;
      assert.ok(n > 1);
      const page = (await get(`/territoires/commune/${code}`)).body;
      assert.match(
        page,
        new RegExp(
          `Taux FttH \\(2018-T1\\) : 0[\\s\\u202f]%, \\d+(re|e) ex æquo \\(${n} communes à 0[\\s\\u202f]%\\) sur \\d+ communes de l’EPCI`,
        ),
      );
    });

    test('§3 filters offer only what is imported; a scope not imported falls back and says so, never an empty table', async () => {
      const page = (await get('/observatoire')).body;
      assert.doesNotMatch(page, /<option value="terrestre"/);
      assert.match(page, /seul fichier de Ma connexion internet importé/);
      const asked = await get('/observatoire?perimetre=terrestre');
      assert.equal(asked.statusCode, 200);
      assert.match(
        asked.body,
        /Aucun fichier « terrestre \(satellite exclu\) » de Ma connexion internet n’a été importé/,
      );
      assert.doesNotMatch(asked.body, /aucune donnée importée/);
      const csv = await get('/observatoire/donnees/debits.csv?perimetre=filaire');
      assert.match(csv.body, /\r\nCôte-d'Or;21;357997;/);
      // Quarters: only those with commune figures are offered to the tables; another one falls back, and says so.
      const quarters = [
        ...page.matchAll(/<select class="fr-select" id="f-tri" name="trimestre">(.*?)<\/select>/gs),
      ][0]![1]!;
      assert.deepEqual(
        [...quarters.matchAll(/value="([^"]+)"/g)].map((m) => m[1]),
        ['2018-T1', '2017-T4', '2017-T3'],
      );
      const t4 = (await get('/observatoire/donnees/communes.json?trimestre=2017-T4')).json();
      assert.match(t4.titre, /FttH 2017-T4/);
      assert.ok(t4.lignes.some((l: { taux_ftth: number | null }) => l.taux_ftth !== null));
      const absent = await get('/observatoire?trimestre=2020-T1');
      assert.match(
        absent.body,
        /Le trimestre 2020-T1 n’a pas été importé : les tableaux montrent le dernier trimestre importé \(2018-T1\)/,
      );
    });

    test('§3 EPCI straddling a regional boundary: figures of the whole EPCI, said so', async () => {
      const s = await t.db.query<{ epci: string; total: number; dans: number }>(
        `SELECT epci, count(*)::int AS total, count(*) FILTER (WHERE region = '27')::int AS dans FROM commune
         WHERE type = 'commune-actuelle' AND epci IN (SELECT epci FROM commune WHERE region = '27') GROUP BY epci HAVING count(*) FILTER (WHERE region <> '27') > 0 ORDER BY epci LIMIT 1`,
      );
      const { epci, total, dans } = s.rows[0]!;
      const json = (await get('/observatoire/donnees/epci.json')).json();
      assert.match(json.titre, /chiffres de l’EPCI entier/);
      const row = json.lignes.find((l: { code: string }) => l.code === epci);
      assert.equal(row.perimetre_chiffres, `EPCI entier, à cheval : ${dans} de ses ${total} communes dans la région`);
      const page = (await get(`/territoires/epci/${epci}`)).body;
      assert.match(page, /Chiffres de l’EPCI entier, à cheval sur 2 régions/);
    });

    test('§3 a contours import lists the current communes left without a contour', () => {
      // Sannerville (14666) was re-created after the 2018 geography: no 2018 outline is its own.
      assert.match(
        runs.communes28!.message!,
        /1 commune actuelle des départements du fichier sans contour \(carte incomplète\) : 14666 Sannerville\./,
      );
    });

    test('the unused MapLibre static route is gone', async () => {
      assert.equal((await get('/static/maplibre/maplibre-gl.css')).statusCode, 404);
    });
  });
}
