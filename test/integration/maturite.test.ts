import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { backends, cookieHeader, cookiesOf, csrfIn, setup } from '../helpers.ts';

/** The questionnaire as shipped, read here independently of the module, to recompute every score. */
type File = {
  campagne: { code: string };
  dimensions: { slug: string }[];
  questions: { code: string; dimension: string; poids: number; reponses: { code: string; points: number }[] }[];
};
const FILE = parse(
  fs.readFileSync(
    path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'maturite', 'questionnaire.yaml'),
    'utf8',
  ),
) as File;

/** Answers of the i-th test respondent: a deterministic spread over the choices. */
const answersOf = (i: number) =>
  Object.fromEntries(
    FILE.questions.map((q, j) => [q.code, q.reponses[(i * 7 + j * 3 + i * j) % q.reponses.length]!.code]),
  );

/** Score in tenths: 1000 × Σ weight × points / Σ weight × max points, rounded. */
function tenths(a: Record<string, string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of FILE.dimensions) {
    const qs = FILE.questions.filter((q) => q.dimension === d.slug);
    const got = qs.reduce((s, q) => s + q.poids * q.reponses.find((r) => r.code === a[q.code])!.points, 0);
    const max = qs.reduce((s, q) => s + q.poids * Math.max(...q.reponses.map((r) => r.points)), 0);
    out[d.slug] = Math.round((1000 * got) / max);
  }
  return out;
}

