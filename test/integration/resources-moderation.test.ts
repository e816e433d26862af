import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import ical from 'node-ical';
import { userByEmail } from '../../src/accounts/queries.ts';
import { createUser, openSession } from '../../src/accounts/service.ts';
import { backends, setup } from '../helpers.ts';

/** Moderation before publication in the resources space: per content type, review queue, author's view. */
const vevents = (body: string) =>
  Object.values(ical.sync.parseICS(body)).filter((c): c is ical.VEvent => c?.type === 'VEVENT');
for (const backend of backends()) {
  describe(`resources moderation (${backend.name})`, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    const cookies: Record<'edA' | 'edB' | 'admin', string> = { edA: '', edB: '', admin: '' };
    const get = (url: string, who?: keyof typeof cookies) =>
      t.app.inject({ method: 'GET', url, headers: who ? { cookie: cookies[who] } : {} });
    const post = async (who: keyof typeof cookies, url: string, form: Record<string, string | string[]>) => {
      const page = await get('/ressources/mes-contributions', who);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
      const body = new URLSearchParams({ _csrf: csrf });
      for (const [k, v] of Object.entries(form)) for (const x of [v].flat()) body.append(k, x);
      return t.app.inject({
        method: 'POST',
        url,
        headers: { cookie: cookies[who], 'content-type': 'application/x-www-form-urlencoded' },
        payload: body.toString(),
      });
    };
    before(async () => {
      t = await setup(backend);
      const org = async (nom: string) =>
        (
          await t.db.query<{ id: number }>(`INSERT INTO organisation (nom, type) VALUES ($1, 'autre') RETURNING id`, [
            nom,
          ])
        ).rows[0]!.id;
      const people = [
        ['edA', 'a@moderation.fr', 'editeur', await org('Numérique 21')],
        ['edB', 'b@moderation.fr', 'editeur', await org('Doubs THD')],
        ['admin', 'admin@moderation.fr', 'administrateur', null],
      ] as const;
      for (const [who, email, role, organisationId] of people) {
        await createUser(
          t.db,
          { id: null, label: 'test' },
          { email, nom: `Personne ${who}`, motDePasse: 'correct horse battery', role, organisationId },
        );
        cookies[who] = `pan_session=${(await openSession(t.db, (await userByEmail(t.db, email))!)).token}`;
      }
    });
    after(async () => t.close());

    const year = new Date().getFullYear() + 1;
    const event = (titre: string) => ({
      titre,
      debut: `${year}-04-09T09:30`,
      fin: `${year}-04-09T12:00`,
      lieu: 'Besançon',
      organisateur: 'Numérique 21',
      themes: ['inclusion-numerique'],
      description: 'Rencontre des conseillers numériques du Doubs.',
    });
    const inAgenda = async (titre: string) => {
      const list = (await get('/ressources/agenda')).body.includes(titre);
      const ics = vevents((await get('/ressources/agenda.ics')).body).some((e) => e.summary === titre);
      const search = (await get('/api/v1/ressources/recherche?q=conseillers%20numeriques&type=evenement')).json();
      return { list, ics, search: search.items.some((i: { titre: string }) => i.titre === titre) };
    };
    let pendingUrl = '';

    test('review off (default): an editor’s event is published at once', async () => {
      const r = await post('edA', '/ressources/agenda', event('Atelier direct'));
      assert.equal(r.statusCode, 303, r.body);
      assert.deepEqual(await inAgenda('Atelier direct'), { list: true, ics: true, search: true });
    });

    test('settings: only administrators see and change them; the change is audited', async () => {
      assert.equal((await get('/ressources/moderation')).statusCode, 401);
      assert.equal((await get('/ressources/moderation', 'edA')).statusCode, 403);
      const page = await get('/ressources/moderation', 'admin');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Aucune contribution en attente/);
      const r = await post('admin', '/ressources/moderation/reglages', { revue: ['evenement', 'actualite'] });
      assert.equal(r.statusCode, 303, r.body);
      const rows = (
        await t.db.query<{ objet_type: string }>(
          'SELECT objet_type FROM ressource_moderation_reglage WHERE revue ORDER BY objet_type',
        )
      ).rows;
      assert.deepEqual(
        rows.map((x) => x.objet_type),
        ['actualite', 'evenement'],
      );
      const j = await t.db.query<{ apres: Record<string, boolean> }>(
        "SELECT apres FROM journal_audit WHERE objet_type = 'moderation_reglage' ORDER BY id DESC LIMIT 1",
      );
      assert.equal(j.rows[0]!.apres.evenement, true);
      assert.equal(j.rows[0]!.apres.projet, false);
      const bad = await post('admin', '/ressources/moderation/reglages', { revue: 'aide' });
      assert.equal(bad.statusCode, 400);
    });

    test('review on: an editor’s event stays out of the agenda, the iCal feed and the search until published', async () => {
      const r = await post('edA', '/ressources/agenda', event('Atelier relu'));
      assert.equal(r.statusCode, 303, r.body);
      pendingUrl = String(r.headers.location);
      assert.deepEqual(await inAgenda('Atelier relu'), { list: false, ics: false, search: false });
      // Its page and .ics: 404 for visitors and other organisations, shown with its status to its author.
      assert.equal((await get(pendingUrl)).statusCode, 404);
      assert.equal((await get(`${pendingUrl}/evenement.ics`)).statusCode, 404);
      assert.equal((await get(pendingUrl, 'edB')).statusCode, 404);
      const own = await get(pendingUrl, 'edA');
      assert.equal(own.statusCode, 200);
      assert.match(own.body, /En attente de relecture/);
      const mine = await get('/ressources/mes-contributions', 'edA');
      assert.match(mine.body, /Atelier relu<\/a><\/td><td>[^<]+<\/td><td>en attente de relecture<\/td>/);
      // An administrator's own event publishes directly.
      const byAdmin = await post('admin', '/ressources/agenda', event('Comité régional'));
      assert.equal(byAdmin.statusCode, 303);
      assert.equal((await inAgenda('Comité régional')).ics, true);
      // The queue lists it; publishing makes it appear everywhere, audited.
      const queue = await get('/ressources/moderation', 'admin');
      assert.match(queue.body, /Contributions en attente \(1\)/);
      assert.match(queue.body, /Atelier relu/);
      const id = pendingUrl.split('/').at(-1);
      assert.equal((await post('edA', `/ressources/moderation/evenement/${id}/publier`, {})).statusCode, 403);
      const pub = await post('admin', `/ressources/moderation/evenement/${id}/publier`, {});
      assert.equal(pub.statusCode, 303, pub.body);
      assert.deepEqual(await inAgenda('Atelier relu'), { list: true, ics: true, search: true });
      assert.equal((await get(pendingUrl)).statusCode, 200);
      const j = await t.db.query<{ action: string }>(
        "SELECT action FROM journal_audit WHERE objet_type = 'evenement' AND objet_id = $1 ORDER BY id",
        [id],
      );
      assert.deepEqual(
        j.rows.map((x) => x.action),
        ['creation', 'publication'],
      );
      // Published once: deciding again is a 404.
      assert.equal((await post('admin', `/ressources/moderation/evenement/${id}/publier`, {})).statusCode, 404);
    });

    test('refusal: a reason is required, the author sees it, the item stays hidden; news feeds too', async () => {
      const r = await post('edA', '/ressources/agenda', event('Atelier refusé'));
      const id = String(r.headers.location).split('/').at(-1);
      const noReason = await post('admin', `/ressources/moderation/evenement/${id}/refuser`, { motif: '' });
      assert.equal(noReason.statusCode, 400);
      assert.match(noReason.body, /indiquez le motif du refus/);
      const refused = await post('admin', `/ressources/moderation/evenement/${id}/refuser`, {
        motif: 'Doublon de l’atelier <b>du 9</b>',
      });
      assert.equal(refused.statusCode, 303, refused.body);
      assert.deepEqual(await inAgenda('Atelier refusé'), { list: false, ics: false, search: false });
      const mine = await get('/ressources/mes-contributions', 'edA');
      assert.match(mine.body, /<td>refusé<\/td><td>Doublon de l’atelier &lt;b&gt;du 9&lt;\/b&gt;<\/td>/);
      assert.match((await get(`/ressources/agenda/${id}`, 'edA')).body, /Refusée par la modération/);
      const j = await t.db.query<{ apres: { motif: string } }>(
        "SELECT apres FROM journal_audit WHERE objet_type = 'evenement' AND objet_id = $1 AND action = 'refus'",
        [id],
      );
      assert.equal(j.rows[0]!.apres.motif, 'Doublon de l’atelier <b>du 9</b>');
      // News under review: out of both feeds until published.
      const n = await post('edA', '/ressources/actualites', {
        titre: 'Nouvelle en relecture',
        source_nom: 'Arcep',
        publie_le: '2026-11-30',
        resume: 'Résumé à relire.',
      });
      assert.equal(n.statusCode, 303, n.body);
      assert.doesNotMatch((await get('/ressources/actualites.rss')).body, /Nouvelle en relecture/);
      assert.doesNotMatch((await get('/ressources/actualites.atom')).body, /Nouvelle en relecture/);
      const nid = String(n.headers.location).split('/').at(-1);
      await post('admin', `/ressources/moderation/actualite/${nid}/publier`, {});
      assert.match((await get('/ressources/actualites.rss')).body, /Nouvelle en relecture/);
    });
  });
}
