import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fold, normalizeName } from './normalize.ts';

test('fold removes accents, case, apostrophes and hyphens', () => {
  assert.equal(fold("L'Haÿ-les-Roses"), 'l hay les roses');
  assert.equal(fold('  ÉVREUX  '), 'evreux');
  assert.equal(fold('Œuilly'), 'oeuilly');
});

test('normalizeName reads st/ste as saint/sainte', () => {
  assert.equal(normalizeName('St-Lô'), 'saint lo');
  assert.equal(normalizeName('Ste Marie'), 'sainte marie');
  assert.equal(normalizeName('Saint-Lô'), normalizeName('ST LO'));
  assert.equal(normalizeName('Stenay'), 'stenay');
});