for (const backend of backends()) {
  describe(`digital-maturity observatory (${backend.name})`, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    let jar: Record<string, string>;
    let csrf: string;
    before(async () => {
      t = await setup(backend);
      const form = await t.app.inject({ method: 'GET', url: '/ressources/maturite' });
      assert.equal(form.statusCode, 200);
      jar = cookiesOf(form);
      csrf = csrfIn(form.body);
      assert.ok(csrf && jar.pan_csrf, 'a visitor gets a double-submit CSRF token');
    });
    after(async () => t.close());

    const post = (fields: Record<string, string>, ip = '192.0.2.1', withCsrf = true) =>
      t.app.inject({
        method: 'POST',
        url: '/ressources/maturite',
        remoteAddress: ip,
        headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ ...(withCsrf ? { _csrf: csrf } : {}), ...fields }).toString(),
      });
    const profile = { type: 'entreprise', section_naf: 'G', taille: '1-9', commune: '21231' };
    const form = (i: number, extra: Record<string, string> = {}) => ({
      ...profile,
      ...Object.fromEntries(Object.entries(answersOf(i)).map(([k, v]) => [`q_${k}`, v])),
      ...extra,
    });
    const api = async (u: string) => (await t.app.inject({ method: 'GET', url: u })).json();

    test('the form lists every question of the file; the resources home links to it', async () => {
      const page = (await t.app.inject({ method: 'GET', url: '/ressources/maturite' })).body;
      for (const q of FILE.questions)
        for (const r of q.reponses) assert.ok(page.includes(`id="q-${q.code}-${r.code}"`));
      assert.ok(!page.includes('<script>'), 'no inline script: the form works without JavaScript');
      const home = (await t.app.inject({ method: 'GET', url: '/ressources' })).body;
      assert.ok(home.includes('href="/ressources/maturite"'));
    });

    test('hostile or incomplete input is refused in French, nothing stored', async () => {
      const before = (await api('/api/v1/maturite/indicateurs/region/27')).repondants;
      const noCsrf = await post(form(0), '192.0.2.9', false);
      assert.equal(noCsrf.statusCode, 403);
      const cases: [Record<string, string>, RegExp][] = [
        [form(0, { q_connexion: 'satellite<script>' }), /ne fait pas partie des choix proposés/],
        [{ ...form(0), q_sauvegardes: '' }, /choisissez une réponse/],
        [form(0, { commune: '99999' }), /aucune commune ne porte le code INSEE 99999/],
        [form(0, { commune: '<b>x' }), /code INSEE de commune attendu/],
        [form(0, { type: 'particulier' }), /Type de structure/],
        [form(0, { section_naf: 'Z' }), /section NAF de la liste/],
        [form(0, { taille: '10000' }), /tranche de la liste/],
        [form(0, { email: 'a@b.fr' }), /n’est conservée que si vous acceptez/],
        [form(0, { contact: 'oui', email: 'pas-une-adresse' }), /adresse e-mail invalide/],
        [form(0, { contact: 'oui' }), /indiquez une adresse e-mail/],
        [form(0, { commune: '21231\u0000' }), /code INSEE/],
      ];
      for (const [f, msg] of cases) {
        const r = await post(f, '192.0.2.9');
        assert.equal(r.statusCode, 400, JSON.stringify(f).slice(0, 80));
        assert.match(r.body, msg);
        assert.ok(!r.body.includes('<script>'), 'input is escaped');
      }
      assert.equal((await api('/api/v1/maturite/indicateurs/region/27')).repondants, before);
    });

    test('scores from the form are those recomputed from the weights; aggregates masked below 10, shown at 10', async () => {
      const expected: Record<string, number>[] = [];
      let firstResult = '';
      for (let i = 0; i < 10; i++) {
        const extra: Record<string, string> = i === 0 ? { contact: 'oui', email: 'contact@example.fr' } : {};
        const r = await post(form(i, extra), `198.51.100.${i + 1}`);
        assert.equal(r.statusCode, 303, r.body.slice(0, 300));
        const loc = String(r.headers.location);
        assert.match(loc, /^\/ressources\/maturite\/resultat\/[\w-]{43}$/);
        if (i === 0) firstResult = loc;
        expected.push(tenths(answersOf(i)));
        const page = await t.app.inject({ method: 'GET', url: loc });
        assert.equal(page.statusCode, 200);
        assert.equal(page.headers['cache-control'], 'no-store');
        for (const [d, v] of Object.entries(expected[i]!))
          assert.ok(
            page.body.includes(`<td>${(v / 10).toLocaleString('fr-FR')}</td>`),
            `respondent ${i}, ${d}: ${v / 10}`,
          );
        const ind = await api('/api/v1/maturite/indicateurs/commune/21231');
        if (i < 9) {
          assert.deepEqual(ind, { repondants: i + 1, masque: true });
          assert.match(page.body, /Pas encore de comparaison : \d+ répondants? de même tranche/);
        } else {
          assert.equal(ind.repondants, 10);
          for (const d of FILE.dimensions) {
            const sum = expected.reduce((s, e) => s + e[d.slug]!, 0);
            assert.equal(ind.dimensions[d.slug].score_moyen, Math.round(sum / 10) / 10, d.slug);
          }
          assert.match(page.body, /moyenne des 10 répondants de même tranche/);
        }
      }
      // The same group through every territory level containing Dijon, the sector and the size band.
      const dep = await api('/api/v1/maturite/indicateurs/departement/21');
      const com = await api('/api/v1/maturite/indicateurs/commune/21231');
      assert.deepEqual(dep, com);
      assert.deepEqual(await api('/api/v1/maturite/indicateurs/region/27'), com);
      assert.deepEqual(await api('/api/v1/maturite/indicateurs/secteur/G'), com);
      assert.deepEqual(await api(`/api/v1/maturite/indicateurs/taille/1-9?campagne=${FILE.campagne.code}`), com);
      assert.deepEqual(await api('/api/v1/maturite/indicateurs/taille/1-9?campagne=autre-campagne'), {
        repondants: 0,
        masque: true,
      });
      assert.deepEqual(await api('/api/v1/maturite/indicateurs/departement/25'), { repondants: 0, masque: true });
      // Aggregates page: Côte-d'Or published, a one-respondent département masked with its count.
      assert.equal((await post(form(3, { commune: '25056' }), '198.51.100.50')).statusCode, 303);
      const table = (await t.app.inject({ method: 'GET', url: '/ressources/maturite/indicateurs?niveau=departement' }))
        .body;
      assert.match(table, /Côte-d&#39;Or \(21\)<\/th><td>10<\/td><td>/);
      assert.match(table, /Doubs \(25\)<\/th><td>1<\/td><td colspan="7">masqué/);
      assert.match(table, /Licence Ouverte/);
      // Territory pages: Côte-d'Or shows the means, Doubs only its count.
      const cote = (await t.app.inject({ method: 'GET', url: '/territoires/departement/21' })).body;
      assert.match(cote, /Score moyen par dimension \(0 à 100\) des 10 répondants/);
      const doubs = (await t.app.inject({ method: 'GET', url: '/territoires/departement/25' })).body;
      assert.match(doubs, /1 structure a répondu/);
      assert.doesNotMatch(doubs, /Score moyen par dimension/);
      // Consent: only the first respondent's e-mail is stored, with its date; nobody else's.
      const rows = await t.db.query<{ email: string | null; consentement_le: Date | null }>(
        'SELECT email, consentement_le FROM maturite_repondant ORDER BY id',
      );
      assert.equal(rows.rows[0]!.email, 'contact@example.fr');
      assert.ok(rows.rows[0]!.consentement_le);
      assert.ok(rows.rows.slice(1).every((r) => r.email === null && r.consentement_le === null));
      const first = await t.app.inject({ method: 'GET', url: firstResult });
      assert.match(first.body, /Vous avez accepté d’être recontacté le/);
      assert.match(first.body, /href="\/ressources\/aides\?beneficiaire=entreprise&amp;niveau=commune&amp;code=21231"/);
      assert.match(first.body, /href="\/ressources\/recherche\?q=/);
    });

    test('bad tokens, levels and codes are answered in French', async () => {
      const bad = await t.app.inject({ method: 'GET', url: `/ressources/maturite/resultat/${'a'.repeat(43)}` });
      assert.equal(bad.statusCode, 404);
      assert.match(bad.body, /Ce lien de résultat n’existe pas/);
      assert.equal((await t.app.inject({ method: 'GET', url: '/ressources/maturite/resultat/court' })).statusCode, 400);
      const lvl = await t.app.inject({ method: 'GET', url: '/api/v1/maturite/indicateurs/quartier/1' });
      assert.equal(lvl.statusCode, 400);
      assert.match(lvl.body, /niveau attendu/);
      const com = await t.app.inject({ method: 'GET', url: '/api/v1/maturite/indicateurs/commune/99999' });
      assert.equal(com.statusCode, 404);
      const naf = await t.app.inject({ method: 'GET', url: '/api/v1/maturite/indicateurs/secteur/Z' });
      assert.equal(naf.statusCode, 404);
      assert.match(naf.json().erreur.message, /Section NAF inconnue/);
      const spec = await api('/api/openapi.json');
      assert.ok(spec.paths['/api/v1/maturite/indicateurs/{niveau}/{code}']);
    });

    test('a survey campaign in CSV imports into the same model; bad rows are rejects; a re-import replaces it', async () => {
      const codes = FILE.questions.map((q) => q.code);
      const line = (i: number, commune = '25056') => {
        const a = answersOf(i + 20);
        // Every third row gives the answer's label rather than its code.
        const cells = FILE.questions.map((q) => {
          const r = (q.reponses as { code: string; libelle?: string }[]).find((x) => x.code === a[q.code])!;
          return i % 3 === 0 && r.libelle ? `"${r.libelle}"` : r.code;
        });
        return ['Association', 's', '10-49', commune, ...cells].join(';');
      };
      const rows = Array.from({ length: 12 }, (_, i) => line(i));
      const bad = [line(50, '99999'), line(51).replace(/;[^;]+$/, ';peut-etre')];
      const file = path.join(t.config.dataDir, 'enquete-cci.csv');
      fs.writeFileSync(
        file,
        `${['type', 'section_naf', 'taille', 'commune', ...codes].join(';')}\r\n${[...rows, ...bad].join('\r\n')}\r\n`,
      );
      const opts = { campagne: 'cci-test', libelle: 'Enquête CCI (test)', source: 'CCI' };
      const run = await t.ctx.runImport({ job: 'maturite-campagne', source: file, options: opts, startedBy: 'test' });
      assert.equal(run.status, 'succeeded', run.message ?? '');
      assert.equal(run.rows_accepted, 12);
      assert.equal(run.rows_rejected, 2);
      const ind = await api('/api/v1/maturite/indicateurs/commune/25056?campagne=cci-test');
      assert.equal(ind.repondants, 12);
      for (const d of FILE.dimensions) {
        const sum = rows.reduce((s, _r, i) => s + tenths(answersOf(i + 20))[d.slug]!, 0);
        assert.equal(ind.dimensions[d.slug].score_moyen, Math.round(sum / 12) / 10, d.slug);
      }
      const again = await t.ctx.runImport({
        job: 'maturite-campagne',
        source: file,
        options: opts,
        startedBy: 'test',
        force: true,
      });
      assert.equal(again.status, 'succeeded', again.message ?? '');
      assert.equal((await api('/api/v1/maturite/indicateurs/commune/25056?campagne=cci-test')).repondants, 12);
      const page = (
        await t.app.inject({ method: 'GET', url: '/ressources/maturite/indicateurs?niveau=taille&campagne=cci-test' })
      ).body;
      assert.match(page, /10 à 49 salariés<\/th><td>12<\/td>/);
      const form = await t.ctx.runImport({
        job: 'maturite-campagne',
        source: file,
        options: { campagne: FILE.campagne.code },
        startedBy: 'test',
        force: true,
      });
      assert.equal(form.status, 'failed');
      assert.match(form.message ?? '', /celle du formulaire en ligne/);
    });

    test('the public form is rate-limited per address', async () => {
      let last = 0;
      for (let i = 0; i < 21; i++) last = (await post({ type: 'x' }, '203.0.113.7')).statusCode;
      assert.equal(last, 429);
      const r = await post({ type: 'x' }, '203.0.113.7');
      assert.match(r.body, /Trop de requêtes/);
    });
  });
}
