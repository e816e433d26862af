import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fmtDate, fmtDay, formatDate } from './html.ts';
import { addressLicence } from './licences.ts';
import { sourcesBlock } from './sources.ts';

test('dates are French and in Paris time; calendar days never shift', () => {
  // 23:30 UTC on 31 December is already 1 January in Paris.
  assert.equal(fmtDate(new Date('2025-12-31T23:30:00Z')), '1er janvier 2026 à 00:30');
  assert.equal(fmtDay('2025-06-30'), '30 juin 2025');
  assert.equal(fmtDate('2025-06-30'), '30 juin 2025');
  assert.equal(formatDate('2022-03-31', 'mois'), 'mars 2022');
  assert.equal(fmtDay(null), '—');
  assert.equal(fmtDay('pas une date'), 'pas une date');
});

test('a sources block lists each source once, with its file, dates and licence link', () => {
  const out = sourcesBlock([
    {
      producteur: 'Arcep',
      jeu: 'Ma connexion internet',
      fichier: 'commune_debit_2022t4.csv',
      donneesAu: '2022-12-31',
      importeLe: '2026-01-10T09:00:00Z',
      licence: 'Licence Ouverte 2.0 (Etalab)',
    },
    {
      producteur: 'Arcep',
      jeu: 'Ma connexion internet',
      fichier: 'commune_debit_2022t4.csv',
      donneesAu: '2022-12-31',
      importeLe: '2026-01-10T09:00:00Z',
      licence: 'Licence Ouverte 2.0 (Etalab)',
    },
    {
      producteur: 'OpenStreetMap France',
      fichier: 'bano-90.csv',
      licence: 'odbl-1.0',
      mention: '© les contributeurs d’OpenStreetMap',
    },
  ]).value;
  assert.equal(out.match(/<li>/g)?.length, 2);
  assert.match(out, /^<div class="pan-sources[^"]*"><p[^>]*>Sources :/);
  assert.match(
    out,
    /fichier <span class="pan-fichier">commune_debit_2022t4\.csv<\/span>, données au 31 décembre 2022, importé le 10 janvier 2026/,
  );
  assert.match(out, /<a href="\/licences#licence-ouverte-2\.0">Licence Ouverte 2\.0<\/a>/);
  assert.match(out, /<a href="\/licences#odbl-1\.0">ODbL 1\.0<\/a> \(© les contributeurs d’OpenStreetMap\)/);
  assert.equal(sourcesBlock([]).value, '');
});

test('BANO addresses carry the ODbL attribution, BAN ones the Licence Ouverte', () => {
  assert.deepEqual(addressLicence('bano'), {
    licence: 'ODbL 1.0',
    url: 'https://opendatacommons.org/licenses/odbl/1-0/',
    attribution: '© les contributeurs d’OpenStreetMap, données BANO sous licence ODbL',
  });
  assert.equal(addressLicence('ban').attribution, null);
});
