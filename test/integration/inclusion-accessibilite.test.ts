import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pointInside } from '../../src/inclusion/geometry.ts';
import { backends, missingShared, setup, shared } from '../helpers.ts';

/** Haversine (km), written again here so that the test does not trust the module's nearest search. */
function km(a: [number, number], b: [number, number]): number {
  const r = Math.PI / 180;
  const h =
    Math.sin(((b[1] - a[1]) * r) / 2) ** 2 +
    Math.cos(a[1] * r) * Math.cos(b[1] * r) * Math.sin(((b[0] - a[0]) * r) / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.sqrt(h));
}

type Place = { id: number; nom: string; categories: string[]; lon: number; lat: number; code_insee: string | null };
type Ind = {
  lieux: number;
  lieux_pour_10000_hab: number | null;
  distance_moyenne_km: number | null;
  distance_mediane_km: number | null;
  part_population_plus_5km: number | null;
  part_population_plus_10km: number | null;
  part_population_plus_20km: number | null;
};
type Answer = {
  niveau: string;
  code: string;
  population: number;
  methode: string;
  methode_detail: { population_calculee: number; communes_contour: number; communes_non_calculees: number };
  calcule_le: string;
  indicateurs: Record<string, Ind>;
  plus_proches?: Record<string, { id: number; nom: string; distance_km: number }>;
};

