/**
 * The resource library on real files: ARCEP's PDF documentation of Ma connexion internet and the
 * Aides-territoires CSV export. Upload, versions kept, downloads counted and served as attachments,
 * content checked against the extension, limits, search.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';
import { createOrganisation, createUser } from '../../src/accounts/service.ts';
import { backends, cookieHeader, csrfIn, missingShared, setup, shared, signIn } from '../helpers.ts';

const PDF = 'arcep-fixe/ma-connexion-internet-doc/doc-maconnexioninternet-v2022t4.pdf.gz';
const CSV = 'aides-territoires/aides-territoires-export-periurbain-2022-11.csv.gz';
const skip = missingShared(PDF, CSV);
const unzip = (f: string) => (skip ? Buffer.alloc(0) : zlib.gunzipSync(fs.readFileSync(shared(f))));
const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

for (const backend of backends()) {
  describe(`resource library (${backend.name})`, { skip }, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    let cookie = '';
    let csrf = '';
    const pdf = unzip(PDF);
    const csv = unzip(CSV);
    const send = (url: string, fields: Record<string, string | string[]>, file?: { name: string; bytes: Buffer }) => {
      const b = '----bibliotheque';
      const parts = Object.entries(fields).flatMap(([k, v]) =>
        (Array.isArray(v) ? v : [v]).map((x) =>
          Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${x}\r\n`),
        ),
      );
      const payload = Buffer.concat([
        ...parts,
        ...(file
          ? [
              Buffer.from(
                `--${b}\r\nContent-Disposition: form-data; name="fichier"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
              ),
              file.bytes,
              Buffer.from('\r\n'),
            ]
          : []),
        Buffer.from(`--${b}--\r\n`),
      ]);
      return t.app.inject({
        method: 'POST',
        url: `${url}?_csrf=${encodeURIComponent(csrf)}`,
        headers: { cookie, 'content-type': `multipart/form-data; boundary=${b}` },
        payload,
      });
    };
    const fields = {
      titre: 'Documentation de Ma connexion internet',
      genre: 'guide',
      licence: 'lo-2.0',
      auteurs: 'ARCEP',
      description: 'Méthode de l’observatoire des débits à l’adresse.',
      themes: ['services-publics', 'data-cloud'],
      note: 'version 2022 T4',
    };
    const stored = () => fs.readdirSync(t.config.libraryDir).sort();

    before(async () => {
      t = await setup(backend, { LIBRARY_MAX_MB: '1' });
      const sys = { id: null, label: 'test' };
      const org = await createOrganisation(t.db, sys, {
        nom: 'GIP numérique test',
        type: 'gip',
        territoireNiveau: null,
        territoireCode: null,
      });
      await createUser(t.db, sys, {
        email: 'editrice@bibliotheque.test',
        nom: 'Éditrice Bibliothèque',
        motDePasse: 'Zq8!vT3#pL9@wM2b',
        role: 'editeur',
        organisationId: org,
      });
      const { jar } = await signIn(t.app, 'editrice@bibliotheque.test', 'Zq8!vT3#pL9@wM2b');
      cookie = cookieHeader(jar);
      const form = await t.app.inject({ method: 'GET', url: '/ressources/bibliotheque/nouvelle', headers: { cookie } });
      assert.equal(form.statusCode, 200);
      csrf = csrfIn(form.body) || decodeURIComponent(/_csrf=([^"&]+)/.exec(form.body)?.[1] ?? '');
    });
    after(async () => t.close());

    test('a PDF is shared, then a second version; both stay downloadable, byte for byte, as attachments', async () => {
      assert.ok(pdf.length < 1024 * 1024, 'the real PDF fits the 1 MB limit of this test');
      let r = await send('/ressources/bibliotheque', fields, { name: 'doc-mci-2022t4.pdf', bytes: pdf });
      assert.equal(r.statusCode, 303, r.body);
      const page = String(r.headers.location);
      const csvPart = csv.subarray(0, csv.indexOf('\n', 200_000) + 1);
      r = await send(
        `${page}/versions`,
        { note: 'les aides du périurbain, en tableur' },
        { name: 'aides.csv', bytes: csvPart },
      );
      assert.equal(r.statusCode, 303, r.body);
      const body = (await t.app.inject({ method: 'GET', url: page })).body;
      assert.match(body, /Licence Ouverte 2\.0/);
      assert.match(body, /Télécharger la version 2/);
      const one = await t.app.inject({ method: 'GET', url: `${page}/versions/1/fichier` });
      assert.equal(one.statusCode, 200);
      assert.equal(one.headers['content-type'], 'application/pdf');
      assert.match(String(one.headers['content-disposition']), /^attachment; filename="doc-mci-2022t4\.pdf"/);
      assert.equal(one.headers['x-content-type-options'], 'nosniff');
      assert.equal(sha(one.rawPayload), sha(pdf));
      const two = await t.app.inject({ method: 'GET', url: `${page}/versions/2/fichier` });
      assert.equal(two.headers['content-type'], 'text/csv; charset=utf-8');
      assert.equal(sha(two.rawPayload), sha(csvPart));
      await t.app.inject({ method: 'GET', url: `${page}/versions/2/fichier` });
      const list = (await t.app.inject({ method: 'GET', url: '/ressources/bibliotheque' })).body;
      assert.match(
        list,
        /Documentation de Ma connexion internet<\/a><\/td><td>Guide<\/td><td>Licence Ouverte 2\.0 \(Etalab\)<\/td><td class="pan-num">2<\/td><td class="pan-num">3<\/td>/,
      );
      assert.deepEqual(stored(), [sha(csvPart), sha(pdf)].sort());
      assert.equal((await t.app.inject({ method: 'GET', url: `${page}/versions/3/fichier` })).statusCode, 404);
      // Found by the shared search, accents left out.
      const found = (
        await t.app.inject({ method: 'GET', url: '/api/v1/ressources/recherche?q=methode+debits&type=ressource' })
      ).json();
      assert.equal(found.total, 1);
      assert.equal(found.items[0].url, page);
    });

    test('a file whose content is not its extension, another type, too large or missing: refused, nothing stored', async () => {
      const before = stored();
      const count = async () =>
        (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM bibliotheque_version')).rows[0]!.n;
      const n = await count();
      let r = await send('/ressources/bibliotheque', fields, { name: 'guide.pdf', bytes: csv.subarray(0, 5000) });
      assert.equal(r.statusCode, 400);
      assert.match(r.body, /ne correspond pas à son extension \.pdf/);
      r = await send('/ressources/bibliotheque', fields, { name: 'outil.exe', bytes: pdf.subarray(0, 5000) });
      assert.equal(r.statusCode, 400);
      assert.match(r.body, /Type de fichier refusé \(\.exe\)/);
      r = await send('/ressources/bibliotheque', fields, {
        name: 'gros.csv',
        bytes: Buffer.concat([csv, csv, csv, csv, csv]).subarray(0, 1024 * 1024 + 10),
      });
      assert.equal(r.statusCode, 413);
      r = await send('/ressources/bibliotheque', fields);
      assert.equal(r.statusCode, 400);
      assert.match(r.body, /joignez un fichier/);
      r = await send('/ressources/bibliotheque', { ...fields, licence: 'wtfpl' }, { name: 'doc.pdf', bytes: pdf });
      assert.equal(r.statusCode, 400);
      assert.match(r.body, /licence inconnue/);
      assert.deepEqual(stored(), before, 'no file left behind, no temporary file');
      assert.equal(await count(), n);
    });
  });
}
