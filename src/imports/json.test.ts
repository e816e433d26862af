import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import zlib from 'node:zlib';
import { missingShared, shared } from '../../test/helpers.ts';
import { AppError } from '../errors.ts';
import { type JsonDocument, jsonElements } from './json.ts';
import { MAX_LINE_BYTES } from './read.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pan-json-'));
const limits = { maxBytes: 256 << 20, maxLineBytes: MAX_LINE_BYTES };
const write = (name: string, text: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};
async function read(file: string, member?: string): Promise<{ elements: unknown[]; doc: JsonDocument | undefined }> {
  const elements: unknown[] = [];
  let doc: JsonDocument | undefined;
  for await (const e of jsonElements(file, limits, {
    member,
    done: (d) => {
      doc = d;
    },
  }))
    elements.push(e);
  return { elements, doc };
}

test('a real GeoJSON file streamed feature by feature equals the file parsed whole', {
  skip: missingShared('boundaries/france-geojson-2018/communes-normandie.geojson.gz'),
}, async () => {
  const file = shared('boundaries', 'france-geojson-2018', 'communes-normandie.geojson.gz');
  const whole = JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString('utf8'));
  const { elements, doc } = await read(file, 'features');
  assert.equal(elements.length, whole.features.length);
  assert.deepEqual(elements, whole.features);
  assert.deepEqual(doc, { rest: { ...whole, features: [] }, count: whole.features.length });
});

test('a real COG array streamed record by record; a single Feature is the rest of the document', {
  skip: missingShared(
    'admin/decoupage-administratif-6.0.0-regions.json.gz',
    'boundaries/france-geojson-2018/region-normandie.geojson.gz',
  ),
}, async () => {
  const file = shared('admin', 'decoupage-administratif-6.0.0-regions.json.gz');
  const { elements, doc } = await read(file);
  assert.deepEqual(elements, JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString('utf8')));
  assert.equal(doc?.rest, null);
  const region = shared('boundaries', 'france-geojson-2018', 'region-normandie.geojson.gz');
  const one = await read(region, 'features');
  assert.equal(one.elements.length, 0);
  assert.equal((one.doc!.rest as { type: string }).type, 'Feature');
});

test('only the top-level member is streamed; strings holding brackets or the key do not confuse it', async () => {
  const f = write(
    'tricky.json',
    '{"name":"features","meta":{"features":[9]},"s":"a]}[{\\"b","features":[{"k":"}"},[1,2], {"x":{"features":[3]}}],"end":true}',
  );
  const { elements, doc } = await read(f, 'features');
  assert.deepEqual(elements, [{ k: '}' }, [1, 2], { x: { features: [3] } }]);
  assert.deepEqual(doc?.rest, { name: 'features', meta: { features: [9] }, s: 'a]}[{"b', features: [], end: true });
});

test('cut, empty, malformed and NUL-bearing documents: French reasons or cleaned strings', async () => {
  const fails = (p: Promise<unknown>, re: RegExp) =>
    assert.rejects(p, (e: unknown) => e instanceof AppError && re.test(e.userMessage));
  await fails(
    read(write('cut.json', '{"type":"FeatureCollection","features":[{"a":1},{"b":'), 'features'),
    /élément|s’arrête/,
  );
  await fails(read(write('cut2.json', '[{"a":1}'), 'features'), /s’arrête avant sa fin/);
  await fails(read(write('empty.json', '  ')), /fichier vide/);
  await fails(read(write('text.json', 'code;nom')), /ne commence ni par/);
  await fails(read(write('bad.json', '[{"a":1,}]')), /élément n° 1/);
  await fails(read(write('prim.json', '[1,2]')), /un objet est attendu/);
  const { elements } = await read(write('nul.json', '[{"nom":"a\\u0000b\\ud800"}]'));
  assert.deepEqual(elements, [{ nom: 'a\uFFFDb\uFFFD' }]);
});

test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
