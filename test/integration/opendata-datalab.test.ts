import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createUser } from '../../src/accounts/service.ts';
import { buildApp } from '../../src/app.ts';
import { csvRecords } from '../csv.ts';
import { backends, cookieHeader, csrfIn, quietLog, setup, signIn } from '../helpers.ts';

/** The result table of an exploration page: group label → value (from the cell's data attribute). */
function resultOf(body: string): [string, number | null][] {
  const table = body.split('id="resultat"')[1]?.split('</table>')[0] ?? '';
  return [...table.matchAll(/<tr><th scope="row">([^<]*)<\/th><td class="pan-num" data-valeur="([^"]*)">/g)].map(
    (m) => [m[1]!.replace(/&#39;/g, '’').replace(/&amp;/g, '&'), m[2] === '' ? null : Number(m[2])],
  );
}

for (const backend of backends()) {
  describe(`datalab: server-side exploration of a catalogue dataset (${backend.name})`, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    let communes: Record<string, string>[];
    const get = (url: string) => t.app.inject({ method: 'GET', url });
    before(async () => {
      t = await setup(backend);
      const csv = await get('/donnees/communes.csv');
      assert.equal(csv.statusCode, 200);
      communes = csvRecords(csv.body);
      assert.ok(communes.length > 1000, `${communes.length} communes`);
    });
    after(async () => t.close());

    /** The same view recomputed from the CSV download, independently of the explorer. */
    const recompute = (
      keep: (r: Record<string, string>) => boolean,
      group: string,
      agg: (xs: number[]) => number,
      measure: string,
    ) => {
      const m = new Map<string, number[]>();
      for (const r of communes.filter(keep)) {
        const xs = m.get(r[group]!) ?? [];
        if (r[measure] !== '') xs.push(Number(r[measure]));
        m.set(r[group]!, xs);
      }
      return [...m.entries()].map(([k, xs]) => [k, agg(xs)] as [string, number]);
    };

    test('a shared URL gives the result recomputed from the dataset’s CSV', async () => {
      const url =
        '/donnees/communes/explorer?c1=population&o1=gt&v1=3500&groupe=departement&agregat=sum&mesure=population&tri=groupe&ordre=asc&limite=100';
      const r = await get(url);
      assert.equal(r.statusCode, 200);
      const got = resultOf(r.body);
      const expected = recompute(
        (c) => c.population !== '' && Number(c.population) > 3500,
        'departement',
        (xs) => xs.reduce((a, b) => a + b, 0),
        'population',
      ).sort((a, b) => a[0].localeCompare(b[0], 'fr', { numeric: true }));
      assert.ok(expected.length >= 8, `${expected.length} départements`);
      assert.deepEqual(got, expected);
      assert.match(r.body, /<svg role="img"/);
      assert.equal((r.body.match(/<rect /g) ?? []).length, expected.length, 'one bar per row of the table');
      // The page gives the view's own address, which answers the same.
      const shared = /Adresse de la vue : <a href="([^"]+)"/.exec(r.body)![1]!.replace(/&amp;/g, '&');
      assert.deepEqual(resultOf((await get(shared)).body), got);

      // Average, a text filter, sorted by value, limited.
      const avg = resultOf(
        (
          await get(
            '/donnees/communes/explorer?c1=nom&o1=contient&v1=saint&groupe=departement&agregat=avg&mesure=population&limite=3',
          )
        ).body,
      );
      const exp = recompute(
        (c) => c.nom!.toLowerCase().includes('saint'),
        'departement',
        (xs) => xs.reduce((a, b) => a + b, 0) / xs.length,
        'population',
      )
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0], 'fr', { numeric: true }))
        .slice(0, 3);
      assert.equal(avg.length, 3);
      for (const [i, [k, v]] of exp.entries()) {
        assert.equal(avg[i]![0], k);
        assert.ok(Math.abs((avg[i]![1] ?? 0) - v) < 1e-6, `${k}: ${avg[i]![1]} ≠ ${v}`);
      }
      // No group, count: every row.
      assert.deepEqual(resultOf((await get('/donnees/communes/explorer')).body), [
        ['Toutes les lignes', communes.length],
      ]);
    });

    test('hostile or unknown column names, wrong types: refused with a French message; nothing runs', async () => {
      for (const q of [
        `groupe=${encodeURIComponent('nom"; DROP TABLE commune; --')}`,
        `c1=${encodeURIComponent('population) OR 1=1 --')}&o1=gt&v1=0`,
        'c1=__proto__&v1=x',
        'agregat=sum&mesure=constructor',
      ]) {
        const r = await get(`/donnees/communes/explorer?${q}`);
        assert.equal(r.statusCode, 400, q);
        assert.match(r.body, /Vue refusée/, q);
        assert.match(r.body, /Colonne inconnue/, q);
        assert.doesNotMatch(r.body, /DROP TABLE commune; --<|"; DROP/, q);
        assert.doesNotMatch(r.body, /id="resultat"/, q);
      }
      const notNumber = await get('/donnees/communes/explorer?agregat=sum&mesure=nom');
      assert.equal(notNumber.statusCode, 400);
      const badValue = await get('/donnees/communes/explorer?c1=population&o1=gt&v1=beaucoup');
      assert.equal(badValue.statusCode, 400);
      assert.match(badValue.body, /attend un nombre/);
      assert.equal((await get('/donnees/communes/explorer?agregat=median')).statusCode, 400);
      assert.equal((await get('/donnees/inconnu/explorer')).statusCode, 404);
      const n = (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM commune')).rows[0]!.n;
      assert.ok(n > 1000);
    });

    test('a view that would scan too much is refused with a French message', async () => {
      const small = await buildApp({ ...t.config, datalabMaxRows: 100 }, { db: t.db, log: quietLog });
      try {
        await small.app.ready();
        const r = await small.app.inject({ method: 'GET', url: '/donnees/communes/explorer?groupe=departement' });
        assert.equal(r.statusCode, 400);
        assert.match(r.body, /parcourrait plus de 100 lignes/);
        assert.equal(
          (await small.app.inject({ method: 'GET', url: '/donnees/departements/explorer' })).statusCode,
          200,
          'a small dataset still answers',
        );
      } finally {
        await small.app.close();
      }
    });

    test('projects: an editor proposes one with the datasets it uses; unknown datasets refused; page and list', async () => {
      const org = (
        await t.db.query<{ id: number }>(
          "INSERT INTO organisation (nom, type) VALUES ('Médiathèque test', 'autre') RETURNING id::int AS id",
        )
      ).rows[0]!.id;
      await createUser(
        t.db,
        { id: null, label: 'test' },
        {
          email: 'datalab@exemple.fr',
          nom: 'Datalab',
          motDePasse: 'Correct-horse-battery-staple-42',
          role: 'editeur',
          organisationId: org,
        },
      );
      assert.equal((await get('/donnees/datalab/nouveau')).statusCode, 401);
      const { jar } = await signIn(t.app, 'datalab@exemple.fr', 'Correct-horse-battery-staple-42');
      const cookie = cookieHeader(jar);
      const page = await t.app.inject({ url: '/donnees/datalab/nouveau', headers: { cookie } });
      assert.equal(page.statusCode, 200);
      const post = (url: string, form: Record<string, string>) =>
        t.app.inject({
          method: 'POST',
          url,
          headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ _csrf: csrfIn(page.body), ...form }).toString(),
        });
      const form = {
        titre: 'Population et communes',
        objectif: 'Mesurer la population des communes de plus de 3 500 habitants.',
        equipe: 'Médiathèque test',
        jeux: 'communes departements',
        statut: 'en_cours',
        resultats: 'Une vue partagée du datalab.',
        licence: 'licence-ouverte-2.0',
      };
      const bad = await post('/donnees/datalab', { ...form, jeux: 'communes, <script>x</script>' });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /inconnu\(s\) du catalogue/);
      assert.doesNotMatch(bad.body, /<script>x/);
      const ok = await post('/donnees/datalab', form);
      assert.equal(ok.statusCode, 303);
      const url = String(ok.headers.location);
      const shown = await get(url);
      assert.equal(shown.statusCode, 200);
      assert.match(shown.body, /href="\/donnees\/communes\/explorer"/);
      assert.match(shown.body, /Licence Ouverte 2.0/);
      assert.match((await get('/donnees/datalab')).body, new RegExp(`href="${url}"`));
      const upd = await post(url, { ...form, statut: 'termine' });
      assert.equal(upd.statusCode, 303);
      assert.match((await get(url)).body, /Terminé/);
      const logged = (
        await t.db.query<{ action: string }>(
          "SELECT action FROM journal_audit WHERE objet_type = 'datalab-projet' ORDER BY id",
        )
      ).rows.map((x) => x.action);
      assert.deepEqual(logged, ['creation', 'modification']);
    });
  });
}
