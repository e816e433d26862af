import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { isLock, readLock, tryLock } from './lock.ts';

test('one holder at a time; a dead holder’s lock is taken over', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pan-lock-'));
  const a = tryLock(dir, 'server');
  assert.ok(isLock(a));
  a.update({ port: 4000, token: 't' });
  // Another process sees the holder with its port; simulated here by writing a foreign live pid (our parent).
  fs.writeFileSync(
    path.join(dir, 'pglite.lock'),
    JSON.stringify({ pid: process.ppid, role: 'server', port: 4000, token: 't', since: '' }),
  );
  const b = tryLock(dir, 'cli');
  assert.ok(!isLock(b));
  assert.equal(b.port, 4000);
  // A lock whose process is gone is stale.
  fs.writeFileSync(path.join(dir, 'pglite.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, role: 'cli', since: '' }));
  assert.equal(readLock(dir), undefined);
  const c = tryLock(dir, 'cli');
  assert.ok(isLock(c));
  c.release();
  assert.equal(fs.existsSync(path.join(dir, 'pglite.lock')), false);
});
