import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { backends, missingShared, setup, shared } from '../helpers.ts';

const SHEETS = [
  'ftthCommunes',
  'communes',
  'ftthDepartements',
  'departements',
  'ftthRegions',
  'regions',
  'ftthEpci',
  'epci',
];
const sheet = (s: string) => `arcep-fixe/arcep-obs-thd-2018t1-${s}.csv.gz`;
const MCI = 'arcep-fixe/mci-commune-debit-2022t4-bfc-normandie.csv.gz';
const COMMUNES = 'boundaries/france-geojson-2018/communes-bourgogne-franche-comte.geojson.gz';
const EPCI = 'boundaries/ngeofr-2025/epci-bfc-normandie-2025.geojson.gz';
const DEPTS = 'boundaries/ngeofr-2025/departements-fra-2025.geojson.gz';
const KB = 1024;

/** Territory links in the table whose caption starts with `caption`. */
const tableRows = (body: string, caption: RegExp) => {
  const table = body.split('<table').find((x) => caption.test(x.slice(0, 400))) ?? '';
  return [...table.split('</table>')[0]!.matchAll(/<tr><th scope="row"><a href="\/territoires\/\w+\/(\w+)"/g)].map(
    (m) => m[1]!,
  );
};

for (const backend of backends()) {
  describe(`observatory pages: size budget, pagination, sources (${backend.name})`, {
    skip: missingShared(...SHEETS.map(sheet), MCI, COMMUNES, EPCI, DEPTS),
  }, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    const get = (url: string) => t.app.inject({ method: 'GET', url });
    before(async () => {
      t = await setup(backend, { REGION: '27' });
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obs-pages-'));
      for (const s of SHEETS) fs.symlinkSync(shared(sheet(s)), path.join(dir, path.basename(sheet(s))));
      const imports: [string, string, unknown?][] = [
        ['contours', shared(COMMUNES), { niveau: 'commune' }],
        ['contours', shared(EPCI), { niveau: 'epci' }],
        ['contours', shared(DEPTS), { niveau: 'departement' }],
        ['arcep-deploiements', dir],
        ['mci-communes', shared(MCI)],
      ];
      for (const [job, source, options] of imports) {
        const run = await t.ctx.runImport({ job, source, startedBy: 'test', ...(options ? { options } : {}) });
        assert.equal(run.status, 'succeeded', `${job}: ${run.message}`);
      }
    });
    after(async () => {
      await t.close();
    });

    test('every observatory page and territory page with the observatory section stays under 150 KB of HTML', async () => {
      const epci = (
        await t.db.query<{ code: string }>(
          `SELECT epci AS code FROM commune WHERE region = '27' AND epci IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`,
        )
      ).rows[0]!.code;
      for (const url of [
        '/observatoire',
        '/observatoire?niveau=departement&code=21',
        `/observatoire?niveau=epci&code=${epci}`,
        '/observatoire?niveau=france&code=FR',
        '/observatoire?niveau=departement&code=21&indicateur=taux_ftth',
        '/territoires/region/27',
        '/territoires/departement/21',
        `/territoires/epci/${epci}`,
        '/territoires/commune/21231',
      ]) {
        const r = await get(url);
        assert.equal(r.statusCode, 200, url);
        const size = Buffer.byteLength(r.body);
        assert.ok(size < 150 * KB, `${url}: ${(size / KB).toFixed(1)} KB`);
      }
      // Nothing hidden: the département map still draws every commune, coloured by class.
      const dep = (await get('/observatoire?niveau=departement&code=21')).body;
      const map = /<svg class="pan-carte"[\s\S]*?<\/svg>/.exec(dep)![0];
      assert.ok((map.match(/<path d="M/g) ?? []).length >= 690);
      assert.match(map, /<style>#carte-observatoire \.q0\{fill:#f7fbff\}/);
      assert.doesNotMatch(map, /<path[^>]* fill="/);
    });

    test('the map’s data table pages 50 rows at a time on its own parameter, and all pages together are the map', async () => {
      const caption = /<caption>Part des locaux à 100 Mbit\/s/;
      const p1 = (await get('/observatoire?niveau=departement&code=21')).body;
      const first = tableRows(p1, caption);
      assert.equal(first.length, 50);
      const total = Number(
        /sur ([\d\u202f ]+)<\/caption>/.exec(p1.split('<caption>Part des locaux à 100')[1]!)![1]!.replace(/\D/g, ''),
      );
      assert.ok(total >= 690, String(total));
      assert.match(p1, /href="\/observatoire\?niveau=departement&amp;code=21&amp;page_carte=2#tableau-carte"/);
      const all = new Set(first);
      const pages = Math.ceil(total / 50);
      for (let n = 2; n <= pages; n++) {
        const body = (await get(`/observatoire?niveau=departement&code=21&page_carte=${n}`)).body;
        if (n === 2) assert.match(body, /<details class="fr-mb-4w" open>/);
        for (const c of tableRows(body, caption)) all.add(c);
      }
      assert.equal(all.size, total);
      // Paging one table leaves the others where they are.
      const france = (await get('/observatoire?niveau=france&code=FR&page_controle=2')).body;
      assert.match(france, /Contrôle : totaux publiés[^<]*— lignes 41 à 80 sur/);
      assert.match(france, /Locaux par classe de débit[^<]*— lignes 1 à 50 sur/);
      assert.equal((await get('/observatoire?page_debits=abc')).statusCode, 400);
    });

    test('sources sit under each figure in the shared block, with French dates and no ISO import date', async () => {
      const body = (await get('/observatoire?niveau=departement&code=21')).body;
      const blocks = [...body.matchAll(/<div class="pan-sources[\s\S]*?<\/div>/g)].map((m) => m[0]);
      assert.ok(blocks.length >= 5, String(blocks.length));
      for (const b of blocks) {
        assert.doesNotMatch(b, /\d{4}-\d{2}-\d{2}/, b);
        assert.match(b, /importé le \d{1,2}(er)? [a-zéû]+ \d{4}/, b);
      }
      // The FttH chart cites the FttH sheets only; the speed chart the Ma connexion internet file only.
      const section = (id: string) => body.split(`aria-labelledby="${id}-h"`)[1]!.split('</section>')[0]!;
      const ftth = section('graphique-taux_ftth');
      assert.match(ftth, /observatoire trimestriel des déploiements FttH, fichier .*, données au 2018 T1, importé le/);
      assert.match(ftth, /Périodes de 2017 T3 à 2018 T1\./);
      assert.doesNotMatch(ftth, /Ma connexion internet|mci-commune-debit/);
      const thd = section('graphique-part_thd100');
      assert.match(thd, /mci-commune-debit-2022t4/);
      assert.match(thd, /données au 31 décembre 2022/);
      assert.doesNotMatch(thd, /observatoire trimestriel/);
      // The evolution table dates its rows in French (the downloads keep ISO dates for machines).
      const evo = body.split('<caption>Évolution — ')[1]!.split('</table>')[0]!;
      assert.match(evo, /<td class="pan-txt">31 décembre 2022<\/td>/);
      assert.doesNotMatch(evo, />\d{4}-\d{2}-\d{2}<\/td>/);
      assert.match((await get('/observatoire/donnees/series.csv?niveau=departement&code=21')).body, /;2022-12-31;/);
      // Deadlines are French dates too.
      assert.doesNotMatch(ftth, /au \d{4}-\d{2}-\d{2}/);
      const targets = (await get('/observatoire/objectifs')).body;
      assert.match(targets, /<td>31 décembre 2025<\/td>/);
      assert.doesNotMatch(targets, /<td>\d{4}-\d{2}-\d{2}<\/td>/);
    });
  });
}
