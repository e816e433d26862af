import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';
import { pointInside } from '../../src/inclusion/geometry.ts';
import { normalizeName } from '../../src/text/normalize.ts';
import { parseCsv } from '../csv.ts';
import { backends, missingShared, setup, shared } from '../helpers.ts';

const AIDANTS = 'mediation-numerique/aidants-connect-structures-national-2024-02.csv.gz';
const CNFS = 'mediation-numerique/cnfs-structures-national-2023-04.csv.gz';
const BANO = 'addresses/bano-90-territoire-de-belfort-2015-03.csv.gz';
const CONTOURS = 'boundaries/france-geojson-2018/communes-bourgogne-franche-comte.geojson.gz';
const BFC = new Set(['21', '25', '39', '58', '70', '71', '89', '90']);
const text = (f: string) => zlib.gunzipSync(fs.readFileSync(shared(f))).toString('utf8');

/** Haversine in metres, written here again so that the test does not trust the module's. */
function metres(a: { lon: number; lat: number }, b: { lon: number; lat: number }): number {
  const r = Math.PI / 180;
  const h =
    Math.sin(((b.lat - a.lat) * r) / 2) ** 2 +
    Math.cos(a.lat * r) * Math.cos(b.lat * r) * Math.sin(((b.lon - a.lon) * r) / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.sqrt(h));
}

