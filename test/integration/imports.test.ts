import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';
import { backends, missingShared, setup, shared } from '../helpers.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pan-imports-'));
const normandieCommunes = shared('boundaries', 'france-geojson-2018', 'communes-normandie.geojson.gz');

/** A real file cut in the middle, as an interrupted download leaves it. */
function truncatedCopy(src: string, name: string): string {
  const text = zlib.gunzipSync(fs.readFileSync(src));
  const p = path.join(tmp, name);
  fs.writeFileSync(p, text.subarray(0, Math.floor(text.length * 0.6)));
  return p;
}

for (const backend of backends()) {
  describe(`import runs and boundaries (${backend.name})`, {
    skip: missingShared(
      'boundaries/france-geojson-2018/communes-normandie.geojson.gz',
      'boundaries/ngeofr-2025/epci-bfc-normandie-2025.geojson.gz',
      'boundaries/ngeofr-2025/departements-fra-2025.geojson.gz',
      'boundaries/france-geojson-2018/region-normandie.geojson.gz',
      'boundaries/france-geojson-2018/departements-normandie.geojson.gz',
    ),
  }, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    before(async () => {
      t = await setup(backend);
    });
    after(async () => {
      await t.close();
    });

    const shapes = async (niveau: string) =>
      (
        await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM territoire_geometrie WHERE niveau = $1', [
          niveau,
        ])
      ).rows[0]!.n;

    test('territories were loaded by a recorded run, and loading them again is a no-op', async () => {
      const first = await t.db.query<{ status: string; sha256: string; rows_accepted: number }>(
        `SELECT status, sha256, rows_accepted FROM import_run WHERE job = 'territoires' ORDER BY id`,
      );
      assert.equal(first.rows[0]!.status, 'succeeded');
      assert.match(first.rows[0]!.sha256, /^[0-9a-f]{64}$/);
      assert.ok(first.rows[0]!.rows_accepted > 36000);
      const again = await t.ctx.runImport({ job: 'territoires', startedBy: 'test' });
      assert.equal(again.status, 'unchanged');
      assert.equal(again.sha256, first.rows[0]!.sha256);
    });

    test('2018 commune boundaries attach merged communes to today’s commune', async () => {
      const run = await t.ctx.runImport({ job: 'contours', source: normandieCommunes, startedBy: 'test' });
      assert.equal(run.status, 'succeeded', run.message ?? '');
      assert.equal(run.rows_read, 2709);
      // Every feature is either kept or rejected with a reason; none silently dropped.
      assert.equal(run.rows_accepted + run.rows_rejected, run.rows_read);
      for (const r of run.rejects) assert.ok(r.reason.length > 5);
      const n = await shapes('commune');
      // 2,709 communes of 2018 are 2,644 communes today; fewer shapes than features, each current commune once.
      assert.ok(n > 2500 && n <= 2644, `${n} shapes`);
      // Condé-en-Normandie (14174) has the self-touching ring: it is kept.
      const conde = await t.app.inject({ method: 'GET', url: '/api/v1/territoires/commune/14174/contour' });
      assert.equal(conde.statusCode, 200);
      assert.equal(conde.json().features[0].geometry.type, 'MultiPolygon');
      // A commune page now draws its map.
      const page = await t.app.inject({ method: 'GET', url: '/territoires/commune/14118' });
      assert.match(page.body, /<svg class="pan-carte"/);
      assert.match(page.body, /role="img"/);
    });

    test('EPCI, département and région boundaries (ngeofr 2025, france-geojson single Feature)', async () => {
      const epci = await t.ctx.runImport({
        job: 'contours',
        source: shared('boundaries', 'ngeofr-2025', 'epci-bfc-normandie-2025.geojson.gz'),
        startedBy: 'test',
      });
      assert.equal(epci.status, 'succeeded', epci.message ?? '');
      assert.equal(await shapes('epci'), 187 - epci.rows_rejected);
      const dep = await t.ctx.runImport({
        job: 'contours',
        source: shared('boundaries', 'ngeofr-2025', 'departements-fra-2025.geojson.gz'),
        startedBy: 'test',
      });
      assert.equal(dep.status, 'succeeded');
      assert.equal(await shapes('departement'), 96);
      const reg = await t.ctx.runImport({
        job: 'contours',
        source: shared('boundaries', 'france-geojson-2018', 'region-normandie.geojson.gz'),
        startedBy: 'test',
      });
      assert.equal(reg.status, 'succeeded');
      assert.equal(reg.rows_read, 1);
      const page = await t.app.inject({ method: 'GET', url: '/territoires/region/28' });
      assert.match(page.body, /<svg class="pan-carte"/);
    });

    test('a truncated file fails the run with a reason and changes nothing', async () => {
      const before = await t.db.query<{ code: string; bbox: number[] }>(
        `SELECT code, bbox FROM territoire_geometrie WHERE niveau = 'commune' ORDER BY code`,
      );
      const bad = truncatedCopy(normandieCommunes, 'communes-normandie-tronque.geojson');
      const run = await t.ctx.runImport({ job: 'contours', source: bad, startedBy: 'test' });
      assert.equal(run.status, 'failed');
      assert.match(run.message ?? '', /GeoJSON lisible|tronqué/);
      const afterRows = await t.db.query<{ code: string; bbox: number[] }>(
        `SELECT code, bbox FROM territoire_geometrie WHERE niveau = 'commune' ORDER BY code`,
      );
      assert.deepEqual(afterRows.rows, before.rows);
    });

    test('features with broken rings are rejected one by one, the rest loads', async () => {
      const doc = JSON.parse(
        zlib
          .gunzipSync(fs.readFileSync(shared('boundaries', 'france-geojson-2018', 'departements-normandie.geojson.gz')))
          .toString(),
      );
      const g = doc.features[0].geometry;
      (g.type === 'Polygon' ? g.coordinates[0] : g.coordinates[0][0]).pop(); // open the outer ring
      doc.features[1].properties = { nom: 'sans code' };
      const p = path.join(tmp, 'departements-casse.geojson');
      fs.writeFileSync(p, JSON.stringify(doc));
      const run = await t.ctx.runImport({ job: 'contours', source: p, startedBy: 'test' });
      assert.equal(run.status, 'succeeded');
      assert.equal(run.rows_read, 5);
      assert.equal(run.rows_rejected, 2);
      assert.deepEqual(
        run.rejects.map((r) => r.line),
        [1, 2],
      );
      assert.match(run.rejects[0]!.reason, /non fermé/);
      assert.match(run.rejects[1]!.reason, /code absente/);
    });

    test('a missing source or an unknown job is reported, not thrown away', async () => {
      const missing = await t.ctx.runImport({
        job: 'contours',
        source: path.join(tmp, 'absent.geojson'),
        startedBy: 'test',
      });
      assert.equal(missing.status, 'failed');
      assert.match(missing.message ?? '', /introuvable/);
      await assert.rejects(t.ctx.runImport({ job: 'nimporte-quoi', source: 'x', startedBy: 'test' }), /JOB_INCONNU/);
      await assert.rejects(
        t.ctx.runImport({
          job: 'contours',
          source: normandieCommunes,
          options: { niveau: 'canton' },
          startedBy: 'test',
        }),
        /REQUETE_INVALIDE/,
      );
    });
  });
}
