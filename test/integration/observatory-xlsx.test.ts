import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';
import ExcelJS from 'exceljs';
import { backends, missingShared, setup, shared } from '../helpers.ts';

/**
 * No XLSX of ARCEP's quarterly observatory is in the shared data: the workbook is rebuilt here
 * with exceljs from the real CSV exports of its sheets (same title lines, header and quarter
 * columns; numbers as numeric cells, as Excel stores them), for the BFC départements.
 */
const BFC = ['21', '25', '39', '58', '70', '71', '89', '90'];
const arcep = (sheet: string) => shared('arcep-fixe', `arcep-obs-thd-2018t1-${sheet}.csv.gz`);
const csvRows = (sheet: string) =>
  zlib
    .gunzipSync(fs.readFileSync(arcep(sheet)))
    .toString('utf8')
    .split(/\r?\n/)
    .filter((l) => l.length)
    .map((l) => l.split(','));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'obs-xlsx-'));

const isCount = (s: string) => /^\s*(\d[\d ]*|-)\s*$/.test(s);
const cell = (s: string, numeric: boolean) => {
  if (!numeric) return s.trim();
  const t = s.trim();
  if (t === '-') return '-';
  return isCount(t) ? Number(t.replace(/\s/g, '')) : t;
};

async function buildWorkbook(
  file: string,
  o: { skip?: string[]; textCell?: { sheet: string; row: number; col: number; value: string } } = {},
) {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('Lisez-moi').addRows([
    ['Le marché du haut et très haut débit fixe (déploiements)'],
    ['Source : Arcep, T1 2018. Licence Ouverte.'],
  ]);
  const sheets: [string, (r: string[]) => boolean, number][] = [
    ['ftthCommunes', (r) => BFC.includes(r[0]!.slice(0, 2)), 2],
    ['communes', (r) => BFC.includes(r[0]!.slice(0, 2)), 5],
    ['ftthDepartements', () => true, 2],
    ['departements', () => true, 3],
  ];
  for (const [name, keep, firstNumeric] of sheets) {
    if (o.skip?.includes(name)) continue;
    const rows = csvRows(name);
    const ws = wb.addWorksheet(name);
    for (const r of rows.slice(0, 4)) ws.addRow(r.filter((c) => c !== ''));
    ws.addRow(rows[4]);
    for (const r of rows.slice(5).filter(keep)) {
      ws.addRow(
        r.map((c, i) =>
          cell(c, i >= firstNumeric && !/^OI /.test(rows[4]![i] ?? '') && !/Engagements/.test(rows[4]![i] ?? '')),
        ),
      );
    }
    if (o.textCell?.sheet === name) ws.getRow(o.textCell.row).getCell(o.textCell.col).value = o.textCell.value;
  }
  await wb.xlsx.writeFile(file);
  return file;
}

function publishedDept(): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (const r of csvRows('ftthDepartements').slice(5))
    if (r[1] === 'Locaux Raccordables') m.set(r[0]!, r.slice(2).map(Number));
  return m;
}

for (const backend of backends()) {
  describe(`observatory: the ARCEP workbook (XLSX) (${backend.name})`, {
    skip: missingShared(
      'arcep-fixe/arcep-obs-thd-2018t1-ftthCommunes.csv.gz',
      'arcep-fixe/arcep-obs-thd-2018t1-communes.csv.gz',
      'arcep-fixe/arcep-obs-thd-2018t1-ftthDepartements.csv.gz',
      'arcep-fixe/arcep-obs-thd-2018t1-departements.csv.gz',
    ),
  }, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    const get = (url: string) => t.app.inject({ method: 'GET', url });
    const imp = (source: string) =>
      t.ctx.runImport({ job: 'arcep-deploiements', source, startedBy: 'test', force: true });
    const snapshot = async () =>
      (
        await t.db.query<{ n: number; s: number }>(
          `SELECT count(*)::int AS n, coalesce(sum(coalesce(locaux_raccordables, 0) + coalesce(locaux, 0)), 0)::float8 AS s FROM obs_serie`,
        )
      ).rows[0];

    before(async () => {
      t = await setup(backend);
    });
    after(async () => {
      await t.close();
    });

    test('a workbook built from the real sheets imports; sheets are recognised from their content', async () => {
      const run = await imp(await buildWorkbook(path.join(tmp, `observatoire-${backend.name}.xlsx`)));
      assert.equal(run.status, 'succeeded', run.message ?? '');
      assert.match(run.message!, /ftthCommunes : \d+ communes × 3 trimestres \(2017-T3, 2017-T4, 2018-T1\)/);
      assert.match(run.message!, /feuilles ignorées \(non reconnues\) : Lisez-moi/);
      assert.equal(run.rows_rejected, 0);
      const pub = publishedDept();
      for (const d of BFC) {
        const api = (await get(`/api/v1/observatoire/fixe/departement/${d}`)).json();
        const ftth = api.series.filter((s: { jeu: string }) => s.jeu === 'arcep-deploiements');
        assert.deepEqual(
          ftth.map((s: { locaux_raccordables: number }) => s.locaux_raccordables),
          pub.get(d),
          `département ${d}`,
        );
        // The workbook publishes each département's totals: they are the ones shown, and say so.
        assert.equal(ftth[2].denominateur_taux_ftth, 'locaux_arcep');
        assert.equal(ftth[2].origine, 'arcep');
      }
      const ctrl = (await get('/api/v1/observatoire/controle?niveau=departement&periode=2018-T1')).json();
      for (const d of BFC) assert.equal(ctrl.lignes.find((l: { code: string }) => l.code === d).ecart, 0);
      // Informations: the commune sheet's dwellings summed here equal the platform's figure (ARCEP's own
      // département sheet says 70 757 for the Territoire de Belfort: its sheets differ by a few units).
      const num = (s: string) => (s.trim() === '-' ? 0 : Number(s.replace(/\s/g, '')));
      const sum90 = csvRows('communes')
        .slice(5)
        .filter((r) => r[3] === '90')
        .reduce((a, r) => a + num(r[5]!), 0);
      const belfort = (await get('/api/v1/observatoire/fixe/departement/90')).json().series[2];
      assert.equal(belfort.logements, sum90);
    });

    test('a workbook with a missing sheet fails with the sheet named; the history is unchanged', async () => {
      const before0 = await snapshot();
      assert.ok(before0!.n > 0);
      const run = await imp(
        await buildWorkbook(path.join(tmp, `sans-communes-${backend.name}.xlsx`), { skip: ['communes'] }),
      );
      assert.equal(run.status, 'failed');
      assert.match(run.message!, /Feuille manquante dans le classeur .*« Informations à l’échelle de la commune »/);
      assert.match(run.message!, /données déjà chargées n'ont pas été modifiées/);
      assert.deepEqual(await snapshot(), before0);
    });

    test('text in a number cell of the workbook rejects that row with its line and column', async () => {
      const run = await imp(
        await buildWorkbook(path.join(tmp, `texte-${backend.name}.xlsx`), {
          textCell: { sheet: 'ftthCommunes', row: 6, col: 5, value: 'n.d.' },
        }),
      );
      assert.equal(run.status, 'succeeded', run.message ?? '');
      assert.equal(run.rows_rejected, 1);
      assert.equal(run.rejects[0]!.line, 6);
      assert.match(
        run.rejects[0]!.reason,
        /Feuille « ftthCommunes » : Valeur non numérique « n\.d\. » pour T1 2018 \(colonne E\)/,
      );
    });
  });
}