/** SIRET key, written here again (La Poste's establishments: sum of digits a multiple of 5). */
function luhn(s: string): boolean {
  if (s.startsWith('356000000')) return [...s].reduce((a, d) => a + Number(d), 0) % 5 === 0;
  let sum = 0;
  for (let i = 0; i < s.length; i++) {
    let d = Number(s[s.length - 1 - i]);
    if (i % 2) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

type Item = {
  id: number;
  nom: string;
  categories: string[];
  code_insee: string | null;
  lon: number;
  lat: number;
  precision: string;
  sources: { source: string; id: string }[];
};

/** The BANO file of the Territoire de Belfort (`id, numero, voie, code_postal, commune, source, lat, lon`), by « numero voie code_insee ». */
function banoPoints(): Map<string, { lon: number; lat: number }> {
  const out = new Map<string, { lon: number; lat: number }>();
  for (const line of text(BANO).split('\n')) {
    const f = line.split(',');
    if (f.length < 8) continue;
    // The commune's INSEE code starts the BANO id.
    out.set(`${f[1]} ${normalizeName(f[2]!)} ${f[0]!.slice(0, 5)}`, { lat: Number(f[6]), lon: Number(f[7]) });
  }
  return out;
}

for (const backend of backends()) {
  describe(`inclusion structures without coordinates (${backend.name})`, {
    skip: missingShared(AIDANTS, CNFS, BANO, CONTOURS),
  }, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    const get = (url: string) => t.app.inject({ method: 'GET', url });
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
    const shapes = new Map<string, unknown>();
    before(async () => {
      t = await setup(backend, { REGION: '27' });
      const c = await run('contours', shared(CONTOURS), { niveau: 'commune' });
      assert.equal(c.status, 'succeeded', c.message ?? '');
      const a = await run('adresses', shared(BANO));
      assert.equal(a.status, 'succeeded', a.message ?? '');
      const doc = JSON.parse(text(CONTOURS)) as { features: { properties: { code: string }; geometry: unknown }[] };
      for (const f of doc.features) {
        const g = f.geometry as { type: string; coordinates: unknown[] };
        shapes.set(
          f.properties.code,
          g.type === 'Polygon' ? { type: 'MultiPolygon', coordinates: [g.coordinates] } : g,
        );
      }
    });
    after(async () => t.close());

    test('Aidants Connect: placed at the address where Belfort’s addresses are imported, else at the commune', async () => {
      const rows = parseCsv(text(AIDANTS), ',');
      const h = rows[0]!;
      const col = (r: string[], n: string) => (r[h.indexOf(n)] ?? '').trim();
      // Count made from the file: rows of the région's départements (INSEE code, else postcode).
      const inRegion = rows.slice(1).filter((r) => {
        // Its INSEE code, else its postcode; an arrondissement code (not a commune) gives way to the postcode.
        const insee = col(r, 'City Insee Code');
        const code = insee && !/^(751|6938|132)\d\d$/.test(insee) ? insee : col(r, 'Zip Code');
        return BFC.has(code.padStart(5, '0').slice(0, 2));
      });
      const active = inRegion.filter((r) => col(r, 'Is Active') === 'true');
      const siretOk = (r: string[]) => {
        const s = col(r, 'Siret').replace(/\.0$/, '');
        return !s || /^0+$/.test(s) || (/^\d{14}$/.test(s) && luhn(s));
      };
      const valid = active.filter(siretOk);
      const res = await run('aidants-connect', shared(AIDANTS));
      assert.equal(res.status, 'succeeded', res.message ?? '');
      assert.equal(res.rows_accepted, valid.length, res.message ?? '');
      // Rejected: the région's inactive rows and bad SIRETs, and rows anywhere whose commune cannot be found.
      const unknown = res.rejects.filter((r) => /commune non reconnue/.test(r.reason)).length;
      assert.equal(res.rows_rejected - unknown, inRegion.length - valid.length);
      assert.ok(res.rejects.some((r) => /désactivée/.test(r.reason) && r.line! > 1));
      const items = (await all()).filter((i) => i.sources.some((s) => s.source === 'aidants-connect'));
      assert.equal(items.length, valid.length);
      const byId = new Map(items.map((i) => [i.sources.find((s) => s.source === 'aidants-connect')!.id, i]));

      // In the Territoire de Belfort, a structure whose address is in the BANO file sits on that point.
      const bano = banoPoints();
      let atAddress = 0;
      for (const r of valid.filter((x) => col(x, 'City Insee Code').startsWith('90'))) {
        const m = /^(\d+)\s+(.*)$/.exec(col(r, 'Address'));
        const it = byId.get(col(r, 'ID'))!;
        if (!m) continue;
        // BANO writes the street in full: the test only checks the addresses it can find as written.
        const p = bano.get(`${m[1]} ${normalizeName(m[2]!)} ${col(r, 'City Insee Code')}`);
        if (!p) continue;
        atAddress++;
        assert.equal(it.precision, 'adresse', `${it.nom} ${col(r, 'Address')}`);
        assert.ok(metres(it, p) < 5, `${it.nom}: ${metres(it, p).toFixed(1)} m from ${col(r, 'Address')}`);
      }
      assert.ok(atAddress >= 1, `${atAddress} Belfort structures found as written in the BANO file`);
      // Every structure placed at an address sits on a point of the BANO file (abbreviations such as « PL » too).
      const points = [...bano.values()];
      const placed = items.filter((i) => i.precision === 'adresse');
      assert.ok(placed.length >= 3, `${placed.length} placed at their address`);
      for (const i of placed)
        assert.ok(
          points.some((p) => metres(i, p) < 1),
          `${i.nom} on a BANO point`,
        );
      // Elsewhere (no addresses imported): at the point inside the commune's outline.
      const dijon = valid.find((r) => col(r, 'City Insee Code') === '21231')!;
      const it = byId.get(col(dijon, 'ID'))!;
      assert.equal(it.precision, 'commune');
      const inside = pointInside(shapes.get('21231') as Parameters<typeof pointInside>[0])!;
      assert.ok(metres(it, inside) < 1, `${it.nom} at its commune`);
      const page = await get(`/inclusion/lieux/${it.id}`);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /commune/);
      assert.match(res.message ?? '', /placé\(s\) par l’index d’adresses/);

      // A re-import replaces only this source.
      const before = (await all()).length;
      const again = await run('aidants-connect', shared(AIDANTS), {}, true);
      assert.equal(again.status, 'succeeded', again.message ?? '');
      assert.equal((await all()).length, before);
    });

    test('CNFS structures: SIRET as id, commune by postcode when its code contradicts the département', async () => {
      const rows = parseCsv(text(CNFS), ';');
      const h = rows[0]!;
      const col = (r: string[], n: string) => (r[h.indexOf(n)] ?? '').trim();
      // Some rows contradict themselves: the département two of code, postcode and « Code département » agree on.
      const dep = (r: string[]) => {
        const code = col(r, 'Code commune INSEE').padStart(5, '0').slice(0, 2);
        const cp = col(r, 'Code postal').padStart(5, '0').slice(0, 2);
        return code === cp || cp !== col(r, 'Code département').padStart(2, '0') ? code : cp;
      };
      const inRegion = rows.slice(1).filter((r) => BFC.has(dep(r)));
      const ids = new Set<string>();
      let duplicates = 0;
      for (const r of inRegion) {
        if (ids.has(col(r, 'SIRET'))) duplicates++;
        ids.add(col(r, 'SIRET'));
      }
      const res = await run('cnfs-structures', shared(CNFS));
      assert.equal(res.status, 'succeeded', res.message ?? '');
      assert.equal(res.rows_accepted, inRegion.length - duplicates, res.message ?? '');
      const items = (await all()).filter((i) => i.sources.some((s) => s.source === 'cnfs-structures'));
      // Some structures are the same as an Aidants Connect one (same SIRET within 200 m): one place, two sources.
      assert.ok(items.some((i) => i.sources.some((s) => s.source === 'aidants-connect')));
      assert.ok(items.every((i) => i.categories.includes('conseiller-numerique')));
      const bano = banoPoints();
      const hit = inRegion.find((r) => col(r, 'SIRET') === '21900009800125')!; // 8 PL SALENGRO 90500 BEAUCOURT
      assert.ok(hit);
      const it = items.find((i) => i.sources.some((s) => s.id === '21900009800125'))!;
      const p = [...bano].find(([k]) => /^8 .*salengro 90009$/.test(k))?.[1];
      assert.ok(p, 'Place Salengro in the BANO file');
      assert.equal(it.precision, 'adresse');
      assert.ok(metres(it, p) < 5, `${metres(it, p).toFixed(1)} m`);
    });
  });
}
