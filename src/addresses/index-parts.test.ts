import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  csrFrom,
  deletions,
  firstNumbered,
  hash32,
  houseNumberIn,
  invertCsr,
  streetPoints,
  TopK,
  typoTable,
  u32,
} from './index-parts.ts';

test('Grow doubles and keeps what was pushed', () => {
  const g = u32(2);
  for (let i = 0; i < 5; i++) g.push(i * 10);
  assert.deepEqual([...g.done()], [0, 10, 20, 30, 40]);
  assert.ok(g.a.length >= 5);
});

test('compressed sparse rows group values by row and sort each row', () => {
  const c = csrFrom(3, Uint32Array.from([2, 0, 2, 2]), Uint32Array.from([7, 5, 3, 9]), (a, b) => a - b);
  assert.deepEqual([...c.start], [0, 1, 1, 4]);
  assert.deepEqual([...c.data], [5, 3, 7, 9]);
});

test('one-typo table: a word and its misspelling share a deletion', () => {
  const a = new Set(['jaures', ...deletions('jaures')].map(hash32));
  assert.ok(['jaurse', ...deletions('jaurse')].map(hash32).some((h) => a.has(h)));
  assert.ok(!['rivoli', ...deletions('rivoli')].map(hash32).some((h) => a.has(h)));
  assert.equal(deletions('abc').join(','), 'bc,ac,ab');
  assert.notEqual(hash32('rue'), hash32('eur'));
});

test('TopK keeps the k highest keys whatever the order they come in', () => {
  const t = new TopK<{ key: number }>(3);
  for (const key of [5, 1, 9, 3, 7, 2, 8]) t.offer({ key });
  assert.deepEqual(
    t.items.map((x) => x.key).sort((a, b) => b - a),
    [9, 8, 7],
  );
  assert.equal(t.size, 3);
});

test('house number in a sorted street: exact, same index written otherwise, without the index, closest', () => {
  // street: (unnumbered), 2, 4, 4 b, 4 bis, 4 t, 10
  const num = Int32Array.from([-1, 2, 4, 4, 4, 4, 10]);
  const names = ['', 'b', 'bis', 't'];
  const suf = Uint16Array.from([0, 0, 0, 1, 2, 3, 0]);
  assert.deepEqual(houseNumberIn(num, suf, names, 0, 7, 4, null), { i: 2, numScore: 1 });
  assert.deepEqual(houseNumberIn(num, suf, names, 0, 7, 4, 'bis'), { i: 4, numScore: 1 });
  assert.deepEqual(houseNumberIn(num, suf, names, 0, 7, 4, 'ter'), { i: 5, numScore: 0.97 });
  assert.deepEqual(houseNumberIn(num, suf, names, 0, 7, 4, 'c'), { i: 2, numScore: 0.9 });
  assert.deepEqual(houseNumberIn(num, suf, names, 0, 7, 9, null), { i: 6, numScore: 0.3 });
  assert.deepEqual(houseNumberIn(num, suf, names, 0, 7, 5, null), { i: 2, numScore: 0.3 });
  assert.deepEqual(houseNumberIn(num, suf, names, 0, 7, 1, null), { i: 1, numScore: 0.3 });
  assert.equal(firstNumbered(num, 0, 7), 1);
  assert.equal(firstNumbered(Int32Array.from([-1]), 0, 1), 0);
});

test('transposed rows, the typo table sorted by hash, a street reference point', () => {
  const c = csrFrom(2, Uint32Array.from([0, 0, 1]), Uint32Array.from([2, 0, 2]));
  const t = invertCsr(c, 2, 3);
  assert.deepEqual([...t.start], [0, 1, 1, 3]);
  assert.deepEqual([...t.data], [0, 0, 1]);
  const { delHash, delTok } = typoTable(['rue', 'oberkampf', '1945'], 4);
  assert.equal(delHash.length, 'oberkampf'.length + 1);
  assert.ok([...delTok].every((x) => x === 1));
  assert.ok(delHash.every((h, i) => i === 0 || delHash[i - 1]! <= h));
  assert.ok(delHash.includes(hash32('obrkampf')));
  const p = streetPoints(Uint32Array.from([0, 3, 4]), Int32Array.from([10, 20, 30, 40]), Int32Array.from([1, 2, 3, 4]));
  assert.deepEqual([...p.streetLon], [20, 40]);
  assert.deepEqual([...p.streetLat], [2, 4]);
});
