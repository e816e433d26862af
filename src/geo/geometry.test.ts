import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bboxOf, GeometryError, simplifyMulti, toMultiPolygon } from './geometry.ts';

const square = [
  [
    [5, 47],
    [5.1, 47],
    [5.1, 47.1],
    [5, 47.1],
    [5, 47],
  ],
];

test('a Polygon becomes a MultiPolygon with its bounding box', () => {
  const m = toMultiPolygon({ type: 'Polygon', coordinates: square });
  assert.equal(m.coordinates.length, 1);
  assert.deepEqual(bboxOf(m), [5, 47, 5.1, 47.1]);
});

test('truncated, open, projected or non-areal geometries are refused with a reason', () => {
  assert.throws(
    () =>
      toMultiPolygon({
        type: 'Polygon',
        coordinates: [
          [
            [5, 47],
            [5.1, 47],
            [5.1, 47.1],
            [5, 47.2],
          ],
        ],
      }),
    /non fermé/,
  );
  assert.throws(
    () =>
      toMultiPolygon({
        type: 'Polygon',
        coordinates: [
          [
            [850000, 6700000],
            [1, 2],
            [3, 4],
            [850000, 6700000],
          ],
        ],
      }),
    /WGS84/,
  );
  assert.throws(() => toMultiPolygon({ type: 'Point', coordinates: [5, 47] }), GeometryError);
  assert.throws(
    () =>
      toMultiPolygon({
        type: 'Polygon',
        coordinates: [
          [
            [5, 47],
            [5, 47],
          ],
        ],
      }),
    /4 au moins/,
  );
});

test('simplification keeps closed rings and never drops a small ring', () => {
  const dense = Array.from(
    { length: 200 },
    (_, i) =>
      [5 + Math.cos((i / 199) * 2 * Math.PI) * 0.1, 47 + Math.sin((i / 199) * 2 * Math.PI) * 0.1] as [number, number],
  );
  dense[199] = dense[0]!;
  const s = simplifyMulti(toMultiPolygon({ type: 'Polygon', coordinates: [dense] }), 0.002);
  const ring = s.coordinates[0]![0]!;
  assert.ok(ring.length < 100 && ring.length >= 4);
  assert.deepEqual(ring[0], ring[ring.length - 1]);
  const tiny = simplifyMulti(toMultiPolygon({ type: 'Polygon', coordinates: square }), 1);
  assert.equal(tiny.coordinates[0]![0]!.length, 5);
});
