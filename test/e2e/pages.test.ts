import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { backends, missingShared, serve, setup, shared } from '../helpers.ts';
import { launch, NO_BROWSER, pageForAxe, seriousViolations } from './axe.ts';

const BANO = 'addresses/bano-90-territoire-de-belfort-2015-03.csv.gz';

describe('pagination, licences, 401 and sources in a real browser', { skip: NO_BROWSER || missingShared(BANO) }, () => {
  let t: Awaited<ReturnType<typeof setup>>;
  let browser: Browser;
  let base: string;

  before(async () => {
    t = await setup(backends()[0]!);
    await t.ctx.runImport({ job: 'adresses', source: shared(BANO), startedBy: 'e2e' });
    base = await serve(t.app);
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  test('the commune list pages through links, without JavaScript, and stays accessible', async () => {
    const context = await browser.newContext({ bypassCSP: true, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${base}/territoires/departement/21`);
    await page
      .getByRole('navigation', { name: 'Pagination : communes' })
      .getByRole('link', { name: 'Page suivante' })
      .click();
    await page.waitForURL(/\?page=2#communes$/);
    assert.match(await page.locator('#communes caption').innerText(), /lignes 101 à 200 sur 698/);
    await context.close();
    const withAxe = await pageForAxe(browser);
    await withAxe.goto(`${base}/territoires/departement/21?page=3`);
    assert.deepEqual(await seriousViolations(withAxe), []);
    await withAxe.close();
  });

  test('licences page, 401 page and login form are accessible; the 401 page leads to the login form', async () => {
    const page = await pageForAxe(browser);
    await page.goto(`${base}/licences`);
    assert.deepEqual(await seriousViolations(page), []);
    await page.goto(`${base}/admin/imports`);
    assert.match(await page.locator('h1').innerText(), /Connexion requise/);
    assert.deepEqual(await seriousViolations(page), []);
    await page.getByRole('main').getByRole('link', { name: 'Se connecter' }).click();
    await page.waitForURL(/\/connexion\?next=%2Fadmin%2Fimports$/);
    assert.equal(await page.locator('input[name="next"]').inputValue(), '/admin/imports');
    assert.deepEqual(await seriousViolations(page), []);
    await page.close();
  });

  test('an eligibility answer for a BANO address cites its sources with the ODbL mention', async () => {
    const page = await pageForAxe(browser);
    const id = (await t.db.query<{ id: string }>('SELECT id FROM adresse ORDER BY id LIMIT 1')).rows[0]!.id;
    await page.goto(`${base}/eligibilite/adresse/${id}`);
    assert.match(
      await page.locator('.pan-sources').last().innerText(),
      /OpenStreetMap France[\s\S]*ODbL 1\.0 \(© les contributeurs d’OpenStreetMap/,
    );
    assert.deepEqual(await seriousViolations(page), []);
    await page.goto(`${base}/adresses/recherche?q=rue+des+balastieres`);
    assert.match(await page.locator('main').innerText(), /Adresses BANO : © les contributeurs d’OpenStreetMap/);
    assert.deepEqual(await seriousViolations(page), []);
    await page.close();
  });
});
