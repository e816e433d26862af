import assert from 'node:assert/strict';
import { test } from 'node:test';
import { missingShared, shared } from '../../test/helpers.ts';
import { loadConfig } from '../config.ts';
import { readCsv } from '../imports/csv.ts';
import { readLimits } from '../imports/read.ts';
import { RunTally } from '../imports/rejects.ts';
import { distanceM, fromLambert93, fromWebMercator, toLonLat } from './coords.ts';

const limits = readLimits(loadConfig({}));

test('Nantes MCI building sample: X,Y (WGS84) and xcoord,ycoord (EPSG:3857) give the same points', {
  skip: missingShared('arcep-fixe/mci-base-imb-nantes-centre-2022.csv.gz'),
}, async () => {
  const tally = new RunTally();
  let n = 0;
  let worst = 0;
  for await (const { row } of readCsv(shared('arcep-fixe', 'mci-base-imb-nantes-centre-2022.csv.gz'), tally, {
    limits,
  })) {
    const a = toLonLat(row.x, row.y, 'auto');
    const b = toLonLat(row.xcoord, row.ycoord, 'auto');
    assert.ok(!('error' in a) && !('error' in b), `row ${n}: ${JSON.stringify(row)}`);
    worst = Math.max(worst, distanceM(a.lon, a.lat, b.lon, b.lat));
    n++;
  }
  // The README counts 10 658 buildings; each data row ends with a trailing comma (an extra empty field).
  assert.equal(n, 10658);
  assert.equal(tally.rejected, 0);
  assert.ok(worst < 0.05, `largest gap between the two coordinate pairs: ${worst} m`);
});

test('BAL fixture: Lambert-93 x,y and long,lat of the same addresses agree', {
  skip: missingShared('addresses/bal-54084-mont-bonvillers-fixture.csv.gz'),
}, async () => {
  const tally = new RunTally();
  let n = 0;
  let worst = 0;
  for await (const { row } of readCsv(shared('addresses', 'bal-54084-mont-bonvillers-fixture.csv.gz'), tally, {
    limits,
  })) {
    const [lon, lat] = fromLambert93(Number(row.x), Number(row.y));
    worst = Math.max(worst, distanceM(lon, lat, Number(row.long), Number(row.lat)));
    n++;
  }
  assert.equal(n, 486); // counted in the file (its README says 485)
  // long/lat are published with 5 or 6 decimals (up to ~0.7 m of rounding).
  assert.ok(worst < 1.5, `largest gap: ${worst} m`);
});

test('auto detection: degrees stay degrees, metres are read as EPSG:3857, points outside France are refused', () => {
  const [lon, lat] = fromWebMercator(-173426.97796081, 5977194.94055947);
  assert.ok(Math.abs(lon - -1.55792104980855) < 1e-9 && Math.abs(lat - 47.2147346609171) < 1e-9);
  assert.deepEqual(toLonLat('-1.5', '47.2', 'auto'), { lon: -1.5, lat: 47.2 });
  assert.match((toLonLat('47.2', '-1.5', 'auto') as { error: string }).error, /hors de France/);
  assert.match((toLonLat('', '47', 'auto') as { error: string }).error, /absentes/);
  assert.deepEqual(toLonLat('5,8', '49,3', 'auto'), { lon: 5.8, lat: 49.3 });
});
