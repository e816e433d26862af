import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createUser } from '../../src/accounts/service.ts';
import { backends, cookieHeader, csrfIn, serve, setup, signIn } from '../helpers.ts';

const PASSWORD = 'Brume-sur-la-Saône-2026';

/** Sends raw bytes on a socket (what a browser would never send) and returns the raw answer. */
function raw(base: string, request: string): Promise<string> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = net.connect(Number(u.port), u.hostname, () => s.write(request));
    s.on('data', (c) => chunks.push(c));
    s.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    s.on('error', reject);
  });
}
const statusOf = (answer: string) => Number(/^HTTP\/1\.1 (\d+)/.exec(answer)?.[1]);

for (const backend of backends()) {
  describe(`status codes of hostile requests: 4xx in French, never 500 (${backend.name})`, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    let base = '';
    before(async () => {
      t = await setup(backend);
      await createUser(
        t.db,
        { id: null, label: 'cli' },
        { email: 'admin@region.fr', nom: 'Admin', motDePasse: PASSWORD, role: 'administrateur', organisationId: null },
      );
      base = await serve(t.app);
    });
    after(async () => {
      await t.close();
    });

    async function adminSession() {
      const { res, jar } = await signIn(t.app, 'admin@region.fr', PASSWORD);
      assert.equal(res.statusCode, 303);
      const page = await t.app.inject({
        method: 'GET',
        url: '/admin/utilisateurs',
        headers: { cookie: cookieHeader(jar) },
      });
      return { jar, csrf: csrfIn(page.body) };
    }

    test('odd static paths: NUL, very long, traversal', async () => {
      const nul = await t.app.inject({ url: '/static/%00' });
      assert.ok([400, 404].includes(nul.statusCode), String(nul.statusCode));
      assert.match(nul.body, /lang="fr"/);
      assert.equal((await t.app.inject({ url: `/static/${'a'.repeat(5000)}` })).statusCode, 404);
      const long = await t.app.inject({ url: `/static/${'a'.repeat(10000)}` });
      assert.equal(long.statusCode, 414);
      assert.match(long.body, /L’adresse demandée est trop longue/);
      // Over a real socket, where the path is not normalised on the way.
      for (const p of ['/static/../../etc/passwd', '/static/dsfr/../../package.json', '/static/../']) {
        const a = await raw(base, `GET ${p} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
        assert.equal(statusOf(a), 404, p);
        assert.ok(!a.includes('root:'));
      }
    });

    test('an undecodable URL: French page, or the {erreur} shape under /api', async () => {
      const page = await t.app.inject({ url: '/%zz' });
      assert.equal(page.statusCode, 400);
      assert.match(page.body, /Requête refusée/);
      const api = await t.app.inject({ url: '/api/v1/%zz' });
      assert.equal(api.statusCode, 400);
      assert.equal(api.json().erreur.code, 'REQUETE_INVALIDE');
      assert.match(api.json().erreur.message, /requête est invalide/);
    });

    test('what Node refuses before Fastify (431, malformed request) answers in French', async () => {
      const big = await raw(
        base,
        `GET /api/health HTTP/1.1\r\nHost: localhost\r\nX-Gros: ${'a'.repeat(20000)}\r\nConnection: close\r\n\r\n`,
      );
      assert.equal(statusOf(big), 431);
      assert.match(big, /"code":"ENTETES_TROP_GRANDS"/);
      const bigPage = await raw(
        base,
        `GET /${'a'.repeat(20000)} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
      );
      assert.equal(statusOf(bigPage), 431);
      assert.match(bigPage, /<html lang="fr">[\s\S]*trop volumineux/);
      const garbage = await raw(base, 'N’IMPORTE QUOI\r\n\r\n');
      assert.equal(statusOf(garbage), 400);
      assert.match(garbage, /La requête est invalide/);
    });

    test('unsupported media type and oversized body: 415 and 413 in French', async () => {
      const xml = await t.app.inject({
        method: 'POST',
        url: '/connexion',
        headers: { 'content-type': 'text/xml' },
        payload: '<a/>',
      });
      assert.equal(xml.statusCode, 415);
      assert.match(xml.body, /format des données envoyées/);
      const huge = await t.app.inject({
        method: 'POST',
        url: '/connexion',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `a=${'x'.repeat(2 * 1024 * 1024)}`,
      });
      assert.equal(huge.statusCode, 413);
      assert.match(huge.body, /taille maximale/);
    });

    test('Origin: malformed or "null" refused even with a valid token; same origin accepted', async () => {
      const { jar, csrf } = await adminSession();
      const post = (origin: string | undefined, nom: string) =>
        t.app.inject({
          method: 'POST',
          url: '/admin/organisations',
          headers: {
            cookie: cookieHeader(jar),
            'content-type': 'application/x-www-form-urlencoded',
            ...(origin === undefined ? {} : { origin }),
          },
          payload: new URLSearchParams({ _csrf: csrf, nom, type: 'autre', territoire: '' }).toString(),
        });
      for (const o of ['null', 'http://[mal', '::', 'https://exemple.org']) {
        const r = await post(o, `Organisation ${o}`);
        assert.equal(r.statusCode, 403, o);
        assert.match(r.body, /CSRF_INVALIDE/);
      }
      assert.equal((await post('http://localhost:80', 'Même origine')).statusCode, 303);
      assert.equal((await post(undefined, 'Sans origine')).statusCode, 303);
      const n = await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM organisation WHERE nom LIKE 'Organisation %'`,
      );
      assert.equal(n.rows[0]!.n, 0);
    });

    test('an upload whose name holds a NUL byte: 400, nothing left on disk, nothing recorded', async () => {
      const { jar } = await adminSession();
      const page = await t.app.inject({ method: 'GET', url: '/admin/imports', headers: { cookie: cookieHeader(jar) } });
      const csrf = /action="\/admin\/imports\?_csrf=([^"]+)"/.exec(page.body)![1]!;
      const tag = `nul${crypto.randomBytes(4).toString('hex')}`;
      const boundary = '----pan';
      const body = Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="job"\r\n\r\noffres-repli\r\n--${boundary}\r\nContent-Disposition: form-data; name="fichier"; filename="${tag}\0.csv"\r\nContent-Type: text/csv\r\n\r\n`,
        ),
        Buffer.from('insee_dep;operateur\n21;x\n'.repeat(1000)),
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      const runsBefore = (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM import_run')).rows[0]!.n;
      const r = await t.app.inject({
        method: 'POST',
        url: `/admin/imports?_csrf=${csrf}`,
        headers: { cookie: cookieHeader(jar), 'content-type': `multipart/form-data; boundary=${boundary}` },
        payload: body,
      });
      assert.equal(r.statusCode, 400);
      assert.match(r.body, /REQUETE_INVALIDE[\s\S]*caractères de contrôle/);
      const dir = path.join(t.config.dataDir, 'televersements');
      const left = fs.existsSync(dir)
        ? fs
            .readdirSync(dir, { recursive: true })
            .map(String)
            .filter((f) => f.includes(tag))
        : [];
      assert.deepEqual(left, []);
      assert.equal(
        (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM import_run')).rows[0]!.n,
        runsBefore,
      );
    });
  });
}
