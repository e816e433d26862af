import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';
import { parseCsv } from '../csv.ts';
import { backends, missingShared, setup, shared } from '../helpers.ts';

/**
 * No file of the France Tiers-Lieux census (`bdftl-AAAA-01-fiche-identite.csv`) could be found (see
 * ../shared/data/README.md §17). The test file is built here, at test time, from the 38 real places of
 * `tiers-lieux/commune-mesure-tiers-lieux-2022.csv.gz` laid out in the census's columns (`;`, decimal-comma
 * coordinates); the columns that file has no value for stay empty.
 */
const COMMUNE_MESURE = 'tiers-lieux/commune-mesure-tiers-lieux-2022.csv.gz';
const HAVRE = 'mediation-numerique/lieux-mediation-numerique-le-havre-2024.json.gz';
const NORMANDIE = new Set(['14', '27', '50', '61', '76']);
const COLUMNS = [
  'ID_UNIQUE',
  'NOM',
  'ADRESSE',
  'CODPOST',
  'VILLE',
  'DEPARTEMENT_TL',
  'REGION_TL',
  'LATITUDE',
  'LONGITUDE',
  'INTERNET',
  'EMAIL',
  'TELEPHONE',
  'DESCRI_COU',
  'DATE_OUV',
  'NOM_STRC_GEST',
  'TYPE_STRUCTURE_GEST',
  'RS_FACEBOOK',
  'RS_X',
  'RS_INSTAGRAM',
  'RS_LINKEDIN',
  'RS_MASTODON',
  'RS_MOVILAB',
  'LIEN_OSM_GOOGLE',
  'état du projet',
  'familles_tiers_lieux',
  'initiative_origine',
];

type Place = { id: string; nom: string; adresse: string; cp: string; ville: string; lat: number; lon: number };

/** The Commune Mesure places: `, Name, Address` (« street, CP City »)`, Latitude, Longitude, Founding_idea, …`. */
function places(): (Place & { descri: string })[] {
  const rows = parseCsv(zlib.gunzipSync(fs.readFileSync(shared(COMMUNE_MESURE))).toString('utf8'));
  return rows.slice(1).map((r) => {
    const address = r[2]!.replace(/\s+/g, ' ');
    const m = /^(.*),\s*(\d{4,5}) ([^,]+)$/.exec(address);
    assert.ok(m, address);
    return {
      id: `CM-${r[0]}`,
      nom: r[1]!,
      adresse: m[1]!,
      cp: m[2]!.padStart(5, '0'),
      ville: m[3]!,
      lat: Number(r[3]),
      lon: Number(r[4]),
      descri: r[5]!,
    };
  });
}

const q = (v: string) => (/[;"\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
function censusFile(dir: string, ps: ReturnType<typeof places>): string {
  const lines = [COLUMNS.join(';')];
  for (const p of ps) {
    const v: Record<string, string> = {
      ID_UNIQUE: p.id,
      NOM: p.nom,
      ADRESSE: p.adresse,
      CODPOST: p.cp,
      VILLE: p.ville,
      LATITUDE: String(p.lat).replace('.', ','),
      LONGITUDE: String(p.lon).replace('.', ','),
      DESCRI_COU: p.descri,
    };
    lines.push(COLUMNS.map((c) => q(v[c] ?? '')).join(';'));
  }
  const file = path.join(dir, 'bdftl-2023-01-fiche-identite.csv');
  fs.writeFileSync(file, `${lines.join('\r\n')}\r\n`);
  return file;
}

function metres(a: { lon: number; lat: number }, b: { lon: number; lat: number }): number {
  const r = Math.PI / 180;
  const h =
    Math.sin(((b.lat - a.lat) * r) / 2) ** 2 +
    Math.cos(a.lat * r) * Math.cos(b.lat * r) * Math.sin(((b.lon - a.lon) * r) / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.sqrt(h));
}

type Item = {
  id: number;
  nom: string;
  categories: string[];
  code_insee: string | null;
  lon: number;
  lat: number;
  precision: string;
  sources: { source: string; id: string; date_maj: string | null }[];
};

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tiers-lieux-test-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

for (const backend of backends()) {
  describe(`inclusion tiers-lieux census (${backend.name})`, { skip: missingShared(COMMUNE_MESURE, HAVRE) }, () => {
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

    test('census columns, decimal comma, category tiers-lieu; the région by default, France on demand', async () => {
      const ps = places();
      assert.equal(ps.length, 38);
      const file = censusFile(tmp, ps);
      const havre = await run('lieux-mediation', shared(HAVRE));
      assert.equal(havre.status, 'succeeded', havre.message ?? '');
      const before = (await all()).length;

      const fr = await run('tiers-lieux', file, { perimetre: 'france' });
      assert.equal(fr.status, 'succeeded', fr.message ?? '');
      assert.equal(fr.rows_accepted, ps.length, fr.message ?? '');
      assert.equal(fr.rows_rejected, 0);
      const items = (await all()).filter((i) => i.sources.some((s) => s.source === 'tiers-lieux'));
      assert.equal(items.length, ps.length);
      for (const p of ps) {
        const it = items.find((i) => i.sources.some((s) => s.source === 'tiers-lieux' && s.id === p.id))!;
        assert.ok(it, p.nom);
        assert.ok(metres(it, p) < 0.5, `${p.nom} at ${p.lat}, ${p.lon}`);
        assert.equal(it.precision, 'adresse');
        assert.ok(it.categories.includes('tiers-lieu'));
        assert.equal(it.sources.find((s) => s.source === 'tiers-lieux')!.date_maj, '2023-01-01');
      }
      const rouen = items.find((i) => i.nom === 'La Friche Lucien')!;
      assert.equal(rouen.code_insee, '76540');
      assert.equal((await get('/api/v1/inclusion/lieux?categorie=tiers-lieu&niveau=region&code=28')).json().total, 3);

      // Default perimeter: the instance's région only (Normandie: Rouen, Colombelles, Le Petit-Quevilly); a
      // re-import replaces the census's places and only them.
      const inRegion = ps.filter((p) => NORMANDIE.has(p.cp.slice(0, 2)));
      const rg = await run('tiers-lieux', file, {}, true);
      assert.equal(rg.status, 'succeeded', rg.message ?? '');
      assert.equal(rg.rows_accepted, inRegion.length);
      assert.match(rg.message ?? '', new RegExp(`${ps.length - inRegion.length} hors de la région`));
      const after = await all();
      assert.equal(after.filter((i) => i.sources.some((s) => s.source === 'tiers-lieux')).length, inRegion.length);
      assert.equal(after.length, before + inRegion.length);
      const page = await get(`/inclusion/lieux/${rouen.id}`);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Tiers-lieu/);
    });

    test('a file of another format is refused, saying which columns are missing', async () => {
      const r = await run('tiers-lieux', shared(HAVRE));
      assert.equal(r.status, 'failed');
      assert.match(r.message ?? '', /colonnes absentes « ID_UNIQUE »/);
    });
  });
}
