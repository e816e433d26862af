import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import zlib from 'node:zlib';
import { missingShared, shared } from '../../test/helpers.ts';
import { toMultiPolygon } from './geometry.ts';
import { svgMap } from './svg.ts';

/** Absolute points of a path written with one M and relative l moves per ring. */
function ringsOf(d: string): [number, number][][] {
  return d
    .split('z')
    .filter(Boolean)
    .map((ring) => {
      const [start, rest = ''] = ring.slice(1).split('l');
      const [x0, y0] = start!.trim().split(' ').map(Number) as [number, number];
      const nums = rest.match(/-?\d+/g)?.map(Number) ?? [];
      const pts: [number, number][] = [[x0, y0]];
      for (let i = 0; i + 1 < nums.length; i += 2) {
        const [x, y] = pts[pts.length - 1]!;
        pts.push([x + nums[i]!, y + nums[i + 1]!]);
      }
      return pts;
    });
}

test('a square keeps its corners; relative moves add up to the same closed ring', () => {
  const dense: [number, number][] = [];
  for (let i = 0; i <= 100; i++) dense.push([5 + i / 100, 47]);
  for (let i = 0; i <= 100; i++) dense.push([6, 47 + i / 100]);
  for (let i = 0; i <= 100; i++) dense.push([6 - i / 100, 48]);
  for (let i = 0; i <= 100; i++) dense.push([5, 48 - i / 100]);
  const out = svgMap(
    [{ code: '00001', nom: 'Carré', geometrie: toMultiPolygon({ type: 'Polygon', coordinates: [dense] }) }],
    { id: 'c', title: 'Carré', description: 'test', width: 200 },
  ).value;
  const d = /<path d="([^"]+)"/.exec(out)![1]!;
  const [ring] = ringsOf(d);
  // 404 vertices on straight lines: only the corners (and the closing point) remain.
  assert.ok(ring!.length <= 6, `${ring!.length} points`);
  const xs = ring!.map((p) => p[0]);
  const ys = ring!.map((p) => p[1]);
  assert.equal(Math.min(...xs), 8);
  assert.equal(Math.min(...ys), 8);
  assert.ok(Math.max(...xs) > 380 && Math.max(...xs) <= 392, String(Math.max(...xs)));
});

test('a département of 698 communes draws every commune in under 100 KB', {
  skip: missingShared('boundaries/france-geojson-2018/communes-bourgogne-franche-comte.geojson.gz'),
}, () => {
  const doc = JSON.parse(
    zlib
      .gunzipSync(fs.readFileSync(shared('boundaries/france-geojson-2018/communes-bourgogne-franche-comte.geojson.gz')))
      .toString(),
  ) as {
    features: { properties: { code: string; nom: string }; geometry: Parameters<typeof toMultiPolygon>[0] }[];
  };
  const cote = doc.features.filter((f) => f.properties.code.startsWith('21'));
  const out = svgMap(
    cote.map((f) => ({ code: f.properties.code, nom: f.properties.nom, geometrie: toMultiPolygon(f.geometry) })),
    { id: 'd', title: 'Côte-d’Or', description: 'test', width: 560 },
  ).value;
  assert.equal(out.match(/<path d="M/g)?.length, cote.length);
  assert.ok(out.length < 100 * 1024, `${Math.round(out.length / 1024)} KB`);
});
