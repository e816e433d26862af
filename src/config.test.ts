import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';

test('defaults give the embedded database on port 3000 for Bourgogne-Franche-Comté', () => {
  const c = loadConfig({});
  assert.equal(c.port, 3000);
  assert.equal(c.region, '27');
  assert.equal(c.databaseUrl, undefined);
  assert.ok(c.dataDir.endsWith('data'));
});

test('a wrong value stops start-up with a message naming the variable', () => {
  assert.throws(
    () => loadConfig({ PORT: '99999' }),
    (e: Error) => e instanceof ConfigError && /PORT/.test(e.message),
  );
  assert.throws(() => loadConfig({ DATABASE_URL: 'mysql://x' }), /DATABASE_URL/);
  assert.throws(() => loadConfig({ REGION: 'normandie' }), /REGION/);
});

test('empty variables count as unset', () => {
  assert.equal(loadConfig({ DATABASE_URL: '', PORT: '' }).port, 3000);
});

test('the decompressed-size cap of imports defaults to 10 × UPLOAD_MAX_MB and can be set', () => {
  assert.equal(loadConfig({}).importMaxBytes, 2000 * 1024 * 1024);
  assert.equal(loadConfig({ UPLOAD_MAX_MB: '5' }).importMaxBytes, 50 * 1024 * 1024);
  assert.equal(loadConfig({ IMPORT_MAX_DECOMPRESSED_MB: '300' }).importMaxBytes, 300 * 1024 * 1024);
  assert.throws(() => loadConfig({ IMPORT_MAX_DECOMPRESSED_MB: '0' }), /IMPORT_MAX_DECOMPRESSED_MB/);
});

test('OBS_DONNEES_ANCIENNES_MOIS: 12 months by default, a whole number of months, named when wrong', () => {
  assert.equal(loadConfig({}).obsMaxAgeMonths, 12);
  assert.equal(loadConfig({ OBS_DONNEES_ANCIENNES_MOIS: '24' }).obsMaxAgeMonths, 24);
  assert.throws(() => loadConfig({ OBS_DONNEES_ANCIENNES_MOIS: '0' }), /OBS_DONNEES_ANCIENNES_MOIS/);
  assert.throws(() => loadConfig({ OBS_DONNEES_ANCIENNES_MOIS: 'un an' }), /OBS_DONNEES_ANCIENNES_MOIS/);
});

test('CARTE_STYLE_URL and CARTE_HOTES: IGN PLAN by default, origins for the CSP, a bad value named', () => {
  const d = loadConfig({});
  assert.match(d.carte.styleUrl, /^https:\/\/data\.geopf\.fr\/.+PLAN\.IGN/);
  assert.deepEqual(d.carte.origins, ['https://data.geopf.fr']);
  const c = loadConfig({
    CARTE_STYLE_URL: 'https://tuiles.exemple.fr:8443/style.json',
    CARTE_HOTES: 'https://glyphes.exemple.fr, https://tuiles.exemple.fr:8443',
  });
  assert.deepEqual(c.carte.origins, ['https://tuiles.exemple.fr:8443', 'https://glyphes.exemple.fr']);
  assert.throws(() => loadConfig({ CARTE_STYLE_URL: 'ftp://x/style.json' }), /CARTE_STYLE_URL/);
  assert.throws(() => loadConfig({ CARTE_HOTES: "https://a.fr; script-src 'unsafe-inline'" }), /CARTE_HOTES/);
});
