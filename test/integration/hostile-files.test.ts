import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';
import ExcelJS from 'exceljs';
import { createUser } from '../../src/accounts/service.ts';
import { backends, cookieHeader, cookiesOf, csrfIn, missingShared, setup, shared } from '../helpers.ts';

/**
 * Damaged and hostile files, each reproducing a report of issue 9: the run fails with a French
 * reason, the process lives, and nothing stored changes.
 */
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pan-hostile-'));
const FTHD = shared('arcep-fixe', 'france-thd-operateurs-satellite-4g-par-departement-2024.csv.gz');
const LOGEMENTS = shared('logements', 'insee-rp2021-logements-communes-bfc-normandie.csv.gz');
const FTTH_COMMUNES = shared('arcep-fixe', 'arcep-obs-thd-2018t1-ftthCommunes.csv.gz');

const write = (name: string, bytes: Buffer | string) => {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, bytes);
  return p;
};
const gunzip = (p: string) => zlib.gunzipSync(fs.readFileSync(p));

for (const backend of backends()) {
  describe(`hostile files (${backend.name})`, {
    skip: missingShared(
      'arcep-fixe/france-thd-operateurs-satellite-4g-par-departement-2024.csv.gz',
      'logements/insee-rp2021-logements-communes-bfc-normandie.csv.gz',
      'arcep-fixe/arcep-obs-thd-2018t1-ftthCommunes.csv.gz',
    ),
  }, () => {
    // Small caps so that the bombs below stay cheap to build: 1 MB uploads, hence 10 MB decompressed.
    let t: Awaited<ReturnType<typeof setup>>;
    before(async () => {
      t = await setup(backend, { UPLOAD_MAX_MB: '1' });
    });
    after(async () => {
      await t.close();
    });

    const count = async (table: string) =>
      (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;

    test('a truncated .gz fails the run with a French reason; the process lives and stored offers stay', async () => {
      const ok = await t.ctx.runImport({ job: 'offres-repli', source: FTHD, startedBy: 'test' });
      assert.equal(ok.status, 'succeeded', ok.message ?? '');
      const before = await count('offre_repli');
      const cut = write('operateurs-tronque.csv.gz', fs.readFileSync(FTHD).subarray(0, 1500));
      for (const job of [
        'offres-repli',
        'mci-immeubles',
        'mci-eligibilite',
        'mci-operateurs',
        'fibre-immeubles',
        'adresses',
        'mci-communes',
      ]) {
        const run = await t.ctx.runImport({ job, source: cut, startedBy: 'test', force: true });
        assert.equal(run.status, 'failed', `${job}: ${run.message}`);
        assert.match(run.message ?? '', /tronqué|en-tête|colonnes|format/i, `${job}: ${run.message}`);
        assert.doesNotMatch(run.message ?? '', /Z_BUF_ERROR|unexpected end/i);
      }
      assert.equal(await count('offre_repli'), before);
      assert.equal((await t.app.inject({ method: 'GET', url: '/api/health' })).statusCode, 200);
    });

    test('the same truncated .gz uploaded from the admin page: the run fails, the server answers', async () => {
      const password = 'Vingt-trois girafes dansent sous la pluie de 1987';
      await createUser(
        t.db,
        { id: null, label: 'test' },
        { email: 'admin@region.fr', nom: 'Admin', motDePasse: password, role: 'administrateur', organisationId: null },
      );
      const form = await t.app.inject({ method: 'GET', url: '/connexion' });
      const jar = cookiesOf(form);
      const login = await t.app.inject({
        method: 'POST',
        url: '/connexion',
        headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          _csrf: csrfIn(form.body),
          email: 'admin@region.fr',
          motDePasse: password,
        }).toString(),
      });
      Object.assign(jar, cookiesOf(login));
      const page = await t.app.inject({ method: 'GET', url: '/admin/imports', headers: { cookie: cookieHeader(jar) } });
      const csrf = /action="\/admin\/imports\?_csrf=([^"]+)"/.exec(page.body)?.[1];
      assert.ok(csrf, 'upload form');
      const b = '----pan';
      const body = Buffer.concat([
        Buffer.from(
          `--${b}\r\nContent-Disposition: form-data; name="job"\r\n\r\noffres-repli\r\n--${b}\r\nContent-Disposition: form-data; name="fichier"; filename="operateurs.csv.gz"\r\nContent-Type: application/gzip\r\n\r\n`,
        ),
        fs.readFileSync(FTHD).subarray(0, 1500),
        Buffer.from(`\r\n--${b}--\r\n`),
      ]);
      const r = await t.app.inject({
        method: 'POST',
        url: `/admin/imports?_csrf=${csrf}`,
        headers: { cookie: cookieHeader(jar), 'content-type': `multipart/form-data; boundary=${b}` },
        payload: body,
      });
      assert.ok(r.statusCode < 500, `${r.statusCode}`);
      // The upload answers before the run is recorded, and before it ends: wait for both.
      const ended = () =>
        t.db.query<{ status: string; message: string }>(
          `SELECT status, message FROM import_run WHERE job = 'offres-repli' AND source LIKE '%operateurs.csv.gz%' ORDER BY id DESC LIMIT 1`,
        );
      let runs = await ended();
      for (let i = 0; i < 600 && (!runs.rows[0] || runs.rows[0].status === 'running'); i++) {
        await new Promise((res) => setTimeout(res, 50));
        runs = await ended();
      }
      assert.equal(runs.rows[0]?.status, 'failed');
      assert.match(runs.rows[0]!.message, /tronqué/);
      assert.equal((await t.app.inject({ method: 'GET', url: '/api/health' })).statusCode, 200);
    });

    test('a last line cut mid-row is a truncation: logements-insee and arcep-deploiements fail', async () => {
      const text = gunzip(LOGEMENTS).toString('utf8');
      const lines = text.split('\n');
      const cutRow = lines[273]!.split(';').slice(0, 3).join(';');
      const logements = write('logements-tronque.csv', `${lines.slice(0, 273).join('\n')}\n${cutRow}`);
      const run = await t.ctx.runImport({ job: 'logements-insee', source: logements, startedBy: 'test' });
      assert.equal(run.status, 'failed', run.message ?? '');
      assert.match(run.message ?? '', /tronqué/);
      assert.equal(await count('obs_logements_insee'), 0);

      const ftth = gunzip(FTTH_COMMUNES).toString('utf8');
      const at = ftth.indexOf('21540,Catégorie,');
      const arcep = write('ftthCommunes-tronque.csv', ftth.slice(0, at + '21540,Catégorie,'.length));
      const run2 = await t.ctx.runImport({ job: 'arcep-deploiements', source: arcep, startedBy: 'test' });
      assert.equal(run2.status, 'failed', run2.message ?? '');
      assert.match(run2.message ?? '', /tronqué/);
      assert.equal(await count('obs_ftth_brut'), 0);
    });

    test('a gzip bomb is stopped at the decompressed-size cap, a line without end at the line cap', async () => {
      // 16 MB of valid-looking rows (gzipped to a few tens of KB) against the 10 MB cap.
      const header =
        'code_insee;nom_com;code_dep;code_reg;nbr;type;inel_hd;elig_hd05;elig_hd3;elig_bhd8;elig_thd30;elig_thd100;elig_thd1g;date\n';
      const lines = zlib.gzipSync(
        Buffer.from(header + '14001;Ablon;14;28;726;all;0;726;726;726;726;135;135;2022-12-31\n'.repeat(300_000)),
      );
      const bomb = write('bombe-lignes.csv.gz', lines);
      const run = await t.ctx.runImport({ job: 'mci-communes', source: bomb, startedBy: 'test' });
      assert.equal(run.status, 'failed', run.message ?? '');
      assert.match(run.message ?? '', /décompressé.*dépasse|dépasse.*décompressé/);
      // 2 MB of zeros without a newline (the report used 4 GB) as addresses and as MCI communes.
      const zeros = write('zeros.csv.gz', zlib.gzipSync(Buffer.alloc(2 << 20, 0x30)));
      for (const job of ['adresses', 'mci-communes', 'offres-repli', 'arcep-deploiements']) {
        const r = await t.ctx.runImport({ job, source: zeros, startedBy: 'test', force: true });
        assert.equal(r.status, 'failed', `${job}: ${r.message}`);
        assert.match(r.message ?? '', /ligne.*dépasse/, `${job}: ${r.message}`);
      }
    });

    test('workbooks: a cut XLSX and a ZIP declaring more than the cap once inflated fail before ExcelJS reads them', async () => {
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('ftthCommunes');
      for (const line of gunzip(FTTH_COMMUNES).toString('utf8').split('\n').slice(0, 200)) ws.addRow(line.split(','));
      const full = path.join(tmp, 'observatoire.xlsx');
      await wb.xlsx.writeFile(full);
      const cut = write('observatoire-coupe.xlsx', fs.readFileSync(full).subarray(0, 3000));
      const run = await t.ctx.runImport({ job: 'arcep-deploiements', source: cut, startedBy: 'test' });
      assert.equal(run.status, 'failed', run.message ?? '');
      assert.match(run.message ?? '', /incomplet ou endommagé/);
      // The central directory says 600 MB once inflated (a bomb's shape): refused from the directory alone.
      const bomb = Buffer.from(fs.readFileSync(full));
      const dir = bomb.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
      bomb.writeUInt32LE(600 << 20, dir + 24);
      const run2 = await t.ctx.runImport({
        job: 'arcep-deploiements',
        source: write('bombe.xlsx', bomb),
        startedBy: 'test',
      });
      assert.equal(run2.status, 'failed', run2.message ?? '');
      assert.match(run2.message ?? '', /plus de 10 Mo une fois décompressé/);
      assert.equal(await count('obs_ftth_brut'), 0);
    });

    test('binary input: the run fails with a message free of NUL bytes and is never left running', async () => {
      const bin = write(
        'binaire.csv',
        Buffer.concat([
          Buffer.from('insee_dep\0operateur\0'),
          Buffer.alloc(64, 0),
          Buffer.from('\xff\xfe\n1;2;3\n', 'latin1'),
        ]),
      );
      for (const job of [
        'offres-repli',
        'mci-immeubles',
        'fibre-immeubles',
        'adresses',
        'mci-communes',
        'logements-insee',
        'arcep-deploiements',
        'contours',
      ]) {
        const run = await t.ctx.runImport({
          job,
          source: bin,
          startedBy: 'test',
          force: true,
          options: job === 'contours' ? { niveau: 'commune' } : undefined,
        });
        assert.equal(run.status, 'failed', `${job}: ${run.message}`);
        assert.ok(!(run.message ?? '').includes('\0'), job);
        assert.ok(!JSON.stringify(run.rejects).includes('\\u0000'), job);
      }
      assert.equal((await t.db.query(`SELECT 1 FROM import_run WHERE status = 'running'`)).rows.length, 0);
    });
  });
}
