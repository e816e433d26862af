import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';
import { communeCodes } from '../../src/territories/codes.ts';
import { backends, missingShared, setup, shared } from '../helpers.ts';

type Commune = { code: string; type: string; chefLieu?: string; anciensCodes?: string[] };
const MISSING = missingShared('admin/decoupage-administratif-6.0.0-communes.json.gz');
const communes: Commune[] = MISSING
  ? []
  : JSON.parse(
      zlib
        .gunzipSync(fs.readFileSync(shared('admin', 'decoupage-administratif-6.0.0-communes.json.gz')))
        .toString('utf8'),
    );

for (const backend of backends()) {
  describe(`commune codes from the loaded COG (${backend.name})`, { skip: MISSING }, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    before(async () => {
      t = await setup(backend);
    });
    after(async () => {
      await t.close();
    });

    test('today’s communes and arrondissements map to themselves; older codes to the commune that absorbed them', async () => {
      const codes = await communeCodes(t.db);
      const current = communes.filter((c) => c.type === 'commune-actuelle' || c.type === 'arrondissement-municipal');
      for (const c of current) assert.equal(codes.current(c.code), c.code, c.code);
      const currentSet = new Set(current.map((c) => c.code));
      let old = 0;
      for (const c of current.filter((x) => x.type === 'commune-actuelle')) {
        for (const a of c.anciensCodes ?? []) {
          if (currentSet.has(a)) continue;
          old++;
          // An old code is today's commune, or (delegated communes) their chef-lieu, itself a commune of today.
          const now = codes.current(a);
          assert.ok(now && currentSet.has(now), `${a} → ${now}`);
        }
      }
      assert.ok(old > 1000, `${old} older codes`);
      // Delegated and associated communes under their own code: their chef-lieu.
      const delegated = communes.filter(
        (c) =>
          (c.type === 'commune-deleguee' || c.type === 'commune-associee') &&
          c.chefLieu &&
          !currentSet.has(c.code) &&
          currentSet.has(c.chefLieu),
      );
      assert.ok(delegated.length > 100);
      for (const d of delegated) assert.equal(codes.current(d.code), d.chefLieu, d.code);
      assert.equal(codes.current('99999'), null);
      assert.equal(codes.isCurrent('75101'), true);
    });
  });
}
