/**
 * Strategy steering on the real seeds (SCORAN BFC, Normandie 2017) and the real ARCEP files the
 * observatory tests read: the FttH indicator takes the observatory's own figure after the import.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';
import { parse } from 'yaml';
import { setOwner } from '../../src/accounts/ownership.ts';
import { createOrganisation, createUser } from '../../src/accounts/service.ts';
import { backends, cookieHeader, csrfIn, missingShared, setup, shared, signIn } from '../helpers.ts';

const SERIE_REG = shared('arcep-fixe', 'arcep-obs-thd-2022t2-ftth-regions-serie-2017t4-2022t2.csv.gz');
const MCI = shared('arcep-fixe', 'mci-commune-debit-2022t4-bfc-normandie.csv.gz');
const SEED = path.join(import.meta.dirname, '..', '..', 'src', 'strategy', 'modeles', 'scoran-bfc.yaml');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'strategie-test-'));

type Node = {
  id: number;
  niveau: string;
  code: string;
  titre: string;
  statut: string;
  avancement: number;
  enfants: Node[];
};
const flat = (ns: Node[]): Node[] => ns.flatMap((n) => [n, ...flat(n.enfants)]);

/** The text a PDF shows: its Flate streams inflated, the hex strings of its text operators decoded (WinAnsi ≈ Latin-1). */
function pdfText(pdf: Buffer): string {
  const out: string[] = [];
  let at = 0;
  for (;;) {
    const s = pdf.indexOf('stream\n', at);
    if (s < 0) break;
    const e = pdf.indexOf('\nendstream', s);
    let body: string;
    try {
      body = zlib.inflateSync(pdf.subarray(s + 7, e)).toString('latin1');
    } catch {
      body = '';
    }
    for (const tj of body.matchAll(/\[(.*?)\] TJ/g))
      out.push(
        [...tj[1]!.matchAll(/<([0-9a-f]*)>/g)].map((h) => Buffer.from(h[1]!, 'hex').toString('latin1')).join(''),
      );
    at = e + '\nendstream'.length;
  }
  return out.join('\n');
}

/** Writes a variant of the SCORAN seed with one change made by `edit`. */
// biome-ignore lint/suspicious/noExplicitAny: a test edits the seed's nested plain data freely
type Doc = Record<string, any>;
function variant(name: string, edit: (doc: Doc) => void): string {
  const doc = parse(fs.readFileSync(SEED, 'utf8'));
  edit(doc);
  const p = path.join(tmp, name);
  fs.writeFileSync(p, JSON.stringify(doc));
  return p;
}

