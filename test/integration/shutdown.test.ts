import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openDb } from '../../src/db/open.ts';
import { stagingTables } from '../../src/db/staging.ts';
import { shared } from '../helpers.ts';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const PARIS = shared('addresses', 'ban-adresses-75-paris-2024-06.csv.gz');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pan-stop-'));
const lockFile = path.join(dataDir, 'pglite.lock');

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

type Server = {
  proc: ChildProcess;
  port: number;
  exited: Promise<number | null>;
  sawRequest: (url: string) => Promise<void>;
};

/** Starts the real server (src/main.ts) on the embedded database and waits until it is ready. */
async function start(extra: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', PORT: String(port), LOG_LEVEL: 'info', ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const waiters: { url: string; resolve: () => void }[] = [];
  proc.stdout!.on('data', (d) => {
    out += d;
    for (const w of waiters) if (out.includes(`"url":"${w.url}"`)) w.resolve();
  });
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  for (let i = 0; i < 240; i++) {
    if (
      await fetch(`http://127.0.0.1:${port}/api/ready`).then(
        (r) => r.ok,
        () => false,
      )
    ) {
      return { proc, port, exited, sawRequest: (url) => new Promise((resolve) => waiters.push({ url, resolve })) };
    }
    if (proc.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  proc.kill('SIGKILL');
  throw new Error(`server did not become ready:\n${out}`);
}

/** Hands an import to the server the way the CLI does (loopback, token from the lock file). */
function handOff(s: Server, force: boolean) {
  const { token } = JSON.parse(fs.readFileSync(lockFile, 'utf8')) as { token: string };
  return fetch(`http://127.0.0.1:${s.port}/interne/imports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ job: 'adresses', source: PARIS, options: {}, force, startedBy: 'test' }),
  });
}

async function inspect() {
  const db = await openDb({ dataDir });
  try {
    const n = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM adresse')).rows[0]!.n;
    const runs = (
      await db.query<{ status: string }>(`SELECT status FROM import_run WHERE job = 'adresses' ORDER BY id`)
    ).rows.map((r) => r.status);
    return { n, runs, staging: await stagingTables(db) };
  } finally {
    await db.close();
  }
}

describe('graceful stop of the server (embedded database)', () => {
  let current: Server | undefined;
  after(() => {
    if (current?.proc.exitCode === null) current.proc.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('SIGTERM during an import: the request and the import finish, exit 0, lock released', async () => {
    const s = await start({ SHUTDOWN_TIMEOUT: '300' });
    current = s;
    const seen = s.sawRequest('/interne/imports');
    const pending = handOff(s, false);
    await seen;
    s.proc.kill('SIGTERM');
    const res = await pending;
    assert.equal(res.status, 200);
    const run = (await res.json()) as { status: string; rows_accepted: number };
    assert.equal(run.status, 'succeeded');
    assert.equal(run.rows_accepted, 158048);
    assert.equal(await s.exited, 0);
    assert.equal(fs.existsSync(lockFile), false, 'lock file left behind');
    const after = await inspect();
    assert.equal(after.n, 158048);
    assert.deepEqual(after.runs, ['succeeded']);
    assert.deepEqual(after.staging, []);
  });

  test('past SHUTDOWN_TIMEOUT the import is abandoned: exit 1, lock released, stored data unchanged', async () => {
    const s = await start({ SHUTDOWN_TIMEOUT: '1' });
    current = s;
    const seen = s.sawRequest('/interne/imports');
    const pending = handOff(s, true).catch(() => undefined);
    await seen;
    s.proc.kill('SIGTERM');
    assert.equal(await s.exited, 1);
    await pending;
    assert.equal(fs.existsSync(lockFile), false, 'lock file left behind');
    assert.equal((await inspect()).n, 158048);
    // The next start closes the interrupted run and drops what it had staged.
    const again = await start();
    current = again;
    again.proc.kill('SIGTERM');
    assert.equal(await again.exited, 0);
    const final = await inspect();
    assert.deepEqual(final.runs, ['succeeded', 'failed']);
    assert.deepEqual(final.staging, []);
    assert.equal(final.n, 158048);
  });
});
