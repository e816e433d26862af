import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import ical from 'node-ical';
import { userByEmail } from '../../src/accounts/queries.ts';
import { createUser, openSession } from '../../src/accounts/service.ts';
import { backends, setup } from '../helpers.ts';
import { childrenOf, parseXml, textOf } from '../xml.ts';

/** Agenda (iCalendar) and news watch (Atom) of the resources space. */
const vevents = (body: string): ical.VEvent[] =>
  Object.values(ical.sync.parseICS(body)).filter((c): c is ical.VEvent => c?.type === 'VEVENT');
for (const backend of backends()) {
  describe(`resources agenda and news (${backend.name})`, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    let cookie = '';
    const get = (url: string) => t.app.inject({ method: 'GET', url, headers: { cookie } });
    const post = async (url: string, form: Record<string, string | string[]>, from = '/ressources/agenda/nouveau') => {
      const page = await get(from);
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
    before(async () => {
      t = await setup(backend);
      const org = (
        await t.db.query<{ id: number }>(
          `INSERT INTO organisation (nom, type) VALUES ('Numérique 21', 'autre') RETURNING id`,
        )
      ).rows[0]!.id;
      await createUser(
        t.db,
        { id: null, label: 'test' },
        {
          email: 'ed@agenda.fr',
          nom: 'Éditrice',
          motDePasse: 'correct horse battery',
          role: 'editeur',
          organisationId: org,
        },
      );
      cookie = `pan_session=${(await openSession(t.db, (await userByEmail(t.db, 'ed@agenda.fr'))!)).token}`;
    });
    after(async () => t.close());

    const year = new Date().getFullYear() + 1;
    const event = {
      titre: 'Atelier « Inclusion numérique » des médiateurs',
      debut: `${year}-03-12T14:00`,
      fin: `${year}-03-12T17:30`,
      lieu: 'Dijon, salle des Écritures <b>gras</b>',
      organisateur: 'Numérique 21',
      themes: ['inclusion-numerique'],
      description: 'Échanges de pratiques entre médiateurs numériques.',
    };

    test('an event ending before it starts is refused, nothing saved', async () => {
      const r = await post('/ressources/agenda', { ...event, fin: `${year}-03-12T13:00` });
      assert.equal(r.statusCode, 400);
      assert.match(r.body, /la fin de l’événement précède son début/);
      assert.equal((await t.db.query('SELECT 1 FROM evenement')).rows.length, 0);
      assert.match(
        (await post('/ressources/agenda', { ...event, lieu: '' })).body,
        /indiquez un lieu ou un lien de connexion/,
      );
    });

    test('events: page, iCal feed (all and per theme) and .ics per event, read back by a calendar parser', async () => {
      const r = await post('/ressources/agenda', event);
      assert.equal(r.statusCode, 303, r.body);
      const url = String(r.headers.location);
      await post('/ressources/agenda', {
        ...event,
        titre: 'Comité santé connectée',
        themes: ['sante'],
        lieu: 'Besançon',
        description: 'Télémédecine et maintien à domicile.',
      });
      const page = await get(url);
      assert.match(page.body, /salle des Écritures &lt;b&gt;gras&lt;\/b&gt;/);
      const feed = await get('/ressources/agenda.ics');
      assert.equal(feed.statusCode, 200);
      assert.match(String(feed.headers['content-type']), /^text\/calendar/);
      assert.match(feed.body, /^BEGIN:VCALENDAR\r\nVERSION:2\.0\r\n/);
      const all = vevents(feed.body);
      assert.equal(all.length, 2);
      const one = all.find((c) => String(c.summary).startsWith('Atelier'))!;
      // 14:00 in Paris in March (winter time, UTC+1) is 13:00 UTC.
      assert.equal(one.start.toISOString(), `${year}-03-12T13:00:00.000Z`);
      assert.equal(one.end!.toISOString(), `${year}-03-12T16:30:00.000Z`);
      assert.equal(one.location, event.lieu);
      const perTheme = vevents((await get('/ressources/agenda.ics?theme=sante')).body);
      assert.deepEqual(
        perTheme.map((c) => c.summary),
        ['Comité santé connectée'],
      );
      const single = await get(`${url}/evenement.ics`);
      assert.equal(single.statusCode, 200);
      const parsed = vevents(single.body);
      assert.equal(parsed.length, 1);
      assert.equal(parsed[0]!.summary, event.titre);
      // Search finds it without accents.
      const found = (await get('/api/v1/ressources/recherche?q=mediateurs%20echanges&type=evenement')).json();
      assert.equal(found.total, 1);
      assert.equal(found.items[0].url, url);
    });

    test('news items: Atom feed with escaped text, searchable', async () => {
      const r = await post(
        '/ressources/actualites',
        {
          titre: 'Le très haut débit & les « zones blanches »',
          source_nom: 'Arcep',
          lien: 'https://www.arcep.fr/actualites.html',
          publie_le: '2026-11-20',
          etiquettes: 'fibre, mobile',
          resume: 'Publication trimestrielle des déploiements <script>x</script> fixes.',
        },
        '/ressources/actualites/nouveau',
      );
      assert.equal(r.statusCode, 303, r.body);
      const bad = await post(
        '/ressources/actualites',
        { titre: 'x y', source_nom: 'Arcep', publie_le: '2026-02-30', resume: 'ok ok' },
        '/ressources/actualites/nouveau',
      );
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /date inexistante/);
      const atom = await get('/ressources/actualites.atom');
      assert.equal(atom.statusCode, 200);
      assert.match(String(atom.headers['content-type']), /^application\/atom\+xml/);
      assert.match(
        atom.body,
        /^<\?xml version="1\.0" encoding="utf-8"\?>\n<feed xmlns="http:\/\/www\.w3\.org\/2005\/Atom"/,
      );
      assert.match(atom.body, /<title>Le très haut débit &amp; les « zones blanches »<\/title>/);
      assert.match(atom.body, /&lt;script&gt;x&lt;\/script&gt;/);
      assert.match(atom.body, /<category term="fibre"\/>/);
      assert.equal((atom.body.match(/<entry>/g) ?? []).length, 1);
      const found = (await get('/api/v1/ressources/recherche?q=deploiements%20trimestrielle')).json();
      assert.equal(found.total, 1);
      assert.equal(found.items[0].type, 'actualite');
    });
    test('news items: RSS 2.0 feed parsed as XML, its items are the stored news, linked from the page', async () => {
      const r = await post(
        '/ressources/actualites',
        {
          titre: 'Tiers-lieux : l’appel « Fabriques » & ses lauréats',
          source_nom: 'ANCT <Agence>',
          publie_le: '2026-10-02',
          etiquettes: 'tiers-lieux',
          resume: 'Liste des lauréats "2026" & calendrier.',
        },
        '/ressources/actualites/nouveau',
      );
      assert.equal(r.statusCode, 303, r.body);
      const rss = await get('/ressources/actualites.rss');
      assert.equal(rss.statusCode, 200);
      assert.match(String(rss.headers['content-type']), /^application\/rss\+xml; charset=utf-8/);
      const doc = parseXml(rss.body);
      assert.equal(doc.name, 'rss');
      assert.equal(doc.attrs.version, '2.0');
      const [channel] = childrenOf(doc, 'channel');
      assert.ok(channel);
      assert.match(textOf(channel, 'link')!, /\/ressources\/actualites$/);
      assert.equal(childrenOf(channel, 'atom:link')[0]?.attrs.rel, 'self');
      const base = textOf(channel, 'link')!.replace(/\/ressources\/actualites$/, '');
      const stored = (
        await t.db.query<{
          id: number;
          titre: string;
          source_nom: string;
          lien: string | null;
          publie_le: string;
          etiquettes: string[];
          resume: string;
        }>(
          `SELECT id, titre, source_nom, lien, publie_le::text AS publie_le, etiquettes, resume FROM actualite ORDER BY publie_le DESC, id DESC`,
        )
      ).rows;
      assert.equal(stored.length, 2);
      const items = childrenOf(channel, 'item');
      assert.deepEqual(
        items.map((it) => ({
          guid: textOf(it, 'guid')!.replace(/^.*\/ressources\/actualites\//, ''),
          titre: textOf(it, 'title'),
          source: textOf(it, 'dc:creator'),
          lien: textOf(it, 'link'),
          date: new Date(textOf(it, 'pubDate')!).toISOString().slice(0, 10),
          etiquettes: childrenOf(it, 'category').map((c) => c.text),
          resume: textOf(it, 'description'),
        })),
        stored.map((a) => ({
          guid: String(a.id),
          titre: a.titre,
          source: a.source_nom,
          lien: a.lien ?? `${base}/ressources/actualites/${a.id}`,
          date: a.publie_le,
          etiquettes: a.etiquettes,
          resume: a.resume,
        })),
      );
      // RFC 822 dates, as RSS 2.0 asks.
      assert.match(textOf(items[0]!, 'pubDate')!, /^Fri, 20 Nov 2026 00:00:00 GMT$/);
      // Escaped in the text, not only accepted by the reader; the reader itself refuses broken XML.
      assert.match(rss.body, /<dc:creator>ANCT &lt;Agence&gt;<\/dc:creator>/);
      assert.throws(() => parseXml('<rss><title>a & b</title></rss>'), /non échappé/);
      assert.throws(() => parseXml('<rss><item></rss>'), /ferme/);
      const page = await get('/ressources/actualites');
      assert.match(
        page.body,
        /<link rel="alternate" type="application\/rss\+xml" title="Veille \(RSS\)" href="\/ressources\/actualites\.rss">/,
      );
    });
  });
}
