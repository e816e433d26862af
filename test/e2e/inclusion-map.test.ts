import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { backends, missingShared, serve, setup, shared } from '../helpers.ts';
import { launch, NO_BROWSER, pageForAxe, seriousViolations } from './axe.ts';

const FS = 'france-services/liste-france-services-20240801-bfc-normandie.csv.gz';
/** A minimal base style, served by the test on another origin: no internet, and the CSP widening is exercised. */
const STYLE = {
  version: 8,
  name: 'test',
  sources: {},
  layers: [{ id: 'fond', type: 'background', paint: { 'background-color': '#eef2f7' } }],
};
const URL_PAGE = '/inclusion?categorie=france-services&niveau=departement&code=21';

type Rendered = { cluster: boolean; count: number; id: number | null };

describe('the inclusion map in a real browser', { skip: NO_BROWSER || missingShared(FS) }, () => {
  let t: Awaited<ReturnType<typeof setup>>;
  let browser: Browser;
  let base: string;
  let styleServer: http.Server;
  let styleRequests = 0;

  before(async () => {
    styleServer = http.createServer((req, res) => {
      styleRequests++;
      res.writeHead(req.url === '/style.json' ? 200 : 404, {
        'content-type': 'application/json',
        'access-control-allow-origin': '*',
      });
      res.end(req.url === '/style.json' ? JSON.stringify(STYLE) : '{}');
    });
    await new Promise<void>((ok) => styleServer.listen(0, '127.0.0.1', ok));
    const port = (styleServer.address() as AddressInfo).port;
    t = await setup(backends()[0]!, { CARTE_STYLE_URL: `http://127.0.0.1:${port}/style.json` });
    const run = await t.ctx.runImport({ job: 'france-services', source: shared(FS), startedBy: 'e2e' });
    assert.equal(run.status, 'succeeded', run.message ?? '');
    base = await serve(t.app);
    browser = await launch({ webgl: true });
  });
  after(async () => {
    await browser?.close();
    await t?.close();
    styleServer?.close();
  });

  test('the map draws the filtered places, clustered, under the site’s CSP; a point opens its popup', async (ctx) => {
    const total = (
      await t.app.inject({
        method: 'GET',
        url: '/api/v1/inclusion/lieux?categorie=france-services&niveau=departement&code=21&limit=1',
      })
    ).json().total as number;
    assert.ok(total > 5);
    const page = await browser.newPage(); // CSP enforced
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${base}${URL_PAGE}`);
    await page.waitForSelector('[data-carte][data-etat="prete"]', { timeout: 30_000 });
    assert.equal(await page.locator('[data-carte]').getAttribute('data-fond'), 'style');
    assert.equal(Number(await page.locator('[data-carte]').getAttribute('data-lieux')), total);
    // Browser-side code as text: tsx's helpers (__name) do not exist in the page.
    const rendered = (await page.evaluate(`new Promise((done) => {
      const map = document.querySelector('[data-carte]').maplibre;
      const read = () => done(map.queryRenderedFeatures({ layers: ['lieux-groupes', 'lieux-points'] }).map((f) => ({
        cluster: Boolean(f.properties.cluster),
        count: f.properties.point_count ?? 1,
        id: f.properties.cluster ? null : f.properties.id,
      })));
      if (map.loaded() && !map.isMoving()) read(); else map.once('idle', read);
    })`)) as Rendered[];
    // Every place of the selection is on screen, once: as a point or inside a cluster's count.
    assert.equal(
      rendered.reduce((s, f) => s + f.count, 0),
      total,
      JSON.stringify(rendered),
    );
    assert.ok(
      rendered.some((f) => f.cluster),
      'at least one cluster',
    );
    assert.ok(styleRequests >= 1, 'the configured style was fetched');
    // Click a lone point: its popup links to its page.
    const point = rendered.find((f) => !f.cluster);
    ctx.diagnostic(
      `${total} places: ${rendered.filter((f) => f.cluster).length} clusters, ${rendered.filter((f) => !f.cluster).length} points`,
    );
    assert.ok(point, 'at least one lone point');
    {
      await page.locator('[data-carte]').scrollIntoViewIfNeeded();
      const xy = (await page.evaluate(`(() => {
        const map = document.querySelector('[data-carte]').maplibre;
        const f = map.queryRenderedFeatures({ layers: ['lieux-points'] }).find((x) => x.properties.id === ${point.id});
        const p = map.project(f.geometry.coordinates);
        const r = map.getCanvas().getBoundingClientRect();
        return { x: r.left + p.x, y: r.top + p.y };
      })()`)) as { x: number; y: number };
      await page.mouse.click(xy.x, xy.y);
      const link = page.locator('.maplibregl-popup a');
      await link.waitFor({ timeout: 5000 });
      assert.equal(await link.getAttribute('href'), `/inclusion/lieux/${point.id}`);
      // Keyboard: Échap on the focused map closes the popup.
      await page.locator('.maplibregl-canvas').focus();
      await page.keyboard.press('Escape');
      await page.locator('.maplibregl-popup').waitFor({ state: 'detached', timeout: 5000 });
    }
    assert.deepEqual(
      errors.filter((e) => /Content Security Policy|Refused/i.test(e)),
      [],
    );
    await page.close();
  });

  test('the page with its map passes axe (no serious or critical violation)', async () => {
    const page = await pageForAxe(browser);
    await page.goto(`${base}${URL_PAGE}`);
    await page.waitForSelector('[data-carte][data-etat="prete"]', { timeout: 30_000 });
    assert.deepEqual(await seriousViolations(page), []);
    await page.close();
  });
});
