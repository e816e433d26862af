import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { backends, missingShared, serve, setup, shared } from '../helpers.ts';
import { launch, NO_BROWSER, pageForAxe, seriousViolations } from './axe.ts';

/** The observatory and eligibility journeys on real data, each page checked with axe-core. */
describe('observatory and eligibility in a real browser', {
  skip:
    NO_BROWSER ||
    missingShared(
      'boundaries/france-geojson-2018/communes-bourgogne-franche-comte.geojson.gz',
      'arcep-fixe/arcep-obs-thd-2018t1-ftthCommunes.csv.gz',
      'arcep-fixe/arcep-obs-thd-2018t1-communes.csv.gz',
      'arcep-fixe/mci-commune-debit-2022t4-bfc-normandie.csv.gz',
      'addresses/bano-90-territoire-de-belfort-2015-03.csv.gz',
      'arcep-fixe/france-thd-operateurs-satellite-4g-par-departement-2024.csv.gz',
    ),
}, () => {
  let t: Awaited<ReturnType<typeof setup>>;
  let browser: Browser;
  let base: string;

  before(async () => {
    t = await setup(backends()[0]!);
    const imports: [string, string][] = [
      ['contours', shared('boundaries', 'france-geojson-2018', 'communes-bourgogne-franche-comte.geojson.gz')],
      ['arcep-deploiements', shared('arcep-fixe', 'arcep-obs-thd-2018t1-ftthCommunes.csv.gz')],
      ['arcep-deploiements', shared('arcep-fixe', 'arcep-obs-thd-2018t1-communes.csv.gz')],
      ['mci-communes', shared('arcep-fixe', 'mci-commune-debit-2022t4-bfc-normandie.csv.gz')],
      ['adresses', shared('addresses', 'bano-90-territoire-de-belfort-2015-03.csv.gz')],
      ['offres-repli', shared('arcep-fixe', 'france-thd-operateurs-satellite-4g-par-departement-2024.csv.gz')],
    ];
    for (const [job, source] of imports) {
      const run = await t.ctx.runImport({ job, source, startedBy: 'e2e' });
      assert.notEqual(run.status, 'failed', `${job}: ${run.message}`);
    }
    base = await serve(t.app);
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  test('the observatory dashboard and a commune’s broadband figures', async () => {
    const page = await pageForAxe(browser);
    await page.goto(`${base}/observatoire`);
    assert.equal(await page.locator('h1').count(), 1);
    assert.ok((await page.locator('table').count()) >= 2, 'dashboard tables');
    assert.deepEqual(await seriousViolations(page), []);
    // Page 2 of a département's map table: the folded table opens on it, its pagination is axe-clean.
    await page.goto(`${base}/observatoire?niveau=departement&code=90&page_carte=2`);
    assert.ok(await page.locator('#tableau-carte table').isVisible());
    assert.equal(await page.locator('nav.fr-pagination [aria-current="page"]').first().innerText(), '2');
    assert.deepEqual(await seriousViolations(page), []);
    await page.goto(`${base}/territoires/commune/90010`);
    assert.match(await page.locator('main').innerText(), /fibre|FttH|THD/i);
    assert.deepEqual(await seriousViolations(page), []);
    await page.close();
  });

  test('search an address, open its eligibility answer', async () => {
    const page = await pageForAxe(browser);
    await page.goto(`${base}/eligibilite`);
    assert.deepEqual(await seriousViolations(page), []);
    await page.goto(`${base}/adresses/recherche?q=${encodeURIComponent('avenue jean jaures belfort')}`);
    assert.deepEqual(await seriousViolations(page), []);
    const first = page.locator('main a[href^="/eligibilite/adresse/"]').first();
    assert.match(await first.innerText(), /Jean Jaur[eè]s/i);
    await first.click();
    await page.waitForURL(/\/eligibilite\/adresse\//);
    const text = await page.locator('main').innerText();
    assert.match(text, /Belfort/);
    // No building-level file for Belfort was imported: the answer must say it is the commune's.
    assert.match(text, /commune/i);
    assert.deepEqual(await seriousViolations(page), []);
    await page.close();
  });
});
