import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { backends, missingShared, serve, setup, shared } from '../helpers.ts';
import { launch, NO_BROWSER, pageForAxe, seriousViolations } from './axe.ts';

describe('a visitor browses the territories in a real browser', {
  skip: NO_BROWSER || missingShared('boundaries/france-geojson-2018/communes-bourgogne-franche-comte.geojson.gz'),
}, () => {
  let t: Awaited<ReturnType<typeof setup>>;
  let browser: Browser;
  let base: string;

  before(async () => {
    t = await setup(backends()[0]!);
    await t.ctx.runImport({
      job: 'contours',
      source: shared('boundaries', 'france-geojson-2018', 'communes-bourgogne-franche-comte.geojson.gz'),
      startedBy: 'e2e',
    });
    base = await serve(t.app);
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  const newPage = () => pageForAxe(browser);

  test('home → département → EPCI → commune, each page accessible', async () => {
    const page = await newPage();
    await page.goto(`${base}/`);
    assert.match(await page.locator('h1').innerText(), /Bourgogne-Franche-Comté/);
    assert.deepEqual(await seriousViolations(page), []);

    await page
      .getByRole('link', { name: 'Côte-d’Or' })
      .or(page.getByRole('link', { name: "Côte-d'Or" }))
      .first()
      .click();
    await page.waitForURL(/\/territoires\/departement\/21$/);
    assert.match(await page.locator('h1').innerText(), /Côte-d.Or/);
    assert.deepEqual(await seriousViolations(page), []);

    await page.getByRole('link', { name: 'Dijon Métropole' }).first().click();
    await page.waitForURL(/\/territoires\/epci\/242100410$/);
    assert.ok((await page.locator('svg.pan-carte path').count()) >= 20);
    assert.deepEqual(await seriousViolations(page), []);

    await page.getByRole('link', { name: 'Dijon', exact: true }).first().click();
    await page.waitForURL(/\/territoires\/commune\/21231$/);
    assert.match(await page.locator('main').innerText(), /21000/);
    assert.equal(await page.locator('svg.pan-carte').count(), 1);
    assert.deepEqual(await seriousViolations(page), []);
    await page.close();
  });

  test('search finds a territory by name without accents, and by postcode', async () => {
    const page = await newPage();
    await page.goto(`${base}/territoires`);
    await page.getByLabel(/Rechercher un territoire/).fill('montbeliard');
    await page.keyboard.press('Enter');
    await page.waitForURL(/recherche/);
    assert.ok((await page.getByRole('link', { name: 'Montbéliard', exact: true }).count()) >= 1);
    assert.deepEqual(await seriousViolations(page), []);
    // A single match leads straight to its page.
    await page.goto(`${base}/territoires/recherche?q=90000`);
    assert.match(page.url(), /\/territoires\/commune\/90010$/);
    assert.match(await page.locator('h1').innerText(), /Belfort/);
    await page.close();
  });

  test('pages render fully without JavaScript', async () => {
    const ctx = await browser.newContext({ javaScriptEnabled: false });
    const page = await ctx.newPage();
    await page.goto(`${base}/territoires/departement/90`);
    assert.match(await page.locator('h1').innerText(), /Territoire de Belfort/);
    assert.ok(await page.getByRole('link', { name: 'Belfort', exact: true }).isVisible());
    await page.goto(`${base}/territoires/recherche?q=beaune`);
    assert.ok((await page.getByRole('link', { name: 'Beaune', exact: true }).count()) >= 1);
    await page.goto(`${base}/page-inconnue`);
    assert.match(await page.locator('h1').innerText(), /Page non trouvée/);
    await ctx.close();
  });
});