for (const backend of backends()) {
  describe(`strategy steering (${backend.name})`, {
    skip: missingShared(
      'arcep-fixe/arcep-obs-thd-2022t2-ftth-regions-serie-2017t4-2022t2.csv.gz',
      'arcep-fixe/mci-commune-debit-2022t4-bfc-normandie.csv.gz',
    ),
  }, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    const get = (url: string) => t.app.inject({ method: 'GET', url });
    const imp = (job: string, source?: string, options?: unknown, force = false) =>
      t.ctx.runImport({
        job,
        startedBy: 'test',
        force,
        ...(source ? { source } : {}),
        ...(options ? { options } : {}),
      });

    before(async () => {
      t = await setup(backend);
    });
    after(async () => {
      await t.close();
    });

    test('the SCORAN BFC seed loads without a path: 3 enjeux, 5 défis, 15 orientations and the pistes of §7', async () => {
      const run = await imp('strategie', undefined, { modele: 'scoran-bfc' });
      assert.equal(run.status, 'succeeded', run.message ?? '');
      const list = (await get('/api/v1/strategies')).json();
      assert.deepEqual(
        list.items.map((s: { slug: string }) => s.slug),
        ['scoran-bfc'],
      );
      assert.deepEqual(list.items[0].niveaux, ['enjeu', 'defi', 'orientation', 'piste', 'action']);
      assert.equal(list.items[0].region, '27');
      const tree = (await get('/api/v1/strategies/scoran-bfc')).json();
      const all = flat(tree.noeuds);
      const count = (n: string) => all.filter((x) => x.niveau === n).length;
      assert.equal(tree.noeuds.length, 3);
      assert.equal(count('defi'), 5);
      assert.equal(count('orientation'), 15);
      // Every orientation has pistes, and the pistes are what §7 lists for it.
      const o = all.filter((x) => x.niveau === 'orientation');
      assert.ok(o.every((x) => x.enfants.length > 0 && x.enfants.every((c) => c.niveau === 'piste')));
      assert.deepEqual(
        o.map((x) => x.enfants.length),
        [5, 3, 3, 6, 2, 2, 5, 3, 6, 4, 3, 4, 2, 1, 4],
      );
      const actions = (await get('/api/v1/strategies/scoran-bfc/actions')).json();
      assert.equal(actions.total, count('piste'));
      assert.deepEqual(actions.items[0].budget, { prevu: 0, engage: 0, realise: 0 });
      assert.equal(actions.items[0].statut, 'a_lancer');
    });

    test('re-importing the same seed changes nothing (no new history, same tree)', async () => {
      const before = (await get('/api/v1/strategies/scoran-bfc')).json();
      const h = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM strategie_historique');
      const run = await imp('strategie', undefined, { modele: 'scoran-bfc' }, true);
      assert.equal(run.status, 'succeeded', run.message ?? '');
      assert.match(run.message!, /0 créés, 0 modifiés, 0 supprimés/);
      const h2 = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM strategie_historique');
      assert.equal(h2.rows[0]!.n, h.rows[0]!.n);
      assert.deepEqual((await get('/api/v1/strategies/scoran-bfc')).json(), before);
    });

    test('after the ARCEP imports the FttH indicator shows the observatory’s figure, untyped', async () => {
      let ind = (await get('/api/v1/strategies/scoran-bfc/indicateurs')).json();
      let ftth = ind.items.find((i: { fournisseur: string | null }) => i.fournisseur === 'observatoire.taux_ftth');
      assert.equal(ftth.mesures.length, 0);
      assert.equal(ftth.statut, null);
      const page = await get(`/strategie/scoran-bfc/indicateurs/${ftth.id}`);
      assert.match(page.body, /pas encore de données : importez l’observatoire Arcep/);
      for (const [job, src] of [
        ['arcep-deploiements', SERIE_REG],
        ['mci-communes', MCI],
      ] as const) {
        const run = await imp(job, src);
        assert.equal(run.status, 'succeeded', `${job}: ${run.message}`);
      }
      const obs = (await get('/api/v1/observatoire/fixe/region/27')).json();
      const series = obs.series.filter(
        (s: { jeu: string; taux_ftth: number | null }) => s.jeu === 'arcep-deploiements' && s.taux_ftth !== null,
      );
      assert.ok(series.length >= 19);
      ind = (await get('/api/v1/strategies/scoran-bfc/indicateurs')).json();
      ftth = ind.items.find((i: { fournisseur: string | null }) => i.fournisseur === 'observatoire.taux_ftth');
      assert.equal(ftth.mesures.length, series.length);
      const last = series.at(-1);
      const m = ftth.mesures.at(-1);
      assert.equal(m.date, last.date);
      assert.ok(Math.abs(m.valeur - last.taux_ftth * 100) < 0.001, `${m.valeur} vs ${last.taux_ftth}`);
      assert.match(m.source, /Bourgogne-Franche-Comté/);
      // A status on the straight line from the first measurement to 100 % at the end of 2025.
      assert.ok(['en_avance', 'conforme', 'a_risque', 'hors_trajectoire'].includes(ftth.statut), ftth.statut);
      const html = (await get(`/strategie/scoran-bfc/indicateurs/${ftth.id}`)).body;
      assert.match(html, /<svg class="pan-graphique"/);
      assert.match(html, /valeurs du graphique/);
      // Inclusion providers say they have nothing yet.
      const med = ind.items.find(
        (i: { fournisseur: string | null }) => i.fournisseur === 'inclusion.distance_mediation',
      );
      assert.equal(med.mesures.length, 0);
      assert.match((await get(`/strategie/scoran-bfc/indicateurs/${med.id}`)).body, /pas encore de données/);
    });

    test('bad files are refused with a precise message and nothing is half-imported', async () => {
      const before = (await get('/api/v1/strategies/scoran-bfc')).json();
      const cases: [string, (d: Doc) => void, RegExp][] = [
        [
          'avancement.json',
          (d) => (d.noeuds[0].enfants[0].enfants[0].enfants[0].avancement = 150),
          /avancement : l’avancement va de 0 à 100/,
        ],
        [
          'dates.json',
          (d) =>
            Object.assign(d.noeuds[0].enfants[0].enfants[0].enfants[0], { debut: '2024-01-01', fin: '2023-01-01' }),
          /la fin précède le début/,
        ],
        [
          'budget.json',
          (d) =>
            (d.noeuds[0].enfants[0].enfants[0].enfants[0].budget = [{ annee: 2024, financeur: 'region', prevu: -5 }]),
          /un montant ne peut pas être négatif/,
        ],
        ['inconnu.json', (d) => (d.noeuds[0].colonne = 1), /colonne/],
        ['niveau.json', (d) => (d.noeuds[0].enfants[0].niveau = 'enjeu'), /doit être plus bas que celui de son parent/],
        [
          'fournisseur.json',
          (d) => (d.indicateurs[0].fournisseur = 'observatoire.inexistant'),
          /fournisseur « observatoire.inexistant » inconnu/,
        ],
        [
          'renomme.json',
          (d) => {
            d.noeuds[0].titre = 'changé';
            d.noeuds[1].code = 'E1';
          },
          /code « E1 » en double/,
        ],
      ];
      for (const [name, edit, re] of cases) {
        const run = await imp('strategie', variant(name, edit));
        assert.equal(run.status, 'failed', name);
        assert.match(run.message!, re, `${name}: ${run.message}`);
        assert.match(run.message!, /rien n’a été importé/);
      }
      assert.deepEqual((await get('/api/v1/strategies/scoran-bfc')).json(), before);
    });

    test('a file update: progress and a budget on a piste roll up to its orientation, with history', async () => {
      const file = variant('avance.json', (d) => {
        const o1 = d.noeuds[0].enfants[0].enfants[0];
        Object.assign(o1.enfants[1], {
          statut: 'en_cours',
          avancement: 50,
          debut: '2020-01-01',
          fin: '2025-12-31',
          budget: [{ annee: 2024, financeur: 'region', prevu: 1000, engage: 500, realise: 100 }],
          jalons: [{ date: '2021-06-30', titre: 'Premier point' }],
        });
      });
      const run = await imp('strategie', file);
      assert.equal(run.status, 'succeeded', run.message ?? '');
      assert.match(run.message!, /0 créés, 1 modifiés, 0 supprimés/);
      const tree = (await get('/api/v1/strategies/scoran-bfc')).json();
      const o1 = flat(tree.noeuds).find((n) => n.code === 'O1')!;
      assert.equal(o1.statut, 'en_cours');
      assert.equal(o1.avancement, 10); // 5 pistes of weight 1: (0 + 50 + 0 + 0 + 0) / 5
      const actions = (await get('/api/v1/strategies/scoran-bfc/actions?statut=en_cours')).json();
      assert.equal(actions.total, 1);
      assert.deepEqual(actions.items[0].budget, { prevu: 1000, engage: 500, realise: 100 });
      const page = (await get(`/strategie/scoran-bfc/actions/${actions.items[0].id}`)).body;
      assert.match(page, /Premier point/);
      assert.match(page, /en retard/);
      assert.match(page, /modification/);
    });

    test('public pages: the strategy list replaces « à venir », the tree shows every orientation', async () => {
      const list = await get('/strategie');
      assert.equal(list.statusCode, 200);
      assert.doesNotMatch(list.body, /Ce service est à venir/);
      const page = await get('/strategie/scoran-bfc');
      assert.equal(page.statusCode, 200);
      for (let i = 1; i <= 15; i++) assert.match(page.body, new RegExp(`Orientation O${i}<`));
      assert.equal((await get('/strategie/inconnue')).statusCode, 404);
      assert.equal((await get('/api/v1/strategies/inconnue')).statusCode, 404);
      assert.equal((await get('/api/v1/strategies/Bad%20Slug')).statusCode, 400);
    });

    test('the action finder: principles inherited down the tree, statuses, accent-free text, refused filters', async () => {
      type SeedNode = { code: string; niveau: string; titre: string; principes?: string[]; enfants?: SeedNode[] };
      const seed = parse(fs.readFileSync(SEED, 'utf8')) as { noeuds: SeedNode[] };
      const walk = (ns: SeedNode[], inherited: string[]): { code: string; titre: string; principes: string[] }[] =>
        ns.flatMap((n) => {
          const p = [...inherited, ...(n.principes ?? [])];
          return [{ code: n.code, titre: n.titre, principes: p }, ...walk(n.enfants ?? [], p)];
        });
      const all = walk(seed.noeuds, []);
      const codesIn = (body: string) => [...body.matchAll(/<tr><td>[^<]*<\/td><td>([^<]+)<\/td>/g)].map((m) => m[1]);
      const inclusive = await get('/strategie/scoran-bfc/actions?principe=inclusive');
      assert.equal(inclusive.statusCode, 200);
      const expected = all.filter((n) => n.principes.includes('inclusive')).map((n) => n.code);
      assert.ok(expected.length > 3);
      assert.deepEqual(codesIn(inclusive.body).sort(), expected.sort());
      const pix = all.filter((n) => /pix/i.test(n.titre)).map((n) => n.code);
      assert.deepEqual(codesIn((await get('/strategie/scoran-bfc/actions?q=PIX+orga')).body), pix);
      const tree = flat((await get('/api/v1/strategies/scoran-bfc')).json().noeuds as Node[]);
      const mediation = tree.filter((n) => /médiation/i.test(n.titre)).map((n) => n.code);
      assert.ok(mediation.length > 0);
      assert.deepEqual(codesIn((await get('/strategie/scoran-bfc/actions?q=mediation')).body), mediation);
      const pistes = tree.filter((n) => n.niveau === 'piste' && n.statut === 'a_lancer').map((n) => n.code);
      assert.deepEqual(codesIn((await get('/strategie/scoran-bfc/actions?niveau=piste&statut=a_lancer')).body), pistes);
      const bad = await get('/strategie/scoran-bfc/actions?statut=fini');
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /statut attendu parmi/);
    });

    test('an editor updates the action their organisation owns; bad input is refused in French; history shows who', async () => {
      const sys = { id: null, label: 'test' };
      const org = await createOrganisation(t.db, sys, {
        nom: 'Syndicat test stratégie',
        type: 'syndicat-mixte',
        territoireNiveau: null,
        territoireCode: null,
      });
      await createUser(t.db, sys, {
        email: 'editeur@strategie.test',
        nom: 'Éditrice Test',
        motDePasse: 'Zq8!vT3#pL9@wM2x',
        role: 'editeur',
        organisationId: org,
      });
      const actions = (await get('/api/v1/strategies/scoran-bfc/actions')).json();
      const mine = actions.items.find((a: { code: string }) => a.code === 'P2.1');
      const other = actions.items.find((a: { code: string }) => a.code === 'P2.2');
      await setOwner(t.db, 'action', mine.id, org);
      const { jar } = await signIn(t.app, 'editeur@strategie.test', 'Zq8!vT3#pL9@wM2x');
      const page = await t.app.inject({
        method: 'GET',
        url: `/strategie/scoran-bfc/actions/${mine.id}`,
        headers: { cookie: cookieHeader(jar) },
      });
      assert.match(page.body, /Mettre à jour/);
      const csrf = csrfIn(page.body);
      const post = (url: string, form: Record<string, string>) =>
        t.app.inject({
          method: 'POST',
          url,
          headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ _csrf: csrf, ...form }).toString(),
        });
      const base = `/strategie/scoran-bfc/actions/${mine.id}`;
      let r = await post(base, { statut: 'en_cours', avancement: '150', debut: '', fin: '' });
      assert.equal(r.statusCode, 400);
      assert.match(r.body, /avancement : entre 0 et 100/);
      r = await post(base, { statut: 'en_cours', avancement: '20', debut: '2025-01-01', fin: '2024-01-01' });
      assert.equal(r.statusCode, 400);
      assert.match(r.body, /la fin précède le début/);
      r = await post(`${base}/budget`, { annee: '2025', financeur: 'region', prevu: '-3', engage: '0', realise: '0' });
      assert.equal(r.statusCode, 400);
      assert.match(r.body, /prévu : entre 0 et/);
      r = await post(`${base}/budget`, { annee: '2025', financeur: 'region', prevu: 'abc', engage: '0', realise: '0' });
      assert.equal(r.statusCode, 400);
      r = await post(base, { statut: 'en_cours', avancement: '20', debut: '2024-01-01', fin: '2026-12-31' });
      assert.equal(r.statusCode, 303);
      r = await post(`${base}/budget`, {
        annee: '2025',
        financeur: 'etat_cper',
        prevu: '2000',
        engage: '1000',
        realise: '0',
      });
      assert.equal(r.statusCode, 303);
      // Another organisation's action: refused, nothing written.
      r = await post(`/strategie/scoran-bfc/actions/${other.id}`, {
        statut: 'terminee',
        avancement: '100',
        debut: '',
        fin: '',
      });
      assert.equal(r.statusCode, 403);
      const after = (await get('/api/v1/strategies/scoran-bfc/actions')).json();
      const m2 = after.items.find((a: { id: number }) => a.id === mine.id);
      assert.equal(m2.statut, 'en_cours');
      assert.equal(m2.avancement, 20);
      assert.equal(m2.porteur, 'Syndicat test stratégie');
      assert.deepEqual(m2.budget, { prevu: 2000, engage: 1000, realise: 0 });
      assert.equal(after.items.find((a: { id: number }) => a.id === other.id).statut, 'a_lancer');
      const hist = (await get(base)).body;
      assert.match(hist, /par Éditrice Test/);
      // Documents and links: an external document, a page of the platform; anything else refused.
      r = await post(`${base}/liens`, { titre: 'Délibération', url: 'javascript:alert(1)' });
      assert.equal(r.statusCode, 400);
      assert.match(r.body, /adresse attendue/);
      r = await post(`${base}/liens`, { titre: 'Ailleurs', url: '//evil.example/x' });
      assert.equal(r.statusCode, 400);
      r = await post(`${base}/liens`, {
        titre: 'Délibération du 12 mars',
        url: 'https://www.bourgognefranchecomte.fr/delib.pdf',
      });
      assert.equal(r.statusCode, 303);
      r = await post(`${base}/liens`, { titre: 'Côte-d’Or', url: '/territoires/departement/21' });
      assert.equal(r.statusCode, 303);
      const withLinks = (await get(base)).body;
      assert.match(
        withLinks,
        /<h3 class="fr-h6">Documents<\/h3><ul><li><a href="https:\/\/www\.bourgognefranchecomte\.fr\/delib\.pdf" rel="noopener noreferrer">Délibération du 12 mars<\/a>/,
      );
      assert.match(
        withLinks,
        /<h3 class="fr-h6">Sur la plateforme<\/h3><ul><li><a href="\/territoires\/departement\/21">Côte-d’Or<\/a>/,
      );
      assert.doesNotMatch(withLinks, /Retirer/, 'visitors see no delete button');
      const mineNow = await t.app.inject({ method: 'GET', url: base, headers: { cookie: cookieHeader(jar) } });
      const del = [...mineNow.body.matchAll(/action="([^"]+\/suppression)"/g)].map((m) => m[1]!);
      assert.equal(del.length, 2);
      r = await post(del[0]!, {});
      assert.equal(r.statusCode, 303);
      assert.equal(await post(del[0]!, {}).then((x) => x.statusCode), 404);
      assert.doesNotMatch((await get(base)).body, /Délibération du 12 mars/);
      // A measurement without a source is refused.
      const ind = (await get('/api/v1/strategies/scoran-bfc/indicateurs'))
        .json()
        .items.find((i: { code: string }) => i.code === 'I1.3');
      r = await post(`/strategie/scoran-bfc/indicateurs/${ind.id}/mesures`, {
        date: '2024-12-31',
        valeur: '90',
        source: '',
      });
      assert.equal(r.statusCode, 403); // I1.3 follows O2, which no organisation owns: administrators only
    });

    test('roadmap CSV: exported with BOM and « ; », re-imported identically, edited rows applied, bad rows refuse the whole file', async () => {
      const res = await get('/api/v1/strategies/scoran-bfc/export.csv');
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /text\/csv/);
      assert.ok(res.body.startsWith('\uFEFFstrategie;id;code;niveau;titre;'));
      const file = path.join(tmp, 'export.csv');
      fs.writeFileSync(file, res.body);
      const same = await imp('strategie-csv', file);
      assert.equal(same.status, 'succeeded', same.message ?? '');
      assert.match(same.message!, /0 nœud modifié/);
      assert.equal((await get('/api/v1/strategies/scoran-bfc/export.csv')).body, res.body);
      // As a spreadsheet would: one progress edited.
      const lines = res.body.split('\r\n');
      const i = lines.findIndex((l) => l.split(';')[2] === 'P3.1');
      const cols = lines[i]!.split(';');
      cols[6] = 'en_cours';
      cols[7] = '35';
      const edited = [...lines];
      edited[i] = cols.join(';');
      fs.writeFileSync(file, edited.join('\r\n'));
      const ok = await imp('strategie-csv', file);
      assert.equal(ok.status, 'succeeded', ok.message ?? '');
      assert.match(ok.message!, /1 nœud modifié/);
      const p31 = (await get('/api/v1/strategies/scoran-bfc/actions'))
        .json()
        .items.find((a: { code: string }) => a.code === 'P3.1');
      assert.equal(p31.avancement, 35);
      assert.equal((await get('/api/v1/strategies/scoran-bfc/export.csv')).body, edited.join('\r\n'));
      // Bad rows: every one named with its line, nothing applied.
      const bad = [...edited];
      const c2 = bad[i]!.split(';');
      c2[7] = '101';
      bad[i] = c2.join(';');
      const j = i + 1;
      const c3 = bad[j]!.split(';');
      c3[2] = 'ZZZ';
      bad[j] = c3.join(';');
      fs.writeFileSync(file, bad.join('\r\n'));
      const ko = await imp('strategie-csv', file);
      assert.equal(ko.status, 'failed');
      assert.match(ko.message!, new RegExp(`ligne ${i + 1} : avancement : avancement : de 0 à 100`));
      assert.match(ko.message!, new RegExp(`ligne ${j + 1} : code changé`));
      assert.match(ko.message!, /rien n’a été importé/);
      assert.equal((await get('/api/v1/strategies/scoran-bfc/export.csv')).body, edited.join('\r\n'));
      fs.writeFileSync(file, edited.join('\r\n').replace('budget_realise', 'budget_realise;colonne_x'));
      const col = await imp('strategie-csv', file);
      assert.equal(col.status, 'failed');
      assert.match(col.message!, /inconnue\(s\) colonne_x/);
    });

    test('committee review: a session snapshots progress, the next one shows progress since and puts late actions first; decisions enter the action history', async () => {
      const admin = { id: null, label: 'test' };
      await createUser(t.db, admin, {
        email: 'admin@strategie.test',
        nom: 'Admin Test',
        motDePasse: 'Zq8!vT3#pL9@wM2y',
        role: 'administrateur',
        organisationId: null,
      });
      const { jar } = await signIn(t.app, 'admin@strategie.test', 'Zq8!vT3#pL9@wM2y');
      const form = await t.app.inject({
        method: 'GET',
        url: '/strategie/scoran-bfc/revues',
        headers: { cookie: cookieHeader(jar) },
      });
      assert.match(form.body, /Nouvelle revue/);
      const post = (url: string, f: Record<string, string>) =>
        t.app.inject({
          method: 'POST',
          url,
          headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ _csrf: csrfIn(form.body), ...f }).toString(),
        });
      let r = await post('/strategie/scoran-bfc/revues', {
        date: '2025-01-15',
        comite: 'Comité de pilotage du numérique',
      });
      assert.equal(r.statusCode, 303);
      const actions = (await get('/api/v1/strategies/scoran-bfc/actions')).json();
      const p41 = actions.items.find((a: { code: string }) => a.code === 'P4.1');
      r = await post(`/strategie/scoran-bfc/actions/${p41.id}`, {
        statut: 'en_retard',
        avancement: '15',
        debut: '',
        fin: '',
      });
      assert.equal(r.statusCode, 303);
      r = await post('/strategie/scoran-bfc/revues', { date: '2025-04-15', comite: 'Comité de pilotage du numérique' });
      assert.equal(r.statusCode, 303);
      const url = String(r.headers.location).replace('?ok=1', '');
      const file = (await get(url)).body;
      const rows = file.split('<tr>').slice(2);
      assert.match(rows[0]!, />P4\.1</);
      assert.match(rows[0]!, /\+15 pts/);
      r = await post(`${url}/decisions`, { noeud: String(p41.id), decision: 'reorienter', motif: '' });
      assert.equal(r.statusCode, 400);
      assert.match(r.body, /le motif de la décision est requis/);
      r = await post(`${url}/decisions`, {
        noeud: String(p41.id),
        decision: 'reorienter',
        motif: 'Public à cibler autrement',
      });
      assert.equal(r.statusCode, 303);
      assert.match((await get(url)).body, /Réorienter : Public à cibler autrement/);
      assert.match(
        (await get(`/strategie/scoran-bfc/actions/${p41.id}`)).body,
        /decision \(décision de la revue du 2025-04-15 : Réorienter\) par Admin Test/,
      );
      r = await post(`${url}/compte-rendu`, {
        compte_rendu: 'Le comité réoriente P4.1 vers les séniors.\n\nProchaine séance en juillet.',
      });
      assert.equal(r.statusCode, 303);
      assert.match((await get(url)).body, /<p>Prochaine séance en juillet\.<\/p>/);

      // CSV: the same rows in the same order as the page, with the decision.
      const csv = await get(`${url}/dossier.csv`);
      assert.match(String(csv.headers['content-type']), /^text\/csv/);
      const lines = csv.body
        .replace(/^\uFEFF/, '')
        .trimEnd()
        .split('\r\n');
      assert.equal(lines.length - 1, actions.items.length);
      const first = lines[1]!.split(';');
      assert.deepEqual([first[0], first[2], first[5], first[7]], ['2025-04-15', 'P4.1', 'en_retard', '15']);
      assert.match(lines[1]!, /Réorienter : Public à cibler autrement$/);
      assert.equal(lines.filter((l) => l.endsWith(';')).length, lines.length - 2);

      // PDF: a real document whose text holds the session, the decision and every action code.
      const pdf = await t.app.inject({ method: 'GET', url: `${url}/rapport.pdf` });
      assert.equal(pdf.statusCode, 200);
      assert.equal(pdf.headers['content-type'], 'application/pdf');
      assert.equal(pdf.rawPayload.subarray(0, 5).toString(), '%PDF-');
      const words = pdfText(pdf.rawPayload);
      assert.match(words, /revue du 15\/04\/2025/);
      assert.match(words, /Réorienter : Public à cibler autrement/);
      assert.match(words, /Prochaine séance en juillet/);
      for (const a of actions.items as { code: string }[]) assert.ok(words.includes(a.code), a.code);
    });

    test('an administrator adds an action under a piste with its owner; a re-import of the file keeps it', async () => {
      const { jar } = await signIn(t.app, 'admin@strategie.test', 'Zq8!vT3#pL9@wM2y');
      const page = await t.app.inject({
        method: 'GET',
        url: '/strategie/scoran-bfc',
        headers: { cookie: cookieHeader(jar) },
      });
      assert.match(page.body, /Ajouter un élément/);
      assert.doesNotMatch((await get('/strategie/scoran-bfc')).body, /Ajouter un élément/);
      const post = (url: string, f: Record<string, string>) =>
        t.app.inject({
          method: 'POST',
          url,
          headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ _csrf: csrfIn(page.body), ...f }).toString(),
        });
      const tree = flat((await get('/api/v1/strategies/scoran-bfc')).json().noeuds as Node[]);
      const p42 = tree.find((n) => n.code === 'P4.2')!;
      const org = (
        await t.db.query<{ id: number }>("SELECT id::int AS id FROM organisation WHERE nom = 'Syndicat test stratégie'")
      ).rows[0]!.id;
      const form = {
        parent: String(p42.id),
        code: 'A4.2.1',
        titre: 'Former 300 agents des communes à Pix Orga',
        description: '',
        porteur: String(org),
        contact: 'numerique@example.fr',
        debut: '2025-02-01',
        fin: '2026-06-30',
      };
      let r = await post('/strategie/scoran-bfc/actions', { ...form, fin: '2024-01-01' });
      assert.equal(r.statusCode, 400);
      assert.match(r.body, /la fin précède le début/);
      r = await post('/strategie/scoran-bfc/actions', { ...form, code: 'P4.1' });
      assert.equal(r.statusCode, 400);
      assert.match(r.body, /Le code P4\.1 est déjà pris/);
      r = await post('/strategie/scoran-bfc/actions', form);
      assert.equal(r.statusCode, 303);
      const added = (await get('/api/v1/strategies/scoran-bfc/actions'))
        .json()
        .items.find((a: { code: string }) => a.code === 'A4.2.1');
      assert.deepEqual(
        [added.niveau, added.porteur, added.debut, added.fin],
        ['action', 'Syndicat test stratégie', '2025-02-01', '2026-06-30'],
      );
      const under = flat((await get('/api/v1/strategies/scoran-bfc')).json().noeuds as Node[]).find(
        (n) => n.code === 'P4.2',
      )!;
      assert.deepEqual(
        under.enfants.map((c) => c.code),
        ['A4.2.1'],
      );
      // Nothing goes under the deepest level.
      r = await post('/strategie/scoran-bfc/actions', { ...form, parent: String(added.id), code: 'X' });
      assert.equal(r.statusCode, 400);
      assert.match(r.body, /Rien ne se place sous/);
      // The file is re-imported: its own nodes unchanged, the entered action kept.
      const run = await imp('strategie', undefined, { modele: 'scoran-bfc' }, true);
      assert.equal(run.status, 'succeeded', run.message ?? '');
      assert.match(run.message!, /0 supprimés/);
      assert.ok(
        (await get('/api/v1/strategies/scoran-bfc/actions'))
          .json()
          .items.some((a: { code: string }) => a.code === 'A4.2.1'),
      );
      // The owner changes; the action is then the administrators'.
      r = await post(`/strategie/scoran-bfc/actions/${added.id}/porteur`, { porteur: '' });
      assert.equal(r.statusCode, 303);
      const now = (await get('/api/v1/strategies/scoran-bfc/actions'))
        .json()
        .items.find((a: { code: string }) => a.code === 'A4.2.1');
      assert.equal(now.porteur, null);
      assert.match(
        (await get(`/strategie/scoran-bfc/actions/${added.id}`)).body,
        /attribution \(porteur de A4\.2\.1\) par Admin Test/,
      );
    });

    test('indicator measurements from a spreadsheet: added once, any bad row refuses the file', async () => {
      const ind = (await get('/api/v1/strategies/scoran-bfc/indicateurs')).json();
      const target = ind.items.find((i: { fournisseur: string | null; mesures: unknown[] }) => !i.fournisseur);
      const before = target.mesures.length;
      const file = path.join(tmp, 'mesures.csv');
      const rows = [
        'strategie;indicateur;date;valeur;source;commentaire',
        `scoran-bfc;${target.code};2024-12-31;12,5;Enquête régionale 2024;`,
        `scoran-bfc;${target.code};2025-06-30;18;Enquête régionale 2025;"premier semestre; provisoire"`,
      ];
      fs.writeFileSync(file, `\uFEFF${rows.join('\r\n')}\r\n`);
      let run = await imp('strategie-mesures', file);
      assert.equal(run.status, 'succeeded', run.message ?? '');
      assert.match(run.message!, /2 lignes lues, 2 ajoutées, 0 déjà enregistrée/);
      const after = (await get('/api/v1/strategies/scoran-bfc/indicateurs'))
        .json()
        .items.find((i: { id: number }) => i.id === target.id);
      assert.equal(after.mesures.length, before + 2);
      assert.deepEqual(after.mesures.slice(-2), [
        { date: '2024-12-31', valeur: 12.5, source: 'Enquête régionale 2024' },
        { date: '2025-06-30', valeur: 18, source: 'Enquête régionale 2025' },
      ]);
      run = await imp('strategie-mesures', file, undefined, true);
      assert.match(run.message!, /0 ajoutée, 2 déjà enregistrées/);
      fs.writeFileSync(
        file,
        [
          ...rows,
          `scoran-bfc;${target.code};2025-13-45;20;Enquête;`,
          'scoran-bfc;ZZZ;2025-09-30;20;Enquête;',
          `scoran-bfc;${target.code};2025-09-30;20;;`,
        ].join('\n'),
      );
      run = await imp('strategie-mesures', file, undefined, true);
      assert.equal(run.status, 'failed');
      assert.match(run.message!, /ligne 4 : date/);
      assert.match(run.message!, /ligne 5 : indicateur « ZZZ » inconnu/);
      assert.match(run.message!, /ligne 6 : source : la source de la mesure est requise/);
      const still = (await get('/api/v1/strategies/scoran-bfc/indicateurs'))
        .json()
        .items.find((i: { id: number }) => i.id === target.id);
      assert.equal(still.mesures.length, before + 2);
    });

    test('the Normandie plan loads beside it, with its quantified targets', async () => {
      const run = await imp('strategie', undefined, { modele: 'normandie-2017' });
      assert.equal(run.status, 'succeeded', run.message ?? '');
      const tree = (await get('/api/v1/strategies/normandie-2017')).json();
      assert.deepEqual(tree.niveaux, ['axe', 'domaine', 'projet', 'action']);
      assert.equal(tree.noeuds.length, 2);
      const ind = (await get('/api/v1/strategies/normandie-2017/indicateurs')).json();
      const thd = ind.items.filter((i: { code: string }) => i.code.startsWith('THD-'));
      assert.deepEqual(
        thd.map((i: { cible: number; date_cible: string }) => [i.cible, i.date_cible]),
        [
          [60, '2020-12-31'],
          [100, '2025-12-31'],
        ],
      );
      // Its FttH indicator is Normandie's figure (région 28), not BFC's.
      const ftth = ind.items.find((i: { fournisseur: string | null }) => i.fournisseur === 'observatoire.taux_ftth');
      const obs = (await get('/api/v1/observatoire/fixe/region/28')).json();
      const last = obs.series
        .filter(
          (s: { jeu: string; taux_ftth: number | null }) => s.jeu === 'arcep-deploiements' && s.taux_ftth !== null,
        )
        .at(-1);
      assert.ok(Math.abs(ftth.mesures.at(-1).valeur - last.taux_ftth * 100) < 0.001);
      assert.equal((await get('/api/v1/strategies')).json().items.length, 2);
    });
  });
}
