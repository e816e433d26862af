import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';
import { backends, missingShared, setup, shared } from '../helpers.ts';

/**
 * The platform's own format (`lieux-plateforme`, README « Format lieux-plateforme »). No partner file exists in it
 * yet: the test writes the 80 real places of the Le Havre 2024 extract in that format (JSON, and CSV with « ; » and
 * decimal commas), then imports the same extract in the national schema, which must merge with them.
 */
const HAVRE = 'mediation-numerique/lieux-mediation-numerique-le-havre-2024.json.gz';
type Rec = Record<string, unknown>;
const havre = () => JSON.parse(zlib.gunzipSync(fs.readFileSync(shared(HAVRE))).toString('utf8')) as Rec[];
const platform = (o: Rec) => ({
  id: `LH-${o.id}`,
  nom: o.nom,
  categories: ['mediation'],
  adresse: o.adresse,
  code_postal: String(o.code_postal),
  commune: o.commune,
  code_insee: String(o.code_insee),
  latitude: o.latitude,
  longitude: o.longitude,
  telephone: o.telephone || undefined,
  courriel: o.courriel || undefined,
  site_web: o.site_web || undefined,
  date_maj: o.date_maj,
});

type Item = { id: number; nom: string; categories: string[]; sources: { source: string; id: string }[] };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'plateforme-test-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

for (const backend of backends()) {
  describe(`inclusion lieux-plateforme format (${backend.name})`, { skip: missingShared(HAVRE) }, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    const get = (url: string) => t.app.inject({ method: 'GET', url });
    const run = (job: string, source: string, options: Record<string, unknown> = {}, force = false) =>
      t.ctx.runImport({ job, source, options, startedBy: 'test', force });
    const all = async (): Promise<Item[]> =>
      ((await get('/api/v1/inclusion/lieux?limit=1000')).json() as { items: Item[] }).items;
    before(async () => {
      t = await setup(backend, { REGION: '28' });
    });
    after(async () => t.close());

    test('JSON: every record kept, then merged with the same places from the national schema', async () => {
      const lh = havre();
      const file = path.join(tmp, 'le-havre.json');
      fs.writeFileSync(file, JSON.stringify(lh.map(platform)));
      const r = await run('lieux-plateforme', file, { jeu: 'le-havre' });
      assert.equal(r.status, 'succeeded', r.message ?? '');
      // The extract holds one id twice (« relais-lecture-pole-simone-veil »): the second is rejected.
      const unique = new Set(lh.map((o) => o.id)).size;
      assert.equal(unique, lh.length - 1);
      assert.equal(r.rows_accepted, unique, JSON.stringify(r.rejects));
      assert.deepEqual(
        r.rejects.map((x) => [x.line, x.reason]),
        [
          [
            lh.map((o) => o.id).lastIndexOf('relais-lecture-pole-simone-veil') + 1,
            'identifiant en double dans le fichier : « LH-relais-lecture-pole-simone-veil »',
          ],
        ],
      );
      const items = await all();
      assert.equal(items.length, unique);
      assert.ok(items.every((i) => i.sources.every((s) => s.source === 'plateforme-le-havre')));
      const m = await run('lieux-mediation', shared(HAVRE));
      assert.equal(m.status, 'succeeded', m.message ?? '');
      const both = await all();
      // Same name at the same point: one place each, holding both records.
      const merged = both.filter((i) => i.sources.length === 2);
      assert.equal(merged.length, m.rows_accepted, m.message ?? '');
      assert.equal(both.length, unique);
    });

    test('CSV with « ; » and decimal commas; a bad row is rejected with its line and reason', async () => {
      const lh = havre().slice(0, 10);
      const cols = [
        'id',
        'nom',
        'categories',
        'adresse',
        'code_postal',
        'commune',
        'latitude',
        'longitude',
        'date_maj',
      ];
      const rows = lh.map((o) => {
        const p = platform(o) as Record<string, unknown>;
        return cols
          .map((c) =>
            (c === 'categories' ? 'mediation|tiers-lieu' : String(p[c] ?? '')).replace(/^(-?\d+)\.(\d+)$/, '$1,$2'),
          )
          .join(';');
      });
      // Line 4 (the third record) given an unknown category.
      rows[2] = rows[2]!.replace('mediation|tiers-lieu', 'bibliotheque');
      const file = path.join(tmp, 'partenaire.csv');
      fs.writeFileSync(file, `${cols.join(';')}\n${rows.join('\n')}\n`);
      const r = await run('lieux-plateforme', file, { jeu: 'partenaire' });
      assert.equal(r.status, 'succeeded', r.message ?? '');
      assert.equal(r.rows_accepted, 9);
      assert.deepEqual(
        r.rejects.map((x) => [x.line, x.reason.split(' (')[0]]),
        [[4, 'catégorie inconnue « bibliotheque »']],
      );
      const tl = (await get('/api/v1/inclusion/lieux?categorie=tiers-lieu&limit=100')).json() as { total: number };
      assert.equal(tl.total, 9);
      // The other dataset is untouched.
      assert.equal((await all()).filter((i) => i.sources.some((s) => s.source === 'plateforme-le-havre')).length, 79);
      const bad = await run('aidants-connect', file, { jeu: 'x' });
      assert.equal(bad.status, 'failed');
    });
  });
}
