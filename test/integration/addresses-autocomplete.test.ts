import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launch, NO_BROWSER, pageForAxe, seriousViolations } from '../e2e/axe.ts';
import { backends, missingShared, serve, setup, shared } from '../helpers.ts';

// The address field in a real browser: the WAI-ARIA combobox with the keyboard, and the plain form without JavaScript.
describe('address autocomplete in a browser', {
  skip: NO_BROWSER || missingShared('addresses/bano-90-territoire-de-belfort-2015-03.csv.gz'),
}, () => {
  let t: Awaited<ReturnType<typeof setup>>;
  let browser: Browser;
  let base: string;

  before(async () => {
    t = await setup(backends()[0]!);
    const run = await t.ctx.runImport({
      job: 'adresses',
      source: shared('addresses', 'bano-90-territoire-de-belfort-2015-03.csv.gz'),
      startedBy: 'e2e',
    });
    assert.equal(run.status, 'succeeded');
    base = await serve(t.app);
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  test('typing proposes addresses; arrows, Enter and the status region work; page accessible', async () => {
    const page = await pageForAxe(browser);
    await page.goto(`${base}/adresses/recherche`);
    const input = page.getByRole('combobox', { name: /Adresse/ });
    assert.equal(await input.getAttribute('aria-expanded'), 'false');
    await input.pressSequentially('av jean jaures bel', { delay: 20 });
    // On a loaded machine a pause between keys can exceed the debounce, and an earlier keystroke's suggestions
    // show first: wait for the list that answers the whole text typed.
    await page.locator('[role="listbox"][data-query="av jean jaures bel"]').waitFor({ state: 'attached' });
    const options = page.getByRole('option');
    await options.first().waitFor();
    assert.equal(await input.getAttribute('aria-expanded'), 'true');
    assert.match(await options.first().innerText(), /Avenue Jean Jaurès 90000 Belfort/);
    assert.match(await page.locator('[role="status"]').innerText(), /adresses? proposées?/);
    await page.keyboard.press('ArrowDown');
    const active = await input.getAttribute('aria-activedescendant');
    assert.ok(active);
    assert.equal(await page.locator(`#${active}`).getAttribute('aria-selected'), 'true');
    assert.deepEqual(await seriousViolations(page), []);
    await page.keyboard.press('Escape');
    assert.equal(await input.getAttribute('aria-expanded'), 'false');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/eligibilite\/adresse\/900102150A-/);
    await page.close();
  });

  test('without JavaScript the form lists the addresses as links', async () => {
    const ctx = await browser.newContext({ javaScriptEnabled: false });
    const page = await ctx.newPage();
    await page.goto(`${base}/adresses/recherche`);
    await page.locator('#recherche-adresse-input').fill('6A avenue du champ de mars 90000');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/adresses\/recherche\?q=/);
    const link = page.getByRole('link', { name: /6 a Avenue du Champ de Mars 90000 Belfort/ });
    assert.equal(await link.first().getAttribute('href'), '/eligibilite/adresse/900100700Z-6A');
    await ctx.close();
  });
});
