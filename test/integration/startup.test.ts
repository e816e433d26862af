import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Runs the server's entry point until it exits (every case here makes it stop by itself). */
function start(env: Record<string, string>, args = ['src/main.ts']): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', PORT: '39871', HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
      // Before the fix a wrong REGION started a server: it would otherwise never exit.
      timeout: 180_000,
    });
    let stderr = '';
    child.stderr.on('data', (c) => {
      stderr += c;
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('start-up refuses a wrong setting with one French line', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pan-start-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('an unreachable PostgreSQL names DATABASE_URL, without a stack unless LOG_LEVEL=debug', async () => {
    const url = 'postgres://lecteur:secret@127.0.0.1:1/plateforme';
    const r = await start({ DATABASE_URL: url, DATA_DIR: dir });
    assert.equal(r.code, 2);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(
      lines[0]!,
      /^Base PostgreSQL injoignable : connexion refusée .*DATABASE_URL \(postgres:\/\/lecteur:\*\*\*@127\.0\.0\.1:1\/plateforme\)/,
    );
    assert.ok(!r.stderr.includes('secret'));
    const debug = await start({ DATABASE_URL: url, DATA_DIR: dir, LOG_LEVEL: 'debug' });
    assert.match(debug.stderr, /ECONNREFUSED/);
    const cli = await start({ DATABASE_URL: url, DATA_DIR: dir }, ['src/cli.ts', 'migrer']);
    assert.equal(cli.code, 1);
    assert.match(cli.stderr, /^Erreur : Base PostgreSQL injoignable : connexion refusée .*DATABASE_URL/);
  });

  test('REGION=99 is not among the loaded territories: refused', async () => {
    const r = await start({ REGION: '99', DATA_DIR: dir });
    assert.equal(r.code, 2, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(
      lines[0]!,
      /^REGION=99 : aucune région de ce code parmi les territoires chargés\. Codes possibles : 01 Guadeloupe, .*27 Bourgogne-Franche-Comté/,
    );
  });
});
