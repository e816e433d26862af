import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { userByEmail } from '../../src/accounts/queries.ts';
import { createUser, openSession } from '../../src/accounts/service.ts';
import { backends, cookieHeader, cookiesOf, csrfIn, missingShared, setup, shared } from '../helpers.ts';

const BFC = 'boundaries/france-geojson-2018/communes-bourgogne-franche-comte.geojson.gz';
// Dijon, place de la Libération.
const DIJON = { lon: 5.04158, lat: 47.32178 };

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

for (const backend of backends()) {
  describe(`crowdsourced mobile measurements (${backend.name})`, { skip: missingShared(BFC) }, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    const now = () => new Date(Date.now() - 60_000).toISOString();
    const body = (o: Record<string, unknown> = {}) => ({
      ...DIJON,
      operateur: 'orange',
      techno: '4G',
      debit_descendant_mbps: 42.5,
      debit_montant_mbps: 11,
      latence_ms: 35,
      horodatage: now(),
      ...o,
    });
    const post = (payload: unknown, remoteAddress = '192.0.2.10') =>
      t.app.inject({ method: 'POST', url: '/api/v1/mobile/mesures', payload: payload as object, remoteAddress });
    const count = async () =>
      (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM mobile_mesure')).rows[0]!.n;

    before(async () => {
      t = await setup(backend);
      const run = await t.ctx.runImport({ job: 'contours', source: shared(BFC), startedBy: 'test' });
      assert.equal(run.status, 'succeeded', run.message ?? '');
    });
    after(async () => t.close());

    test('a measurement is stored rounded to ~100 m, in its commune, without any client address', async () => {
      const res = await post(body());
      assert.equal(res.statusCode, 201, res.body);
      const { id } = res.json();
      assert.ok(Number.isInteger(id));
      const row = (await t.db.query<Record<string, unknown>>('SELECT * FROM mobile_mesure WHERE id = $1', [id]))
        .rows[0]!;
      assert.equal(row.lon, 5.042);
      assert.equal(row.lat, 47.322);
      assert.equal(row.commune, '21231');
      // Nothing in the table can hold an address: the columns are the published values only.
      const cols = (
        await t.db.query<{ column_name: string }>(
          `SELECT column_name FROM information_schema.columns WHERE table_name = 'mobile_mesure' ORDER BY 1`,
        )
      ).rows.map((c) => c.column_name);
      assert.ok(!cols.some((c) => /ip|adresse|agent|client/.test(c)), cols.join(','));
      assert.ok(!Object.values(row).includes('192.0.2.10'));
    });

    test('an identical body sent twice within a minute is stored once', async () => {
      const b = body({ debit_descendant_mbps: 17.25, horodatage: new Date(Date.now() - 120_000).toISOString() });
      const first = await post(b);
      assert.equal(first.statusCode, 201);
      const n = await count();
      const second = await post(b);
      assert.equal(second.statusCode, 200);
      assert.deepEqual(second.json(), { id: first.json().id, doublon: true });
      assert.equal(await count(), n);
    });

    test('bad measurements are refused with 400 naming the field, and nothing is stored', async () => {
      const n = await count();
      const cases: [Record<string, unknown>, RegExp][] = [
        [body({ lon: 13.4, lat: 52.5 }), /lon, lat : position hors de France/],
        [body({ debit_descendant_mbps: 2000 }), /debit_descendant_mbps : 2000 Mbit\/s est impossible en 4G/],
        [body({ techno: '3G', debit_montant_mbps: 40 }), /debit_montant_mbps : .*impossible en 3G/],
        [body({ operateur: 'itinerance' }), /operateur/],
        [body({ techno: '6G' }), /techno/],
        [body({ horodatage: new Date(Date.now() + 3_600_000).toISOString() }), /horodatage : date dans le futur/],
        [body({ horodatage: 'hier' }), /horodatage/],
        [body({ latence_ms: -3 }), /latence_ms/],
        [body({ signal_dbm: 10 }), /signal_dbm/],
        [body({ commentaire: 'texte libre' }), /commentaire/],
        [{ lon: 5, lat: 47, operateur: 'sfr', techno: '4G' }, /debit_descendant_mbps/],
      ];
      for (const [payload, re] of cases) {
        const res = await post(payload);
        assert.equal(res.statusCode, 400, JSON.stringify(payload));
        const e = res.json().erreur;
        assert.equal(e.code, 'REQUETE_INVALIDE');
        assert.match(e.message, re);
      }
      assert.equal(await count(), n);
    });

    test('a burst from one client is throttled with 429', async () => {
      let last = 0;
      for (let i = 0; i < 25; i++) {
        const res = await post(body({ debit_descendant_mbps: 100 + i }), '198.51.100.7');
        last = res.statusCode;
        if (last === 429) {
          assert.equal(res.json().erreur.code, 'TROP_DE_REQUETES');
          break;
        }
      }
      assert.equal(last, 429);
      if (backend.name === 'postgres') {
        // The shared counters of the limiter hold a hash, never the address.
        const keys = (await t.db.query<{ cle: string }>('SELECT cle FROM limite_requetes')).rows.map((r) => r.cle);
        assert.ok(
          keys.some((k) => k.includes('|mesures-mobiles:')),
          keys.join(','),
        );
        assert.ok(!keys.some((k) => k.includes('198.51.100.7')));
      }
      // Another client is not affected.
      assert.equal((await post(body({ debit_descendant_mbps: 3.5 }), '198.51.100.8')).statusCode, 201);
    });

    test('aggregates: the count always, medians and share below 8 Mbit/s from 5 measurements', async () => {
      await t.db.query('DELETE FROM mobile_mesure');
      const speeds = [3, 6.5, 12, 30, 55, 7.9];
      for (const [i, d] of speeds.slice(0, 4).entries())
        assert.equal(
          (await post(body({ operateur: 'free', debit_descendant_mbps: d, latence_ms: 20 + i }), `203.0.113.${i}`))
            .statusCode,
          201,
        );
      let a = (await t.app.inject({ method: 'GET', url: '/api/v1/mobile/mesures/departement/21' })).json();
      assert.equal(a.total, 4);
      assert.equal(a.operateurs.free.mesures, 4);
      assert.equal(a.operateurs.free.debit_descendant_median_mbps, null, 'not published under 5');
      for (const [i, d] of speeds.slice(4).entries())
        await post(body({ operateur: 'free', debit_descendant_mbps: d, latence_ms: 30 + i }), `203.0.113.${10 + i}`);
      a = (await t.app.inject({ method: 'GET', url: '/api/v1/mobile/mesures/commune/21231' })).json();
      assert.equal(a.operateurs.free.mesures, speeds.length);
      assert.equal(a.operateurs.free.debit_descendant_median_mbps, median(speeds));
      assert.equal(a.operateurs.free.part_sous_8_mbps, speeds.filter((s) => s < 8).length / speeds.length);
      assert.equal(a.seuil_publication, 5);
      const region = (await t.app.inject({ method: 'GET', url: '/api/v1/mobile/mesures/region/27' })).json();
      assert.equal(region.total, speeds.length);
      const other = (await t.app.inject({ method: 'GET', url: '/api/v1/mobile/mesures/departement/14' })).json();
      assert.equal(other.total, 0);
      // The commune's page shows them in its mobile section.
      const page = await t.app.inject({ method: 'GET', url: '/territoires/commune/21231' });
      assert.match(page.body, /<caption>Mesures participatives, Dijon/);
    });

    test('the public form works without JavaScript, with CSRF, and says which field is wrong', async () => {
      const form = await t.app.inject({ method: 'GET', url: '/observatoire/mobile/mesures' });
      assert.equal(form.statusCode, 200);
      assert.match(form.body, /<label class="fr-label" for="m-lat">Latitude/);
      const csrf = csrfIn(form.body);
      const cookie = cookieHeader(cookiesOf(form));
      const fields = {
        lat: '47,3218',
        lon: '5,0416',
        operateur: 'sfr',
        techno: '4G',
        debit_descendant_mbps: '25',
        debit_montant_mbps: '4',
        latence_ms: '41',
        horodatage: '',
        interieur: 'oui',
      };
      const send = (f: Record<string, string>, token: string | null) =>
        t.app.inject({
          method: 'POST',
          url: '/observatoire/mobile/mesures',
          headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams(token === null ? f : { ...f, _csrf: token }).toString(),
          remoteAddress: '192.0.2.50',
        });
      assert.equal((await send(fields, null)).statusCode, 403);
      const bad = await send({ ...fields, debit_descendant_mbps: '900', techno: '3G' }, csrf);
      assert.equal(bad.statusCode, 400);
      assert.match(
        bad.body,
        /fr-error-text" id="m-debit_descendant_mbps-err">debit_descendant_mbps : 900 Mbit\/s est impossible en 3G/,
      );
      assert.match(bad.body, /value="47,3218"/, 'values are kept');
      const n = await count();
      const ok = await send(fields, csrf);
      assert.equal(ok.statusCode, 303);
      assert.equal(ok.headers.location, '/observatoire/mobile/mesures?merci=1');
      assert.equal(await count(), n + 1);
      const row = (
        await t.db.query<{ commune: string; interieur: boolean; origine: string }>(
          'SELECT commune, interieur, origine FROM mobile_mesure ORDER BY id DESC LIMIT 1',
        )
      ).rows[0]!;
      assert.deepEqual(row, { commune: '21231', interieur: true, origine: 'formulaire' });
      const thanks = await t.app.inject({ method: 'GET', url: '/observatoire/mobile/mesures?merci=1' });
      assert.match(thanks.body, /Mesure enregistrée/);
      assert.match(thanks.body, /<caption>Mesures participatives, Bourgogne-Franche-Comté/);
      // The open export: rounded positions only, no fingerprint.
      const csv = await t.app.inject({ method: 'GET', url: '/observatoire/mobile/mesures.csv' });
      assert.equal(csv.statusCode, 200);
      const [head, ...lines] = csv.body
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n');
      assert.doesNotMatch(head!, /empreinte|origine/);
      assert.equal(lines.length, await count());
      assert.ok(
        lines.every((l) => /;5,042;47,322;21231;/.test(l)),
        lines[0],
      );
    });
    test('an editor hides an atypical measurement: out of the results and the export, kept and journalled', async () => {
      const before = (await t.app.inject('/api/v1/mobile/mesures/commune/21231')).json().total as number;
      const odd = await post(body({ operateur: 'free', debit_descendant_mbps: 0.2, latence_ms: 90 }), '203.0.113.99');
      assert.equal(odd.statusCode, 201);
      const id = odd.json().id as number;
      assert.equal((await t.app.inject('/observatoire/mobile/mesures/moderation')).statusCode, 401);
      const org = (
        await t.db.query<{ id: number }>(
          `INSERT INTO organisation (nom, type) VALUES ('Syndicat', 'autre') RETURNING id`,
        )
      ).rows[0]!.id;
      await createUser(
        t.db,
        { id: null, label: 'test' },
        {
          email: 'ed@mesures.fr',
          nom: 'Éd',
          motDePasse: 'correct horse battery',
          role: 'editeur',
          organisationId: org,
        },
      );
      const cookie = `pan_session=${(await openSession(t.db, (await userByEmail(t.db, 'ed@mesures.fr'))!)).token}`;
      const page = await t.app.inject({
        method: 'GET',
        url: '/observatoire/mobile/mesures/moderation',
        headers: { cookie },
      });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, new RegExp(`<th scope="row">${id}</th>`), 'the atypical one is listed');
      const res = await t.app.inject({
        method: 'POST',
        url: `/observatoire/mobile/mesures/${id}/moderation`,
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: csrfIn(page.body), action: 'masquer' }).toString(),
      });
      assert.equal(res.statusCode, 303);
      assert.equal((await t.app.inject('/api/v1/mobile/mesures/commune/21231')).json().total, before);
      const csv = await t.app.inject('/observatoire/mobile/mesures.csv');
      assert.ok(!csv.body.split('\r\n').some((l) => l.startsWith(`${id};`)));
      const row = (await t.db.query<{ masquee: boolean }>('SELECT masquee FROM mobile_mesure WHERE id = $1', [id]))
        .rows[0]!;
      assert.equal(row.masquee, true);
      const j = await t.db.query(`SELECT 1 FROM journal_audit WHERE objet_type = 'mesure_mobile' AND objet_id = $1`, [
        String(id),
      ]);
      assert.equal(j.rows.length, 1);
    });

    test('OpenAPI documents the mobile routes and the measurement body', async () => {
      const spec = (await t.app.inject('/api/openapi.json')).json();
      assert.ok(spec.paths['/api/v1/observatoire/mobile/{niveau}/{code}']?.get);
      assert.ok(spec.paths['/api/v1/mobile/mesures/{niveau}/{code}']?.get);
      const postOp = spec.paths['/api/v1/mobile/mesures']?.post;
      const props = postOp?.requestBody?.content?.['application/json']?.schema?.properties ?? {};
      for (const k of ['lon', 'lat', 'operateur', 'techno', 'debit_descendant_mbps', 'horodatage'])
        assert.ok(k in props, `${k} missing from the documented body`);
      assert.ok(postOp.responses['201'] && postOp.responses['400'] && postOp.responses['429']);
    });
  });
}
