import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';
import { userByEmail } from '../../src/accounts/queries.ts';
import { createUser, openSession } from '../../src/accounts/service.ts';
import { luhnOk } from '../../src/resources/schema.ts';
import { parseCsv } from '../csv.ts';
import { backends, missingShared, setup, shared } from '../helpers.ts';

const EXPORT = 'aides-territoires/aides-territoires-export-periurbain-2022-11.csv.gz';
const MANCHE = 'aides-territoires/departement-manche-aides-sample.json.gz';
const SCHEMA = 'aides-territoires/aides-schema-exemple-valide.csv.gz';
const text = (f: string) => zlib.gunzipSync(fs.readFileSync(shared(f))).toString('utf8');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ressources-test-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

for (const backend of backends()) {
  describe(`resources space (${backend.name})`, { skip: missingShared(EXPORT, MANCHE, SCHEMA) }, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });
    const exportRows = parseCsv(text(EXPORT));
    const header = exportRows[0]!;
    const rows = exportRows.slice(1).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
    before(async () => {
      t = await setup(backend);
    });
    after(async () => t.close());

    test('the 274-aid export imports, national when so declared; re-import updates by link', async () => {
      assert.equal(rows.length, 274);
      const run = await t.ctx.runImport({
        job: 'aides-territoires',
        source: shared(EXPORT),
        options: { territoire: 'france' },
        startedBy: 'test',
      });
      assert.equal(run.status, 'succeeded', run.message ?? '');
      assert.equal(run.rows_accepted, 274);
      const all = (await get('/api/v1/aides')).json();
      assert.equal(all.total, 274);
      const prets = rows.filter((r) => r["Types d'aides"]!.split(';').includes('Prêt')).length;
      assert.ok(prets > 0);
      assert.equal((await get('/api/v1/aides?type=pret')).json().total, prets);
      const assoc = rows.filter((r) => r.Bénéficiaire!.split(';').includes('Associations')).length;
      assert.equal((await get('/api/v1/aides?beneficiaire=association')).json().total, assoc);
      const aap = rows.filter((r) => r['AAP/AMI'] === 'Oui').length;
      assert.equal((await get('/api/v1/aides?type=appel-a-projets')).json().total, aap);
      const before30 = rows.filter((r) => {
        const m = /^(\d\d)\/(\d\d)\/(\d{4})$/.exec(r['Date Clôture']!);
        return m && `${m[3]}-${m[2]}-${m[1]}` <= '2022-11-30';
      }).length;
      assert.ok(before30 > 0);
      assert.equal((await get('/api/v1/aides?echeance_avant=2022-11-30')).json().total, before30);
      // National aids are open to any commune (Dijon).
      assert.equal((await get('/api/v1/aides?niveau=commune&code=21231')).json().total, 274);
      const pages = [all, (await get('/api/v1/aides?page=2')).json(), (await get('/api/v1/aides?page=3')).json()];
      assert.equal(new Set(pages.flatMap((p) => p.items.map((a: { id: number }) => a.id))).size, 274);
      const item = pages
        .flatMap((p) => p.items)
        .find((a: { nom: string }) => a.nom.startsWith('Conseiller et accompagner la transformation numérique'));
      assert.ok(item, 'the SIEEEN digital aid');
      assert.deepEqual(Object.keys(item).sort(), [
        'beneficiaires',
        'date_echeance',
        'date_ouverture',
        'id',
        'nom',
        'porteurs',
        'types',
        'url',
      ]);
      // Same file forced again: same aids, updated by their link.
      const again = await t.ctx.runImport({
        job: 'aides-territoires',
        source: shared(EXPORT),
        options: { territoire: 'france' },
        startedBy: 'test',
        force: true,
      });
      assert.equal(again.status, 'succeeded', again.message ?? '');
      assert.match(again.message ?? '', /^0 aide\(s\) créée\(s\), 274 mise\(s\) à jour/);
      assert.equal((await get('/api/v1/aides')).json().total, 274);
    });

    test('the Manche API payload: entities decoded, open to Manche communes only', async () => {
      const payload = JSON.parse(text(MANCHE)) as { aides: { id: string; name: string }[] };
      const run = await t.ctx.runImport({
        job: 'aides-territoires',
        source: shared(MANCHE),
        options: { territoire: 'departement:50', source: 'manche' },
        startedBy: 'test',
      });
      assert.equal(run.status, 'succeeded', run.message ?? '');
      assert.equal(run.rows_accepted, payload.aides.length);
      // Cherbourg-en-Cotentin (50129) sees the Manche aids and the national ones; Dijon only the national ones.
      assert.equal((await get('/api/v1/aides?niveau=commune&code=50129')).json().total, 274 + payload.aides.length);
      assert.equal((await get('/api/v1/aides?niveau=commune&code=21231')).json().total, 274);
      const withEntity = payload.aides.find((a) => a.name.includes('&rsquo;'))!;
      const list = (await get('/api/v1/aides?niveau=departement&code=50&beneficiaire=association')).json();
      const hit = list.items.find((a: { nom: string }) => a.nom === withEntity.name.replaceAll('&rsquo;', '’'));
      assert.ok(hit, 'name decoded');
      const page = await get(hit.url);
      assert.equal(page.statusCode, 200);
      assert.ok(!page.body.includes('&amp;rsquo;'));
      assert.match(page.body, /Département de la Manche|Manche/);
      assert.match(page.body, /Licence Ouverte 2\.0/);
    });

    test('the import schema: perimeter named, unknown territory codes rejected with reason', async () => {
      const raw = text(SCHEMA);
      const run = await t.ctx.runImport({ job: 'aides-territoires', source: shared(SCHEMA), startedBy: 'test' });
      assert.equal(run.status, 'succeeded', run.message ?? '');
      assert.equal(run.rows_accepted, 1);
      const lyon = (await get('/api/v1/aides?niveau=commune&code=69123&beneficiaire=commune')).json();
      assert.ok(
        lyon.items.some((a: { nom: string }) => a.nom === parseCsv(raw)[1]![0]),
        'open to Lyon (Département du Rhône)',
      );
      const subventions = rows.filter((r) => r["Types d'aides"]!.split(';').includes('Subvention')).length;
      const in69 = () => get('/api/v1/aides?niveau=departement&code=69&type=subvention');
      assert.equal((await in69()).json().total, subventions + 1, 'national subsidies and the Rhône one');
      assert.equal((await get('/api/v1/aides?niveau=departement&code=21&type=subvention')).json().total, subventions);
      // The same row twice, one with a territory code that does not exist: that one only is rejected.
      const bad = raw
        .replace('Département du Rhône', 'departement:99')
        .replace('Aider à la renaturation', 'Autre aide');
      const lines = bad.split('\n');
      const file = path.join(tmp, 'aides-code-inconnu.csv');
      fs.writeFileSync(file, `${raw.trimEnd()}\n${lines.slice(1).join('\n')}`);
      const r2 = await t.ctx.runImport({ job: 'aides-territoires', source: file, startedBy: 'test' });
      assert.equal(r2.status, 'succeeded', r2.message ?? '');
      assert.equal(r2.rows_accepted, 1);
      assert.equal(r2.rows_rejected, 1);
      assert.match(r2.rejects[0]!.reason, /code de territoire inconnu « departement:99 »/);
      assert.equal((await in69()).json().total, subventions + 1);
    });

    test('aids page filters without JavaScript; bad filters are French 400s', async () => {
      const page = await get('/ressources/aides?type=pret&niveau=commune&code=50129');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<form method="get" action="\/ressources\/aides"/);
      assert.match(page.body, /<option value="pret" selected>/);
      const prets = rows.filter((r) => r["Types d'aides"]!.split(';').includes('Prêt')).length;
      assert.match(page.body, new RegExp(`${prets} aides`));
      const bad = await get('/api/v1/aides?echeance_avant=2022-02-31');
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /date inexistante/);
      assert.equal((await get('/api/v1/aides?niveau=commune')).statusCode, 400);
      assert.equal((await get('/api/v1/aides?niveau=commune&code=99999')).statusCode, 404);
      // Territory pages list the aids open today: none of the 2022 export's dated aids, only its permanent ones.
      const permanent = rows.filter((r) => !r['Date Clôture']).length;
      const territory = await get('/territoires/commune/50129');
      assert.match(territory.body, /Aides financières ouvertes à ce territoire/);
      assert.match(territory.body, new RegExp(`${permanent + 10} aides en cours`));
      const home = await get('/ressources');
      assert.equal(home.statusCode, 200);
      assert.doesNotMatch(home.body, /à venir/);
    });

    test('full-text search: accent-less, stemmed, highlighted and escaped', async () => {
      const res = (await get('/api/v1/ressources/recherche?q=numerique%20collectivite')).json();
      assert.ok(res.total >= 1);
      const hit = res.items.find((i: { titre: string }) =>
        i.titre.startsWith('Conseiller et accompagner la transformation numérique'),
      );
      assert.ok(hit, JSON.stringify(res.items.map((i: { titre: string }) => i.titre)));
      assert.equal(hit.type, 'aide');
      assert.match(hit.extrait, /<mark>[^<]*(numérique|collectivit)[^<]*<\/mark>/i);
      // Every aid whose name holds "numérique" in any form is found by the folded query.
      const names = rows.filter((r) => /num[ée]rique/i.test(`${r.Nom} ${r.Descriptif}`)).length;
      const all = (await get('/api/v1/ressources/recherche?q=numerique&type=aide')).json();
      assert.ok(all.total >= names, `${all.total} >= ${names}`);
      const dept = (await get('/api/v1/ressources/recherche?q=numerique&niveau=commune&code=50129')).json();
      assert.equal(dept.total, all.total);
      assert.equal((await get('/api/v1/ressources/recherche?q=')).statusCode, 400);
      const page = await get('/ressources/recherche?q=numerique');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<mark>/);
    });

    test('actors: editors create for their organisation, keys checked, HTML escaped, searchable', async () => {
      const org = async (nom: string) =>
        (
          await t.db.query<{ id: number }>(`INSERT INTO organisation (nom, type) VALUES ($1, 'autre') RETURNING id`, [
            nom,
          ])
        ).rows[0]!.id;
      const [a, b] = [await org('Syndicat A'), await org('Syndicat B')];
      const login = async (email: string, organisationId: number | null, role: 'editeur' | 'administrateur') => {
        await createUser(
          t.db,
          { id: null, label: 'test' },
          { email, nom: email, motDePasse: 'correct horse battery', role, organisationId },
        );
        return `pan_session=${(await openSession(t.db, (await userByEmail(t.db, email))!)).token}`;
      };
      const edA = await login('ed-a@ressources.fr', a, 'editeur');
      const edB = await login('ed-b@ressources.fr', b, 'editeur');
      const post = async (cookie: string, url: string, form: Record<string, string | string[]>) => {
        const page = await get('/ressources/acteurs/nouveau', { cookie });
        const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
        const body = new URLSearchParams({ _csrf: csrf });
        for (const [k, v] of Object.entries(form)) for (const x of [v].flat()) body.append(k, x);
        return t.app.inject({
          method: 'POST',
          url,
          headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
          payload: body.toString(),
        });
      };
      const form = {
        nom: 'Syndicat mixte numérique <script>alert(1)</script>',
        categorie: 'syndicat-mixte',
        niveau: 'departement',
        code_territoire: '21',
        themes: ['inclusion-numerique', 'services-publics'],
        description: 'Déploiement de la fibre et <b>médiation</b> numérique en Côte-d’Or.',
        siret: '200 053 726 00028',
      };
      assert.ok(luhnOk('20005372600028'));
      const wrong = await post(edA, '/ressources/acteurs', { ...form, siret: '20005372600029' });
      assert.equal(wrong.statusCode, 400);
      assert.match(wrong.body, /SIRET invalide : la clé de contrôle \(Luhn\) ne correspond pas/);
      assert.match((await post(edA, '/ressources/acteurs', { ...form, siret: '', rna: 'X12' })).body, /numéro RNA/);
      assert.equal((await t.db.query('SELECT 1 FROM acteur')).rows.length, 0, 'nothing half-saved');
      const ok = await post(edA, '/ressources/acteurs', form);
      assert.equal(ok.statusCode, 303, ok.body);
      const url = String(ok.headers.location);
      const card = await get(url);
      assert.match(card.body, /Syndicat mixte numérique &lt;script&gt;alert\(1\)&lt;\/script&gt;/);
      assert.ok(!card.body.includes('<b>médiation</b>'));
      assert.match(card.body, /Côte-d(&#39;|’)Or \(departement 21\)/);
      assert.match(card.body, /200053726/);
      // The other organisation's editor may not change it; the owner may.
      assert.equal((await post(edB, url, { ...form, nom: 'Pris' })).statusCode, 403);
      assert.equal((await post(edA, url, { ...form, nom: 'Syndicat mixte numérique de Côte-d’Or' })).statusCode, 303);
      const found = (await get('/api/v1/ressources/recherche?q=mediation%20cote%20d%20or&type=acteur')).json();
      assert.equal(found.total, 1);
      assert.equal(found.items[0].titre, 'Syndicat mixte numérique de Côte-d’Or');
      assert.match(found.items[0].extrait, /&lt;b&gt;<mark>médiation<\/mark>&lt;\/b&gt;/);
      const list = await get('/ressources/acteurs?theme=inclusion-numerique');
      assert.match(list.body, /Syndicat mixte numérique de Côte-d’Or/);
      assert.equal((await get('/ressources/acteurs?theme=sante')).body.includes('Côte-d’Or</a>'), false);
    });
  });
}
