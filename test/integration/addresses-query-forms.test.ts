import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { type AddressIndex, AddressIndexBuilder } from '../../src/addresses/index-search.ts';
import { readAddressFile } from '../../src/addresses/read-file.ts';
import { departementOfCommune } from '../../src/territories/codes.ts';
import { missingShared, shared } from '../helpers.ts';

// Every way people type an address, on the real files: Paris (BAN 2024), Territoire de Belfort (BANO 2015) and
// Mont-Bonvillers (BAL), indexed together as a platform holds them. Each expected answer is a row of those files.
describe('address search understands every query form', {
  skip: missingShared(
    'addresses/ban-adresses-75-paris-2024-06.csv.gz',
    'addresses/bano-90-territoire-de-belfort-2015-03.csv.gz',
    'addresses/bal-54084-mont-bonvillers-fixture.csv.gz',
  ),
}, () => {
  let index: AddressIndex;
  before(async () => {
    const b = new AddressIndexBuilder();
    for (const f of [
      'ban-adresses-75-paris-2024-06.csv.gz',
      'bano-90-territoire-de-belfort-2015-03.csv.gz',
      'bal-54084-mont-bonvillers-fixture.csv.gz',
    ]) {
      for await (const a of readAddressFile(shared('addresses', f)))
        b.add({ ...a, departement: departementOfCommune(a.code_insee) });
    }
    index = b.finish();
  });
  const top = (q: string) => index.search(q, { limit: 1 })[0]?.label;

  test('house number after a postcode or a commune', () => {
    assert.equal(top('75011 12 rue oberkampf'), '12 Rue Oberkampf 75011 Paris 11e Arrondissement');
    assert.equal(top('Belfort 3 fbg de france'), '3 Faubourg de France 90000 Belfort');
    assert.equal(top('Offemont 10 r de la gare'), '10 Rue de la Gare 90300 Offemont');
    assert.equal(top('Paris 87 quai d orsay'), "87 Quai d'Orsay 75007 Paris 7e Arrondissement");
  });

  test('house number after the street name', () => {
    assert.equal(top('rue oberkampf 12'), '12 Rue Oberkampf 75011 Paris 11e Arrondissement');
    assert.equal(top('rue oberkampf 12 75011'), '12 Rue Oberkampf 75011 Paris 11e Arrondissement');
    assert.equal(top('faubourg de france 3 belfort'), '3 Faubourg de France 90000 Belfort');
  });

  test('n°, ranges, repetition indices written every way', () => {
    assert.equal(top('n°12 rue oberkampf'), '12 Rue Oberkampf 75011 Paris 11e Arrondissement');
    assert.equal(top('12-14 rue oberkampf'), '12 Rue Oberkampf 75011 Paris 11e Arrondissement');
    for (const q of [
      '6 a avenue du champ de mars belfort',
      '6a avenue du champ de mars belfort',
      'belfort 6 a avenue du champ de mars',
      'avenue du champ de mars 6a belfort',
    ]) {
      assert.equal(top(q), '6 a Avenue du Champ de Mars 90000 Belfort', q);
    }
    // "b" in the BAN and "bis" typed name the same address
    assert.equal(top('194 bis rue de rivoli 75001'), '194 b Rue de Rivoli 75001 Paris 1er Arrondissement');
    assert.equal(top('rue de rivoli 194 bis 75001'), '194 b Rue de Rivoli 75001 Paris 1er Arrondissement');
    assert.equal(top('75001 194b rue de rivoli'), '194 b Rue de Rivoli 75001 Paris 1er Arrondissement');
  });

  test('numbers that belong to the street name stay in it', () => {
    assert.equal(top('3 impasse du 8 mai 1945 mont-bonvillers'), '3 Impasse du 8 Mai 1945 Mont-Bonvillers');
    assert.equal(top('mont-bonvillers impasse du 8 mai 1945 3'), '3 Impasse du 8 Mai 1945 Mont-Bonvillers');
    assert.equal(top('place du 19 mars 1962 mont-bonvillers')?.includes('Place du 19 Mars 1962'), true);
  });

  test('a lieu-dit without a street, with or without the word lieu-dit and a number', () => {
    assert.equal(top('Bonvillers Village 16 Mont-Bonvillers'), '16 Bonvillers Village Mont-Bonvillers');
    assert.equal(top('Mont-Bonvillers 16 Bonvillers Village'), '16 Bonvillers Village Mont-Bonvillers');
    assert.match(top('lieu-dit Bersatte Fêche-l’Église') ?? '', /Bersatte 90100 Fêche-l'Église$/);
  });
});
