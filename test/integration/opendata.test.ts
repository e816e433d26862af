import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parquetReadObjects } from 'hyparquet';
import jsonld from 'jsonld';
import { buildApp } from '../../src/app.ts';
import type { AppModule } from '../../src/context.ts';
import { MODULES } from '../../src/modules.ts';
import { type DataRow, type Dataset, defineDataset, type Field } from '../../src/opendata/dataset.ts';
import { csvCellProblem, personalDataIn, publicationReport, rowProblems } from '../../src/opendata/publication.ts';
import { backends, missingShared, quietLog, setup, shared } from '../helpers.ts';

const require = createRequire(import.meta.url);
const arcep = (sheet: string) => shared('arcep-fixe', `arcep-obs-thd-2018t1-${sheet}.csv.gz`);
const MCI = 'arcep-fixe/mci-commune-debit-2022t4-bfc-normandie.csv.gz';
const EPCI_GEO = 'boundaries/ngeofr-2025/epci-bfc-normandie-2025.geojson.gz';
const DEP_GEO = 'boundaries/ngeofr-2025/departements-fra-2025.geojson.gz';
const AIDES = 'aides-territoires/aides-territoires-export-periurbain-2022-11.csv.gz';
const SHEETS = ['ftthCommunes', 'communes', 'ftthDepartements', 'departements', 'ftthRegions', 'regions'];

/** A plain RFC 4180 reader, independent of the platform's writer. */
function parseCsv(s: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let f = '';
  let q = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (q) {
      if (c === '"' && s[i + 1] === '"') {
        f += '"';
        i++;
      } else if (c === '"') q = false;
      else f += c;
    } else if (c === '"') q = true;
    else if (c === ',') {
      row.push(f);
      f = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++;
      row.push(f);
      f = '';
      rows.push(row);
      row = [];
    } else f += c;
  }
  if (f || row.length) rows.push([...row, f]);
  return rows;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'opendata-test-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A dataset that leaks what open data must never carry. */
function leaky(rows: DataRow[], fields?: Field[]): Dataset {
  return defineDataset({
    id: 'fuite',
    title: 'Jeu de test',
    description: 'Un jeu qui laisse passer une donnée personnelle.',
    themes: ['test'],
    frequency: 'ponctuelle',
    jobs: [],
    sources: [],
    schema: {
      fields: fields ?? [
        { name: 'nom', type: 'string', title: 'Nom', public: true },
        { name: 'note', type: 'string', title: 'Note', public: true },
      ],
    },
    async *pages() {
      yield rows;
    },
  });
}

test('the personal-data scan finds e-mail addresses and French phone numbers, not codes or SIRENs', () => {
  for (const s of ['jean.dupont@cote-dor.fr', 'écrire à contact@mairie-dijon.fr svp'])
    assert.equal(personalDataIn(s), 'adresse électronique', s);
  for (const s of [
    '03 80 44 55 66',
    '0380445566',
    '+33 3 80 44 55 66',
    '+33380445566',
    '06.12.34.56.78',
    '0033 6 12 34 56 78',
  ])
    assert.equal(personalDataIn(s), 'numéro de téléphone', s);
  for (const s of ['21000 21121 21800', '213500010', '21350001000017', '2022-T2', 'W212001234', '12,5', '0,25'])
    assert.equal(personalDataIn(s), null, s);
});

test('Table Schema cell checks follow the field types', () => {
  const f = (type: Field['type'], required = false): Field => ({ name: 'x', type, title: 'x', public: true, required });
  assert.equal(csvCellProblem(f('integer'), '12'), null);
  assert.ok(csvCellProblem(f('integer'), '12.5'));
  assert.equal(csvCellProblem(f('number'), '0.125'), null);
  assert.ok(csvCellProblem(f('number'), '0,125'));
  assert.equal(csvCellProblem(f('date'), '2022-06-30'), null);
  assert.ok(csvCellProblem(f('date'), '2022-02-30'));
  assert.ok(csvCellProblem(f('string', true), ''));
  assert.equal(csvCellProblem(f('datetime'), '2024-01-02T10:00:00.000Z'), null);
  assert.deepEqual(
    rowProblems([f('integer')], { x: 1, y: 'z' }, 1).map((p) => p.colonne),
    ['y'],
  );
});

