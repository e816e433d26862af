import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { download } from '../../src/imports/download.ts';
import { parseAllowList } from '../../src/imports/net-guard.ts';
import { runImport } from '../../src/imports/runner.ts';
import { resolveSource } from '../../src/imports/source.ts';
import { backends, quietLog, setup } from '../helpers.ts';

/** A local server standing for an internal service and for an allowed intranet source. Loopback only. */
function startServer() {
  const hits: string[] = [];
  const open = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    const port = (server.address() as AddressInfo).port;
    const to = (loc: string) => {
      res.writeHead(302, { location: loc });
      res.end();
    };
    switch (req.url) {
      case '/donnees.csv':
        res.writeHead(200, { 'content-type': 'text/csv' });
        res.end('SECRET-INTERNE;colonne\n1;2\n');
        return;
      case '/vers-donnees':
        return to('/donnees.csv');
      case '/vers-autre-boucle':
        return to(`http://127.0.0.2:${port}/donnees.csv`);
      case '/vers-ipv6':
        return to(`http://[::1]:${port}/donnees.csv`);
      case '/vers-fichier':
        return to('file:///etc/passwd');
      case '/boucle':
        return to('/boucle');
      case '/lent':
        // Sends one line, then nothing: the inactivity timeout must end the download.
        open.add(res);
        res.writeHead(200, { 'content-type': 'text/csv' });
        res.write('a;b\n');
        return;
      case '/muet':
        open.add(res);
        return;
      default:
        res.writeHead(404);
        res.end('SECRET-404');
    }
  });
  return {
    hits,
    start: () =>
      new Promise<string>((r) =>
        server.listen(0, '127.0.0.1', () => r(`127.0.0.1:${(server.address() as AddressInfo).port}`)),
      ),
    stop: () =>
      new Promise<void>((r) => {
        for (const x of open) x.destroy();
        server.close(() => r());
      }),
  };
}

