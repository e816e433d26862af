import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { userByEmail } from '../../src/accounts/queries.ts';
import { createUser, openSession } from '../../src/accounts/service.ts';
import { backends, missingShared, setup, shared } from '../helpers.ts';

const T4 = 'arcep-mobile/sites-mobiles-2023t4-normandie-orange.csv.gz';

// ARCEP's "zones à couvrir" layout and its published example row (data README §13, from ARCEP's Mon réseau
// mobile v2 code). The second row, in Côte-d'Or, is made up for this test in the same layout.
const HEADER =
  'num_arrete;date_publication_arrete;numero_site;nom_site_operateurs;site_physique;numero_site_physique;nom_site_arrete;id_dossier;nom_de_la_zone;region;departement;insee_dep;x_lambert_93;y_lambert_93;20801;20810;20815;20820;op_leader;sites_demandes;sites_mes;sites_6_mois;sites_6_24_mois;sites_attente_deploiement;origine_zone;num_zone_arrete';
const EXAMPLE =
  '2018-1;2018-07-08;1;ZPG64601;1;1;NA;1;AAST;NOUVELLE-AQUITAINE;PYRÉNÉES-ATLANTIQUES;64;448967;6247417;1;1;1;1;20815;1;1;0;0;0;ZBCB;1';
const COTE_DOR =
  '2019-2;2019-01-15;7;ZPG21007;1;7;NA;7;VAL-SUZON;BOURGOGNE-FRANCHE-COMTE;COTE-D-OR;21;846000;6700000;0;1;0;0;20810;1;0;0;1;0;DCC;7';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mobile-dcc-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

