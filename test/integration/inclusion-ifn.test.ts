import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';
import { backends, missingShared, setup, shared } from '../helpers.ts';

const rowsOf = (f: string) => {
  const [head, ...lines] = zlib
    .gunzipSync(fs.readFileSync(shared('mediation-numerique', f)))
    .toString('utf8')
    .trim()
    .split('\n');
  const h = head!.split(',');
  // The file has no quoted fields except names with commas: split from the right for the numbers.
  return lines.map((l) => {
    const parts = l.split(',');
    const nums = parts.slice(-8);
    return Object.fromEntries([['name', parts.slice(0, -8).join(',')], ...h.slice(1).map((k, i) => [k, nums[i]!])]);
  });
};

for (const backend of backends()) {
  describe(`inclusion IFN (${backend.name})`, {
    skip: missingShared(
      'mediation-numerique/ifn-indice-fragilite-numerique-communes-2023.csv.gz',
      'mediation-numerique/ifn-indice-fragilite-numerique-epci-2023.csv.gz',
    ),
  }, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    const get = (url: string) => t.app.inject({ method: 'GET', url });
    before(async () => {
      t = await setup(backend);
    });
    after(async () => t.close());

    test('communes and EPCI files import; scores shown on territory pages, weighted for a département', async () => {
      const communes = rowsOf('ifn-indice-fragilite-numerique-communes-2023.csv.gz');
      const c = await t.ctx.runImport({
        job: 'ifn',
        source: shared('mediation-numerique', 'ifn-indice-fragilite-numerique-communes-2023.csv.gz'),
        startedBy: 'test',
      });
      assert.equal(c.status, 'succeeded', c.message ?? '');
      assert.equal(c.rows_read, communes.length);
      assert.ok(c.rows_accepted > 34_000, c.message ?? '');
      // The Marseille row has no scores.
      assert.ok(c.rejects.some((r) => /notes absentes/.test(r.reason) && /13055/.test(r.reason)));
      const e = await t.ctx.runImport({
        job: 'ifn',
        source: shared('mediation-numerique', 'ifn-indice-fragilite-numerique-epci-2023.csv.gz'),
        startedBy: 'test',
      });
      assert.equal(e.status, 'succeeded', e.message ?? '');

      const dijon = communes.find((r) => r.code === '21231')!;
      const page = await get('/territoires/commune/21231');
      const shown = Number(dijon.total).toLocaleString('fr-FR', { maximumFractionDigits: 1 });
      assert.match(page.body, new RegExp(`Indice de fragilité numérique : ${shown} / 10`));

      // Côte-d'Or: population-weighted mean of its communes' totals, recomputed from the file.
      const pops = (await get('/api/v1/territoires/departement/21/communes?limit=5000')).json().items as {
        code: string;
        population: number | null;
      }[];
      const byCode = new Map(communes.map((r) => [r.code, r]));
      let sw = 0;
      let swt = 0;
      for (const p of pops) {
        const r = byCode.get(p.code);
        if (!r || !p.population || r.total === '') continue;
        sw += p.population;
        swt += p.population * Number(r.total);
      }
      const dep = await get('/territoires/departement/21');
      const mean = (swt / sw).toLocaleString('fr-FR', { maximumFractionDigits: 1 });
      assert.match(dep.body, new RegExp(`Indice de fragilité numérique : ${mean} / 10`));
      assert.match(dep.body, /pondérée par leur population/);
      const epciCode = pops.length ? (await get('/api/v1/territoires/commune/21231')).json().parents : [];
      const epci = epciCode.find((p: { niveau: string }) => p.niveau === 'epci');
      const row = rowsOf('ifn-indice-fragilite-numerique-epci-2023.csv.gz').find((r) => r.code === epci.code)!;
      const ep = await get(`/territoires/epci/${epci.code}`);
      assert.match(
        ep.body,
        new RegExp(
          `Indice de fragilité numérique : ${Number(row.total).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} / 10`,
        ),
      );
    });
  });
}
