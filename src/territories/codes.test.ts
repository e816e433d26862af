import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import zlib from 'node:zlib';
import { missingShared, shared } from '../../test/helpers.ts';
import {
  COMMUNE_CODE,
  communeOfArrondissement,
  DEPARTEMENT_CODE,
  departementOfCommune,
  padCommuneCode,
} from './codes.ts';

type Commune = { code: string; type: string; departement?: string; commune?: string };
const COG = (f: string) =>
  JSON.parse(
    zlib.gunzipSync(fs.readFileSync(shared('admin', `decoupage-administratif-6.0.0-${f}.json.gz`))).toString('utf8'),
  );
const MISSING = missingShared(
  'admin/decoupage-administratif-6.0.0-communes.json.gz',
  'admin/decoupage-administratif-6.0.0-departements.json.gz',
);
const communes: Commune[] = MISSING ? [] : COG('communes');
const departements: { code: string }[] = MISSING ? [] : COG('departements');

test('every commune code of the COG has the commune shape; every département code the département shape', {
  skip: MISSING,
}, () => {
  assert.equal(communes.length, 37_590);
  for (const c of communes) assert.match(c.code, COMMUNE_CODE);
  assert.equal(departements.length, 109);
  for (const d of departements) assert.match(d.code, DEPARTEMENT_CODE, d.code);
  for (const bad of ['20', '00', '96', '2C', '1', '9741']) assert.doesNotMatch(bad, DEPARTEMENT_CODE, bad);
});

test('département of a commune code: agrees with the COG for every current commune and arrondissement', {
  skip: MISSING,
}, () => {
  const current = communes.filter((c) => c.type === 'commune-actuelle' || c.type === 'arrondissement-municipal');
  assert.ok(current.length > 35_000);
  for (const c of current) assert.equal(departementOfCommune(c.code), c.departement, c.code);
  assert.equal(departementOfCommune('2A004'), '2A');
  assert.equal(departementOfCommune('97411'), '974');
  assert.equal(departementOfCommune('98735'), '987');
  // Five associated communes lie in another département than their code says: the COG is the reference.
  const other = communes.filter((c) => c.departement && departementOfCommune(c.code) !== c.departement);
  assert.deepEqual(
    other.map((c) => c.type),
    Array(other.length).fill('commune-associee'),
  );
  assert.ok(other.length <= 5);
});

test('arrondissements municipaux: the 45 of the COG map to Paris, Lyon and Marseille, nothing else does', {
  skip: MISSING,
}, () => {
  const arr = communes.filter((c) => c.type === 'arrondissement-municipal');
  assert.equal(arr.length, 45);
  for (const a of arr) assert.equal(communeOfArrondissement(a.code), a.commune, a.code);
  const others = communes.filter((c) => c.type !== 'arrondissement-municipal' && communeOfArrondissement(c.code));
  assert.deepEqual(others, []);
});

test('a code a spreadsheet shortened gets its zero back; others are only cleaned', () => {
  assert.equal(padCommuneCode(' 1001 '), '01001');
  assert.equal(padCommuneCode('2a004'), '2A004');
  assert.equal(padCommuneCode('75056'), '75056');
});
