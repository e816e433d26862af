import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectFormat, parseFields, splitCsvLine } from './formats.ts';
import { editDistance, joinedTokens, nameTokens, parseQuery } from './normalize.ts';

test('names: accents, case, articles, abbreviations, saint, ordinals', () => {
  assert.deepEqual(nameTokens("Rue de l'Église"), ['rue', 'eglise']);
  assert.deepEqual(nameTokens('Av. du Gal Leclerc'), ['avenue', 'general', 'leclerc']);
  assert.deepEqual(nameTokens('Bd St-Germain'), ['boulevard', 'saint', 'germain']);
  assert.deepEqual(nameTokens('Paris 1er Arrondissement'), ['paris', '1', 'arrondissement']);
  assert.deepEqual(nameTokens('Imp. des Œillets'), ['impasse', 'oeillets']);
});

test('queries: house number and suffix, postcode, words, the word being typed', () => {
  const q = parseQuery('12 bis r de Rivoli 75004 Paris');
  assert.equal(q.housenumber, 12);
  assert.equal(q.suffix, 'bis');
  assert.equal(q.postcode, '75004');
  assert.deepEqual(
    q.words.map((w) => w.text),
    ['rue', 'rivoli', 'paris'],
  );
  assert.equal(parseQuery('12B rue x').suffix, 'b');
  assert.equal(parseQuery('3 bu passage petit cerf').suffix, 'bu');
  // "r" after a number is the street type, not a suffix
  assert.equal(parseQuery('12 r de rivoli').suffix, null);
  const typing = parseQuery('7 rue gustave ch');
  const last = typing.words.at(-1)!;
  assert.equal(last.text, 'ch');
  assert.equal(last.full, 'chemin');
  assert.equal(last.typing, true);
  // numbers inside a name stay words
  assert.deepEqual(
    parseQuery('rue du 8 mai 1945 ').words.map((w) => w.text),
    ['rue', '8', 'mai', '1945'],
  );
});

test('glued words and edit distance', () => {
  assert.deepEqual(
    joinedTokens("Rue d'Oslo").map((j) => j.joined),
    ['doslo'],
  );
  assert.deepEqual(joinedTokens('Rue Saint-Bernard')[0], { joined: 'saintbernard', parts: ['saint', 'bernard'] });
  assert.equal(editDistance('jaures', 'jaurse', 1), 1);
  assert.equal(editDistance('rivoli', 'rivolli', 1), 1);
  assert.equal(editDistance('rivoli', 'rivage', 1), 2);
});

test('formats are recognised from the first line; quoted fields; malformed values rejected with a reason', () => {
  const ban = detectFormat(
    'id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;code_insee_ancienne_commune;nom_ancienne_commune;x;y;lon;lat;type_position;alias;nom_ld;libelle_acheminement;nom_afnor;source_position;source_nom_voie;certification_commune;cad_parcelles',
  );
  assert.equal(ban?.format, 'ban');
  assert.equal(
    detectFormat('uid_adresse;cle_interop;commune_insee;commune_nom;voie_nom;numero;suffixe;long;lat')?.format,
    'bal',
  );
  const bano = detectFormat(
    '900100433J-10,10,"Rue Antoine, Alexandre et Henri Becquerel",90000,Belfort,C+O,47.644157,6.844442',
  );
  assert.equal(bano?.format, 'bano');
  assert.equal(detectFormat('nom,prenom'), null);
  const f = splitCsvLine(
    '900100433J-10,10,"Rue Antoine, Alexandre et Henri Becquerel",90000,Belfort,C+O,47.644157,6.844442',
    ',',
  )!;
  assert.equal(f.length, 8);
  const r = parseFields(bano!, f);
  assert.ok(
    r.ok &&
      r.value.voie === 'Rue Antoine, Alexandre et Henri Becquerel' &&
      r.value.lon === 6.844442 &&
      r.value.code_insee === '90010',
  );
  assert.deepEqual(splitCsvLine('a,,', ','), ['a', '', '']);
  assert.equal(splitCsvLine('a,"b', ','), null);
  const bad = parseFields(bano!, splitCsvLine('900100433J-10,10,Rue X,90000,Belfort,C+O,147.6,6.84', ',')!);
  assert.ok(!bad.ok && /hors limites/.test(bad.reason));
  const badNum = parseFields(bano!, splitCsvLine('900100433J-10,dix,Rue X,90000,Belfort,C+O,47.6,6.84', ',')!);
  assert.ok(!badNum.ok && /numéro/.test(badNum.reason));
  const suffix = parseFields(bano!, splitCsvLine('900100433J-10,12BIS,Rue X,90000,Belfort,C+O,47.6,6.84', ',')!);
  assert.ok(suffix.ok && suffix.value.numero === 12 && suffix.value.suffixe === 'bis');
});

test('queries: the house number wherever it stands', () => {
  const house = (q: string) =>
    parseQuery(q)
      .words.filter((w) => w.house)
      .map((w) => w.house);
  // after a postcode: still the head number
  const pc = parseQuery('75011 12 rue oberkampf');
  assert.equal(pc.postcode, '75011');
  assert.equal(pc.housenumber, 12);
  // after a commune or after the street: a number to decide against each street
  assert.deepEqual(house('Belfort 3 fbg de france'), [{ num: 3, suffix: null }]);
  assert.deepEqual(house('rue oberkampf 12 bis'), [{ num: 12, suffix: 'bis' }]);
  assert.deepEqual(house('Paris 87 m quai d orsay'), [{ num: 87, suffix: 'm' }]);
  assert.deepEqual(house('rue oberkampf 6bv'), [{ num: 6, suffix: 'bv' }]);
  assert.equal(parseQuery('Belfort 3 fbg de france').housenumber, null);
  // "n°", "no", "numéro"
  for (const q of ['n°12 rue oberkampf', 'N° 12 rue oberkampf', 'no 12 rue oberkampf', 'numéro 12 rue oberkampf']) {
    const p = parseQuery(q);
    assert.equal(p.housenumber, 12, q);
    assert.deepEqual(
      p.words.map((w) => w.text),
      ['rue', 'oberkampf'],
      q,
    );
  }
  // a range: the first number is the address, the second is optional
  const range = parseQuery('12-14 rue oberkampf');
  assert.equal(range.housenumber, 12);
  assert.deepEqual(
    range.words.map((w) => [w.text, !!w.optional]),
    [
      ['14', true],
      ['rue', false],
      ['oberkampf', false],
    ],
  );
  assert.equal(parseQuery('12 / 14 rue oberkampf').words[0]!.optional, true);
  // not a range: a lower second number, or no hyphen
  assert.equal(parseQuery('14-12 rue x').words[0]!.optional, undefined);
  // repetition indices glued, spaced, long or short
  assert.equal(parseQuery('12bis rue x').suffix, 'bis');
  assert.equal(parseQuery('12 ter rue x').suffix, 'ter');
  assert.equal(parseQuery('14 a rue saint bernard').suffix, 'a');
  // ordinals and dates in a name are never the house number
  assert.deepEqual(house('rue du 1er mai 3'), [{ num: 3, suffix: null }]);
  assert.deepEqual(
    parseQuery('place du 19 mars 1962 ').words.map((w) => w.text),
    ['place', '19', 'mars', '1962'],
  );
  // lieu-dit: searched by its name
  assert.deepEqual(
    parseQuery('lieu-dit Les Magnolias Bessoncourt').words.map((w) => w.text),
    ['magnolias', 'bessoncourt'],
  );
  assert.deepEqual(
    parseQuery('ld Bersatte Fêche').words.map((w) => w.text),
    ['bersatte', 'feche'],
  );
});
