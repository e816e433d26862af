import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';
import { SPEEDTEST } from '../../src/mobile/speedtest-routes.ts';
import { backends, setup } from '../helpers.ts';

for (const backend of backends()) {
  describe(`speed test endpoints of the measurement form (${backend.name})`, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    const get = (url: string, remoteAddress = '192.0.2.20') => t.app.inject({ method: 'GET', url, remoteAddress });
    const upload = (bytes: number, remoteAddress = '192.0.2.20') =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/mobile/test-debit/envoi',
        headers: { 'content-type': 'application/octet-stream' },
        payload: Buffer.alloc(bytes, 7),
        remoteAddress,
      });
    before(async () => {
      t = await setup(backend);
    });
    after(async () => t.close());

    test('latency: an empty, uncached answer', async () => {
      const r = await get('/api/v1/mobile/test-debit/latence');
      assert.equal(r.statusCode, 204);
      assert.equal(r.body, '');
      assert.equal(r.headers['cache-control'], 'no-store');
    });

    test('download: the size asked for, random (incompressible), capped at 2 MB', async () => {
      const full = await get('/api/v1/mobile/test-debit/telechargement', '192.0.2.21');
      assert.equal(full.statusCode, 200);
      assert.equal(full.rawPayload.length, SPEEDTEST.maxDownloadBytes);
      assert.equal(full.headers['content-type'], 'application/octet-stream');
      assert.equal(full.headers['cache-control'], 'no-store');
      const gz = zlib.gzipSync(full.rawPayload).length;
      assert.ok(gz > full.rawPayload.length * 0.99, `gzip ${gz} of ${full.rawPayload.length}: not compressible`);
      const small = await get('/api/v1/mobile/test-debit/telechargement?octets=1000', '192.0.2.21');
      assert.equal(small.rawPayload.length, 1000);
      const big = await get(
        `/api/v1/mobile/test-debit/telechargement?octets=${SPEEDTEST.maxDownloadBytes + 1}`,
        '192.0.2.21',
      );
      assert.equal(big.statusCode, 400);
      assert.match(big.json().erreur.message, /octets/);
    });

    test('upload: bytes counted and dropped, 413 beyond 1 MB, raw bytes only', async () => {
      const ok = await upload(SPEEDTEST.maxUploadBytes, '192.0.2.22');
      assert.equal(ok.statusCode, 200, ok.body);
      assert.deepEqual(ok.json(), { octets: SPEEDTEST.maxUploadBytes });
      const tooBig = await upload(SPEEDTEST.maxUploadBytes + 1, '192.0.2.22');
      assert.equal(tooBig.statusCode, 413);
      const json = await t.app.inject({
        method: 'POST',
        url: '/api/v1/mobile/test-debit/envoi',
        payload: { a: 1 },
        remoteAddress: '192.0.2.22',
      });
      assert.equal(json.body.includes('"octets":'), json.statusCode === 200);
      assert.ok(json.statusCode === 200 ? json.json().octets === 0 : json.statusCode >= 400);
    });

    test('a burst from one client is throttled with 429; another client is not', async () => {
      let last = 0;
      let n = 0;
      for (; n < SPEEDTEST.perMinute + 5; n++) {
        last = (await get('/api/v1/mobile/test-debit/latence', '192.0.2.30')).statusCode;
        if (last === 429) break;
      }
      assert.equal(last, 429);
      assert.equal(n, SPEEDTEST.perMinute, 'the limit is the documented one');
      const upl = await upload(10, '192.0.2.30');
      assert.ok(upl.statusCode === 200 || upl.statusCode === 429);
      assert.equal((await get('/api/v1/mobile/test-debit/latence', '192.0.2.31')).statusCode, 204);
      // The limiter's counters hold a hash, never the address.
      if (backend.name === 'postgres') {
        const keys = (await t.db.query<{ cle: string }>('SELECT cle FROM limite_requetes')).rows.map((r) => r.cle);
        assert.ok(!keys.some((k) => k.includes('192.0.2.30')));
      }
    });

    test('the form works without JavaScript and loads the script that adds the position and speed test', async () => {
      const page = await get('/observatoire/mobile/mesures', '192.0.2.40');
      assert.equal(page.statusCode, 200);
      assert.match(
        page.body,
        /<form method="post" action="\/observatoire\/mobile\/mesures" novalidate data-pan-mesure>/,
      );
      assert.match(page.body, /<script type="module" src="\/static\/mesure-debit\.js"><\/script>/);
      assert.doesNotMatch(page.body, /Mesurer mon débit<\/button>/, 'the buttons come with the script only');
      const js = await get('/static/mesure-debit.js', '192.0.2.40');
      assert.equal(js.statusCode, 200);
      for (const f of ['latence_ms', 'debit_descendant_mbps', 'debit_montant_mbps', 'lat', 'lon'])
        assert.ok(js.body.includes(`field('${f}')`), f);
      assert.ok(js.body.includes('/api/v1/mobile/test-debit'));
    });
  });
}
