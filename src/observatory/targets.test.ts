import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freshness, isDated, project } from './targets.ts';
import { placeLabel } from './views.ts';

const q = (y: number, t: number, v: number) => ({
  date: `${y}-${['03-31', '06-30', '09-30', '12-31'][t - 1]}`,
  valeur: v,
  periode: `${y}-T${t}`,
});

test('a projection needs at least four measures, the last one recent, and states its method', () => {
  const f = freshness(12, '2022-10-01');
  const three = [q(2021, 4, 0.5), q(2022, 1, 0.55), q(2022, 2, 0.6)];
  const p3 = project(three, 1, '2025-12-31', f);
  assert.equal(p3.statut, 'tendance_indisponible');
  assert.match(p3.message, /3 mesures seulement : il en faut au moins 4/);
  assert.equal(p3.date_projetee, null);
  const four = [q(2021, 3, 0.45), ...three];
  const p4 = project(four, 1, '2025-12-31', f);
  assert.equal(p4.statut, 'en_bonne_voie');
  assert.match(
    p4.methode!,
    /Tendance linéaire \(moindres carrés\) des 4 dernières mesures, de 2021-T3 à 2022-T2 : 20(,\d)? points par an/,
  );
  assert.equal(p4.date_projetee!.slice(0, 4), '2024');
});

test('data older than the threshold is dated: no projection from it', () => {
  const pts = [q(2017, 3, 0.1), q(2017, 4, 0.12), q(2018, 1, 0.14), q(2018, 2, 0.16)];
  const f = freshness(12, '2026-11-30');
  assert.equal(isDated('2018-06-30', f), true);
  const p = project(pts, 1, '2025-12-31', f);
  assert.equal(p.statut, 'tendance_indisponible');
  assert.equal(p.donnees_anciennes, true);
  assert.equal(p.date_projetee, null);
  assert.match(p.message, /Dernière mesure du 30 juin 2018, plus ancienne que 12 mois : aucune projection/);
  // The same data with a longer threshold is projected.
  assert.notEqual(project(pts, 1, '2025-12-31', freshness(120, '2026-11-30')).date_projetee, null);
});

test('a projected date already past is never stated as a fact', () => {
  const pts = [q(2021, 3, 0.6), q(2021, 4, 0.7), q(2022, 1, 0.8), q(2022, 2, 0.9)];
  const p = project(pts, 1, '2025-12-31', freshness(12, '2023-06-01'));
  assert.equal(p.statut, 'projection_passee');
  assert.ok(p.date_projetee! < '2023-06-01');
  assert.doesNotMatch(p.message, /objectif atteint|cible atteinte vers/i);
  assert.match(p.message, /date déjà passée : ce n’est pas une mesure/);
});

test('a reached target is dated when its data is old', () => {
  const p = project([q(2018, 1, 1)], 0.6, '2020-12-31', freshness(12, '2026-11-30'));
  assert.equal(p.statut, 'atteint');
  assert.match(p.message, /Cible atteinte à la mesure du 31 mars 2018\. Données de plus de 12 mois/);
});

test('target labels stay inside the chart, whatever their length and position', () => {
  const box = { W: 640, L: 48, R: 16, T: 16 };
  const fits = (l: ReturnType<typeof placeLabel>) => {
    const w = l.text.length * 6;
    const [a, b] = l.anchor === 'end' ? [l.x - w, l.x] : [l.x, l.x + w];
    return a >= box.L && b <= box.W - box.R && l.y > 0 && l.y < 260;
  };
  for (const [text, xe, yt] of [
    ['Très haut débit pour tous en 2022', 60, 16],
    ['FttH partout en 2025', 620, 16],
    ['x'.repeat(200), 300, 100],
    ['60 % de très haut débit en 2020', 49, 120],
  ] as const) {
    const l = placeLabel(text, xe, yt, box);
    assert.ok(fits(l), `${text.slice(0, 20)} at ${xe}: ${JSON.stringify(l)}`);
  }
});
