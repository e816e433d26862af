import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';
import { SPEEDTEST } from '../../src/mobile/speedtest-routes.ts';
import { launch, NO_BROWSER } from '../e2e/axe.ts';
import { backends, serve, setup } from '../helpers.ts';

/** Dijon, place de la Libération (WGS84), as the browser's geolocation reports it. */
const DIJON = { latitude: 47.321962, longitude: 5.041484, accuracy: 12 };

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

    test('in Chromium the script fills position, latency and speeds, submits nothing; without JavaScript the form is unchanged', {
      skip: NO_BROWSER,
    }, async (tc) => {
      const base = await serve(t.app);
      const browser = await launch();
      try {
        const url = `${base}/observatoire/mobile/mesures`;
        // Without JavaScript: the form as served, no button.
        const plain = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
        await plain.goto(url);
        const served = await plain.locator('form[data-pan-mesure]').innerHTML();
        assert.equal(await plain.getByRole('button', { name: 'Mesurer mon débit' }).count(), 0);
        assert.equal(await plain.getByRole('button', { name: 'Utiliser ma position' }).count(), 0);

        // With JavaScript (the page's own CSP) and the position granted.
        const ctx = await browser.newContext({ geolocation: DIJON, permissions: ['geolocation'], locale: 'fr-FR' });
        const page = await ctx.newPage();
        const posts: string[] = [];
        page.on('request', (r) => {
          if (r.method() === 'POST' && !r.url().includes('/api/v1/mobile/test-debit/')) posts.push(r.url());
        });
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(url);
        const form = page.locator('form[data-pan-mesure]');
        const status = form.getByRole('status');
        await page.getByRole('button', { name: 'Utiliser ma position' }).click();
        await status.filter({ hasText: 'Position renseignée' }).waitFor();
        // Five decimals, decimal comma: what the form reads (numberOf) and what the page shows.
        assert.equal(await form.locator('[name="lat"]').inputValue(), '47,32196');
        assert.equal(await form.locator('[name="lon"]').inputValue(), '5,04148');
        assert.match((await status.textContent()) ?? '', /précision 12 m/);

        await page.getByRole('button', { name: 'Mesurer mon débit' }).click();
        await status.filter({ hasText: 'Débits mesurés' }).waitFor({ timeout: 30_000 });
        const value = async (n: string) => form.locator(`[name="${n}"]`).inputValue();
        const [latence, down, up] = [
          await value('latence_ms'),
          await value('debit_descendant_mbps'),
          await value('debit_montant_mbps'),
        ];
        tc.diagnostic(`latence ${latence} ms, descendant ${down} Mbit/s, montant ${up} Mbit/s (loopback)`);
        assert.match(latence, /^\d+$/);
        assert.match(down, /^\d+(,\d)?$/);
        assert.match(up, /^\d+(,\d)?$/);
        // Latency rounds to whole milliseconds (0 is possible on loopback); speeds are positive.
        assert.ok(Number(latence) >= 0);
        for (const v of [down, up]) assert.ok(Number(v.replace(',', '.')) > 0, v);
        assert.deepEqual(posts, [], 'nothing submitted');
        assert.deepEqual(errors, []);
        assert.equal(new URL(page.url()).pathname, '/observatoire/mobile/mesures');
        // The script only prepended its buttons and status line (values are set as properties): the rest is as served.
        const rest = await form.evaluate((f) => {
          const c = f.cloneNode(true) as HTMLFormElement;
          c.querySelector('.fr-btns-group')?.remove();
          c.querySelector('[role="status"]')?.remove();
          return c.innerHTML;
        });
        const noToken = (h: string) => h.replace(/name="_csrf" value="[^"]*"/, 'name="_csrf"');
        assert.equal(noToken(rest), noToken(served), 'the form apart from the CSRF token of each page load');
      } finally {
        await browser.close();
      }
    });
  });
}
