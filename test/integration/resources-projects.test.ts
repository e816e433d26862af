/**
 * Innovative projects and use cases of the resources space: created and edited by the owning organisation's
 * editors, refused in French with nothing saved, escaped, filtered, found by the shared search.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { userByEmail } from '../../src/accounts/queries.ts';
import { createUser, openSession } from '../../src/accounts/service.ts';
import { backends, csrfIn, setup } from '../helpers.ts';

for (const backend of backends()) {
  describe(`resources projects (${backend.name})`, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    let edA = '';
    let edB = '';
    let admin = '';
    const get = (url: string, cookie = '') => t.app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} });
    const post = async (cookie: string, url: string, form: Record<string, string | string[]>) => {
      const csrf = csrfIn((await get('/ressources/projets/nouveau', cookie)).body);
      const body = new URLSearchParams({ _csrf: csrf });
      for (const [k, v] of Object.entries(form)) for (const x of [v].flat()) body.append(k, x);
      return t.app.inject({
        method: 'POST',
        url,
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: body.toString(),
      });
    };
    const count = async () => (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM projet')).rows[0]!.n;

    before(async () => {
      t = await setup(backend);
      const org = async (nom: string) =>
        (
          await t.db.query<{ id: number }>(`INSERT INTO organisation (nom, type) VALUES ($1, 'autre') RETURNING id`, [
            nom,
          ])
        ).rows[0]!.id;
      const [a, b] = [await org('Département A'), await org('Syndicat B')];
      const login = async (email: string, organisationId: number | null, role: 'editeur' | 'administrateur') => {
        await createUser(
          t.db,
          { id: null, label: 'test' },
          { email, nom: email, motDePasse: 'correct horse battery', role, organisationId },
        );
        return `pan_session=${(await openSession(t.db, (await userByEmail(t.db, email))!)).token}`;
      };
      edA = await login('ed-a@projets.fr', a, 'editeur');
      edB = await login('ed-b@projets.fr', b, 'editeur');
      admin = await login('admin@projets.fr', null, 'administrateur');
    });
    after(async () => t.close());

    const form = {
      titre: 'Médiation numérique itinérante <script>alert(1)</script>',
      resume: 'Un bus de <b>médiation</b> dans les communes rurales.',
      description:
        'Le bus s’arrête chaque semaine dans les communes de Côte-d’Or.\n\nAteliers <i>démarches en ligne</i>.',
      statut: 'en_cours',
      themes: ['inclusion-numerique', 'services-publics'],
      territoires: 'departement:21, commune:21231',
      date_debut: '2025-03-01',
      date_fin: '2027-02-28',
      partenaires: 'Caf de la Côte-d’Or\nFrance services',
      budget_total: '200 000',
      financements: 'Région Bourgogne-Franche-Comté ; 80 000\nÉtat (France Relance) ; 50 000,50',
      resultats: '1 200 personnes accompagnées.',
      contact_public: 'mediation@exemple.fr',
      action_strategie: '/strategie/scoran-bfc/actions/12',
    };

    test('editors create for their organisation; bad dates, territory, theme refused in French, nothing saved', async () => {
      assert.equal((await get('/ressources/projets/nouveau')).statusCode, 401);
      const page = await get('/ressources/projets/nouveau', edA);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<label class="fr-label" for="projet-territoires">/);
      const refusals: [Record<string, string | string[]>, RegExp][] = [
        [{ date_fin: '2025-01-01' }, /la date de fin précède la date de début/],
        [{ date_debut: '2025-02-30' }, /date inexistante/],
        [{ territoires: 'departement:99' }, /Aucun territoire de niveau « departement » ne porte le code 99/],
        [{ territoires: 'Dijon' }, /territoire « Dijon » : niveau:code attendu/],
        [{ themes: ['inclusion-numerique', 'astrologie'] }, /Thème inconnu « astrologie »/],
        [{ statut: 'fini' }, /statut attendu/],
        [{ budget_total: 'beaucoup' }, /budget : montant en euros attendu/],
        [{ financements: 'Région 80 000' }, /financement « Région 80 000 »/],
        [{ action_strategie: 'https://ailleurs.example/x' }, /action de la stratégie : chemin/],
        [{ porteur: '999999' }, /Porteur : cet acteur n’est pas dans l’annuaire/],
      ];
      for (const [bad, message] of refusals) {
        const r = await post(edA, '/ressources/projets', { ...form, ...bad });
        assert.equal(r.statusCode, 400, JSON.stringify(bad));
        assert.match(r.body, message);
        assert.match(r.body, /Rien n’a été enregistré/);
      }
      assert.equal(await count(), 0, 'nothing saved');
      const search = await t.db.query(`SELECT 1 FROM ressource_recherche WHERE type = 'projet'`);
      assert.equal(search.rows.length, 0);

      const ok = await post(edA, '/ressources/projets', form);
      assert.equal(ok.statusCode, 303, ok.body);
      const url = String(ok.headers.location);
      assert.match(url, /^\/ressources\/projets\/\d+$/);
      const card = await get(url);
      assert.equal(card.statusCode, 200);
      // HTML typed in text is shown, never interpreted.
      assert.match(card.body, /Médiation numérique itinérante &lt;script&gt;alert\(1\)&lt;\/script&gt;/);
      assert.ok(!card.body.includes('<script>alert(1)'));
      assert.ok(!card.body.includes('<b>médiation</b>'));
      assert.ok(!card.body.includes('<i>démarches'));
      assert.match(card.body, /Côte-d(&#39;|’)Or \(Département 21\)/);
      assert.match(card.body, /Dijon \(Commune 21231\)/);
      assert.match(card.body, /<a href="\/strategie\/scoran-bfc\/actions\/12">/);
      assert.match(card.body, /Département A/);
      // Funding: the shares are the amounts over the declared budget, recomputed here.
      const eur = (n: number) =>
        new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR', maximumFractionDigits: 2 }).format(n);
      const pct = (n: number) =>
        new Intl.NumberFormat('fr-FR', { style: 'percent', maximumFractionDigits: 1 }).format(n);
      assert.ok(card.body.includes(eur(200_000)));
      assert.ok(card.body.includes(eur(50_000.5)));
      assert.ok(card.body.includes(eur(130_000.5)));
      assert.ok(card.body.includes(pct(130_000.5 / 200_000)));
      assert.match(card.body, /Fiche tenue par<\/th><td>Département A/);
      const journal = await t.db.query<{ action: string; organisation_id: number | null }>(
        `SELECT action, (apres->>'organisation_id')::int AS organisation_id FROM journal_audit WHERE objet_type = 'projet'`,
      );
      assert.deepEqual(
        journal.rows.map((r) => r.action),
        ['creation'],
      );
    });

    test('the owner edits, another organisation’s editor gets 403, an administrator edits any', async () => {
      const journal = async () =>
        (await t.db.query(`SELECT 1 FROM journal_audit WHERE objet_type = 'projet'`)).rows.length;
      const audited = await journal();
      const id = (await t.db.query<{ id: number }>('SELECT id::int AS id FROM projet')).rows[0]!.id;
      const url = `/ressources/projets/${id}`;
      assert.equal((await get(`${url}/modifier`, edB)).statusCode, 403);
      assert.equal((await post(edB, url, { ...form, titre: 'Pris' })).statusCode, 403);
      assert.equal((await get(url)).body.includes('Pris'), false);
      const edit = await get(`${url}/modifier`, edA);
      assert.equal(edit.statusCode, 200);
      // The form shows the saved values back, escaped.
      assert.match(edit.body, /value="departement:21, commune:21231"/);
      assert.match(edit.body, /Région Bourgogne-Franche-Comté ; 80000\nÉtat \(France Relance\) ; 50000,5/);
      assert.match(edit.body, /value="Médiation numérique itinérante &lt;script&gt;/);
      const renamed = { ...form, titre: 'Médiation numérique itinérante en Côte-d’Or', statut: 'termine' };
      const r = await post(edA, url, renamed);
      assert.equal(r.statusCode, 303, r.body);
      const page = await get(url);
      assert.match(page.body, /Médiation numérique itinérante en Côte-d’Or/);
      assert.match(page.body, /Terminé/);
      assert.equal((await post(admin, url, { ...renamed, resume: 'Revu par l’administration.' })).statusCode, 303);
      assert.match((await get(url)).body, /Revu par l’administration/);
      // A bad edit leaves the record as it was.
      assert.equal((await post(edA, url, { ...renamed, date_fin: '2020-01-01' })).statusCode, 400);
      assert.match((await get(url)).body, /28 février 2027/);
      assert.equal(await journal(), audited + 2, 'two edits journalled, refusals not');
    });

    test('filters (theme, status, territory, including the territories inside) work without JavaScript', async () => {
      await post(edB, '/ressources/projets', {
        titre: 'Tiers-lieu numérique de Besançon',
        statut: 'idee',
        themes: 'filiere-numerique',
        territoires: 'commune:25056',
      });
      const list = await get('/ressources/projets');
      assert.equal(list.statusCode, 200);
      assert.match(list.body, /<form method="get" action="\/ressources\/projets"/);
      assert.match(list.body, /<caption>Projets — /);
      const titles = async (qs: string) => {
        const b = (await get(`/ressources/projets?${qs}`)).body;
        return [...b.matchAll(/<a href="\/ressources\/projets\/\d+">([^<]+)<\/a>/g)].map((m) => m[1]);
      };
      assert.deepEqual(await titles('theme=inclusion-numerique'), ['Médiation numérique itinérante en Côte-d’Or']);
      assert.deepEqual(await titles('statut=idee'), ['Tiers-lieu numérique de Besançon']);
      // A commune of Côte-d'Or is inside the project's département; the région holds both projects.
      assert.deepEqual(await titles('niveau=departement&code=25'), ['Tiers-lieu numérique de Besançon']);
      assert.equal((await titles('niveau=region&code=27')).length, 2);
      assert.deepEqual(await titles('niveau=commune&code=21231'), ['Médiation numérique itinérante en Côte-d’Or']);
      assert.deepEqual(await titles('statut=abandonne'), []);
      assert.equal((await get('/ressources/projets?niveau=departement')).statusCode, 400);
      assert.equal((await get('/ressources/projets?statut=fini')).statusCode, 400);
      assert.equal((await get('/ressources/projets?page=0')).statusCode, 400);
      // The home page of the space links to the directory of projects.
      assert.match((await get('/ressources')).body, /<a href="\/ressources\/projets">Projets et cas d’usage<\/a>/);
    });

    test('found by the shared search without accents, escaped', async () => {
      const found = (
        await get('/api/v1/ressources/recherche?q=mediation%20itinerante%20cote%20d%20or&type=projet')
      ).json();
      assert.equal(found.total, 1);
      assert.equal(found.items[0].titre, 'Médiation numérique itinérante en Côte-d’Or');
      assert.match(found.items[0].url, /^\/ressources\/projets\/\d+$/);
      assert.ok(!found.items[0].extrait.includes('<b>'));
      const besancon = (await get('/api/v1/ressources/recherche?q=besancon')).json();
      assert.equal(besancon.items[0]?.type, 'projet');
      const page = await get('/ressources/recherche?q=tiers-lieu');
      assert.match(page.body, /Projet ou cas d’usage/);
    });
  });
}
