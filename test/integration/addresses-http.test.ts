import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { AddressIndexBuilder } from '../../src/addresses/index-search.ts';
import { createAddressesModule } from '../../src/addresses/module.ts';
import { readAddressFile } from '../../src/addresses/read-file.ts';
import { setAddressIndex } from '../../src/addresses/service.ts';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { migrate } from '../../src/db/migrate.ts';
import { openDb } from '../../src/db/open.ts';
import { departementOfCommune } from '../../src/territories/codes.ts';
import { missingShared, shared } from '../helpers.ts';

// The search route is hit once per keystroke: what it costs besides the search itself is checked here.
describe('address search over HTTP: per-request work', {
  skip: missingShared('addresses/bal-54084-mont-bonvillers-fixture.csv.gz'),
}, () => {
  const lines: string[] = [];
  const log = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    }),
  );
  let app: Awaited<ReturnType<typeof buildApp>>['app'];
  let ctx: Awaited<ReturnType<typeof buildApp>>['ctx'];
  let db: Awaited<ReturnType<typeof openDb>>;
  const indexOf = async (file: string) => {
    const b = new AddressIndexBuilder();
    for await (const a of readAddressFile(shared('addresses', file)))
      b.add({ ...a, departement: departementOfCommune(a.code_insee) });
    return b.finish();
  };

  before(async () => {
    db = await openDb({ memory: true });
    await migrate(db);
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DATA_DIR: path.join(os.tmpdir(), 'pan-addr-http'),
    });
    ({ app, ctx } = await buildApp(config, { db, log, modules: [createAddressesModule()] }));
    setAddressIndex(ctx, await indexOf('bal-54084-mont-bonvillers-fixture.csv.gz'));
    await app.ready();
  });
  after(async () => {
    await app?.close();
    await db?.close();
  });

  test('no access-log line per keystroke, while other routes keep theirs', async () => {
    lines.length = 0;
    for (const q of ['ru', 'rue j', 'rue joffre'])
      assert.equal((await app.inject(`/api/v1/adresses/recherche?q=${encodeURIComponent(q)}`)).statusCode, 200);
    assert.deepEqual(
      lines.filter((l) => l.includes('/api/v1/adresses/recherche')),
      [],
    );
    await app.inject('/api/openapi.json');
    assert.ok(
      lines.some((l) => l.includes('request completed')),
      'other routes are still logged',
    );
    // an invalid query is answered (400) without being logged as an error of the server
    const bad = await app.inject('/api/v1/adresses/recherche?q=a');
    assert.equal(bad.statusCode, 400);
  });

  test('the ETag comes from the index: 304 for the same index, a new tag after a rebuild', async () => {
    const url = `/api/v1/adresses/recherche?q=${encodeURIComponent('1 rue joffre mont-bonvillers')}`;
    const first = await app.inject(url);
    const tag = String(first.headers.etag);
    assert.match(tag, /^W\/"[\w-]{8}"$/);
    assert.match(first.json().features[0].properties.label, /^1 Rue Joffre/);
    assert.equal((await app.inject({ url, headers: { 'if-none-match': tag } })).statusCode, 304);
    setAddressIndex(ctx, await indexOf('bal-54084-mont-bonvillers-fixture.csv.gz'));
    const again = await app.inject({ url, headers: { 'if-none-match': tag } });
    assert.equal(again.statusCode, 200);
    assert.notEqual(again.headers.etag, tag);
  });
});
