import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';
import proj4 from 'proj4';
import { backends, missingShared, setup, shared } from '../helpers.ts';

const SUBSET = 'arcep-mobile/sites-mobiles-2g3g4g-bfc-normandie-2018-01.csv.gz';
const BFC = 'boundaries/france-geojson-2018/communes-bourgogne-franche-comte.geojson.gz';
const NORMANDIE = 'boundaries/france-geojson-2018/communes-normandie.geojson.gz';
const gunzip = (f: string) => zlib.gunzipSync(fs.readFileSync(shared(f))).toString('utf8');

type Ring = [number, number][];
type Feature = { properties: { code: string }; geometry: { type: string; coordinates: unknown } };
/** The outer and inner rings of a GeoJSON Polygon or MultiPolygon, as polygons. */
const polygons = (g: Feature['geometry']) => (g.type === 'Polygon' ? [g.coordinates] : g.coordinates) as Ring[][];

// Area in an equal-area projection (ETRS89-LAEA, EPSG:3035) with the shoelace formula: not the importer's method.
const laea = proj4('+proj=laea +lat_0=52 +lon_0=10 +x_0=4321000 +y_0=3210000 +ellps=GRS80 +units=m +no_defs');
const planar = (r: Ring) => {
  let a = 0;
  const p = r.map((x) => laea.forward(x) as [number, number]);
  for (let i = 0, j = p.length - 1; i < p.length; j = i++) a += p[j]![0] * p[i]![1] - p[i]![0] * p[j]![1];
  return Math.abs(a / 2);
};
const areaKm2 = (f: Feature) =>
  polygons(f.geometry).reduce((s, [o, ...h]) => s + (o ? planar(o) : 0) - h.reduce((x, r) => x + planar(r), 0), 0) /
  1e6;
