import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { ITEMS, NOT_DOWNLOADABLE } from '../../scripts/donnees-test.ts';
import { filterLogementsCsv, filterMciCsv } from '../../scripts/donnees-test-transforms.ts';
import { missingShared, shared } from '../helpers.ts';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

/** Every `missingShared('…')` argument of the test files. */
function filesNamedByTests(): Set<string> {
  const out = new Set<string>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules') walk(p);
        continue;
      }
      if (!e.name.endsWith('.test.ts') || p === fileURLToPath(import.meta.url)) continue;
      for (const call of fs.readFileSync(p, 'utf8').matchAll(/missingShared\(([^)]*)\)/g)) {
        for (const m of call[1]!.matchAll(/'([^']+)'/g)) out.add(m[1]!);
      }
    }
  };
  walk(path.join(ROOT, 'test'));
  walk(path.join(ROOT, 'src'));
  return out;
}

describe('npm run donnees:test', () => {
  test('every file a test suite needs is downloaded by the script or listed as not downloadable', () => {
    const known = new Set([...ITEMS.map((i) => i.file), ...NOT_DOWNLOADABLE.map((n) => n.file)]);
    const named = filesNamedByTests();
    assert.ok(named.size >= 10, `only ${named.size} files named by tests`);
    for (const f of named) assert.ok(known.has(f), `${f} is neither downloaded nor listed`);
  });

  const files = ITEMS.map((i) => i.file);
  test('the checksums are those of the files of ../shared/data', { skip: missingShared(...files) }, () => {
    for (const item of ITEMS) {
      const b = fs.readFileSync(shared(item.file));
      assert.equal(sha(item.gzipped ? b : zlib.gunzipSync(b)), item.sha256, item.file);
    }
  });

  const mci = [
    'arcep-fixe/mci-commune-debit-2022t4-national.csv.gz',
    'arcep-fixe/mci-commune-debit-2022t4-bfc-normandie.csv.gz',
  ];
  test('the BFC + Normandie subset is rebuilt byte for byte from the national file', {
    skip: missingShared(...mci),
  }, () => {
    const national = zlib.gunzipSync(fs.readFileSync(shared(mci[0]!)));
    const subset = zlib.gunzipSync(fs.readFileSync(shared(mci[1]!)));
    assert.ok(filterMciCsv(national).equals(subset));
  });

  const logements = [
    'logements/insee-rp2021-logements-communes-geo2024.csv.gz',
    'logements/insee-rp2021-logements-communes-bfc-normandie.csv.gz',
  ];
  test('the BFC + Normandie dwellings subset is rebuilt byte for byte from the national file', {
    skip: missingShared(...logements),
  }, () => {
    const national = zlib.gunzipSync(fs.readFileSync(shared(logements[0]!)));
    const subset = zlib.gunzipSync(fs.readFileSync(shared(logements[1]!)));
    assert.ok(filterLogementsCsv(national).equals(subset));
  });
});
