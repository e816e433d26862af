import assert from 'node:assert/strict';
import { test } from 'node:test';
import { baselineOf, evaluate, expectedAt, projectDate } from './trajectory.ts';

const noBase = { valeur: null, date: null };
const to100 = { valeur: 100, date: '2025-12-31' };

test('the trajectory is the straight line from baseline to target, flat after the deadline', () => {
  const base = { date: '2020-12-31', valeur: 0 };
  assert.equal(expectedAt(base, { valeur: 100, date: '2030-12-31' }, '2020-12-31'), 0);
  const mid = expectedAt(base, { valeur: 100, date: '2030-12-31' }, '2025-12-31');
  assert.ok(Math.abs(mid - 50) < 0.1, String(mid));
  assert.equal(expectedAt(base, { valeur: 100, date: '2030-12-31' }, '2035-01-01'), 100);
  assert.equal(expectedAt(base, { valeur: 100, date: '2030-12-31' }, '2019-01-01'), 0);
});

test('without a declared baseline the first measurement is the baseline', () => {
  assert.deepEqual(
    baselineOf(noBase, [
      { date: '2021-03-31', valeur: 30 },
      { date: '2020-03-31', valeur: 20 },
    ]),
    { date: '2020-03-31', valeur: 20 },
  );
  assert.deepEqual(baselineOf({ valeur: 5, date: '2019-01-01' }, [{ date: '2020-03-31', valeur: 20 }]), {
    date: '2019-01-01',
    valeur: 5,
  });
});

test('status: ahead, on track, at risk, off track, by the gap in share of the way', () => {
  const base = { valeur: 0, date: '2015-12-31' };
  // 2020-12-31 is half way (in days) between 2015-12-31 and 2025-12-31: 50 expected.
  const at = (v: number) => evaluate(base, to100, [{ date: '2020-12-31', valeur: v }]).statut;
  assert.equal(at(60), 'en_avance');
  assert.equal(at(52), 'conforme');
  assert.equal(at(47), 'conforme');
  assert.equal(at(40), 'a_risque');
  assert.equal(at(30), 'hors_trajectoire');
  assert.equal(at(100), 'en_avance');
  // Past the deadline without the target: off track; with it: on track.
  assert.equal(evaluate(base, to100, [{ date: '2026-06-30', valeur: 99 }]).statut, 'hors_trajectoire');
  assert.equal(evaluate(base, to100, [{ date: '2026-06-30', valeur: 100 }]).statut, 'conforme');
});

test('a decreasing target (a distance to bring down) is read the other way round', () => {
  const base = { valeur: 20, date: '2020-01-01' };
  const goal = { valeur: 10, date: '2030-01-01' };
  assert.equal(evaluate(base, goal, [{ date: '2025-01-01', valeur: 14 }]).statut, 'en_avance');
  assert.equal(evaluate(base, goal, [{ date: '2025-01-01', valeur: 18 }]).statut, 'hors_trajectoire');
});

test('no target, no deadline or no measurement gives no status, with the reason', () => {
  assert.equal(
    evaluate(noBase, { valeur: null, date: null }, [{ date: '2020-01-01', valeur: 1 }]).motif,
    'pas de cible chiffrée',
  );
  assert.equal(evaluate(noBase, to100, []).motif, 'aucune mesure');
  const e = evaluate(noBase, { valeur: 100, date: null }, [
    { date: '2020-01-01', valeur: 10 },
    { date: '2021-01-01', valeur: 20 },
  ]);
  assert.equal(e.statut, null);
  assert.equal(e.motif, 'pas d’échéance');
  assert.ok(e.date_projetee?.startsWith('2029'), String(e.date_projetee));
});

test('projected date: least squares over the last four measurements; none when the pace leads away', () => {
  const pts = [
    { date: '2000-01-01', valeur: 90 }, // older than the last four: ignored
    { date: '2020-01-01', valeur: 10 },
    { date: '2021-01-01', valeur: 20 },
    { date: '2022-01-01', valeur: 30 },
    { date: '2023-01-01', valeur: 40 },
  ];
  const d = projectDate(pts, 100)!;
  assert.ok(d >= '2028-12-01' && d <= '2029-01-31', d);
  assert.equal(projectDate(pts.slice(1, 2), 100), null);
  assert.equal(
    projectDate(
      [
        { date: '2020-01-01', valeur: 40 },
        { date: '2021-01-01', valeur: 30 },
      ],
      100,
    ),
    null,
  );
  assert.equal(
    projectDate(
      [
        { date: '2020-01-01', valeur: 40 },
        { date: '2020-01-01', valeur: 50 },
      ],
      100,
    ),
    null,
  );
});