for (const backend of backends()) {
  describe(`inclusion accessibility indicators (${backend.name})`, {
    skip: missingShared(
      'boundaries/france-geojson-2018/communes-bourgogne-franche-comte.geojson.gz',
      'france-services/liste-france-services-20240801-bfc-normandie.csv.gz',
      'mediation-numerique/lieux-cnfs-bfc-normandie-2022.json.gz',
    ),
  }, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    const get = (url: string) => t.app.inject({ method: 'GET', url });
    const api = async (niveau: string, code: string) =>
      (await get(`/api/v1/inclusion/accessibilite/${niveau}/${code}`)).json() as Answer;
    let places: Place[] = [];
    before(async () => {
      t = await setup(backend, { REGION: '27' });
      const run = (job: string, source: string, options: Record<string, unknown> = {}) =>
        t.ctx.runImport({ job, source, options, startedBy: 'test' });
      const c = await run(
        'contours',
        shared('boundaries', 'france-geojson-2018', 'communes-bourgogne-franche-comte.geojson.gz'),
        { niveau: 'commune' },
      );
      assert.equal(c.status, 'succeeded', c.message ?? '');
      for (const [job, f] of [
        ['lieux-mediation', shared('mediation-numerique', 'lieux-cnfs-bfc-normandie-2022.json.gz')],
        ['france-services', shared('france-services', 'liste-france-services-20240801-bfc-normandie.csv.gz')],
      ] as const) {
        const r = await run(job, f);
        assert.equal(r.status, 'succeeded', r.message ?? '');
      }
      places = (await get('/api/v1/inclusion/lieux?limit=1000')).json().items;
    });
    after(async () => t.close());

    test('recomputed after each import, recorded as a run', async () => {
      const runs = await t.db.query<{ status: string; message: string; started_by: string }>(
        "SELECT status, message, started_by FROM import_run WHERE job = 'accessibilite' ORDER BY id",
      );
      // After the contours and after each of the two imports of places.
      assert.equal(runs.rows.length, 3);
      assert.ok(runs.rows.every((r) => r.status === 'succeeded'));
      assert.match(runs.rows.at(-1)!.message, /par un point de leur contour/);
      assert.match(runs.rows.at(-1)!.started_by, /suite de l’import/);
    });

    test('a few communes: distance to the nearest place = direct haversine over every place', async () => {
      // Dijon, Nevers, Lons-le-Saunier, a village of the Morvan (Saint-Brisson), Belfort.
      for (const code of ['21231', '58194', '39300', '58238', '90010']) {
        const a = await api('commune', code);
        assert.equal(a.methode, 'point-contour', code);
        const shape = (await get(`/api/v1/territoires/commune/${code}/contour`)).json();
        const p = pointInside(shape.features[0].geometry)!;
        for (const cat of ['tous', 'mediation', 'france-services']) {
          const of = places.filter((x) => cat === 'tous' || x.categories.includes(cat));
          const best = Math.min(...of.map((x) => km([p.lon, p.lat], [x.lon, x.lat])));
          const ind = a.indicateurs[cat]!;
          assert.ok(
            Math.abs(ind.distance_moyenne_km! - best) < 1e-3,
            `${code} ${cat}: ${ind.distance_moyenne_km} vs ${best}`,
          );
          assert.equal(ind.distance_mediane_km, ind.distance_moyenne_km);
          assert.ok(Math.abs(a.plus_proches![cat]!.distance_km - best) < 1e-3);
          assert.equal(ind.part_population_plus_5km, best > 5 ? 1 : 0);
          assert.equal(ind.lieux, of.filter((x) => x.code_insee === code).length);
        }
      }
    });

    test('a département: population-weighted mean of its communes, shares, places per 10,000', async () => {
      const d = await api('departement', '58');
      assert.equal(d.methode, 'point-contour');
      const communes = (await get('/api/v1/territoires/departement/58/communes?limit=5000')).json().items as {
        code: string;
        population: number | null;
      }[];
      let sw = 0;
      let swd = 0;
      let beyond10 = 0;
      let computed = 0;
      for (const c of communes) {
        const a = await api('commune', c.code);
        if (a.methode === 'non-calcule') continue;
        computed++;
        const dist = a.indicateurs.tous!.distance_moyenne_km!;
        sw += c.population ?? 0;
        swd += (c.population ?? 0) * dist;
        if (dist > 10) beyond10 += c.population ?? 0;
      }
      assert.equal(computed, d.methode_detail.communes_contour);
      assert.equal(communes.length - computed, d.methode_detail.communes_non_calculees);
      assert.equal(sw, d.methode_detail.population_calculee);
      assert.ok(Math.abs(d.indicateurs.tous!.distance_moyenne_km! - swd / sw) < 1e-6);
      assert.ok(Math.abs(d.indicateurs.tous!.part_population_plus_10km! - beyond10 / sw) < 1e-9);
      const inDep = places.filter((p) => p.code_insee?.startsWith('58')).length;
      assert.equal(d.indicateurs.tous!.lieux, inDep);
      assert.ok(Math.abs(d.indicateurs.tous!.lieux_pour_10000_hab! - (inDep * 10000) / d.population) < 1e-9);
      assert.equal(d.plus_proches, undefined);
      const page = await get('/territoires/departement/58');
      assert.match(page.body, /Accessibilité : distance au lieu le plus proche/);
      assert.match(page.body, /point intérieur à son contour/);
    });

    test('every commune of the région is placed (2018 outlines mapped to today’s codes); other régions are not computed', async () => {
      const region = await api('region', '27');
      assert.equal(region.methode, 'point-contour');
      assert.equal(region.methode_detail.communes_non_calculees, 0);
      assert.equal(region.methode_detail.communes_contour, 3685);
      assert.equal(region.population, region.methode_detail.population_calculee);
      assert.equal((await get('/api/v1/inclusion/accessibilite/departement/14')).statusCode, 404);
      assert.equal((await get('/api/v1/inclusion/accessibilite/departement/999')).statusCode, 404);
      const page = await get('/territoires/commune/58194');
      assert.match(page.body, /Lieu le plus proche/);
    });

    test('the SCORAN indicators of distance and places per 10,000 take the région’s figures, untyped', async () => {
      const seed = await t.ctx.runImport({ job: 'strategie', options: { modele: 'scoran-bfc' }, startedBy: 'test' });
      assert.equal(seed.status, 'succeeded', seed.message ?? '');
      const again = await t.ctx.runImport({ job: 'accessibilite', startedBy: 'test', force: true });
      assert.equal(again.status, 'succeeded', again.message ?? '');
      const region = await api('region', '27');
      const items = (await get('/api/v1/strategies/scoran-bfc/indicateurs')).json().items as {
        fournisseur: string | null;
        mesures: { date: string; valeur: number; source: string }[];
      }[];
      const by = (f: string) => items.find((i) => i.fournisseur === f)!;
      const dist = by('inclusion.distance_mediation').mesures.at(-1)!;
      assert.equal(dist.valeur, Math.round(region.indicateurs.mediation!.distance_moyenne_km! * 100) / 100);
      assert.equal(dist.date, region.calcule_le.slice(0, 10));
      assert.match(dist.source, /import « accessibilite »/);
      const per = by('inclusion.lieux_mediation_10000').mesures.at(-1)!;
      assert.equal(per.valeur, Math.round(region.indicateurs.mediation!.lieux_pour_10000_hab! * 100) / 100);
      // No tiers-lieu imported: that indicator stays without measurement and says why.
      assert.equal(by('inclusion.distance_tiers_lieu').mesures.length, 0);
    });
  });
}

for (const backend of backends()) {
  describe(`inclusion accessibility after an address import (${backend.name})`, {
    skip: missingShared('addresses/bal-54084-mont-bonvillers-fixture.csv.gz'),
  }, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    before(async () => {
      t = await setup(backend);
    });
    after(async () => t.close());

    test('without any place stored, an address import does not recompute the indicators', async () => {
      const r = await t.ctx.runImport({
        job: 'adresses',
        source: shared('addresses', 'bal-54084-mont-bonvillers-fixture.csv.gz'),
        startedBy: 'test',
      });
      assert.equal(r.status, 'succeeded', r.message ?? '');
      const runs = await t.db.query("SELECT id FROM import_run WHERE job = 'accessibilite'");
      assert.equal(runs.rows.length, 0);
    });
  });
}
