import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AddressMatcher, summarize } from './matching.ts';
import { normalizeStreet, repKey, streetKey } from './street.ts';

test('ARCEP street normalisation: type abbreviations at the head, name abbreviations inside', () => {
  assert.equal(normalizeStreet('R', 'DES FRONTS'), 'rue des fronts');
  assert.equal(normalizeStreet(null, 'AV DU GAL DE GAULLE'), 'avenue du general de gaulle');
  assert.equal(normalizeStreet(null, 'BD ST MICHEL'), 'boulevard saint michel');
  assert.equal(normalizeStreet(null, 'RD PT DU CDT RIVIERE'), 'rond point du commandant riviere');
  assert.equal(normalizeStreet(null, 'CHE DE LA MAIRIE'), 'chemin de la mairie');
  assert.equal(normalizeStreet(null, 'R J J ROUSSEAU'), 'rue jean jacques rousseau');
  assert.equal(streetKey(null, 'Rue Jeanne d’Arc'), streetKey('R', 'JEANNE D ARC'));
  assert.equal(streetKey(null, 'Place du 19 Mars 1962'), streetKey('PL', '19 MARS 1962'));
  assert.notEqual(streetKey(null, 'Rue des Fronts'), streetKey(null, 'Chemin des Fronts'));
  // "Rue mairie" (article missing, ARCEP's nom_voie_article case) equals "Rue de la Mairie".
  assert.equal(streetKey('R', 'MAIRIE'), streetKey(null, 'Rue de la Mairie'));
  assert.equal(repKey('B'), 'bis');
  assert.equal(repKey('bis'), 'bis');
  assert.equal(repKey(' T '), 'ter');
  assert.equal(repKey(''), '');
});

test('matching order: key, then number + street within 150 m, then nearest in the commune', () => {
  const a = (
    id: string,
    numero: number | null,
    suffixe: string | null,
    voie: string,
    lon: number,
    lat: number,
    code_insee = '54084',
  ) => ({ id, numero, suffixe, voie, lieu_dit: null, code_insee, lon, lat });
  const m = new AddressMatcher([
    a('54084_0200_00004', 4, null, 'Rue Joffre', 5.833513, 49.322103),
    a('54084_0060_00001', 1, null, 'Rue de Bonvillers', 5.835641, 49.325616),
    a('54084_0060_00001_bis', 1, 'bis', 'Rue de Bonvillers', 5.83935, 49.32196),
    a('54099_0001_00001', 2, null, 'Rue Joffre', 5.8336, 49.3222, '54099'),
  ]);
  const b = { imb_id: 'x', code_insee: '54084', numero: null, rep: null, nom_voie: null };
  assert.equal(m.match({ ...b, lon: 5.84, lat: 49.33, addr_code: '54084_0200_00004' }).appariement, 'cle_interop');
  const r = m.match({ ...b, lon: 5.83935, lat: 49.3218, numero: 1, rep: 'B', nom_voie: 'R DE BONVILLERS' });
  assert.deepEqual([r.appariement, r.adresse_id], ['voie_numero', '54084_0060_00001_bis']);
  // Same number and street but 400 m away: not a name match; the nearest address within 1 km instead.
  const far = m.match({ ...b, lon: 5.8356, lat: 49.322, numero: 1, rep: null, nom_voie: 'RUE DE BONVILLERS' });
  assert.equal(far.appariement, 'commune_plus_proche');
  assert.equal(far.adresse_id, '54084_0200_00004');
  // The nearest address of another commune is never taken.
  const near = m.match({ ...b, lon: 5.83361, lat: 49.32221 });
  assert.equal(near.adresse_id, '54084_0200_00004');
  assert.equal(near.appariement, 'proximite');
  assert.equal(m.match({ ...b, lon: 5.9, lat: 49.4 }).appariement, 'aucun');
  const s = summarize(['cle_interop', 'voie_numero', 'aucun', 'proximite']);
  assert.equal(s.apparies, 3);
  assert.equal(s.taux, 0.75);
});