for (const backend of backends()) {
  describe(`targeted coverage list (${backend.name})`, { skip: missingShared(T4) }, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    const get = (url: string, cookie = '') => t.app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} });
    const login = async (email: string, dep: string | null, role: 'editeur' | 'administrateur') => {
      const org = dep
        ? (
            await t.db.query<{ id: number }>(
              `INSERT INTO organisation (nom, type, territoire_niveau, territoire_code) VALUES ($1, 'departement', 'departement', $2) RETURNING id`,
              [`Département ${dep} ${email}`, dep],
            )
          ).rows[0]!.id
        : null;
      await createUser(
        t.db,
        { id: null, label: 'test' },
        { email, nom: email, motDePasse: 'correct horse battery', role, organisationId: org },
      );
      return `pan_session=${(await openSession(t.db, (await userByEmail(t.db, email))!)).token}`;
    };
    const post = async (cookie: string, url: string, form: Record<string, string | string[]>) => {
      const page = await get('/observatoire/mobile/couverture-ciblee', cookie);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
      const body = new URLSearchParams({ _csrf: csrf });
      for (const [k, v] of Object.entries(form)) for (const x of [v].flat()) body.append(k, x);
      return t.app.inject({
        method: 'POST',
        url,
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: body.toString(),
      });
    };

    before(async () => {
      t = await setup(backend);
    });
    after(async () => t.close());

    test('ARCEP’s layout: decree, designated operators, 24-month deadline, status, rejects with lines', async () => {
      const file = path.join(tmp, 'zones_a_couvrir.csv');
      fs.writeFileSync(
        file,
        `${HEADER}\n${EXAMPLE}\n${COTE_DOR}\n${COTE_DOR.replace(';21;', ';99;').replace(';7;', ';8;')}\n`,
      );
      const run = await t.ctx.runImport({ job: 'couverture-ciblee', source: file, startedBy: 'test' });
      assert.equal(run.status, 'succeeded', run.message ?? '');
      assert.equal(run.rows_accepted, 2);
      assert.deepEqual(
        run.rejects.map((r) => [r.line, r.reason]),
        [[4, 'département « 99 » inconnu']],
      );
      const rows = (
        await t.db.query<Record<string, unknown>>(
          `SELECT cle, departement, operateurs, operateur_leader, to_char(echeance, 'YYYY-MM-DD') AS echeance, statut
           FROM mobile_dcc ORDER BY cle`,
        )
      ).rows;
      assert.deepEqual(rows, [
        {
          cle: 'arcep:2018-1:1',
          departement: '64',
          operateurs: ['orange', 'sfr', 'bouygues', 'free'],
          operateur_leader: 'free',
          echeance: '2020-07-08',
          statut: 'en_service',
        },
        {
          cle: 'arcep:2019-2:7',
          departement: '21',
          operateurs: ['sfr'],
          operateur_leader: 'sfr',
          echeance: '2021-01-15',
          statut: 'arrete',
        },
      ]);
      // The région's page: only its départements, the late item flagged, counts by status and year.
      const page = await get('/observatoire/mobile/couverture-ciblee');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /VAL-SUZON/);
      assert.doesNotMatch(page.body, /AAST/);
      assert.match(page.body, /échéance dépassée<\/p>/);
      assert.match(
        page.body,
        /<th scope="row">Côte-d&#39;Or \(21\)<\/th><td>2019<\/td><td class="pan-num">0<\/td><td class="pan-num">1<\/td>/,
      );
    });

    test('an editor of the département’s organisation enters a site and follows it to « en service »', async () => {
      const cote = await login('ed@cotedor.fr', '21', 'editeur');
      const doubs = await login('ed@doubs.fr', '25', 'editeur');
      const anonymous = await t.app.inject({
        method: 'POST',
        url: '/observatoire/mobile/couverture-ciblee',
        payload: 'nom_zone=x',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(anonymous.statusCode, 403, 'no CSRF token for a visitor: refused before anything');
      const created = await post(cote, '/observatoire/mobile/couverture-ciblee', {
        nom_zone: 'Combe de Lavaux',
        departement: '25',
        communes: '21231',
        operateurs: ['orange', 'free'],
        arrete_reference: '2024-3',
        arrete_date: '2024-02-29',
        echeance: '',
      });
      assert.equal(created.statusCode, 303, created.body);
      const url = String(created.headers.location);
      const id = Number(url.split('/').pop());
      const row = (
        await t.db.query<{ departement: string; echeance: string; statut: string }>(
          `SELECT departement, to_char(echeance, 'YYYY-MM-DD') AS echeance, statut FROM mobile_dcc WHERE id = $1`,
          [id],
        )
      ).rows[0]!;
      assert.deepEqual(
        row,
        { departement: '21', echeance: '2026-03-01', statut: 'arrete' },
        'the editor’s own département',
      );
      assert.equal((await post(doubs, `${url}/statut`, { statut: 'en_service', statut_date: '' })).statusCode, 403);
      for (const [statut, date] of [
        ['en_construction', '2025-05-01'],
        ['en_service', '2025-11-20'],
      ])
        assert.equal((await post(cote, `${url}/statut`, { statut: statut!, statut_date: date! })).statusCode, 303);
      const bad = await post(cote, `${url}/statut`, { statut: 'termine', statut_date: '' });
      assert.equal(bad.statusCode, 400);
      const page = await get(url, cote);
      assert.match(page.body, /en service \(20 novembre 2025\)/);
      assert.match(page.body, /en construction au 1er mai 2025/);
      const hist = await t.db.query('SELECT 1 FROM mobile_dcc_historique WHERE dcc_id = $1', [id]);
      assert.equal(hist.rows.length, 3);
      const journal = await t.db.query(`SELECT 1 FROM journal_audit WHERE objet_type = 'site_dcc' AND objet_id = $1`, [
        String(id),
      ]);
      assert.equal(journal.rows.length, 3);
    });

    test('the CSV export imports back without duplicates or changes', async () => {
      const csv = await get('/observatoire/mobile/couverture-ciblee.csv');
      assert.equal(csv.statusCode, 200);
      const before = (await t.db.query('SELECT id, statut, echeance FROM mobile_dcc ORDER BY id')).rows;
      const file = path.join(tmp, 'export.csv');
      fs.writeFileSync(file, csv.body);
      const run = await t.ctx.runImport({ job: 'couverture-ciblee', source: file, startedBy: 'test' });
      assert.equal(run.status, 'succeeded', run.message ?? '');
      assert.equal(run.rows_rejected, 0);
      assert.match(run.message ?? '', /dont 0 nouvelle/);
      assert.deepEqual((await t.db.query('SELECT id, statut, echeance FROM mobile_dcc ORDER BY id')).rows, before);
    });

    test('a zone in service is matched to an ARCEP site suggested nearby and confirmed by the editor', async () => {
      const sites = await t.ctx.runImport({ job: 'sites-mobiles', source: shared(T4), startedBy: 'test' });
      assert.equal(sites.status, 'succeeded', sites.message ?? '');
      const calvados = await login('ed@calvados.fr', '14', 'editeur');
      const created = await post(calvados, '/observatoire/mobile/couverture-ciblee', {
        nom_zone: 'Caen nord',
        communes: '14118',
        operateurs: 'orange',
        arrete_reference: '',
        arrete_date: '',
        echeance: '',
      });
      assert.equal(created.statusCode, 303, created.body);
      const url = String(created.headers.location);
      const page = await get(url, calvados);
      // Suggestions: Orange sites of the 2023 T4 file in Caen (14118), as the file lists them.
      const inCaen = (
        await t.db.query<{ num_site: string }>(
          `SELECT num_site FROM mobile_site WHERE commune = '14118' AND operateur = 'orange' ORDER BY num_site`,
        )
      ).rows.map((r) => r.num_site);
      assert.ok(inCaen.length > 0);
      assert.match(page.body, /Sites de l’Arcep proches \(suggestion\)/);
      const suggested = [...page.body.matchAll(/<option value="([^"]+)">\1<\/option>/g)].map((m) => m[1]!);
      assert.deepEqual(suggested, inCaen.slice(0, 10));
      const done = await post(calvados, `${url}/statut`, {
        statut: 'en_service',
        statut_date: '2024-01-10',
        site_arcep: inCaen[0]!,
      });
      assert.equal(done.statusCode, 303);
      const after = await get(url, calvados);
      assert.match(after.body, new RegExp(`<strong>${inCaen[0]}</strong> \\(confirmé\\)`));
    });
  });
}