/** Area-weighted centroid of the outer rings (degrees). */
const centre = (f: Feature): [number, number] => {
  let [sx, sy, sw] = [0, 0, 0];
  for (const [o] of polygons(f.geometry)) {
    if (!o) continue;
    let [a, cx, cy] = [0, 0, 0];
    for (let i = 0; i < o.length; i++) {
      const [x0, y0] = o[i === 0 ? o.length - 1 : i - 1]!;
      const [x1, y1] = o[i]!;
      const k = x0 * y1 - x1 * y0;
      a += k;
      cx += (x0 + x1) * k;
      cy += (y0 + y1) * k;
    }
    if (!a) continue;
    sx += (cx / (3 * a)) * Math.abs(a / 2);
    sy += (cy / (3 * a)) * Math.abs(a / 2);
    sw += Math.abs(a / 2);
  }
  return [sx / sw, sy / sw];
};
const km = (a: [number, number], b: [number, number]) => {
  const r = (d: number) => (d * Math.PI) / 180;
  const h =
    Math.sin(r(b[1] - a[1]) / 2) ** 2 + Math.cos(r(a[1])) * Math.cos(r(b[1])) * Math.sin(r(b[0] - a[0]) / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
};

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mobile-indicateurs-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

for (const backend of backends()) {
  describe(`mobile indicators follow the contours (${backend.name})`, {
    skip: missingShared(SUBSET, BFC, NORMANDIE),
  }, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    const api = async (niveau: string, code: string) =>
      (await t.app.inject({ method: 'GET', url: `/api/v1/observatoire/mobile/${niveau}/${code}` })).json().series[0]
        ?.indicateurs;
    const bfc = JSON.parse(gunzip(BFC)) as { features: Feature[] };
    // The contours as stored (merged communes of the 2018 file are one current commune), with their département.
    const stored = async (where: string) =>
      (
        await t.db.query<{ code: string; geometrie: Feature['geometry'] }>(
          `SELECT g.code, g.geometrie FROM territoire_geometrie g JOIN commune c ON c.code = g.code
           WHERE g.niveau = 'commune' AND ${where}`,
        )
      ).rows.map((r) => ({ properties: { code: r.code }, geometry: r.geometrie }));
    const [head, ...lines] = gunzip(SUBSET).trim().split('\n');
    const cols = head!.split(',');
    const subset = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i]!, v])));

    before(async () => {
      t = await setup(backend);
    });
    after(async () => t.close());

    test('contours imported after the sites recompute the stored snapshot’s indicators', async (tc) => {
      // First the contours of Normandie, of the Côte-d’Or and of the Yonne only (the real file, restricted to 21 and 89).
      const cote = path.join(tmp, 'communes-21-89.geojson');
      fs.writeFileSync(
        cote,
        JSON.stringify({
          type: 'FeatureCollection',
          features: bfc.features.filter((f) => /^(21|89)/.test(f.properties.code)),
        }),
      );
      for (const f of [shared(NORMANDIE), cote]) {
        const r = await t.ctx.runImport({
          job: 'contours',
          source: f,
          startedBy: 'test',
          options: { niveau: 'commune' },
        });
        assert.equal(r.status, 'succeeded', r.message ?? '');
      }
      // The 2018 sites (ARCEP's national layout): those outside these contours are rejected.
      const sites = path.join(tmp, '2018_01_Sites_mobiles_bfc_normandie.csv');
      fs.writeFileSync(
        sites,
        `Operateur;x;y;2G;3G;4G\n${subset.map((r) => [r.operateur_mccmnc, r.x_l93, r.y_l93, r.site_2g, r.site_3g, r.site_4g].join(';')).join('\n')}\n`,
      );
      const run = await t.ctx.runImport({ job: 'sites-mobiles', source: sites, startedBy: 'test' });
      assert.equal(run.status, 'succeeded', run.message ?? '');
      assert.equal(await api('departement', '58'), null, 'no contour in the Nièvre yet');
      const before21 = await api('departement', '21');
      const beforeRegion = await api('region', '27');
      const in21 = await stored(`c.departement IN ('21', '89')`);
      assert.equal(beforeRegion.communes_avec_contour, in21.length);

      // Then the whole Bourgogne-Franche-Comté: the listener re-runs the calculation on the stored snapshot.
      const full = await t.ctx.runImport({ job: 'contours', source: shared(BFC), startedBy: 'test' });
      assert.equal(full.status, 'succeeded', full.message ?? '');
      const recalc = (
        await t.db.query<{ status: string; started_by: string; message: string }>(
          `SELECT status, started_by, message FROM import_run WHERE job = 'mobile-indicateurs' ORDER BY id`,
        )
      ).rows;
      assert.equal(recalc.length, 1, 'the contours imported before the sites had no snapshot to recompute');
      assert.equal(recalc.at(-1)!.status, 'succeeded');
      assert.equal(recalc.at(-1)!.started_by, `suite de l’import n° ${full.id}`);
      tc.diagnostic(recalc.at(-1)!.message);

      // The Nièvre now has indicators, computed on the new contours and the sites stored in April.
      const n58 = await api('departement', '58');
      const in58 = await stored(`c.departement = '58'`);
      assert.ok(n58, 'indicators for the Nièvre');
      assert.equal(n58.communes_avec_contour, in58.length);
      const aire58 = in58.reduce((s, f) => s + areaKm2(f), 0);
      tc.diagnostic(
        `58: ${n58.aire_km2} km² (LAEA ${aire58.toFixed(1)}), orange ${JSON.stringify(n58.operateurs.orange)}`,
      );
      assert.ok(Math.abs(n58.aire_km2 - aire58) / aire58 < 0.002, `${n58.aire_km2} vs ${aire58}`);
      // No site is stored in the Nièvre (rejected at import): a commune has 4G of Orange only from a stored
      // Orange 4G site (Côte-d’Or, Yonne or Normandie) within 5 km of its centre. Counted here by brute force.
      const placed = new Set(['21', '89', '14', '27', '50', '61', '76']);
      const orange4g = subset
        .filter((r) => r.operateur_mccmnc === '20801' && r.site_4g === '1' && placed.has(r.departement!))
        .map((r): [number, number] => [Number(r.lon), Number(r.lat)]);
      const sans = in58.filter((f) => orange4g.every((p) => km(centre(f), p) > 5)).length;
      // (On this file no Nièvre commune centre is within 5 km of them: the nearest is 6 km away.)
      assert.equal(sans, in58.length);
      assert.ok(
        Math.abs(n58.operateurs.orange.communes_sans_4g - sans) <= 1,
        `${n58.operateurs.orange.communes_sans_4g} vs ${sans}`,
      );
      assert.equal(n58.operateurs.orange.sites_pour_100_km2, 0);

      // The région grows from two départements to all its communes; the Côte-d’Or itself does not move.
      const afterRegion = await api('region', '27');
      const inBfc = await stored(`c.region = '27'`);
      assert.equal(afterRegion.communes_avec_contour, inBfc.length);
      const aireBfc = inBfc.reduce((s, f) => s + areaKm2(f), 0);
      assert.ok(Math.abs(afterRegion.aire_km2 - aireBfc) / aireBfc < 0.002, `${afterRegion.aire_km2} vs ${aireBfc}`);
      // The new communes (no site stored inside them) without any operator's stored 4G site within 5 km of their centre.
      const g4 = subset
        .filter((r) => r.site_4g === '1' && placed.has(r.departement!))
        .map((r): [number, number] => [Number(r.lon), Number(r.lat)]);
      const old = new Set(in21.map((f) => f.properties.code));
      const added = inBfc.filter((f) => !old.has(f.properties.code));
      const sansAdded = added.filter((f) => {
        const c = centre(f);
        return g4.every((p) => km(c, p) > 5);
      }).length;
      tc.diagnostic(`région: ${added.length} communes added, ${sansAdded} of them without 4G within 5 km`);
      assert.ok(
        sansAdded > 0 && sansAdded < added.length,
        'the border communes of the new départements are near a site',
      );
      // Within 2: the file's département of a border site and the contour that placed it may differ.
      assert.ok(
        Math.abs(afterRegion.total.communes_sans_4g - (beforeRegion.total.communes_sans_4g + sansAdded)) <= 2,
        `${afterRegion.total.communes_sans_4g} vs ${beforeRegion.total.communes_sans_4g} + ${sansAdded}`,
      );
      assert.ok(afterRegion.total.sites_pour_100_km2 < beforeRegion.total.sites_pour_100_km2);
      assert.deepEqual(await api('departement', '21'), before21);
    });
  });
}
