import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type AddressIndex, AddressIndexBuilder, type IndexInput } from '../../src/addresses/index-search.ts';
import { newIndexBuild } from '../../src/addresses/index-thread.ts';
import { readAddressFile } from '../../src/addresses/read-file.ts';
import {
  addressIndexStatus,
  noteImported,
  rebuildAddressIndex,
  searchAddresses,
  setAddressIndex,
} from '../../src/addresses/service.ts';
import { departementOfCommune } from '../../src/territories/codes.ts';
import { backends, missingShared, quietLog, shared } from '../helpers.ts';

const PARIS = 'addresses/ban-adresses-75-paris-2024-06.csv.gz';
const BELFORT = 'addresses/bano-90-territoire-de-belfort-2015-03.csv.gz';

async function rowsOf(file: string): Promise<IndexInput[]> {
  const rows: IndexInput[] = [];
  for await (const a of readAddressFile(shared(file)))
    rows.push({ ...a, departement: departementOfCommune(a.code_insee) });
  return rows;
}

/** Counts turns of the event loop until `stop()`. */
function countTurns() {
  const c = { turns: 0, running: true, stop: () => void (c.running = false) };
  const tick = () => {
    c.turns++;
    if (c.running) setImmediate(tick);
  };
  setImmediate(tick);
  return c;
}

const QUERIES = [
  '12 rue oberkampf',
  'rue oberkampf 12 75011',
  'Paris 87 quai d orsay',
  '3 fbg de france belfort',
  'Offemont 10 r de la gare',
  'rue de rivoli',
  'jaurse',
  'avenue',
];

// The index a server builds in short steps (finishAsync, rows added in batches) is the index built in one go.
describe('address index built in steps, on the real files', { skip: missingShared(PARIS, BELFORT) }, () => {
  let paris: IndexInput[];
  let belfort: IndexInput[];
  before(async () => {
    paris = await rowsOf(PARIS);
    belfort = await rowsOf(BELFORT);
  });

  test('finishAsync gives the same rows and answers as finish, and lets the event loop turn meanwhile', async () => {
    const sync = new AddressIndexBuilder();
    for (const r of [...paris, ...belfort]) sync.add(r);
    const a = sync.finish();

    const loop = countTurns();
    const steps = new AddressIndexBuilder();
    await steps.addAll([...paris, ...belfort]);
    const turnsAdding = loop.turns;
    const b = await steps.finishAsync();
    loop.stop();

    // rows added in batches of 4,000: at least one turn per batch; finishing: several steps
    assert.ok(turnsAdding >= Math.floor((paris.length + belfort.length) / 4000), `${turnsAdding} turns while adding`);
    assert.ok(loop.turns - turnsAdding >= 8, `${loop.turns - turnsAdding} turns while finishing`);
    assert.equal(b.size, a.size);
    assert.equal(b.streetCount, a.streetCount);
    assert.deepEqual([...b.rows()], [...a.rows()]);
    for (const q of QUERIES) assert.deepEqual(b.search(q, { limit: 10 }), a.search(q, { limit: 10 }), q);
    assert.deepEqual(b.reverse(2.3522, 48.8566, 5), a.reverse(2.3522, 48.8566, 5));
    assert.deepEqual(b.reverse(6.8628, 47.6397, 5), a.reverse(6.8628, 47.6397, 5));
  });

  test('an index built in a worker thread has the same rows and answers, and the loop turns meanwhile', async () => {
    const sync = new AddressIndexBuilder();
    for (const r of [...paris, ...belfort]) sync.add(r);
    const a = sync.finish();

    const loop = countTurns();
    const build = newIndexBuild({ threadRows: 10_000 });
    await build.addAll(paris);
    await build.addAll(belfort);
    const turnsAdding = loop.turns;
    const b = await build.finishAsync();
    loop.stop();

    assert.equal(build.size, a.size);
    // batches of 4,000 rows go to the worker, two in flight: the loop turns while each is built
    assert.ok(turnsAdding >= Math.floor(a.size / 4000) - 2, `${turnsAdding} turns while adding`);
    assert.ok(loop.turns > turnsAdding, 'the loop turned while the worker finished the index');
    assert.equal(b.size, a.size);
    assert.equal(b.streetCount, a.streetCount);
    assert.deepEqual([...b.rows()], [...a.rows()]);
    for (const q of QUERIES) assert.deepEqual(b.search(q, { limit: 10 }), a.search(q, { limit: 10 }), q);
    assert.deepEqual(b.reverse(2.3522, 48.8566, 5), a.reverse(2.3522, 48.8566, 5));
    assert.deepEqual(b.reverse(6.8628, 47.6397, 5), a.reverse(6.8628, 47.6397, 5));
  });

  test('a search during a rebuild is answered by the current index; the new one replaces it when complete', async () => {
    const { db, drop } = await backends()[0]!.open();
    after(drop);
    const ctx = { db, log: quietLog };
    const old = new AddressIndexBuilder();
    for (const r of belfort) old.add(r);
    const oldIndex: AddressIndex = old.finish();
    setAddressIndex(ctx, oldIndex);
    // an import of Paris, its rows indexed while read (the in-memory path: Belfort copied, Paris added)
    const fresh = new AddressIndexBuilder();
    for (const r of paris) fresh.add(r);
    noteImported(db, { departements: new Set(['75']), communes: new Set() }, fresh.finish());

    const q = '12 rue oberkampf 75011';
    const before = oldIndex.search(q, { limit: 5 });
    assert.ok(!before.some((h) => h.street === 'Rue Oberkampf'));
    const rebuilt = rebuildAddressIndex(ctx);
    let during = 0;
    while (addressIndexStatus(ctx).building && during < 3) {
      await new Promise<void>((r) => setImmediate(r));
      assert.ok(addressIndexStatus(ctx).building);
      assert.deepEqual(await searchAddresses(ctx, q, { limit: 5 }), before);
      during++;
    }
    assert.equal(during, 3, 'the rebuild took several turns of the event loop');
    const idx = await rebuilt;
    assert.equal(idx.size, paris.length + belfort.length);
    assert.equal(
      (await searchAddresses(ctx, q, { limit: 1 }))[0]?.label,
      '12 Rue Oberkampf 75011 Paris 11e Arrondissement',
    );
    assert.ok((await searchAddresses(ctx, '3 fbg de france belfort', { limit: 1 }))[0]?.label.includes('Belfort'));
  });
});