describe('import by URL: internal addresses refused, redirects checked, idle downloads stopped', () => {
  const srv = startServer();
  let hostPort = '';
  let port = '';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pan-dl-'));
  const allowLoopbackHost = parseAllowList('127.0.0.1');
  before(async () => {
    hostPort = await srv.start();
    port = hostPort.split(':')[1]!;
  });
  after(async () => {
    await srv.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('loopback in every notation is refused before any connection', async () => {
    const urls = [
      `http://${hostPort}/donnees.csv`,
      `http://localhost:${port}/donnees.csv`,
      `http://2130706433:${port}/donnees.csv`,
      `http://0x7f000001:${port}/donnees.csv`,
      `http://127.1:${port}/donnees.csv`,
      `http://[::1]:${port}/donnees.csv`,
      `http://[::ffff:127.0.0.1]:${port}/donnees.csv`,
      `http://0177.0.0.1:${port}/donnees.csv`,
    ];
    for (const u of urls) {
      await assert.rejects(download(u, { downloadDir: dir, maxBytes: 1e6 }), (e: Error & { userMessage?: string }) => {
        assert.match(e.userMessage ?? '', /Adresse refusée.*IMPORT_URL_ALLOWLIST/, u);
        assert.ok(!(e.userMessage ?? '').includes('SECRET'));
        return true;
      });
    }
    assert.deepEqual(srv.hits, []);
  });

  test('only http(s): other schemes are not read as local paths', async () => {
    for (const s of ['file:///etc/passwd', 'x:../../../../etc/passwd', 'ftp://exemple.fr/a.csv']) {
      await assert.rejects(resolveSource(s, { downloadDir: dir, maxBytes: 1e6 }), /SOURCE_ILLISIBLE/, s);
    }
  });

  test('an allowed intranet host downloads, and a redirect to the same host is followed', async () => {
    const a = await download(`http://${hostPort}/donnees.csv`, {
      downloadDir: dir,
      maxBytes: 1e6,
      allow: allowLoopbackHost,
    });
    const b = await download(`http://${hostPort}/vers-donnees`, {
      downloadDir: dir,
      maxBytes: 1e6,
      allow: allowLoopbackHost,
    });
    assert.equal(fs.readFileSync(a.path, 'utf8'), 'SECRET-INTERNE;colonne\n1;2\n');
    assert.equal(b.sha256, a.sha256);
    assert.equal(b.name, 'donnees.csv');
  });

  test('every redirect is checked again: to another loopback address, IPv6 loopback, a file', async () => {
    for (const p of ['/vers-autre-boucle', '/vers-ipv6', '/vers-fichier']) {
      srv.hits.length = 0;
      await assert.rejects(
        download(`http://${hostPort}${p}`, { downloadDir: dir, maxBytes: 1e6, allow: allowLoopbackHost }),
        (e: Error & { userMessage?: string }) => /Adresse refusée|Seules les adresses http/.test(e.userMessage ?? ''),
        p,
      );
      assert.deepEqual(srv.hits, [p], `${p} must not reach the target`);
    }
  });

  test('the number of redirects is bounded', async () => {
    srv.hits.length = 0;
    await assert.rejects(
      download(`http://${hostPort}/boucle`, { downloadDir: dir, maxBytes: 1e6, allow: allowLoopbackHost }),
      /too many redirects/,
    );
    assert.equal(srv.hits.length, 6);
  });

  test('a source that stops sending is abandoned with a French message and leaves no partial file', async () => {
    const before = fs.readdirSync(dir).length;
    await assert.rejects(
      download(`http://${hostPort}/lent`, { downloadDir: dir, maxBytes: 1e6, allow: allowLoopbackHost, idleMs: 300 }),
      (e: Error & { userMessage?: string }) => /aucune donnée reçue pendant/.test(e.userMessage ?? ''),
    );
    await assert.rejects(
      download(`http://${hostPort}/muet`, { downloadDir: dir, maxBytes: 1e6, allow: allowLoopbackHost, idleMs: 300 }),
      (e: Error & { userMessage?: string }) => /n’a rien envoyé/.test(e.userMessage ?? ''),
    );
    assert.equal(fs.readdirSync(dir).length, before);
  });

  test('an error status is reported without the body', async () => {
    await assert.rejects(
      download(`http://${hostPort}/absent`, { downloadDir: dir, maxBytes: 1e6, allow: allowLoopbackHost }),
      (e: Error & { userMessage?: string }) =>
        /répondu 404/.test(e.userMessage ?? '') && !(e.userMessage ?? '').includes('SECRET'),
    );
  });

  for (const backend of backends()) {
    test(`an import by URL of an internal address fails, recorded, without the answer (${backend.name})`, async () => {
      srv.hits.length = 0;
      const t = await setup(backend);
      try {
        const run = await t.ctx.runImport({
          job: 'offres-repli',
          source: `http://${hostPort}/donnees.csv`,
          startedBy: 'test',
        });
        assert.equal(run.status, 'failed');
        assert.match(run.message ?? '', /Adresse refusée/);
        assert.ok(!(run.message ?? '').includes('SECRET'));
        assert.deepEqual(srv.hits, []);
        // Allowed by configuration: downloaded into the job's folder; the run keeps checksum and size.
        const allowed = await runImport(
          {
            db: t.db,
            config: { ...t.config, importAllowList: parseAllowList('127.0.0.1') },
            log: quietLog,
            jobs: t.ctx.jobs,
          },
          { job: 'offres-repli', source: `http://${hostPort}/donnees.csv`, startedBy: 'test' },
        );
        assert.deepEqual(srv.hits, ['/donnees.csv']);
        assert.equal(allowed.sha256, crypto.createHash('sha256').update('SECRET-INTERNE;colonne\n1;2\n').digest('hex'));
        assert.equal(allowed.source_taille, Buffer.byteLength('SECRET-INTERNE;colonne\n1;2\n'));
        assert.ok(
          fs
            .readdirSync(path.join(t.config.dataDir, 'telechargements', 'offres-repli'))
            .some((f) => f.endsWith('-donnees.csv')),
        );
      } finally {
        await t.close();
      }
    });
  }
});
