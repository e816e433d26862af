import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nameTokens, parseQuery } from '../addresses/normalize.ts';
import { normalizeStreet, streetKey } from '../eligibility/street.ts';
import {
  ARCEP_NOM_VOIE,
  ARCEP_TYPE_VOIE,
  NOM_VOIE_SPECIFIQUE,
  STREET_TYPE_ABBREVIATIONS,
  TYPE_POSITION_ONLY,
  VARIANTS,
  WORD_ABBREVIATIONS,
} from './abbreviations.ts';
import { addressLabel, hasHouseNumber, houseNumberText } from './label.ts';
import { normRepetition, repetitionKey, repetitionWord } from './repetition.ts';
import { MATCHING_PARTICLES, STOPWORDS } from './stopwords.ts';

test('ARCEP tables kept whole: 92 + 87 street types, 14 name words, 11 name sequences', () => {
  assert.equal(Object.keys(ARCEP_TYPE_VOIE).length, 179);
  assert.equal(Object.keys(ARCEP_NOM_VOIE).length, 14);
  assert.equal(NOM_VOIE_SPECIFIQUE.length, 11);
  // every table entry is folded (what fold() produces), so it can be looked up with a folded word
  for (const k of [...Object.keys(ARCEP_TYPE_VOIE), ...Object.keys(ARCEP_NOM_VOIE)])
    assert.match(k, /^[a-z0-9]+( [a-z0-9]+)?$/);
});

test('one reading of "chem" and of every deliberate variant, in search and in building matching alike', () => {
  assert.equal(STREET_TYPE_ABBREVIATIONS.chem, 'chemin');
  assert.equal(WORD_ABBREVIATIONS.chem, 'chemin');
  assert.deepEqual(nameTokens('Chem des Vignes'), ['chemin', 'vignes']);
  assert.equal(normalizeStreet('CHEM', 'DES VIGNES'), 'chemin des vignes');
  assert.equal(streetKey('CHEM', 'DES VIGNES'), streetKey(null, 'Chemin des Vignes'));
  for (const v of VARIANTS) {
    assert.ok(v.why.length > 20, `variant ${v.abbr} explains why`);
    const table = v.where === 'type' ? STREET_TYPE_ABBREVIATIONS : WORD_ABBREVIATIONS;
    assert.equal(table[v.abbr], v.here ?? undefined, `${v.abbr} read as ${v.here}`);
  }
  // a leading "St" is Saint, not ARCEP's "station"
  assert.equal(normalizeStreet(null, 'ST MARTIN'), 'saint martin');
});

test('abbreviations that are ordinary words are street types only where the type stands', () => {
  for (const w of TYPE_POSITION_ONLY) assert.equal(WORD_ABBREVIATIONS[w], w === 'gal' ? 'general' : undefined, w);
  assert.equal(normalizeStreet(null, 'COTE DES VIGNES'), 'coteau des vignes');
  assert.deepEqual(nameTokens('Rue de la Cote'), ['rue', 'cote']);
  assert.equal(normalizeStreet(null, 'GAL DU COMMERCE'), 'galerie du commerce');
  assert.equal(normalizeStreet(null, 'AV DU GAL LECLERC'), 'avenue du general leclerc');
});

test('stopwords: articles dropped everywhere; sur/sous dropped only when matching building files', () => {
  assert.ok(STOPWORDS.has('de') && STOPWORDS.has('l') && !STOPWORDS.has('sur'));
  assert.ok(MATCHING_PARTICLES.has('sous'));
  assert.notDeepEqual(nameTokens('Rue de Sous la Chaux'), nameTokens('Rue de la Chaux'));
  assert.equal(streetKey(null, 'Chemin sur les Vignes'), streetKey('CHE', 'VIGNES'));
});

test('repetition indices: long and short forms, as stored and compared', () => {
  assert.equal(normRepetition(' Bis '), 'bis');
  assert.equal(normRepetition('B'), 'b');
  assert.equal(normRepetition(''), null);
  assert.equal(repetitionKey('b'), repetitionKey('BIS'));
  assert.equal(repetitionKey('t'), 'ter');
  assert.notEqual(repetitionKey('a'), repetitionKey('b'));
  assert.equal(repetitionWord('qua'), 'quater');
  assert.equal(repetitionWord('rue'), null);
  assert.equal(parseQuery('12 quater rue x').suffix, 'quater');
});

test('address labels: API form and postal form; no number shown for a lieu-dit (99999) or 0', () => {
  const a = { numero: 12, suffixe: 'bis', voie: 'Rue de Rivoli', code_postal: '75004', commune: 'Paris' };
  assert.equal(addressLabel(a), '12 bis Rue de Rivoli 75004 Paris');
  assert.equal(addressLabel(a, 'postal'), '12 bis Rue de Rivoli, 75004 Paris');
  assert.equal(
    addressLabel({ ...a, numero: 99999, suffixe: null, voie: 'Bonvillers Village', code_postal: null }),
    'Bonvillers Village Paris',
  );
  assert.equal(houseNumberText(3, null), '3');
  assert.equal(houseNumberText(null, 'b'), '');
  assert.ok(!hasHouseNumber(0) && hasHouseNumber(1));
});
