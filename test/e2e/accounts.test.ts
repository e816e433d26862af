import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { createUser } from '../../src/accounts/service.ts';
import { backends, serve, setup } from '../helpers.ts';
import { launch, NO_BROWSER, pageForAxe, seriousViolations } from './axe.ts';

// A real browser sends Origin on every form post: the stricter Origin check must still let it through.
describe('a partner signs in, changes a password and deactivates an account in a real browser', {
  skip: NO_BROWSER,
}, () => {
  let t: Awaited<ReturnType<typeof setup>>;
  let browser: Browser;
  let base: string;

  before(async () => {
    t = await setup(backends()[0]!);
    await createUser(
      t.db,
      { id: null, label: 'e2e' },
      {
        email: 'admin@region.fr',
        nom: 'Admin Région',
        motDePasse: 'Brume-sur-la-Saône-2026',
        role: 'administrateur',
        organisationId: null,
      },
    );
    await createUser(
      t.db,
      { id: null, label: 'e2e' },
      {
        email: 'second@region.fr',
        nom: 'Second Admin',
        motDePasse: 'lanterne verte au bord du Doubs',
        role: 'administrateur',
        organisationId: null,
      },
    );
    base = await serve(t.app);
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  test('sign in, change the password with French advice on a weak one, deactivate a colleague; pages accessible', async () => {
    const page = await pageForAxe(browser);
    await page.goto(`${base}/connexion`);
    await page.locator('#email').fill('admin@region.fr');
    await page.locator('#motDePasse').fill('Brume-sur-la-Saône-2026');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL(/\/admin$/);

    await page.getByRole('link', { name: 'Changer mon mot de passe' }).click();
    await page.waitForURL(/\/compte\/mot-de-passe$/);
    assert.deepEqual(await seriousViolations(page), []);
    await page.locator('#mdp-actuel').fill('Brume-sur-la-Saône-2026');
    await page.locator('#mdp-nouveau').fill('aaaaaaaaaaaa');
    await page.locator('#mdp-confirmation').fill('aaaaaaaaaaaa');
    await page.getByRole('button', { name: 'Changer le mot de passe' }).click();
    assert.match(await page.getByRole('alert').innerText(), /trop facile à deviner/);
    assert.deepEqual(await seriousViolations(page), []);
    await page.locator('#mdp-actuel').fill('Brume-sur-la-Saône-2026');
    await page.locator('#mdp-nouveau').fill('orage sur les plateaux du Morvan');
    await page.locator('#mdp-confirmation').fill('orage sur les plateaux du Morvan');
    await page.getByRole('button', { name: 'Changer le mot de passe' }).click();
    await page.waitForURL(/change=ok/);
    assert.match(await page.getByRole('status').innerText(), /Mot de passe changé/);

    await page.goto(`${base}/admin/utilisateurs`);
    assert.deepEqual(await seriousViolations(page), []);
    await page
      .getByRole('button', { name: 'Désactiver', exact: false })
      .and(page.locator('[title*="Second Admin"]'))
      .click();
    await page.waitForURL(/\/admin\/utilisateurs$/);
    assert.equal(await page.locator('[title*="Second Admin"]').innerText(), 'Réactiver');
    // No button to deactivate oneself.
    assert.equal(await page.locator('[title*="Admin Région"]').count(), 0);
  });

  test('an account holder erases their account from the account page; pages accessible', async () => {
    await createUser(
      t.db,
      { id: null, label: 'e2e' },
      {
        email: 'partante@region.fr',
        nom: 'Partante Région',
        motDePasse: 'nuages bas sur la Loire',
        role: 'administrateur',
        organisationId: null,
      },
    );
    const page = await pageForAxe(browser);
    await page.goto(`${base}/connexion`);
    await page.locator('#email').fill('partante@region.fr');
    await page.locator('#motDePasse').fill('nuages bas sur la Loire');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL(/\/admin$/);
    await page.getByRole('link', { name: 'Effacer mon compte' }).click();
    await page.waitForURL(/\/compte\/effacement$/);
    assert.deepEqual(await seriousViolations(page), []);
    await page.locator('#effacement-mdp').fill('pas le bon');
    await page.getByRole('button', { name: 'Effacer définitivement mon compte' }).click();
    assert.match(await page.getByRole('alert').innerText(), /mot de passe est incorrect/);
    assert.deepEqual(await seriousViolations(page), []);
    await page.locator('#effacement-mdp').fill('nuages bas sur la Loire');
    await page.getByRole('button', { name: 'Effacer définitivement mon compte' }).click();
    await page.waitForURL(/fait=1/);
    assert.match(await page.getByRole('status').innerText(), /Votre compte a été effacé/);
    assert.deepEqual(await seriousViolations(page), []);
    await page.goto(`${base}/donnees/registre-traitements`);
    assert.match(await page.locator('main').innerText(), /Empreinte SHA-256/);
    assert.deepEqual(await seriousViolations(page), []);
    // The datalab: an exploration with its chart and table, an error, the projects list.
    await page.goto(
      `${base}/donnees/communes/explorer?c1=population&o1=gt&v1=3500&groupe=departement&agregat=sum&mesure=population`,
    );
    assert.match(await page.locator('#resultat caption').innerText(), /somme de population par departement/);
    assert.deepEqual(await seriousViolations(page), []);
    await page.goto(`${base}/donnees/communes/explorer?groupe=inconnue`);
    assert.match(await page.getByRole('alert').innerText(), /Colonne inconnue/);
    assert.deepEqual(await seriousViolations(page), []);
    await page.goto(`${base}/donnees/datalab`);
    assert.deepEqual(await seriousViolations(page), []);
    await page.close();
  });
});