for (const backend of backends()) {
  describe(`open-data catalogue (${backend.name})`, {
    skip: missingShared(MCI, EPCI_GEO, DEP_GEO, AIDES, ...SHEETS.map((s) => path.relative(shared(), arcep(s)))),
  }, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });
    const imp = async (job: string, source?: string, options?: unknown) => {
      const run = await t.ctx.runImport({
        job,
        startedBy: 'test',
        ...(source ? { source } : {}),
        ...(options ? { options } : {}),
      });
      assert.equal(run.status, 'succeeded', `${job}: ${run.message}`);
      return run;
    };

    before(async () => {
      t = await setup(backend);
      const dir = fs.mkdtempSync(path.join(tmp, 'sheets-'));
      for (const s of SHEETS) fs.symlinkSync(arcep(s), path.join(dir, path.basename(arcep(s))));
      await imp('arcep-deploiements', dir);
      await imp('mci-communes', shared(MCI));
      await imp('contours', shared(EPCI_GEO));
      await imp('contours', shared(DEP_GEO));
      await imp('aides-territoires', shared(AIDES), { territoire: 'france' });
      await imp('strategie', undefined, { modele: 'scoran-bfc' });
    });
    after(async () => t.close());

    test('data.json and the DCAT-AP graph list every dataset with title, licence, date and distributions', async () => {
      const r = await get('/donnees/data.json');
      assert.equal(r.statusCode, 200);
      const feed = r.json();
      const ids = [...t.ctx.datasets.keys()].sort();
      assert.ok(ids.length >= 9, ids.join(','));
      assert.deepEqual(feed.dataset.map((d: { identifier: string }) => d.identifier.split('/').pop()).sort(), ids);
      for (const d of feed.dataset) {
        for (const k of ['identifier', 'title', 'license', 'modified']) assert.ok(d[k], `${d.identifier} ${k}`);
        assert.ok(!Number.isNaN(Date.parse(d.modified)));
        assert.ok(d.distribution.length >= 2);
        for (const x of d.distribution) assert.ok(x.downloadURL && x.mediaType);
      }
      const ld = await get('/donnees/catalogue.jsonld');
      assert.equal(ld.statusCode, 200);
      assert.match(String(ld.headers['content-type']), /^application\/ld\+json/);
      const g = ld.json();
      assert.equal(g['@type'], 'dcat:Catalog');
      assert.equal(g['dcat:dataset'].length, ids.length);
      for (const d of g['dcat:dataset']) {
        assert.equal(d['@type'], 'dcat:Dataset');
        for (const k of ['dct:title', 'dct:license', 'dct:modified']) assert.ok(d[k], `${d['@id']} ${k}`);
        for (const x of d['dcat:distribution']) assert.ok(x['dcat:downloadURL'] && x['dcat:mediaType']);
      }
      // The graph is RDF: every dataset typed dcat:Dataset, every distribution with its download URL.
      const nquads = String(await jsonld.toRDF(g, { format: 'application/n-quads' }));
      const DCAT = 'http://www.w3.org/ns/dcat#';
      const typed = (cls: string) =>
        nquads
          .split('\n')
          .filter(
            (l) => l.includes('<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>') && l.includes(`<${DCAT}${cls}>`),
          ).length;
      assert.equal(typed('Catalog'), 1);
      assert.equal(typed('Dataset') >= ids.length, true);
      const downloads = nquads.split('\n').filter((l) => l.includes(`<${DCAT}downloadURL>`)).length;
      assert.equal(
        downloads,
        feed.dataset.reduce((n: number, d: { distribution: unknown[] }) => n + d.distribution.length, 0),
      );
      assert.match(
        nquads,
        /<http:\/\/purl\.org\/dc\/terms\/modified> "[^"]+"\^\^<http:\/\/www\.w3\.org\/2001\/XMLSchema#dateTime>/,
      );
      // Sources under ODbL make a dataset ODbL; none of today's datasets derives from BANO.
      for (const ds of t.ctx.datasets.values())
        if (ds.sources.some((s) => s.licence === 'odbl-1.0')) assert.equal(ds.licence, 'odbl-1.0', ds.id);
    });

    test('every downloadURL answers 200 with a non-empty body of its media type, valid against its Table Schema', async () => {
      const feed = (await get('/donnees/data.json')).json();
      const counts = new Map<string, number>();
      const csvRows = new Map<string, string[][]>();
      const parquets: string[] = [];
      for (const d of feed.dataset) {
        const id = d.identifier.split('/').pop() as string;
        const schema = (await get(`/donnees/${id}/schema.json`)).json() as { fields: Field[] };
        const fields = schema.fields.map((f) => ({
          ...f,
          public: true,
          required: (f as { constraints?: { required?: boolean } }).constraints?.required ?? false,
        }));
        for (const x of d.distribution) {
          const url = new URL(x.downloadURL).pathname;
          const r = await get(url);
          assert.equal(r.statusCode, 200, url);
          assert.ok(r.body.length > 0, url);
          assert.equal(String(r.headers['content-type']).split(';')[0], x.mediaType, url);
          assert.ok(r.headers.etag && r.headers['last-modified'], url);
          if (x.mediaType === 'text/csv') {
            const rows = parseCsv(r.body);
            assert.deepEqual(
              rows[0],
              fields.map((f) => f.name),
              url,
            );
            const errors = rows
              .slice(1)
              .flatMap((row, i) =>
                row.length !== fields.length
                  ? [`ligne ${i + 1} : ${row.length} champs`]
                  : fields.flatMap((f, j) => csvCellProblem(f, row[j]!) ?? []),
              );
            assert.deepEqual(errors.slice(0, 5), [], url);
            counts.set(id, rows.length - 1);
            csvRows.set(id, rows.slice(1));
          } else if (x.mediaType === 'application/vnd.apache.parquet') {
            // Read back with another library than the writer's: the same cells as the CSV, typed.
            const bytes = r.rawPayload;
            const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
            const rows = (await parquetReadObjects({ file })) as Record<string, unknown>[];
            const asCsv = (v: unknown) =>
              v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : String(v);
            assert.deepEqual(
              rows.map((row) => fields.map((f) => asCsv(row[f.name]))),
              csvRows.get(id),
              url,
            );
            parquets.push(id);
          } else if (x.mediaType === 'application/json') {
            const rows = JSON.parse(r.body) as DataRow[];
            assert.ok(Array.isArray(rows));
            const errors = rows.flatMap((row, i) => rowProblems(fields, row, i + 1));
            assert.deepEqual(errors.slice(0, 5), [], url);
            assert.equal(rows.length, counts.get(id), `${url}: as many rows as the CSV`);
          } else {
            const fc = JSON.parse(r.body) as { type: string; features: { geometry: unknown; properties: DataRow }[] };
            assert.equal(fc.type, 'FeatureCollection');
            assert.equal(fc.features.length, counts.get(id), url);
            assert.ok(
              fc.features.some((f) => f.geometry !== null),
              `${url}: outlines imported`,
            );
          }
        }
      }
      // Figures recomputed from the source files.
      const cog = require('@etalab/decoupage-administratif/data/communes.json') as {
        region: string;
        type: string;
      }[];
      assert.equal(
        counts.get('communes'),
        cog.filter((c) => c.region === '27' && c.type === 'commune-actuelle').length,
      );
      const deps = require('@etalab/decoupage-administratif/data/departements.json') as { region: string }[];
      assert.equal(counts.get('departements'), deps.filter((d) => d.region === '27').length);
      assert.equal(counts.get('aides'), 274);
      assert.ok((counts.get('observatoire-series') ?? 0) > 0);
      assert.deepEqual(parquets.sort(), ['communes', 'observatoire-series']);
      assert.ok((counts.get('strategie-actions') ?? 0) > 0);
      for (const ds of t.ctx.datasets.values()) {
        const rep = await publicationReport(ds, { db: t.db, config: t.config });
        assert.deepEqual(rep.problems, [], ds.id);
      }
    });

    test('the observatory series carry the dashboard’s figures', async () => {
      const csv = parseCsv((await get('/donnees/observatoire-series.csv')).body);
      const h = csv[0]!;
      const rows = csv.slice(1).map((r) => Object.fromEntries(h.map((k, i) => [k, r[i]!])));
      const api = (await get('/api/v1/observatoire/fixe/region/27')).json();
      const last = rows.filter((r) => r.niveau === 'region' && r.jeu === 'arcep-deploiements').at(-1)!;
      const pt = api.series.find(
        (s: { periode: string; jeu: string }) => s.periode === last.periode && s.jeu === last.jeu,
      );
      assert.ok(pt, 'same period in the API');
      assert.equal(Number(last.taux_ftth), pt.taux_ftth);
      assert.equal(Number(last.locaux_raccordables), pt.locaux_raccordables);
    });

    test('ETag and Last-Modified: a current copy gets 304; an import that changes data changes the ETag', async () => {
      const a = await get('/donnees/aides.csv');
      const etag = String(a.headers.etag);
      assert.equal((await get('/donnees/aides.csv', { 'if-none-match': etag })).statusCode, 304);
      assert.equal(
        (await get('/donnees/aides.csv', { 'if-modified-since': String(a.headers['last-modified']) })).statusCode,
        304,
      );
      assert.equal((await get('/donnees/aides.csv', { 'if-none-match': '"autre"' })).statusCode, 200);
      const run = await t.ctx.runImport({
        job: 'aides-territoires',
        source: shared(AIDES),
        options: { territoire: 'france' },
        startedBy: 'test',
        force: true,
      });
      assert.equal(run.status, 'succeeded', run.message ?? '');
      assert.notEqual(String((await get('/donnees/aides.csv')).headers.etag), etag);
    });

    test('unknown dataset or format: 404 with the catalogue link', async () => {
      for (const url of [
        '/donnees/inconnu.csv',
        '/donnees/inconnu',
        '/donnees/aides.parquet',
        '/donnees/communes.geojson',
        '/donnees/COMMUNES.csv',
      ]) {
        const r = await get(url);
        assert.equal(r.statusCode, 404, url);
        assert.match(r.body, /href="\/donnees"/, url);
      }
    });

    test('pages: the list filters by theme and module without JavaScript; a dataset page shows schema, sources, licence, links', async () => {
      const all = await get('/donnees');
      assert.equal(all.statusCode, 200);
      for (const id of t.ctx.datasets.keys()) assert.match(all.body, new RegExp(`href="/donnees/${id}"`));
      assert.doesNotMatch(all.body, /à venir/);
      const f = await get('/donnees?theme=fibre');
      assert.match(f.body, /href="\/donnees\/observatoire-series"/);
      assert.doesNotMatch(f.body, /href="\/donnees\/aides"/);
      const m = await get('/donnees?module=ressources');
      assert.match(m.body, /href="\/donnees\/acteurs"/);
      assert.doesNotMatch(m.body, /href="\/donnees\/communes"/);
      const p = await get('/donnees/epci');
      assert.equal(p.statusCode, 200);
      assert.match(p.body, /<caption>Colonnes de/);
      assert.match(p.body, /Admin Express/);
      assert.match(p.body, /Licence Ouverte 2.0/);
      assert.match(p.body, /href="\/donnees\/epci.geojson"/);
      assert.match(p.body, /curl/);
      assert.match(p.body, /<caption>Premières lignes de/);
      const c = await get('/donnees/communes');
      const first = parseCsv((await get('/donnees/communes.csv')).body)[1]!;
      assert.ok(c.body.includes(`<td>${first[0]}</td>`));
    });
  });
}

