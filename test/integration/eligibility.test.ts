import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { createUser } from '../../src/accounts/service.ts';
import { distanceM } from '../../src/eligibility/coords.ts';
import { rematchCommunes, staleCommunes } from '../../src/eligibility/match-db.ts';
import { backends, cookieHeader, cookiesOf, csrfIn, missingShared, setup, shared } from '../helpers.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'eligibility');
const fixture = (f: string) => path.join(FIXTURES, f);
const FTHD = shared('arcep-fixe', 'france-thd-operateurs-satellite-4g-par-departement-2024.csv.gz');
const BAL = shared('addresses', 'bal-54084-mont-bonvillers-fixture.csv.gz');
const MCI_COMMUNES = shared('arcep-fixe', 'mci-commune-debit-2022t4-national.csv.gz');
const FTTH_COMMUNES = shared('arcep-fixe', 'arcep-obs-thd-2018t1-ftthCommunes.csv.gz');
const INFO_COMMUNES = shared('arcep-fixe', 'arcep-obs-thd-2018t1-communes.csv.gz');

/** The real BAL rows, read independently of the importers, to compute expectations. */
function balRows() {
  const lines = zlib.gunzipSync(fs.readFileSync(BAL)).toString('utf8').trim().split('\n');
  const head = lines[0]!.split(';');
  return lines
    .slice(1)
    .map((l) => Object.fromEntries(l.split(';').map((v, i) => [head[i]!, v])) as Record<string, string>);
}
/** The real France THD rows of a département, read independently. */
function fthdRows(dep: string) {
  return zlib
    .gunzipSync(fs.readFileSync(FTHD))
    .toString('utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','))
    .filter((f) => f[0] === dep);
}

for (const backend of backends()) {
  describe(`eligibility at the address (${backend.name})`, {
    skip: missingShared(
      'arcep-fixe/france-thd-operateurs-satellite-4g-par-departement-2024.csv.gz',
      'addresses/bal-54084-mont-bonvillers-fixture.csv.gz',
      'arcep-fixe/mci-commune-debit-2022t4-national.csv.gz',
      'arcep-fixe/arcep-obs-thd-2018t1-ftthCommunes.csv.gz',
      'arcep-fixe/arcep-obs-thd-2018t1-communes.csv.gz',
      'arcep-fixe/mci-base-imb-nantes-centre-2022.csv.gz',
    ),
  }, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    const answer = async (id: string) => {
      const r = await t.app.inject({ method: 'GET', url: `/api/v1/eligibilite?adresse_id=${encodeURIComponent(id)}` });
      assert.equal(r.statusCode, 200, r.body);
      return r.json();
    };
    before(async () => {
      t = await setup(backend);
    });
    after(async () => {
      await t.close();
    });

    test('offres-repli imports the real France THD file: one row per partner, territories without offer kept', async () => {
      const run = await t.ctx.runImport({ job: 'offres-repli', source: FTHD, startedBy: 'test' });
      assert.equal(run.status, 'succeeded', run.message ?? '');
      assert.equal(run.rows_read, 586);
      assert.equal(run.rows_rejected, 0, JSON.stringify(run.rejects));
      const all = zlib
        .gunzipSync(fs.readFileSync(FTHD))
        .toString('utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(','));
      const offers = all.filter((f) => f[4]);
      const n = await t.db.query<{ n: number; aides: number }>(
        'SELECT count(*)::int AS n, count(*) FILTER (WHERE aide_etat)::int AS aides FROM offre_repli',
      );
      assert.equal(n.rows[0]!.n, offers.length);
      assert.equal(n.rows[0]!.aides, offers.filter((f) => f[6] === 'Oui').length);
      const abs = await t.db.query<{ departement: string }>('SELECT departement FROM offre_repli_absence ORDER BY 1');
      assert.deepEqual(
        abs.rows.map((r) => r.departement),
        all
          .filter((f) => !f[4])
          .map((f) => f[0])
          .sort(),
      );
      const nordnet21 = await t.db.query<{
        satellite: boolean;
        quatre_g: boolean;
        thd_radio: boolean;
        aide_etat: boolean;
      }>(
        `SELECT satellite, quatre_g, thd_radio, aide_etat FROM offre_repli WHERE departement = '21' AND operateur = 'Nordnet'`,
      );
      assert.deepEqual(nordnet21.rows[0], { satellite: true, quatre_g: true, thd_radio: true, aide_etat: true });
    });

    test('bad input: unknown address 404, malformed id 400, missing id 400 — JSON, no stack', async () => {
      const unknown = await t.app.inject({ method: 'GET', url: '/api/v1/eligibilite?adresse_id=54084_9999_99999' });
      assert.equal(unknown.statusCode, 404);
      assert.equal(unknown.json().erreur.code, 'INTROUVABLE');
      assert.match(unknown.json().erreur.message, /54084_9999_99999/);
      for (const bad of ['%3Cscript%3E', "1'%20OR%201=1", 'x'.repeat(2000), '', '%00abc']) {
        const r = await t.app.inject({ method: 'GET', url: `/api/v1/eligibilite?adresse_id=${bad}` });
        assert.equal(r.statusCode, 400, `${bad.slice(0, 20)} → ${r.statusCode}`);
        assert.equal(r.json().erreur.code, 'REQUETE_INVALIDE');
        assert.doesNotMatch(r.body, /at .*\.ts:\d+/);
      }
      assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/eligibilite' })).statusCode, 400);
      assert.ok((await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json().paths['/api/v1/eligibilite']);
      const page = await t.app.inject({ method: 'GET', url: '/eligibilite/adresse/54084_9999_99999' });
      assert.equal(page.statusCode, 404);
      assert.match(page.headers['content-type'] as string, /text\/html/);
    });

    test('commune precision for a real address when no building data was imported, with the observatory figure', async () => {
      const addr = await t.ctx.runImport({ job: 'adresses', source: BAL, startedBy: 'test' });
      assert.equal(addr.status, 'succeeded', addr.message ?? '');
      const obs = await t.ctx.runImport({ job: 'mci-communes', source: MCI_COMMUNES, startedBy: 'test' });
      assert.equal(obs.status, 'succeeded', obs.message ?? '');
      for (const f of [FTTH_COMMUNES, INFO_COMMUNES]) {
        const r = await t.ctx.runImport({
          job: 'arcep-deploiements',
          source: f,
          options: { departements: '54', trimestre: '2018-T1' },
          startedBy: 'test',
        });
        assert.equal(r.status, 'succeeded', r.message ?? '');
      }
      const e = await answer('54084_0200_00004');
      assert.equal(e.precision, 'commune');
      assert.match(e.message, /Aucune donnée à l’immeuble n’a été importée pour la commune de Mont-Bonvillers/);
      assert.deepEqual(e.technologies, []);
      assert.equal(e.thd_filaire, null);
      assert.equal(e.fibre, null);
      assert.match(e.adresse.label, /^4 Rue Joffre, (\d{5} )?Mont-Bonvillers$/);
      // Fallback offers of the département, applicability unknown at commune precision.
      assert.equal(e.offres_repli.applicable, null);
      assert.deepEqual(
        e.offres_repli.offres.map((o: { operateur: string }) => o.operateur).sort(),
        fthdRows('54')
          .map((f) => f[3])
          .sort(),
      );
      // The observatory's commune figure (2022 T4 national file: 54084 nbr 567, elig_thd100 550).
      const line = zlib
        .gunzipSync(fs.readFileSync(MCI_COMMUNES))
        .toString('utf8')
        .split('\n')
        .find((l) => l.startsWith('54084;'))!
        .split(';');
      assert.equal(e.commune.statistiques.locaux, Number(line[4]));
      const thd100 = e.commune.statistiques.paliers.find((p: { champ: string }) => p.champ === 'elig_thd100');
      assert.equal(thd100.locaux, Number(line[11]));
      // FttH premises connectable (ARCEP quarterly observatory, 2018 T1) over premises (logements + établissements).
      const ftth = zlib
        .gunzipSync(fs.readFileSync(FTTH_COMMUNES))
        .toString('utf8')
        .split('\n')
        .find((l) => l.startsWith('54084,Locaux Raccordables'))!
        .split(',');
      const info = zlib
        .gunzipSync(fs.readFileSync(INFO_COMMUNES))
        .toString('utf8')
        .split('\n')
        .find((l) => l.startsWith('54084,'))!
        .split(',');
      assert.deepEqual(e.commune.statistiques.fibre, {
        periode: '2018-T1',
        locaux_raccordables: Number(ftth[4]),
        locaux: Number(info[5]) + Number(info[6]),
        part: Number(ftth[4]) / (Number(info[5]) + Number(info[6])),
      });
      const page = await t.app.inject({ method: 'GET', url: '/eligibilite/adresse/54084_0200_00004' });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Réponse à l’échelle de la commune/);
      // …but the page does not put a 2018 FttH share beside the 2022 speed classes.
      assert.doesNotMatch(page.body, /raccordables à la fibre \(2018-T1\)/);
      assert.match(page.body, /ce sont des chiffres de la commune, pas de votre adresse/i);
      const pct = new Intl.NumberFormat('fr-FR', { style: 'percent', maximumFractionDigits: 1 }).format(
        Number(line[11]) / Number(line[4]),
      );
      assert.ok(
        page.body.includes(
          `Dans votre commune, <strong>${pct}</strong> des locaux sont éligibles à un débit au moins 100 Mbit/s`,
        ),
        pct,
      );
      assert.doesNotMatch(page.body, /Technologies disponibles à cette adresse/);
    });

    test('mci-immeubles: EPSG:3857 and WGS84 coordinates, rejects with line numbers, ARCEP matching', async () => {
      const run = await t.ctx.runImport({
        job: 'mci-immeubles',
        source: fixture('base_imb_54.csv'),
        startedBy: 'test',
      });
      assert.equal(run.status, 'succeeded', run.message ?? '');
      assert.equal(run.rows_read, 8);
      assert.equal(run.rows_accepted, 5);
      assert.deepEqual(
        run.rejects.map((r) => r.line),
        [7, 8, 9],
      );
      assert.match(run.rejects[0]!.reason, /code commune inconnu : 99999/);
      assert.match(run.rejects[1]!.reason, /coordonnées/);
      assert.match(run.rejects[2]!.reason, /en double/);
      assert.match(run.message ?? '', /rapprochement aux adresses : 5\/5 immeubles/);
      const b = Object.fromEntries(
        (
          await t.db.query<{ imb_id: string; adresse_id: string; appariement: string; distance_m: number }>(
            'SELECT imb_id, adresse_id, appariement, distance_m FROM mci_immeuble ORDER BY imb_id',
          )
        ).rows.map((r) => [r.imb_id, r]),
      );
      assert.equal(b['5400001']!.appariement, 'cle_interop');
      assert.equal(b['5400001']!.adresse_id, '54084_0200_00004');
      // Written in EPSG:3857 metres 6 m east of the address: read back within a metre of that.
      assert.ok(Math.abs(b['5400001']!.distance_m - 6) < 1, String(b['5400001']!.distance_m));
      assert.deepEqual([b['5400002']!.appariement, b['5400002']!.adresse_id], ['voie_numero', '54084_0135_00039']);
      assert.deepEqual([b['5400003']!.appariement, b['5400003']!.adresse_id], ['voie_numero', '54084_0060_00001_bis']);
      // Cadastre buildings without a number: nearest real address, computed here by brute force.
      const bal = balRows();
      const nearest = (lon: number, lat: number) =>
        bal
          .map((r) => ({ id: r.cle_interop!, d: distanceM(lon, lat, Number(r.long), Number(r.lat)) }))
          .sort((x, y) => x.d - y.d)[0]!;
      const p4 = (
        await t.db.query<{ lon: number; lat: number }>(`SELECT lon, lat FROM mci_immeuble WHERE imb_id = '5400004'`)
      ).rows[0]!;
      const n4 = nearest(p4.lon, p4.lat);
      assert.deepEqual([b['5400004']!.appariement, b['5400004']!.adresse_id], ['proximite', n4.id]);
      const n5 = nearest(5.8385, 49.331);
      assert.ok(n5.d > 50 && n5.d < 1000);
      assert.deepEqual([b['5400005']!.appariement, b['5400005']!.adresse_id], ['commune_plus_proche', n5.id]);
    });

    test('mci-eligibilite from a folder with operateur.csv; rejects unknown buildings, technologies and classes', async () => {
      const run = await t.ctx.runImport({ job: 'mci-eligibilite', source: FIXTURES, startedBy: 'test' });
      assert.equal(run.status, 'succeeded', run.message ?? '');
      assert.equal(run.rows_accepted, 9);
      assert.deepEqual(
        run.rejects.map((r) => r.line).sort((a, b) => (a ?? 0) - (b ?? 0)),
        [11, 12, 13, 14],
      );
      assert.ok(run.rejects.some((r) => r.line === 11 && /9999999 absent de la base immeubles/.test(r.reason)));
      assert.ok(run.rejects.some((r) => r.line === 12 && /code_techno inconnu : XDSL/.test(r.reason)));
      assert.ok(run.rejects.some((r) => r.line === 14 && /classe de débit inconnue/.test(r.reason)));
      assert.equal((await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM mci_operateur')).rows[0]!.n, 4);
    });

    test('fibre-immeubles: statuses, planned dates, matching through the MCI building code', async () => {
      const run = await t.ctx.runImport({
        job: 'fibre-immeubles',
        source: fixture('cartefibre_immeubles_54.csv'),
        startedBy: 'test',
      });
      assert.equal(run.status, 'succeeded', run.message ?? '');
      assert.equal(run.rows_accepted, 5);
      assert.deepEqual(
        run.rejects.map((r) => r.line),
        [6, 7],
      );
      assert.match(run.rejects[0]!.reason, /imb_etat inconnu : « en attente »/);
      const f = Object.fromEntries(
        (
          await t.db.query<{ imb_id: string; adresse_id: string; appariement: string; d: string | null }>(
            `SELECT imb_id, adresse_id, appariement, to_char(date_completude, 'YYYY-MM-DD') AS d FROM fibre_immeuble`,
          )
        ).rows.map((r) => [r.imb_id, r]),
      );
      assert.deepEqual(
        [f['IMB/54084/X/0001']!.appariement, f['IMB/54084/X/0001']!.adresse_id],
        ['code_immeuble', '54084_0135_00039'],
      );
      assert.deepEqual(
        [f['IMB/54084/X/0002']!.appariement, f['IMB/54084/X/0002']!.adresse_id],
        ['voie_numero', '54084_0200_00005'],
      );
      assert.deepEqual(
        [f['IMB/54084/X/0003']!.appariement, f['IMB/54084/X/0003']!.adresse_id],
        ['code_immeuble', '54084_0060_00001_bis'],
      );
      // Published without code_insee: the commune is found from its postcode and name.
      assert.deepEqual(
        [f['IMB/54084/X/0006']!.appariement, f['IMB/54084/X/0006']!.adresse_id],
        ['voie_numero', '54084_0200_00007'],
      );
      assert.deepEqual(
        [f['IMB/54084/X/0004']!.appariement, f['IMB/54084/X/0004']!.adresse_id, f['IMB/54084/X/0004']!.d],
        ['voie_numero', '54084_0210_00036', '2024-09-30'],
      );
    });

    test('building-level answers: technologies in ARCEP order, operators, fibre status and date, fallbacks only without wired THD', async () => {
      const joffre = await answer('54084_0200_00004');
      assert.equal(joffre.precision, 'adresse');
      assert.deepEqual(
        joffre.technologies.map((x: { code: string }) => x.code),
        ['FO', 'CU'],
      );
      assert.equal(joffre.technologies[0].debit_descendant.code, 'THD1G');
      assert.deepEqual(
        joffre.technologies[0].operateurs.map((o: { nom: string }) => o.nom),
        ['Orange', 'SFR'],
      );
      assert.equal(joffre.thd_filaire, true);
      assert.equal(joffre.offres_repli.applicable, false);
      assert.equal(joffre.locaux, 1);

      const fronts = await answer('54084_0135_00039');
      assert.deepEqual(
        fronts.technologies.map((x: { code: string }) => x.code),
        ['CU', '4GF', 'SAT'],
      );
      assert.equal(fronts.thd_filaire, false);
      assert.equal(fronts.offres_repli.applicable, true);
      assert.ok(
        fronts.offres_repli.offres.some(
          (o: { operateur: string; aide_etat: boolean }) => o.operateur === 'Nordnet' && o.aide_etat,
        ),
      );
      assert.equal(fronts.fibre.statut, 'en_cours_deploiement');
      assert.equal(fronts.fibre.date_prevue, '2026-03-31');
      assert.equal(fronts.locaux, 6);
      assert.equal(fronts.technologies[1].operateurs[0].limitation_go, 200);

      const bis = await answer('54084_0060_00001_bis');
      assert.equal(bis.technologies[0].debit_descendant.code, 'THD30'); // published as "THD" (dictionary alias)
      assert.equal(bis.thd_filaire, true);
      assert.equal(bis.fibre.statut, 'raccordable_demande');

      const five = await answer('54084_0200_00005');
      assert.equal(five.precision, 'adresse');
      assert.deepEqual(five.technologies, []);
      assert.equal(five.fibre.statut, 'signe');
      assert.equal(five.fibre.date_prevue, '2026-06-30');
      assert.equal(five.offres_repli.applicable, null);
      assert.match(
        five.offres_repli.raison,
        /Aucune donnée de technologies et de débits \(Ma connexion internet\) n’est rapprochée de cette adresse/,
      );

      const deployed = await answer('54084_0210_00036');
      assert.equal(deployed.fibre.statut, 'deploye');
      assert.equal(deployed.fibre.date_prevue, null);
      assert.equal(deployed.offres_repli.applicable, false);

      // An address of the same commune with no building matched: still commune precision, said plainly.
      const matched = new Set(
        (
          await t.db.query<{ a: string }>(
            'SELECT adresse_id AS a FROM mci_immeuble UNION SELECT adresse_id FROM fibre_immeuble',
          )
        ).rows.map((r) => r.a),
      );
      const other = balRows()
        .map((r) => r.cle_interop!)
        .find((id) => !matched.has(id))!;
      const o = await answer(other);
      assert.equal(o.precision, 'commune');
      assert.match(o.message, /Aucun immeuble des fichiers de l’ARCEP importés n’a été rapproché de cette adresse/);
      assert.equal(o.commune.immeubles_importes.immeubles, 4);

      const page = await t.app.inject({ method: 'GET', url: '/eligibilite/adresse/54084_0135_00039' });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Réponse à l’adresse/);
      assert.match(page.body, /En cours de déploiement/);
      assert.match(page.body, /31 mars 2026/);
      assert.match(page.body, /France Très Haut Débit/);
      const print = await t.app.inject({ method: 'GET', url: '/eligibilite/adresse/54084_0135_00039/impression' });
      assert.equal(print.statusCode, 200);
      assert.match(print.body, /eligibilite-impression\.css/);
      const data = await t.app.inject({ method: 'GET', url: '/eligibilite/donnees' });
      assert.match(data.body, /5 immeubles sur 5 rapprochés/);
      assert.match(data.body, /Derniers imports/);
      assert.match(data.body, /rapprochement aux adresses : 5\/5 immeubles/);
      const landing = await t.app.inject({ method: 'GET', url: '/eligibilite' });
      assert.equal(landing.statusCode, 200);
      assert.match(landing.body, /action="\/adresses\/recherche"/);
      assert.match(landing.body, /\/static\/autocomplete\.js/);
    });

    test('a new address import matches the stored buildings again', async () => {
      await t.db.query(`UPDATE mci_immeuble SET adresse_id = NULL, appariement = 'aucun', distance_m = NULL`);
      const run = await t.ctx.runImport({ job: 'adresses', source: BAL, startedBy: 'test', force: true });
      assert.equal(run.status, 'succeeded', run.message ?? '');
      const r = await t.db.query<{ appariement: string; n: number }>(
        'SELECT appariement, count(*)::int AS n FROM mci_immeuble GROUP BY 1 ORDER BY 1',
      );
      assert.deepEqual(r.rows, [
        { appariement: 'cle_interop', n: 1 },
        { appariement: 'commune_plus_proche', n: 1 },
        { appariement: 'proximite', n: 1 },
        { appariement: 'voie_numero', n: 2 },
      ]);
      // What the server checks at start (addresses changed by a process without the listener).
      assert.deepEqual(await staleCommunes(t.db), []);
      await t.db.query(`UPDATE fibre_immeuble SET adresse_id = '54084_0000_99999' WHERE imb_id = 'IMB/54084/X/0002'`);
      assert.deepEqual(await staleCommunes(t.db), ['54084']);
      await t.db.transaction((tx) => rematchCommunes(tx, ['54084']));
      assert.deepEqual(await staleCommunes(t.db), []);
      assert.equal(
        (
          await t.db.query<{ a: string }>(
            `SELECT adresse_id AS a FROM fibre_immeuble WHERE imb_id = 'IMB/54084/X/0002'`,
          )
        ).rows[0]!.a,
        '54084_0200_00005',
      );
    });

    test('public networks: administrators edit them (CSRF, audit), answers show them', async () => {
      await createUser(
        t.db,
        { id: null, label: 'cli' },
        {
          email: 'admin@region.fr',
          nom: 'Admin',
          motDePasse: 'correct horse battery',
          role: 'administrateur',
          organisationId: null,
        },
      );
      assert.equal((await t.app.inject({ method: 'GET', url: '/admin/eligibilite/rip' })).statusCode, 401);
      const form = await t.app.inject({ method: 'GET', url: '/connexion' });
      let jar = cookiesOf(form);
      const login = await t.app.inject({
        method: 'POST',
        url: '/connexion',
        headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          _csrf: csrfIn(form.body),
          email: 'admin@region.fr',
          motDePasse: 'correct horse battery',
          next: '/admin',
        }).toString(),
      });
      jar = { ...jar, ...cookiesOf(login) };
      const page = await t.app.inject({
        method: 'GET',
        url: '/admin/eligibilite/rip',
        headers: { cookie: cookieHeader(jar) },
      });
      assert.equal(page.statusCode, 200);
      const fields = {
        nom: 'Losange',
        porteur: 'Région Grand Est',
        exploitant: 'Losange (délégataire)',
        contact_gros: 'Service commercial de gros',
        email: 'gros@example.fr',
        telephone: '',
        site: 'https://www.example.fr',
        communes: '54084 99999',
      };
      const post = (data: Record<string, string>) =>
        t.app.inject({
          method: 'POST',
          url: '/admin/eligibilite/rip',
          headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams(data).toString(),
        });
      assert.equal((await post(fields)).statusCode, 403); // no _csrf
      const unknown = await post({ ...fields, _csrf: csrfIn(page.body) });
      assert.equal(unknown.statusCode, 400);
      assert.match(unknown.body, /99999/);
      const ok = await post({ ...fields, communes: '54084', _csrf: csrfIn(page.body) });
      assert.equal(ok.statusCode, 303);
      const j = await t.db.query<{ action: string; objet_type: string }>(
        `SELECT action, objet_type FROM journal_audit WHERE objet_type = 'rip'`,
      );
      assert.deepEqual(j.rows, [{ action: 'creation', objet_type: 'rip' }]);
      const e = await answer('54084_0200_00004');
      assert.deepEqual(
        e.rip.map((r: { nom: string; contact_gros: string }) => [r.nom, r.contact_gros]),
        [['Losange', 'Service commercial de gros']],
      );
      const commune = await t.app.inject({ method: 'GET', url: '/territoires/commune/54084' });
      assert.match(commune.body, /Réseau d’initiative publique : <strong>Losange<\/strong>/);
      const dep = await t.app.inject({ method: 'GET', url: '/territoires/departement/54' });
      assert.match(dep.body, /Offres de repli France Très Haut Débit/);
      assert.equal((dep.body.match(/<td>(Oui|Non)<\/td><\/tr>/g) ?? []).length, fthdRows('54').length);
    });

    test('the 2025+ building file variant (imb_x/imb_y in EPSG:3857, IM/PA, fpb/fpban) replaces the commune and matches alike', async () => {
      const before = (
        await t.db.query<{ imb_id: string; adresse_id: string; appariement: string }>(
          'SELECT imb_id, adresse_id, appariement FROM mci_immeuble ORDER BY imb_id',
        )
      ).rows;
      const run = await t.ctx.runImport({
        job: 'mci-immeubles',
        source: fixture('base_imb_2025_54.csv'),
        startedBy: 'test',
      });
      assert.equal(run.status, 'succeeded', run.message ?? '');
      assert.equal(run.rows_accepted, 5);
      assert.equal(run.rows_rejected, 0);
      const now = (
        await t.db.query<{ imb_id: string; adresse_id: string; appariement: string; imb_type: string | null }>(
          'SELECT imb_id, adresse_id, appariement, imb_type FROM mci_immeuble ORDER BY imb_id',
        )
      ).rows;
      assert.deepEqual(
        now.map((r) => [Number(r.imb_id) - 10000, r.adresse_id, r.appariement]),
        before.map((r) => [Number(r.imb_id), r.adresse_id, r.appariement]),
      );
      assert.deepEqual(
        now.map((r) => r.imb_type),
        [null, 'imm', 'pav', null, null],
      );
      // Identifiers change every quarter: the old eligibility rows went with the old buildings.
      assert.equal((await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM mci_eligibilite')).rows[0]!.n, 0);
      assert.match(run.message ?? '', /à importer de nouveau/);
      const e = await answer('54084_0200_00004');
      assert.equal(e.precision, 'adresse');
      assert.deepEqual(e.technologies, []);
    });

    test('an import with no usable row fails and leaves the stored buildings, offers and eligibility as they were', async () => {
      const before = (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM mci_immeuble')).rows[0]!.n;
      const offersBefore = (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM offre_repli')).rows[0]!.n;
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'elig-bad-'));
      // Rows written here on purpose: each one breaks a rule of the dictionary.
      fs.writeFileSync(
        path.join(dir, 'base_imb_bad.csv'),
        'imb_id;imb_longitude;imb_latitude;imb_code_insee\n;5.83;49.32;54084\n1;5.83;49.32;00000\n2;200;95;54084\n',
      );
      const run = await t.ctx.runImport({
        job: 'mci-immeubles',
        source: path.join(dir, 'base_imb_bad.csv'),
        startedBy: 'test',
      });
      assert.equal(run.status, 'failed');
      assert.match(run.message ?? '', /n'ont pas été modifiées/);
      assert.deepEqual(
        run.rejects.map((r) => r.line),
        [2, 3, 4],
      );
      assert.equal((await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM mci_immeuble')).rows[0]!.n, before);
      fs.writeFileSync(
        path.join(dir, 'offres.csv'),
        'insee_dep,insee_reg,departement,operateur,technologie,site,prise_en_charge_aide\n99,84,Nulle part,X,4G,https://x.fr,Peut-être\n',
      );
      const off = await t.ctx.runImport({
        job: 'offres-repli',
        source: path.join(dir, 'offres.csv'),
        startedBy: 'test',
      });
      assert.equal(off.status, 'failed');
      assert.equal(off.rejects.length, 1);
      assert.equal(
        (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM offre_repli')).rows[0]!.n,
        offersBefore,
      );
      // The Nantes building extract has coordinates and street names but no imb_id or commune code.
      const nantes = await t.ctx.runImport({
        job: 'mci-immeubles',
        source: shared('arcep-fixe', 'mci-base-imb-nantes-centre-2022.csv.gz'),
        startedBy: 'test',
      });
      assert.equal(nantes.status, 'failed');
      assert.match(
        nantes.message ?? '',
        /n'a pas les colonnes d'une base immeubles MCI.*En-tête lu : x, y, xcoord, ycoord/,
      );
      const wrong = await t.ctx.runImport({ job: 'fibre-immeubles', source: FTHD, startedBy: 'test' });
      assert.equal(wrong.status, 'failed');
      assert.match(wrong.message ?? '', /n'a pas les colonnes du fichier immeubles de la carte fibre/);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    test("a building published under an older commune code is attached to today's commune", async () => {
      const old = (
        await t.db.query<{ code_ancien: string; code_actuel: string }>(
          `SELECT code_ancien, code_actuel FROM commune_code_historique WHERE code_ancien LIKE '54%' AND code_actuel <> '54084' ORDER BY code_ancien LIMIT 1`,
        )
      ).rows[0]!;
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'elig-old-'));
      fs.writeFileSync(
        path.join(dir, 'base_imb_old.csv'),
        `imb_id;imb_longitude;imb_latitude;imb_code_insee;imb_nbr_logloc\n5499999;6.1;48.7;${old.code_ancien};3\n`,
      );
      const run = await t.ctx.runImport({
        job: 'mci-immeubles',
        source: path.join(dir, 'base_imb_old.csv'),
        startedBy: 'test',
      });
      assert.equal(run.status, 'succeeded', run.message ?? '');
      const b = (
        await t.db.query<{ code_insee: string; code_insee_source: string; appariement: string }>(
          `SELECT code_insee, code_insee_source, appariement FROM mci_immeuble WHERE imb_id = '5499999'`,
        )
      ).rows[0]!;
      assert.deepEqual(b, { code_insee: old.code_actuel, code_insee_source: old.code_ancien, appariement: 'aucun' });
      // Mont-Bonvillers' buildings were not touched by an import covering another commune.
      assert.equal(
        (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM mci_immeuble WHERE code_insee = '54084'`))
          .rows[0]!.n,
        5,
      );
      fs.rmSync(dir, { recursive: true, force: true });
    });
  });
}
