import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openDb } from '../../src/db/open.ts';
import { shared } from '../helpers.ts';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pan-sauvegarde-'));
const A = path.join(tmp, 'a');
const B = path.join(tmp, 'b');
const FILE = path.join(tmp, 'sauvegarde.jsonl.gz');

const cli = (dataDir: string, args: string[], extra: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'warn', ...extra },
    encoding: 'utf8',
    timeout: 300_000,
  });

/** A port the OS says is free now (a fixed range collides with other test runs on the machine). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Every table's row count and a digest of its rows, in a stable order. */
async function contents(dataDir: string): Promise<Record<string, string>> {
  const db = await openDb({ dataDir });
  try {
    const names = (
      await db.query<{ t: string }>(
        `SELECT tablename AS t FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1`,
      )
    ).rows.map((r) => r.t);
    const out: Record<string, string> = {};
    for (const t of names) {
      // schema_migration: when each migration was applied differs by nature; names and checksums may not
      const row = t === 'schema_migration' ? `json_build_array(x.name, x.checksum)` : 'to_json(x)';
      const r = await db.query<{ n: number; h: string | null }>(
        `SELECT count(*)::int AS n, md5(string_agg(${row}::text, '|' ORDER BY ${row}::text)) AS h FROM ${t} x`,
      );
      out[t] = `${r.rows[0]!.n}:${r.rows[0]!.h ?? ''}`;
    }
    return out;
  } finally {
    await db.close();
  }
}

describe('backup and restore of the embedded database', () => {
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  let before: Record<string, string>;

  test('round trip on real data: every table comes back identical, sequences continue', async () => {
    for (const args of [
      [
        'import',
        'contours',
        shared('boundaries', 'france-geojson-2018', 'departements-bourgogne-franche-comte.geojson.gz'),
        '--initialiser',
      ],
      ['import', 'adresses', shared('addresses', 'bal-54084-mont-bonvillers-fixture.csv.gz')],
    ]) {
      const r = cli(A, args);
      assert.equal(r.status, 0, r.stdout + r.stderr);
    }
    const admin = cli(A, ['creer-admin', '--email', 'admin@region.example', '--nom', 'Admin Sauvegarde'], {
      ADMIN_PASSWORD: 'Cheval-Agrafe-Pile-Correcte-1789',
    });
    assert.equal(admin.status, 0, admin.stdout + admin.stderr);

    const save = cli(A, ['sauvegarde', FILE]);
    assert.equal(save.status, 0, save.stdout + save.stderr);
    assert.match(save.stdout, /Sauvegarde écrite/);

    const restore = cli(B, ['restauration', FILE]);
    assert.equal(restore.status, 0, restore.stdout + restore.stderr);
    before = await contents(A);
    const restored = await contents(B);
    assert.ok(Number(before.commune!.split(':')[0]) > 30_000, 'territories expected in the backup');
    assert.ok(Number(before.adresse!.split(':')[0]) > 400, 'addresses expected in the backup');
    assert.deepEqual(restored, before);

    // the restored database is usable as is: a new run gets the next id (sequences restored)
    const again = cli(B, [
      'import',
      'adresses',
      '--force',
      shared('addresses', 'bal-54084-mont-bonvillers-fixture.csv.gz'),
    ]);
    assert.equal(again.status, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /réussi/);
  });

  test('a restore is refused while a server holds the database, and without --remplacer', async () => {
    const lock = path.join(B, 'pglite.lock');
    fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, role: 'server', since: new Date().toISOString() }));
    try {
      const r = cli(B, ['restauration', '--remplacer', FILE]);
      assert.equal(r.status, 3, r.stdout + r.stderr);
      assert.match(r.stderr, /utilisée par le serveur/);
      const s = cli(B, ['sauvegarde', path.join(tmp, 'autre.jsonl.gz')]);
      assert.equal(s.status, 3, s.stdout + s.stderr);
      assert.equal(fs.existsSync(path.join(tmp, 'autre.jsonl.gz')), false);
    } finally {
      fs.rmSync(lock, { force: true });
    }
    const r = cli(B, ['restauration', FILE]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--remplacer/);
  });

  test('a truncated backup restores nothing and leaves the current database as it was', async () => {
    const cut = path.join(tmp, 'tronquee.jsonl.gz');
    const full = fs.readFileSync(FILE);
    fs.writeFileSync(cut, full.subarray(0, Math.floor(full.length / 2)));
    const current = await contents(B);
    const r = cli(B, ['restauration', '--remplacer', cut]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /Sauvegarde (illisible|incomplète)/);
    assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/, 'no stack trace for the user');
    assert.equal(fs.existsSync(path.join(B, 'pglite.restauration-en-cours')), false);
    assert.deepEqual(await contents(B), current);
    const ok = cli(B, ['restauration', '--remplacer', FILE]);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /Ancienne base gardée/);
    assert.deepEqual(await contents(B), before);
  });

  test('while the server runs, the backup is handed to it and restores identically', async () => {
    const port = await freePort();
    const server = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: A, DATABASE_URL: '', PORT: String(port), LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => server.on('exit', resolve));
    try {
      let ready = false;
      for (let i = 0; i < 240 && !ready; i++) {
        await new Promise((r) => setTimeout(r, 500));
        ready = await fetch(`http://127.0.0.1:${port}/api/ready`).then(
          (r) => r.ok,
          () => false,
        );
      }
      assert.ok(ready, 'server did not start');
      const file = path.join(tmp, 'pendant-le-service.jsonl.gz');
      const r = cli(A, ['sauvegarde', file]);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /la sauvegarde lui est confiée/);
      assert.match(r.stdout, /Sauvegarde écrite/);
      server.kill('SIGTERM');
      await exited;
      const C = path.join(tmp, 'c');
      const restore = cli(C, ['restauration', file]);
      assert.equal(restore.status, 0, restore.stdout + restore.stderr);
      assert.deepEqual(await contents(C), await contents(A));
    } finally {
      if (server.exitCode === null) server.kill('SIGKILL');
    }
  });
});
