import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { userByEmail } from '../../src/accounts/queries.ts';
import { createUser, openSession } from '../../src/accounts/service.ts';
import { insertLibrary, insertVersion } from '../../src/resources/library-queries.ts';
import { indexDoc } from '../../src/resources/search.ts';
import { launch, NO_BROWSER, seriousViolations } from '../e2e/axe.ts';
import { backends, serve, setup } from '../helpers.ts';

/** Working groups: members, meetings linked to the agenda, members-only minutes, documents and threads, rhythm. */
const paris = (d: Date) => {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Paris',
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    })
      .formatToParts(d)
      .map((x) => [x.type, x.value]),
  );
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
};
const daysFromNow = (n: number) => new Date(Math.floor((Date.now() + n * 86_400_000) / 3_600_000) * 3_600_000);

for (const backend of backends()) {
  describe(`resources: working groups (${backend.name})`, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    const cookies: Record<'edA' | 'edB' | 'admin', string> = { edA: '', edB: '', admin: '' };
    let orgA = 0;
    const get = (url: string, who?: keyof typeof cookies) =>
      t.app.inject({ method: 'GET', url, headers: who ? { cookie: cookies[who] } : {} });
    const post = async (who: keyof typeof cookies, url: string, form: Record<string, string | string[]>) => {
      const csrf =
        /name="_csrf" value="([^"]+)"/.exec((await get('/ressources/mes-contributions', who)).body)?.[1] ?? '';
      const body = new URLSearchParams({ _csrf: csrf });
      for (const [k, v] of Object.entries(form)) for (const x of [v].flat()) body.append(k, x);
      return t.app.inject({
        method: 'POST',
        url,
        headers: { cookie: cookies[who], 'content-type': 'application/x-www-form-urlencoded' },
        payload: body.toString(),
      });
    };
    const event = async (titre: string, inDays: number) => {
      const start = daysFromNow(inDays);
      const r = await post('edA', '/ressources/agenda', {
        titre,
        debut: paris(start),
        fin: paris(new Date(start.getTime() + 2 * 3_600_000)),
        lieu: 'Dijon, Maison de la Région',
        themes: 'inclusion-numerique',
      });
      assert.equal(r.statusCode, 303, r.body);
      return String(r.headers.location).split('/').at(-1)!;
    };
    let group = '';
    let meeting = '';
    let doc = 0;
    before(async () => {
      t = await setup(backend);
      const org = async (nom: string) =>
        (
          await t.db.query<{ id: number }>(`INSERT INTO organisation (nom, type) VALUES ($1, 'autre') RETURNING id`, [
            nom,
          ])
        ).rows[0]!.id;
      orgA = await org('Numérique 21');
      const orgB = await org('Doubs THD');
      const people = [
        ['edA', 'a@groupes.fr', 'editeur', orgA],
        ['edB', 'b@groupes.fr', 'editeur', orgB],
        ['admin', 'admin@groupes.fr', 'administrateur', null],
      ] as const;
      for (const [who, email, role, organisationId] of people) {
        await createUser(
          t.db,
          { id: null, label: 'test' },
          { email, nom: `Personne ${who}`, motDePasse: 'correct horse battery', role, organisationId },
        );
        cookies[who] = `pan_session=${(await openSession(t.db, (await userByEmail(t.db, email))!)).token}`;
      }
      // A library resource the group will keep for its members.
      doc = await insertLibrary(t.db, {
        titre: 'Feuille de route médiation confidentielle',
        genre: 'guide',
        licence: 'tous-droits-reserves',
        auteurs: '',
        description: 'Document de travail du groupe.',
        themes: [],
      });
      await insertVersion(t.db, {
        ressource_id: doc,
        nom_fichier: 'feuille.pdf',
        type_contenu: 'application/pdf',
        taille: 10,
        sha256: '0'.repeat(64),
        note: '',
        auteur: 'test',
      });
      await indexDoc(t.db, {
        type: 'ressource',
        id: doc,
        titre: 'Feuille de route médiation confidentielle',
        corps: 'Document de travail du groupe.',
        url: `/ressources/bibliotheque/${doc}`,
      });
    });
    after(async () => t.close());

    test('an administrator creates a group and adds a member organisation; no meeting yet is flagged', async () => {
      assert.equal((await post('edA', '/ressources/groupes', { nom: 'Inclusion numérique' })).statusCode, 403);
      const r = await post('admin', '/ressources/groupes', {
        nom: 'Inclusion numérique',
        description: 'Médiation et <em>aidants</em>.',
      });
      assert.equal(r.statusCode, 303, r.body);
      group = String(r.headers.location);
      const twice = await post('admin', '/ressources/groupes', { nom: 'inclusion numérique' });
      assert.equal(twice.statusCode, 400);
      assert.match(twice.body, /existe déjà/);
      const m = await post('admin', `${group}/membres`, { organisationId: String(orgA) });
      assert.equal(m.statusCode, 303, m.body);
      const page = await get(group);
      assert.match(page.body, /Médiation et &lt;em&gt;aidants&lt;\/em&gt;\./);
      assert.match(page.body, /<ul id="membres"><li>Numérique 21<\/li><\/ul>/);
      assert.match(page.body, /Prochaine réunion : non programmée · dernière : aucune/);
      assert.match(page.body, /Pas de réunion ce dernier trimestre/);
    });

    test('meetings are agenda events; the page shows the quarterly rhythm', async () => {
      const past = await event('Groupe inclusion — réunion d’automne', -30);
      const next = await event('Groupe inclusion — réunion d’hiver', 60);
      const add = await post('edB', `${group}/reunions`, { evenementId: past });
      assert.equal(add.statusCode, 403);
      const r1 = await post('edA', `${group}/reunions`, { evenementId: past });
      assert.equal(r1.statusCode, 303, r1.body);
      meeting = String(r1.headers.location);
      assert.equal((await post('edA', `${group}/reunions`, { evenementId: next })).statusCode, 303);
      assert.equal((await post('edA', `${group}/reunions`, { evenementId: next })).statusCode, 400);
      const page = await get(group);
      assert.match(page.body, /Rythme trimestriel tenu/);
      assert.doesNotMatch(page.body, /Pas de réunion ce dernier trimestre/);
      assert.match(page.body, /Prochaine réunion : \d{1,2} [a-zéû]+ \d{4}/);
      assert.match(page.body, /Réunions \(2\)/);
      assert.match(page.body, /réservé aux membres/);
      assert.match((await get(group, 'edA')).body, /href="\/ressources\/groupes\/\d+\/reunions\/\d+">ouvrir/);
      // A group whose last meeting is older than a quarter is flagged in the list.
      const other = await post('admin', '/ressources/groupes', { nom: 'Très haut débit' });
      const old = await event('Comité THD du printemps', -200);
      const otherUrl = String(other.headers.location);
      await post('admin', `${otherUrl}/reunions`, { evenementId: old });
      const list = (await get('/ressources/groupes')).body;
      const item = (name: string) =>
        list.split('<li class="fr-mb-2w">').find((x) => x.includes(`<strong>${name}</strong>`)) ?? '';
      assert.match(item('Très haut débit'), /Pas de réunion ce dernier trimestre/);
      assert.match(item('Inclusion numérique'), /Rythme trimestriel tenu/);
    });

    test('minutes and documents are for members only; the document leaves the public library and search', async () => {
      assert.equal((await get(meeting)).statusCode, 401);
      assert.equal((await get(meeting, 'edB')).statusCode, 403);
      const before = await get('/api/v1/ressources/recherche?q=feuille%20de%20route%20confidentielle');
      assert.equal(before.json().total, 1);
      const r = await post('edA', meeting, {
        compte_rendu: 'Décisions : <b>cartographie</b> des lieux.\n\nProchaine étape : formation.',
        documents: String(doc),
      });
      assert.equal(r.statusCode, 303, r.body);
      assert.equal((await post('edB', meeting, { compte_rendu: 'pris' })).statusCode, 403);
      assert.equal((await post('edA', meeting, { documents: '999999' })).statusCode, 400);
      const own = await get(meeting, 'edA');
      assert.equal(own.statusCode, 200);
      assert.match(
        own.body,
        /<p>Décisions : &lt;b&gt;cartographie&lt;\/b&gt; des lieux\.<\/p><p>Prochaine étape : formation\.<\/p>/,
      );
      assert.match(own.body, /Feuille de route médiation confidentielle<\/a>/);
      assert.equal((await get(`/ressources/bibliotheque/${doc}`)).statusCode, 404);
      assert.equal((await get(`/ressources/bibliotheque/${doc}`, 'edB')).statusCode, 404);
      assert.equal((await get(`/ressources/bibliotheque/${doc}`, 'edA')).statusCode, 200);
      assert.doesNotMatch((await get('/ressources/bibliotheque')).body, /confidentielle/);
      const found = await get('/api/v1/ressources/recherche?q=feuille%20de%20route%20confidentielle');
      assert.equal(found.json().total, 0);
    });

    test('the thread: members post (escaped, audited), a non-member may not, authors delete their own', async () => {
      const a = await post('edA', `${meeting}/messages`, { texte: 'Je propose <script>alert(1)</script> un atelier.' });
      assert.equal(a.statusCode, 303, a.body);
      assert.equal((await post('edB', `${meeting}/messages`, { texte: 'Intrus' })).statusCode, 403);
      assert.equal((await post('edA', `${meeting}/messages`, { texte: '   ' })).statusCode, 400);
      assert.equal((await post('admin', `${meeting}/messages`, { texte: 'Validé par la Région.' })).statusCode, 303);
      const page = (await get(meeting, 'edA')).body;
      assert.match(page, /Je propose &lt;script&gt;alert\(1\)&lt;\/script&gt; un atelier\./);
      assert.doesNotMatch(page, /<script>alert/);
      const ids = (
        await t.db.query<{ id: number; texte: string }>('SELECT id::int AS id, texte FROM groupe_message ORDER BY id')
      ).rows;
      assert.equal(ids.length, 2);
      const mine = ids[0]!;
      const admins = ids[1]!;
      // The author's own-data download carries their message, not the administrator's.
      const own = JSON.parse((await get('/compte/donnees.json', 'edA')).body) as {
        ressources: { messages_groupes: { texte: string }[] };
      };
      assert.deepEqual(
        own.ressources.messages_groupes.map((m) => m.texte),
        [mine.texte],
      );
      assert.equal((await post('edA', `${meeting}/messages/${admins.id}/suppression`, {})).statusCode, 403);
      assert.equal((await post('edA', `${meeting}/messages/${mine.id}/suppression`, {})).statusCode, 303);
      assert.doesNotMatch((await get(meeting, 'edA')).body, /Je propose/);
      const j = await t.db.query<{ action: string }>(
        "SELECT action FROM journal_audit WHERE objet_type = 'groupe_message' ORDER BY id",
      );
      assert.deepEqual(
        j.rows.map((x) => x.action),
        ['creation', 'creation', 'suppression'],
      );
    });
    test('the new pages pass axe (serious and critical): group, meeting, moderation, claims, contributions', {
      skip: NO_BROWSER,
    }, async () => {
      const base = await serve(t.app);
      const browser = await launch();
      try {
        const check = async (who: keyof typeof cookies, url: string) => {
          const context = await browser.newContext({ bypassCSP: true });
          const [name, value] = cookies[who].split('=') as [string, string];
          await context.addCookies([{ name, value, url: base }]);
          const page = await context.newPage();
          const r = await page.goto(`${base}${url}`);
          assert.equal(r?.status(), 200, url);
          assert.deepEqual(await seriousViolations(page), [], url);
          await context.close();
        };
        await check('edA', '/ressources/groupes');
        await check('admin', group);
        await check('edA', meeting);
        await check('admin', '/ressources/moderation');
        await check('admin', '/ressources/revendications');
        await check('edA', '/ressources/mes-contributions');
      } finally {
        await browser.close();
      }
    });
  });
}
