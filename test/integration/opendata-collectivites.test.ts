import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';
import { csvRecords } from '../csv.ts';
import { backends, missingShared, setup, shared } from '../helpers.ts';

const require = createRequire(import.meta.url);
const NATIONAL = 'opendata-collectivites/odater-organisations-ouvrantes-2022-12-31-national.csv.gz';
const JOINED = 'opendata-collectivites/odater-organisations-ouvrantes-2022-12-31-bfc-normandie.csv.gz';
const AIDES = 'aides-territoires/aides-territoires-export-periurbain-2022-11.csv.gz';
const sha256 = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest('hex');
const text = (f: string) => zlib.gunzipSync(fs.readFileSync(shared(f))).toString('utf8');

type Commune = { code: string; region: string; departement: string; type: string; siren?: string; population?: number };
type Epci = { code: string; populationMunicipale?: number; membres: { code: string }[] };

/** What the API must answer, recomputed from the real files: COG package, ODF list, hand-made ODF×COG join. */
function expected(region: string) {
  const communes = require('@etalab/decoupage-administratif/data/communes.json') as Commune[];
  const epcis = require('@etalab/decoupage-administratif/data/epci.json') as Epci[];
  const deps = (require('@etalab/decoupage-administratif/data/departements.json') as { code: string; region: string }[])
    .filter((d) => d.region === region)
    .map((d) => d.code);
  const publishing = new Set(csvRecords(text(NATIONAL)).map((r) => r.siren));
  const joined = csvRecords(text(JOINED));
  const depsPublishing = new Set(joined.filter((r) => r.type_collectivite === 'DEP').map((r) => r.code));
  const regionPublishes = joined.some((r) => r.type_collectivite === 'REG' && r.code === region);
  const depOf = new Map(communes.filter((c) => c.type === 'commune-actuelle').map((c) => [c.code, c.departement]));
  const perDep = new Map<string, { obligees: number; publient: number }>();
  const tally = (d: string, pub: boolean) => {
    const x = perDep.get(d) ?? { obligees: 0, publient: 0 };
    x.obligees++;
    if (pub) x.publient++;
    perDep.set(d, x);
  };
  let obligees = 1 + deps.length;
  let publient = (regionPublishes ? 1 : 0) + deps.filter((d) => depsPublishing.has(d)).length;
  for (const d of deps) tally(d, depsPublishing.has(d));
  for (const c of communes)
    if (c.type === 'commune-actuelle' && c.region === region && (c.population ?? 0) > 3500) {
      const pub = publishing.has(c.siren ?? '');
      obligees++;
      if (pub) publient++;
      tally(c.departement, pub);
    }
  for (const e of epcis) {
    if ((e.populationMunicipale ?? 0) <= 3500) continue;
    const inDeps = new Set(e.membres.map((m) => depOf.get(m.code)).filter((d): d is string => !!d && deps.includes(d)));
    if (!inDeps.size) continue;
    const pub = publishing.has(e.code);
    obligees++;
    if (pub) publient++;
    for (const d of inDeps) tally(d, pub);
  }
  return { obligees, publient, perDep };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'opendata-coll-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

for (const backend of backends()) {
  describe(`open-data observatory of collectivités (${backend.name})`, {
    skip: missingShared(NATIONAL, JOINED, AIDES),
  }, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    const get = (url: string) => t.app.inject({ method: 'GET', url });
    before(async () => {
      t = await setup(backend);
    });
    after(async () => t.close());

    test('the ODF 2022 list imports; départements and régions are recognised as the hand-made join says', async () => {
      const rows = csvRecords(text(NATIONAL));
      const strategy = await t.ctx.runImport({
        job: 'strategie',
        options: { modele: 'scoran-bfc' },
        startedBy: 'test',
      });
      assert.equal(strategy.status, 'succeeded', strategy.message ?? '');
      const run = await t.ctx.runImport({
        job: 'opendata-collectivites',
        source: shared(NATIONAL),
        options: { date: '2022-12-31' },
        startedBy: 'test',
      });
      assert.equal(run.status, 'succeeded', run.message ?? '');
      assert.equal(run.rows_read, rows.length);
      assert.equal(run.rows_accepted + run.rows_rejected, rows.length);
      // One SIREN of the file sits behind a left-to-right mark (U+200E): it is still read.
      const distinct = new Set(rows.map((r) => r.siren!.replace(/\u200E/g, ''))).size;
      assert.equal(distinct, 1060);
      assert.equal(run.rows_accepted, distinct);
      for (const reg of ['27', '28']) {
        const a = (await get(`/api/v1/donnees/collectivites/region/${reg}`)).json();
        const joined = csvRecords(text(JOINED));
        for (const i of a.items.filter((x: { type: string }) => x.type === 'departement' || x.type === 'region')) {
          const hit = joined.some(
            (r) => r.type_collectivite === (i.type === 'region' ? 'REG' : 'DEP') && r.code === i.code,
          );
          assert.equal(i.publie, hit, `${i.type} ${i.code}`);
        }
      }
    });

    test('the rate of BFC and of each of its départements, recomputed from the files', async () => {
      const exp = expected('27');
      const r = await get('/api/v1/donnees/collectivites/region/27');
      assert.equal(r.statusCode, 200);
      const a = r.json();
      assert.equal(a.obligees, exp.obligees);
      assert.equal(a.publient, exp.publient);
      assert.equal(a.taux, exp.publient / exp.obligees);
      assert.equal(a.items.length, a.obligees);
      for (const k of ['siren', 'nom', 'type', 'population', 'publie', 'jeux', 'derniere_publication'])
        assert.ok(k in a.items[0], k);
      for (const [d, x] of exp.perDep) {
        const b = (await get(`/api/v1/donnees/collectivites/departement/${d}`)).json();
        assert.deepEqual({ obligees: b.obligees, publient: b.publient }, x, `département ${d}`);
      }
      // The rate is recorded as of the list's date and feeds the SCORAN indicator I3.1.
      const ind = (await get('/api/v1/strategies/scoran-bfc/indicateurs')).json();
      const i31 = ind.items.find((i: { code: string }) => i.code === 'I3.1');
      assert.equal(i31.fournisseur, 'donnees.collectivites_ouvertes');
      assert.equal(i31.mesures.length, 1);
      assert.equal(i31.mesures[0].date, '2022-12-31');
      assert.ok(Math.abs(i31.mesures[0].valeur - (100 * exp.publient) / exp.obligees) < 0.001);
      const page = await get('/donnees/collectivites');
      assert.match(page.body, /<caption>Évolution du taux d’ouverture/);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<caption>Taux d’ouverture par département/);
      assert.match(page.body, /Côte-d’Or|Côte-d'Or|Côte-d&#39;Or/);
      assert.match(page.body, /OpenDataFrance/);
      assert.match(page.body, new RegExp(`Collectivités obligées \\(${exp.obligees}\\)`));
      const csv = await get('/donnees/collectivites-opendata.csv');
      assert.equal(csv.statusCode, 200);
      assert.equal(csv.body.trim().split('\r\n').length - 1, exp.obligees);
    });

    test('a status CSV adds counts and dates; an unknown SIREN or a bad value is a rejected row with its reason', async () => {
      const dijon = (require('@etalab/decoupage-administratif/data/communes.json') as Commune[]).find(
        (c) => c.code === '21231',
      )!;
      const file = path.join(tmp, 'statut.csv');
      fs.writeFileSync(
        file,
        `siren,nom,url_plateforme,jeux,derniere_publication\n${dijon.siren},Dijon,https://data.dijon.fr,42,2024-03-01\n999999999,Inconnue,,3,2024-01-01\n${dijon.siren}x,Dijon,,1,\n200070803,CC quelque part,,deux,\n`,
      );
      const run = await t.ctx.runImport({ job: 'opendata-collectivites', source: file, startedBy: 'test' });
      assert.equal(run.status, 'succeeded', run.message ?? '');
      assert.equal(run.rows_accepted, 1);
      assert.equal(run.rows_rejected, 3);
      assert.match(run.rejects.map((x) => x.reason).join('\n'), /SIREN 999999999 inconnu/);
      assert.match(run.rejects.map((x) => x.reason).join('\n'), /SIREN invalide/);
      assert.match(run.rejects.map((x) => x.reason).join('\n'), /nombre de jeux invalide/);
      const a = (await get('/api/v1/donnees/collectivites/departement/21')).json();
      const d = a.items.find((i: { code: string }) => i.code === '21231');
      assert.deepEqual([d.publie, d.jeux, d.derniere_publication], [true, 42, '2024-03-01']);
      // The ODF list is still there: a status file merges, it does not replace.
      const exp = expected('27');
      const b = (await get('/api/v1/donnees/collectivites/region/27')).json();
      assert.ok(b.publient >= exp.publient);
    });

    test('bad input: unknown niveau 400, unknown code 404', async () => {
      assert.equal((await get('/api/v1/donnees/collectivites/commune/21231')).statusCode, 400);
      assert.equal((await get('/api/v1/donnees/collectivites/departement/99')).statusCode, 404);
      assert.equal((await get('/api/v1/donnees/collectivites/region/x')).statusCode, 400);
    });

    test('checksums and sizes: listed once generated, equal to the download; changed only by an import of a source', async () => {
      const listed = async () => {
        const feed = (await get('/donnees/data.json')).json();
        const ds = feed.dataset.find((d: { identifier: string }) => d.identifier.endsWith('/collectivites-opendata'));
        const csv = ds.distribution.find((x: { mediaType: string }) => x.mediaType === 'text/csv');
        const g = (await get('/donnees/catalogue.jsonld')).json();
        const ld = g['dcat:dataset']
          .find((d: { 'dct:identifier': string }) => d['dct:identifier'] === 'collectivites-opendata')
          ['dcat:distribution'].find((x: { 'dct:format': string }) => x['dct:format'] === 'CSV');
        assert.equal(ld['spdx:checksum']['spdx:checksumValue'], csv.checksum.value);
        assert.equal(ld['spdx:checksum']['spdx:algorithm'], 'spdx:checksumAlgorithm_sha256');
        assert.equal(Number(ld['dcat:byteSize']), csv.byteSize);
        return { sha: csv.checksum.value as string, bytes: csv.byteSize as number };
      };
      const body = async () => {
        const r = await get('/donnees/collectivites-opendata.csv');
        assert.equal(r.statusCode, 200);
        assert.equal(Number(r.headers['content-length']), r.rawPayload.length);
        return r.rawPayload;
      };
      const cacheDir = path.join(t.config.dataDir, 'donnees');
      const cached = () => fs.readdirSync(cacheDir).filter((f) => /^collectivites-opendata--.*\.csv$/.test(f));

      const a = await listed();
      const b1 = await body();
      assert.equal(sha256(b1), a.sha);
      assert.equal(b1.length, a.bytes);
      assert.ok(a.bytes > 10_000, `${a.bytes} bytes`);
      const page = (await get('/donnees/collectivites-opendata')).body;
      assert.ok(page.includes(`<code>${a.sha}</code>`), 'checksum on the dataset page');
      const [file] = cached();
      assert.ok(file);
      const mtime = fs.statSync(path.join(cacheDir, file)).mtimeMs;

      // An import of a job the dataset does not derive from: same file, not regenerated.
      const aides = await t.ctx.runImport({
        job: 'aides-territoires',
        source: shared(AIDES),
        options: { territoire: 'france' },
        startedBy: 'test',
      });
      assert.equal(aides.status, 'succeeded', aides.message ?? '');
      assert.deepEqual(await listed(), a);
      assert.deepEqual(cached(), [file]);
      assert.equal(fs.statSync(path.join(cacheDir, file)).mtimeMs, mtime);

      // A new import of its source that changes a figure: new checksum, equal to the new body's.
      const dijon = (require('@etalab/decoupage-administratif/data/communes.json') as Commune[]).find(
        (c) => c.code === '21231',
      )!;
      const status = path.join(tmp, 'statut-2.csv');
      fs.writeFileSync(
        status,
        `siren,nom,url_plateforme,jeux,derniere_publication\n${dijon.siren},Dijon,https://data.dijon.fr,57,2024-06-01\n`,
      );
      const run = await t.ctx.runImport({ job: 'opendata-collectivites', source: status, startedBy: 'test' });
      assert.equal(run.status, 'succeeded', run.message ?? '');
      const c = await listed();
      assert.notEqual(c.sha, a.sha);
      const b2 = await body();
      assert.equal(sha256(b2), c.sha);
      assert.equal(b2.length, c.bytes);
      assert.match(b2.toString('utf8'), /,57,2024-06-01,/);
      assert.equal(cached().length, 1, 'the earlier version is removed');
    });
  });
}
