import assert from 'node:assert/strict';
import { test } from 'node:test';
import { safeJsonText, safeSnippet, safeText } from './safe.ts';

test('NUL bytes and lone surrogates become U+FFFD; valid text and surrogate pairs stay', () => {
  assert.equal(safeText('a\0b'), 'a\uFFFDb');
  assert.equal(safeText('x\uD800y\uDC00'), 'x\uFFFDy\uFFFD');
  assert.equal(safeText('Dijon 🏠 éàç'), 'Dijon 🏠 éàç');
  // What PostgreSQL refuses in jsonb is gone once serialised.
  assert.doesNotMatch(JSON.stringify(safeText('\0\uDFFF')), /\\u0000|\\udfff/i);
});

test('a snippet is capped with an ellipsis', () => {
  assert.equal(safeSnippet('abcdef', 4), 'abc…');
  assert.equal(safeSnippet('abc', 4), 'abc');
  // A cut through an emoji leaves no lone surrogate behind.
  assert.equal(safeSnippet('ab🏠cd', 4), 'ab\uFFFD…');
});

test('JSON escapes of NUL and lone surrogates are neutralised; pairs stay', () => {
  assert.deepEqual(JSON.parse(safeJsonText('["a\\u0000b", "\\ud83c\\udfe0", "\\ud800x", "\\udc00"]')), [
    'a\uFFFDb',
    '🏠',
    '\uFFFDx',
    '\uFFFD',
  ]);
});
