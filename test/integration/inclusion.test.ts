import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';
import { placeFilterOf } from '../../src/inclusion/api.ts';
import { normalizeName } from '../../src/text/normalize.ts';
import { parseCsv } from '../csv.ts';
import { backends, missingShared, setup, shared } from '../helpers.ts';

const FS = 'france-services/liste-france-services-20240801-bfc-normandie.csv.gz';
const CNFS = 'mediation-numerique/lieux-cnfs-bfc-normandie-2022.json.gz';
const DI = 'mediation-numerique/lieux-mediation-numerique-data-inclusion-bfc-normandie-2022.json.gz';
const CHARENTE = 'mediation-numerique/lieux-mediation-numerique-charente-2023-schema.json.gz';
const HAVRE = 'mediation-numerique/lieux-mediation-numerique-le-havre-2024.json.gz';
const text = (f: string) => zlib.gunzipSync(fs.readFileSync(shared(f))).toString('utf8');
type Rec = Record<string, unknown>;
const json = (f: string) => JSON.parse(text(f)) as Rec[];

/** Haversine in metres, written here again so that the test does not trust the module's. */
function metres(a: { lon: number; lat: number }, b: { lon: number; lat: number }): number {
  const r = Math.PI / 180;
  const h =
    Math.sin(((b.lat - a.lat) * r) / 2) ** 2 +
    Math.cos(a.lat * r) * Math.cos(b.lat * r) * Math.sin(((b.lon - a.lon) * r) / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.sqrt(h));
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'inclusion-test-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

type Item = {
  id: number;
  nom: string;
  categories: string[];
  code_insee: string | null;
  sources: { source: string; id: string; date_maj: string | null }[];
};

for (const backend of backends()) {
  describe(`inclusion places (${backend.name})`, {
    skip: missingShared(
      'france-services/liste-france-services-20240801-bfc-normandie.csv.gz',
      'mediation-numerique/lieux-cnfs-bfc-normandie-2022.json.gz',
      'mediation-numerique/lieux-mediation-numerique-data-inclusion-bfc-normandie-2022.json.gz',
      'mediation-numerique/lieux-mediation-numerique-charente-2023-schema.json.gz',
      'mediation-numerique/lieux-mediation-numerique-le-havre-2024.json.gz',
    ),
  }, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });
    const run = (job: string, source: string, options: Record<string, unknown> = {}, force = false) =>
      t.ctx.runImport({ job, source, options, startedBy: 'test', force });
    const all = async (): Promise<Item[]> => {
      const out: Item[] = [];
      for (let offset = 0; ; offset += 1000) {
        const page = (await get(`/api/v1/inclusion/lieux?limit=1000&offset=${offset}`)).json() as {
          total: number;
          items: Item[];
        };
        out.push(...page.items);
        if (out.length >= page.total) return out;
      }
    };
    before(async () => {
      t = await setup(backend);
    });
    after(async () => t.close());

    test('CNFS 2022 × data·inclusion 2022: merged on SIRET within 200 m, then name within 100 m', async () => {
      const cnfs = json(CNFS);
      const di = json(DI);
      const r1 = await run('lieux-mediation', shared(CNFS));
      assert.equal(r1.status, 'succeeded', r1.message ?? '');
      assert.equal(r1.rows_accepted, cnfs.length);
      assert.match(r1.message ?? '', /« cnfs-cartographie »/);
      assert.equal((await all()).length, cnfs.length);

      // What the merge must find, recomputed here from the two files.
      const pos = (o: Rec) => ({ lon: Number(o.longitude), lat: Number(o.latitude) });
      const placed = di.filter((o) => o.latitude !== undefined && o.latitude !== null && o.longitude !== undefined);
      const siret = (o: Rec) => (o.pivot && !/^0+$/.test(String(o.pivot)) ? String(o.pivot) : null);
      /** The CNFS records a rule accepts, nearest first; ties (same position) are all acceptable. */
      const nearest = (o: Rec, ok: (c: Rec) => boolean, within: number): Rec[] => {
        const l = cnfs.filter((c) => ok(c) && metres(pos(c), pos(o)) <= within);
        const best = Math.min(...l.map((c) => metres(pos(c), pos(o))));
        return l.filter((c) => metres(pos(c), pos(o)) - best < 0.01);
      };
      const matchesOf = (o: Rec): Rec[] => {
        const bySiret = nearest(o, (c) => !!siret(o) && siret(c) === siret(o), 200);
        return bySiret.length
          ? bySiret
          : nearest(o, (c) => normalizeName(String(c.nom)) === normalizeName(String(o.nom)), 100);
      };
      const matchOf = (o: Rec) => matchesOf(o)[0];
      const merged = placed.filter((o) => matchOf(o));
      assert.ok(merged.length > di.length / 3, `${merged.length} of ${di.length} overlap`);

      const r2 = await run('lieux-mediation', shared(DI));
      assert.equal(r2.status, 'succeeded', r2.message ?? '');
      // The records without coordinates cannot be placed: no commune outlines were imported here.
      assert.equal(r2.rows_accepted, placed.length);
      assert.equal(r2.rows_rejected, di.length - placed.length);
      for (const rj of r2.rejects) {
        assert.ok(rj.line !== null && rj.line > 0);
        assert.match(rj.reason, /pas de coordonnées/);
      }
      assert.match(r2.message ?? '', new RegExp(`${merged.length} rapproché`));
      const items = await all();
      assert.equal(items.length, cnfs.length + placed.length - merged.length);
      // Each merged record sits in the place of the CNFS record it matches.
      const byCnfs = new Map<string, Item>();
      for (const it of items) for (const s of it.sources) if (s.source === 'cnfs-cartographie') byCnfs.set(s.id, it);
      for (const o of merged) {
        const places = matchesOf(o).map((c) => byCnfs.get(String(c.id))!);
        assert.ok(
          places.some((it) => it.sources.some((s) => s.source === 'data-inclusion' && s.id === o.id)),
          `${o.nom} merged into ${places[0]!.nom}`,
        );
      }
      const sample = byCnfs.get(String(matchOf(merged[0]!)!.id))!;
      assert.deepEqual(Object.keys(sample).sort(), [
        'adresse',
        'categories',
        'code_insee',
        'commune',
        'id',
        'label_tiers_lieu',
        'lat',
        'lon',
        'nom',
        'precision',
        'sources',
      ]);
      assert.ok(sample.categories.includes('conseiller-numerique') && sample.categories.includes('mediation'));

      // Re-importing CNFS replaces only its records: same places, same ids, data·inclusion records kept.
      const before = new Map(items.map((i) => [i.id, i.sources.length]));
      const r3 = await run('lieux-mediation', shared(CNFS), {}, true);
      assert.equal(r3.status, 'succeeded', r3.message ?? '');
      const again = await all();
      assert.equal(again.length, items.length);
      assert.deepEqual(new Map(again.map((i) => [i.id, i.sources.length])), before);
    });

    test('France Services: quoted newlines, hours per weekday, merged where a CNFS place is the same', async () => {
      const rows = parseCsv(text(FS));
      const header = rows[0]!;
      const recs = rows.slice(1).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
      assert.equal(recs.length, 415);
      const before = (await all()).length;
      const r = await run('france-services', shared(FS));
      assert.equal(r.status, 'succeeded', r.message ?? '');
      const ok = recs.filter((x) => x.latitude && x.longitude);
      assert.equal(r.rows_accepted + r.rows_rejected, recs.length);
      assert.equal(r.rows_accepted, ok.length - r.rejects.filter((x) => /horaires/.test(x.reason)).length);
      assert.match(r.message ?? '', /liste du 2024-08-01/);
      const fs = (await get('/api/v1/inclusion/lieux?categorie=france-services&limit=1')).json();
      assert.ok(fs.total >= r.rows_accepted);
      const merged = Number(/(\d+) rapprochée/.exec(r.message ?? '')![1]);
      assert.equal((await all()).length, before + r.rows_accepted - merged);

      // A France Services with Saturday hours: its page shows the week.
      const sat = recs.find((x) => x.h_samedi && x.latitude && x.lib_fs!.length < 60)!;
      const hit = (
        await get(`/api/v1/inclusion/lieux?q=${encodeURIComponent(sat.lib_fs!)}&categorie=france-services`)
      ).json();
      assert.ok(hit.total >= 1, sat.lib_fs);
      const page = await get(`/inclusion/lieux/${hit.items[0].id}`);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /samedi<\/th><td>/);
      assert.match(page.body, new RegExp(sat.h_samedi!.replace(/\s/g, '').split('/')[0]!.replace('-', '-')));
      assert.match(page.body, /Licence Ouverte 2\.0/);
      assert.match(page.body, /france-services/);
    });

    test('« ouvert maintenant » and « ouvert samedi » read from the hours, checked by a reader written here', async () => {
      const places = (
        await t.db.query<{ id: number; horaires: string | null }>(
          'SELECT id::float8 AS id, horaires FROM inclusion_lieu',
        )
      ).rows;
      // The plain weekly form (« Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00 »), read without the library.
      const DAYS = ['Su', 'Mo', 'Tu', 'We', 'Th', 'Fr', 'Sa'];
      const week = (h: string): [number, number][][] | null => {
        const w: [number, number][][] = DAYS.map(() => []);
        for (const rule of h
          .split(';')
          .map((x) => x.trim())
          .filter(Boolean)) {
          const m =
            /^([A-Z][a-z](?:-[A-Z][a-z])?(?:,[A-Z][a-z](?:-[A-Z][a-z])?)*) (\d\d:\d\d-\d\d:\d\d(?:,\d\d:\d\d-\d\d:\d\d)*)$/.exec(
              rule,
            );
          if (!m) return null;
          const spans = m[2]!
            .split(',')
            .map(
              (x) => x.split('-').map((hm) => Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3))) as [number, number],
            );
          for (const part of m[1]!.split(',')) {
            const [a, b = a] = part.split('-').map((d) => DAYS.indexOf(d));
            // a later rule naming a day replaces what earlier rules said of it (OSM semantics)
            for (let d = a!; ; d = (d + 1) % 7) {
              w[d] = [...spans];
              if (d === b) break;
            }
          }
        }
        return w;
      };
      const plain = places.flatMap((p) => {
        const w = p.horaires ? week(p.horaires) : null;
        return w ? [{ id: p.id, w }] : [];
      });
      assert.ok(plain.length > 100, `${plain.length} places with plain weekly hours`);
      const idsFor = async (ouvert: 'maintenant' | 'samedi', at: Date) =>
        new Set((await placeFilterOf(t.ctx, { ouvert }, at)).ids);

      // Friday 4 December 2026, noon in Paris: the Saturday to come is the 5th (no public holiday).
      const saturday = await idsFor('samedi', new Date('2026-12-04T11:00:00Z'));
      const openSat = plain.filter((p) => p.w[6]!.length).map((p) => p.id);
      assert.ok(openSat.length > 0 && openSat.length < plain.length);
      assert.deepEqual(
        plain.filter((p) => saturday.has(p.id)).map((p) => p.id),
        openSat,
      );
      // Tuesday 8 December 2026, 10:30 in Paris (09:30 UTC).
      const now = await idsFor('maintenant', new Date('2026-12-08T09:30:00Z'));
      const openTue = plain.filter((p) => p.w[2]!.some(([a, b]) => a <= 630 && 630 < b)).map((p) => p.id);
      assert.ok(openTue.length > 0 && openTue.length < plain.length);
      assert.deepEqual(
        plain.filter((p) => now.has(p.id)).map((p) => p.id),
        openTue,
      );
      // Christmas day (Friday 25 December 2026, 10:30) is a public holiday: « PH off » closes what is open on Fridays.
      const xmas = await idsFor('maintenant', new Date('2026-12-25T09:30:00Z'));
      for (const p of places.filter((x) => x.horaires && /PH off/.test(x.horaires)))
        assert.ok(!xmas.has(p.id), p.horaires!);
      // A place without hours is never open.
      for (const p of places.filter((x) => !x.horaires)) assert.ok(!saturday.has(p.id) && !now.has(p.id));

      // Through HTTP (at the time of the request): the API, the page and its export links take the filter.
      const api = (await get('/api/v1/inclusion/lieux?ouvert=samedi&limit=1')).json() as { total: number };
      assert.equal(api.total, (await idsFor('samedi', new Date())).size);
      const page = await get('/inclusion?ouvert=maintenant');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /heure de Paris/);
      assert.match(page.body, /export\.csv\?ouvert=maintenant/);
      const bad = await get('/api/v1/inclusion/lieux?ouvert=dimanche');
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /maintenant ou samedi/);
    });

    test('territory filter, GeoJSON through Accept and .geojson, page and exports of the filtered selection', async () => {
      const items = await all();
      const d21 = items.filter((i) => i.code_insee?.startsWith('21'));
      assert.ok(d21.length > 10);
      const api = (await get('/api/v1/inclusion/lieux?niveau=departement&code=21&limit=1000')).json();
      assert.equal(api.total, d21.length);
      const geo = await get('/api/v1/inclusion/lieux?niveau=departement&code=21&limit=1000', {
        accept: 'application/geo+json',
      });
      assert.match(String(geo.headers['content-type']), /application\/geo\+json/);
      const fc = geo.json();
      assert.equal(fc.type, 'FeatureCollection');
      assert.equal(fc.features.length, d21.length);
      assert.equal(fc.features[0].geometry.type, 'Point');
      const geo2 = (await get('/api/v1/inclusion/lieux.geojson?niveau=departement&code=21&limit=1000')).json();
      assert.deepEqual(geo2, fc);
      assert.equal((await get('/api/v1/inclusion/lieux?niveau=departement&code=999')).statusCode, 404);
      assert.equal((await get('/api/v1/inclusion/lieux?categorie=inconnue')).statusCode, 400);

      const page = await get('/inclusion?niveau=departement&code=21');
      assert.equal(page.statusCode, 200);
      assert.ok(!page.body.includes('Ce service est à venir'));
      assert.match(page.body, new RegExp(`sur ${d21.length}|${d21.length} lieux`));
      assert.match(page.body, /href="\/inclusion\/export\.csv\?niveau=departement&amp;code=21"/);
      const csv = await get('/inclusion/export.csv?niveau=departement&code=21');
      assert.equal(csv.statusCode, 200);
      const lines = parseCsv(csv.body.replace(/^\uFEFF/, ''));
      assert.equal(lines.length, d21.length + 1);
      assert.equal(
        lines[0]!.slice(0, 9).join(','),
        'id,nom,pivot,commune,code_postal,code_insee,adresse,latitude,longitude',
      );
      const openapi = (await get('/api/openapi.json')).json();
      for (const u of ['/api/v1/inclusion/lieux', '/api/v1/inclusion/lieux.geojson']) {
        const op = openapi.paths[u].get;
        assert.ok(
          op.parameters.some((x: { name: string }) => x.name === 'categorie'),
          u,
        );
        assert.ok(JSON.stringify(op.responses['200']).includes('label_tiers_lieu'), u);
      }
      const gj = (await get('/inclusion/export.geojson?niveau=departement&code=21')).json();
      assert.equal(gj.features.length, d21.length);
      // Paging without JavaScript: plain links.
      const many = await get('/inclusion');
      assert.match(many.body, /href="\/inclusion\?page=2#lieux"/);
      const terr = await get('/territoires/departement/21');
      assert.equal(terr.statusCode, 200);
      assert.match(terr.body, /Lieux d’inclusion numérique/);
      assert.match(terr.body, /Conseiller numérique \(\d+\)/);
    });

    test('schema 2023 (|) and 2024 (/) layouts are recognised; bad rows rejected with line and reason', async () => {
      const ch = await run('lieux-mediation', shared(CHARENTE), { jeu: 'charente-2023' });
      assert.equal(ch.status, 'succeeded', ch.message ?? '');
      assert.match(ch.message ?? '', /1\.x \(2023/);
      assert.equal(ch.rows_accepted + ch.rows_rejected, json(CHARENTE).length);
      const lh = await run('lieux-mediation', shared(HAVRE), { jeu: 'le-havre' });
      assert.equal(lh.status, 'succeeded', lh.message ?? '');
      assert.match(lh.message ?? '', /2024/);
      assert.ok(lh.rows_accepted > 40, lh.message ?? '');
      assert.ok(lh.rejects.some((r) => /service inconnu/.test(r.reason)));
      // CSV form of the 2024 schema, with a bad SIRET, a row without position or commune and an unknown service.
      const file = path.join(tmp, 'lieux.csv');
      fs.writeFileSync(
        file,
        [
          'id,nom,pivot,commune,code_postal,code_insee,adresse,latitude,longitude,services,source,date_maj,structure_parente',
          'a1,Médiathèque test,,Dijon,21000,21231,1 rue A,47.32,5.04,"Accéder à du matériel / Prendre en main un ordinateur",test,2024-05-01,',
          'a2,Siret faux,12345678901234,Dijon,21000,21231,2 rue B,47.33,5.05,Accéder à du matériel,test,2024-05-01,',
          'a3,Sans position,,Nulle part,,,3 rue C,,,Accéder à du matériel,test,2024-05-01,',
          'a4,Service inconnu,,Dijon,21000,21231,4 rue D,47.31,5.03,Faire du vélo,test,2024-05-01,',
        ].join('\n'),
      );
      const csv = await run('lieux-mediation', file, { jeu: 'essai' });
      assert.equal(csv.status, 'succeeded', csv.message ?? '');
      assert.equal(csv.rows_accepted, 1);
      assert.deepEqual(
        csv.rejects.map((r) => [r.line, r.reason.split(' ')[0]]),
        [
          [3, 'SIRET'],
          [4, 'pas'],
          [5, 'service'],
        ],
      );
      const hit = (await get('/api/v1/inclusion/lieux?q=mediatheque%20test')).json();
      assert.equal(hit.total, 1);
      assert.equal(hit.items[0].code_insee, '21231');
      assert.deepEqual(hit.items[0].sources, [{ source: 'essai', id: 'a1', date_maj: '2024-05-01' }]);
      // A file with no valid row fails and keeps the source's places.
      fs.writeFileSync(file, 'id,nom,services\nb1,,Accéder à du matériel\n');
      const bad = await run('lieux-mediation', file, { jeu: 'essai' });
      assert.equal(bad.status, 'failed');
      assert.match(bad.message ?? '', /Aucun lieu valide/);
      assert.equal((await get('/api/v1/inclusion/lieux?q=mediatheque%20test')).json().total, 1);
    });
  });
}
