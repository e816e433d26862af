import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { shared, missingShared } from '../helpers.ts';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pan-cli-'));
const env = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', DATABASE_URL: '' };

const cli = (args: string[], extra: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: ROOT, env: { ...env, ...extra }, encoding: 'utf8', timeout: 120_000 });

// The embedded database (PGlite) only; server hand-off is specific to it.
describe('command line and server on the embedded database', { skip: missingShared('boundaries/france-geojson-2018/departements-bourgogne-franche-comte.geojson.gz', 'boundaries/france-geojson-2018/region-bourgogne-franche-comte.geojson.gz') }, () => {
  let server: ReturnType<typeof spawn> | undefined;
  after(() => { server?.kill('SIGTERM'); });

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

  test('the CLI creates the database when needed and imports', () => {
    const r = cli(['import', 'contours', shared('boundaries', 'france-geojson-2018', 'departements-bourgogne-franche-comte.geojson.gz')]);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /réussi/);
    assert.match(r.stdout, /lignes lues 8, retenues 8, rejetées 0/);
    const again = cli(['import', 'contours', shared('boundaries', 'france-geojson-2018', 'departements-bourgogne-franche-comte.geojson.gz')]);
    assert.match(again.stdout, /inchangé/);
    assert.equal(fs.existsSync(path.join(dataDir, 'pglite.lock')), false);
  });

  test('while the server runs, the CLI hands its job to it', async () => {
    const port = String(35000 + Math.floor(Math.random() * 2000));
    server = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env: { ...env, PORT: port }, stdio: ['ignore', 'pipe', 'pipe'] });
    let ready = false;
    for (let i = 0; i < 120 && !ready; i++) {
      await new Promise((r) => setTimeout(r, 500));
      ready = await fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.ok, () => false);
    }
    assert.ok(ready, 'server did not start');
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const p = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'import', 'contours', shared('boundaries', 'france-geojson-2018', 'region-bourgogne-franche-comte.geojson.gz')], { cwd: ROOT, env });
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
  });
});
