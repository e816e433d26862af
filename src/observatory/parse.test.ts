import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  mciReading,
  parseCount,
  parseShare,
  quarterEnd,
  quarterFromName,
  quarterLabel,
  recognise,
  toCumulative,
} from './parse.ts';
import { speedClasses } from './service.ts';

test('quarter labels of the ARCEP header, and their end dates', () => {
  assert.equal(quarterLabel('T3 2017'), '2017-T3');
  assert.equal(quarterLabel(' T1\u00a02018 '), '2018-T1');
  assert.equal(quarterLabel('T5 2017'), undefined);
  assert.equal(quarterLabel('Meilleure estimation des locaux à date'), undefined);
  assert.equal(quarterEnd('2017-T4'), '2017-12-31');
  assert.equal(quarterEnd('2018-T1'), '2018-03-31');
  assert.equal(quarterFromName('arcep-obs-thd-2018t1-communes.csv.gz'), '2018-T1');
});

test('numbers: spaces as thousands separators, "-" as zero, text refused', () => {
  assert.deepEqual(parseCount(' 12 394    '), { ok: true, value: 12394 });
  assert.deepEqual(parseCount(' -    '), { ok: true, value: 0 });
  assert.deepEqual(parseCount(''), { ok: true, value: null });
  assert.deepEqual(parseCount('douze'), { ok: false });
  assert.deepEqual(parseShare('99%'), { ok: true, value: 0.99 });
});

test('sheets are recognised from their header, after the title lines', () => {
  const rows = [
    ["Réseaux en fibre optique jusqu'à l'abonné (FttH)"],
    ['Déploiement par Commune'],
    [],
    [],
    ['Code commune', 'Champ', 'T3 2017', 'T4 2017', 'T1 2018'],
  ];
  assert.deepEqual(recognise({ name: 'x', rows }), {
    kind: 'deploiement',
    niveau: 'commune',
    headerIndex: 4,
    header: rows[4],
  });
  assert.equal(recognise({ name: 'x', rows: [['Code INSEE', 'nbr']] }), undefined);
  assert.equal(
    recognise({
      name: 'x',
      rows: [['Code département', 'Nom département', 'Code région', 'Logements', 'Établissements']],
    })?.kind,
    'informations',
  );
});

test('MCI counts: cumulative as published (Dijon 2022 T4), exclusive converted', () => {
  const dijon = {
    nbr: 118711,
    inel_hd: 0,
    elig_hd05: 118711,
    elig_hd3: 118711,
    elig_bhd8: 118711,
    elig_thd30: 118711,
    elig_thd100: 115028,
    elig_thd1g: 115028,
  };
  assert.deepEqual(mciReading(dijon), { cumulative: true, exclusive: false });
  const excl = {
    nbr: 10,
    inel_hd: 1,
    elig_hd05: 1,
    elig_hd3: 1,
    elig_bhd8: 2,
    elig_thd30: 2,
    elig_thd100: 1,
    elig_thd1g: 2,
  };
  assert.equal(mciReading(excl).exclusive, true);
  assert.deepEqual(toCumulative(excl), {
    nbr: 10,
    inel_hd: 1,
    elig_hd05: 9,
    elig_hd3: 8,
    elig_bhd8: 7,
    elig_thd30: 5,
    elig_thd100: 3,
    elig_thd1g: 2,
  });
  const cl = speedClasses(dijon)!;
  assert.equal(
    Object.values(cl).reduce((a, b) => a! + b!, 0),
    118711,
  );
  assert.equal(cl.de_30_a_100, 118711 - 115028);
});