describe('publication check refuses a leaking resource', () => {
  const backend = backends()[0]!;
  let t: Awaited<ReturnType<typeof setup>>;
  let app: Awaited<ReturnType<typeof buildApp>>['app'];
  const leakModule: AppModule = { name: 'test', datasets: [] };
  before(async () => {
    t = await setup(backend);
  });
  after(async () => {
    await app?.close();
    await t.close();
  });
  const serve = async (d: Dataset) => {
    await app?.close();
    leakModule.datasets = [d];
    // Each variant is other code under the same id and stamp, as after a new deployment: its own DATA_DIR, so
    // the distribution cache (keyed by the stamp) does not serve the previous variant's file.
    const config = { ...t.config, dataDir: fs.mkdtempSync(path.join(tmp, 'fuite-')) };
    app = (await buildApp(config, { db: t.db, log: quietLog, modules: [...MODULES, leakModule] })).app;
    await app.ready();
    return app.inject({ method: 'GET', url: '/donnees/fuite.csv' });
  };

  test('a value with an e-mail address or a phone number: refused, report names the row', async () => {
    const d = leaky([
      { nom: 'Mairie', note: 'ouvert le lundi' },
      { nom: 'Mairie', note: 'écrire à secretariat@mairie-exemple.fr' },
    ]);
    const r = await serve(d);
    assert.equal(r.statusCode, 500);
    const page = await app.inject({ method: 'GET', url: '/donnees/fuite' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Aperçu indisponible/);
    assert.doesNotMatch(page.body, /secretariat@/);
    assert.match(r.body, /Publication refusée/);
    assert.doesNotMatch(r.body, /secretariat@/);
    const rep = await publicationReport(d, { db: t.db, config: t.config });
    assert.equal(rep.problems.length, 1);
    assert.match(rep.problems[0]!.message, /ligne 2 : note contient un\(e\) adresse électronique/);
    const phone = await serve(leaky([{ nom: 'Mairie', note: 'tél. 03 80 44 55 66' }]));
    assert.equal(phone.statusCode, 500);
    assert.equal((await serve(leaky([{ nom: 'Mairie', note: 'rien' }]))).statusCode, 200);
  });

  test('a column not declared public, or not in the schema: refused', async () => {
    const hidden = leaky(
      [{ nom: 'A', email: 'x' }],
      [
        { name: 'nom', type: 'string', title: 'Nom', public: true },
        { name: 'email', type: 'string', title: 'Courriel', public: false },
      ],
    );
    assert.equal((await serve(hidden)).statusCode, 500);
    assert.match(
      (await publicationReport(hidden, { db: t.db, config: t.config })).problems[0]!.message,
      /non déclarée publique/,
    );
    const extra = leaky([{ nom: 'A', note: 'b', telephone: 'caché' }]);
    assert.equal((await serve(extra)).statusCode, 500);
  });
});
