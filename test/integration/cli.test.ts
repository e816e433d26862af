import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { missingShared, shared } from '../helpers.ts';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pan-cli-'));
const env = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', DATABASE_URL: '' };

const cli = (args: string[], extra: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: ROOT,
    env: { ...env, ...extra },
    encoding: 'utf8',
    timeout: 120_000,
  });

// The embedded database (PGlite) only; server hand-off is specific to it.
describe('command line and server on the embedded database', {
  skip: missingShared(
    'boundaries/france-geojson-2018/departements-bourgogne-franche-comte.geojson.gz',
    'boundaries/france-geojson-2018/region-bourgogne-franche-comte.geojson.gz',
  ),
}, () => {
  let server: ReturnType<typeof spawn> | undefined;
  after(() => {
    server?.kill('SIGTERM');
  });

  test('import --help lists the jobs', () => {
    const r = cli(['import', '--help']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /contours/);
    assert.match(r.stdout, /territoires/);
  });

  test('a wrong setting stops with a message naming the variable', () => {
    const r = cli(['migrer'], { PORT: 'abc' });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /PORT/);
  });

  test('the CLI refuses to create an empty embedded database unless asked to', () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'pan-cli-vide-'));
    const r = cli(['creer-admin', '--email', 'a@region.fr'], {
      DATA_DIR: elsewhere,
      ADMIN_PASSWORD: 'une phrase de passe longue',
    });
    assert.equal(r.status, 2, r.stderr + r.stdout);
    assert.match(r.stderr, /Aucune base embarquée dans .*pan-cli-vide-/);
    assert.match(r.stderr, /--initialiser/);
    assert.deepEqual(fs.readdirSync(elsewhere), [], 'nothing created');
  });

  test('the CLI reads the same settings file as the server (ENV_FILE or .env)', () => {
    const envFile = path.join(os.tmpdir(), `pan-cli-${process.pid}.env`);
    fs.writeFileSync(envFile, `DATA_DIR=${dataDir}\nPORT=abc\n`);
    const { DATA_DIR: _ignored, ...withoutDataDir } = env;
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'migrer'], {
      cwd: ROOT,
      env: { ...withoutDataDir, ENV_FILE: envFile },
      encoding: 'utf8',
      timeout: 120_000,
    });
    // The file was read: its wrong PORT is reported, naming the variable.
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /PORT/);
    const missing = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'migrer'], {
      cwd: ROOT,
      env: { ...env, ENV_FILE: `${envFile}.absent` },
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /Fichier de configuration illisible/);
  });

  test('the CLI creates the database when asked and imports', () => {
    const r = cli([
      'import',
      'contours',
      shared('boundaries', 'france-geojson-2018', 'departements-bourgogne-franche-comte.geojson.gz'),
      '--initialiser',
    ]);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /réussi/);
    assert.match(r.stdout, /lignes lues 8, retenues 8, rejetées 0/);
    const again = cli([
      'import',
      'contours',
      shared('boundaries', 'france-geojson-2018', 'departements-bourgogne-franche-comte.geojson.gz'),
    ]);
    assert.match(again.stdout, /inchangé/);
    assert.equal(fs.existsSync(path.join(dataDir, 'pglite.lock')), false);
  });

  test('while the server runs, the CLI hands its job to it', async () => {
    const port = String(35000 + Math.floor(Math.random() * 2000));
    server = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...env, PORT: port },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let ready = false;
    for (let i = 0; i < 120 && !ready; i++) {
      await new Promise((r) => setTimeout(r, 500));
      ready = await fetch(`http://127.0.0.1:${port}/api/health`).then(
        (r) => r.ok,
        () => false,
      );
    }
    assert.ok(ready, 'server did not start');
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const p = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          'src/cli.ts',
          'import',
          'contours',
          shared('boundaries', 'france-geojson-2018', 'region-bourgogne-franche-comte.geojson.gz'),
        ],
        { cwd: ROOT, env },
      );
      let out = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (out += d));
      p.on('close', (code) => resolve({ code, out }));
    });
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /confié/);
    const shape = await fetch(`http://127.0.0.1:${port}/api/v1/territoires/region/27/contour`);
    assert.equal(shape.status, 200);
    const home = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    assert.match(home, /Bourgogne-Franche-Comté/);

    // creer-admin no longer waits for the lock: the server creates the account.
    const admin = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const p = spawn(
        process.execPath,
        ['--import', 'tsx', 'src/cli.ts', 'creer-admin', '--email', 'admin@region.fr', '--nom', 'Admin Région'],
        { cwd: ROOT, env: { ...env, ADMIN_PASSWORD: 'une phrase de passe longue' } },
      );
      let out = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (out += d));
      p.on('close', (code) => resolve({ code, out }));
    });
    assert.equal(admin.code, 0, admin.out);
    assert.match(admin.out, /création du compte lui est confiée/);
    assert.match(admin.out, /Administrateur créé/);
    const form = await fetch(`http://127.0.0.1:${port}/connexion`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
    const cookie = (form.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    const login = await fetch(`http://127.0.0.1:${port}/connexion`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({
        _csrf: csrf,
        email: 'admin@region.fr',
        motDePasse: 'une phrase de passe longue',
        next: '/admin',
      }).toString(),
    });
    assert.equal(login.status, 303);
    // The CLI import and the account creation are in the journal.
    const session = (login.headers.getSetCookie().find((c) => c.startsWith('pan_session=')) ?? '').split(';')[0] ?? '';
    const journal = await (
      await fetch(`http://127.0.0.1:${port}/admin/journal`, { headers: { cookie: session } })
    ).text();
    assert.match(journal, /lancement-import/);
    assert.match(journal, /cli \(/);
  });
});
