import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loginHref, safeReturnPath } from './return-path.ts';

test('a same-site path is kept with its query and fragment', () => {
  assert.equal(safeReturnPath('/admin/imports?page=2#runs'), '/admin/imports?page=2#runs');
  assert.equal(safeReturnPath('/observatoire/objectifs?ok=1'), '/observatoire/objectifs?ok=1');
  assert.equal(safeReturnPath('/territoires/commune/21231'), '/territoires/commune/21231');
});

test('anything another origin could hide behind falls back', () => {
  for (const evil of [
    '//evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    'https://evil.example/admin',
    'javascript:alert(1)',
    '/\t/evil.example',
    '/\n/evil.example',
    ' /admin',
    'admin',
    '',
    '/connexion',
    '/connexion?next=/admin',
    '/deconnexion',
    'x'.repeat(600),
    null,
    42,
  ]) {
    assert.equal(safeReturnPath(evil), '/admin', JSON.stringify(evil));
  }
  // Dot segments are resolved, never to another host.
  assert.equal(safeReturnPath('/../../evil.example'), '/evil.example');
});

test('the login link carries the page asked for', () => {
  assert.equal(loginHref('/admin/imports?page=2'), '/connexion?next=%2Fadmin%2Fimports%3Fpage%3D2');
  assert.equal(loginHref('//evil.example'), '/connexion');
  assert.equal(loginHref('/'), '/connexion');
});
