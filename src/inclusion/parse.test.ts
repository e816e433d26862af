import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeAccessibility } from './accessibility.ts';
import { haversineKm, pointInside } from './geometry.ts';
import { matcher } from './merge.ts';
import { detectLayout, siretOf } from './parse.ts';
import { dayRanges, serviceOf, weekOfOsm } from './vocab.ts';

test('SIRET: Luhn key, La Poste, placeholders and spreadsheet-rounded numbers', () => {
  assert.deepEqual(siretOf('32001811200138'), { siret: '32001811200138' });
  assert.deepEqual(siretOf('35600000061667'), { siret: '35600000061667' }); // La Poste: digit sum
  assert.deepEqual(siretOf('00000000000000'), { siret: null });
  assert.deepEqual(siretOf(22760500000000), { siret: null });
  assert.ok('error' in siretOf('12345678901234'));
  assert.ok('error' in siretOf('1234'));
});

test('layouts told apart by their fields and service separators', () => {
  assert.equal(detectLayout({ nom: 'a', services: 'x, y', conditions_access: 'Gratuit' }), 'v0-2022');
  assert.equal(detectLayout({ nom: 'a', services: 'x|y', typologie: 'RFS' }), 'v1-2023');
  assert.equal(detectLayout({ nom: 'a', services: 'x;y', code_insee: '21231' }), 'data-inclusion-2022');
  assert.equal(detectLayout({ nom: 'a', services: 'x / y', structure_parente: '' }), 'schema-2024');
  assert.equal(detectLayout({ name: 'a' }), null);
});

test('services of every generation; hours', () => {
  assert.equal(serviceOf(' Accéder à une connexion Internet '), 'Accéder à une connexion internet');
  assert.equal(serviceOf('Promouvoir la citoyenneté numérique.'), 'Promouvoir la citoyenneté numérique');
  assert.equal(serviceOf('Faire du vélo'), null);
  assert.equal(dayRanges('09:00 - 12:00 / 13:30 - 17:00'), '09:00-12:00,13:30-17:00');
  assert.equal(dayRanges('le matin'), undefined);
  const w = weekOfOsm('Mo-Fr 08:30-13:00,13:00-17:30; Sa 09:00-12:00')!;
  assert.equal(w[0], '08:30-13:00, 13:00-17:30');
  assert.equal(w[5], '09:00-12:00');
  assert.equal(w[6], null);
  assert.equal(weekOfOsm('PH off; Mo[1] 10:00-12:00'), null);
});

test('a point inside a C-shaped outline, where its centroid is not', () => {
  // A "C" shape opening to the east: its centroid lies in the opening.
  const c = [
    [
      [
        [0, 0],
        [3, 0],
        [3, 1],
        [1, 1],
        [1, 2],
        [3, 2],
        [3, 3],
        [0, 3],
        [0, 0],
      ],
    ],
  ] as [number, number][][][];
  const p = pointInside({ type: 'MultiPolygon', coordinates: c })!;
  assert.ok(p.lon > 0 && p.lon < 1, `${p.lon}`);
});

test('merge rule: SIRET within 200 m first, then same name within 100 m, nearest first', () => {
  const at = (lon: number, lat: number, m: number) => ({
    lon: lon + m / (111_320 * Math.cos((lat * Math.PI) / 180)),
    lat,
  });
  const base = { lon: 5, lat: 47 };
  const match = matcher([
    { lieu_id: 1, nom_norm: 'mairie', siret: null, ...at(5, 47, 90) },
    { lieu_id: 2, nom_norm: 'autre', siret: '32001811200138', ...at(5, 47, 150) },
    { lieu_id: 3, nom_norm: 'mairie', siret: null, ...at(5, 47, 60) },
    { lieu_id: 4, nom_norm: 'loin', siret: '32001811200138', ...at(5, 47, 250) },
  ]);
  assert.deepEqual(match({ ...base, nom_norm: 'mairie', siret: '32001811200138' }), [2, 3, 1]);
  assert.deepEqual(match({ ...base, nom_norm: 'mairie', siret: null }), [3, 1]);
  assert.deepEqual(match({ ...base, nom_norm: 'rien', siret: null }), []);
  assert.ok(Math.abs(haversineKm(5, 47, at(5, 47, 150).lon, 47) - 0.15) < 0.001);
});

test('accessibility: a commune with neither addresses nor outline is listed, not computed, not dropped', () => {
  const places = [{ id: 1, nom: 'A', lon: 5, lat: 47, categories: ['mediation'], code_insee: '00001' }];
  const base = { epci: 'E', departement: 'D', region: 'R', reference: null };
  const { territories } = computeAccessibility(
    [
      { ...base, code: '00001', population: 100, methode: 'point-contour', points: Float64Array.of(5, 47.1) },
      { ...base, code: '00002', population: 300, methode: 'adresses', points: Float64Array.of(5, 47.2, 5, 47.3) },
      { ...base, code: '00003', population: 50, methode: 'non-calcule', points: new Float64Array(0) },
    ],
    places,
  );
  const e = territories.find((t) => t.niveau === 'epci')!;
  assert.equal(e.methode, 'mixte');
  assert.equal(e.population, 450);
  assert.equal(e.population_calculee, 400);
  assert.equal(e.communes_non_calculees, 1);
  const d1 = haversineKm(5, 47, 5, 47.1);
  const d2 = haversineKm(5, 47, 5, 47.2);
  const d3 = haversineKm(5, 47, 5, 47.3);
  const mean = (100 * d1 + 150 * d2 + 150 * d3) / 400;
  assert.ok(Math.abs(e.indicateurs.tous!.distance_moyenne_km! - mean) < 1e-4);
  // Weighted median: 100 at d1, 150 at d2 (cumulated 250 ≥ 200).
  assert.ok(Math.abs(e.indicateurs.tous!.distance_mediane_km! - d2) < 1e-4);
  assert.ok(Math.abs(e.indicateurs.tous!.part_population_plus_20km! - 300 / 400) < 1e-9);
  assert.equal(e.indicateurs['france-services']!.distance_moyenne_km, null);
  const c3 = territories.find((t) => t.code === '00003')!;
  assert.equal(c3.methode, 'non-calcule');
  assert.equal(c3.indicateurs.tous!.distance_moyenne_km, null);
  assert.equal(c3.indicateurs.tous!.lieux_pour_10000_hab, 0);
});
