import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';
import { getAddressIndex } from '../../src/addresses/service.ts';
import { dropStaleStaging, stagingTables } from '../../src/db/staging.ts';
import { backends, setup, shared } from '../helpers.ts';

const PARIS = shared('addresses', 'ban-adresses-75-paris-2024-06.csv.gz');
const BAL = shared('addresses', 'bal-54084-mont-bonvillers-fixture.csv.gz');

/**
 * Issue 9, "reads during an import": the Paris addresses used to load in one transaction that
 * held the embedded database's only connection, so every read waited for the whole import.
 */
for (const backend of backends()) {
  describe(`reads during an import (${backend.name})`, () => {
    let env: Awaited<ReturnType<typeof setup>>;
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pan-staging-'));
    // The first 60,000 lines of the real Paris file: a re-import that removes ~98,000 addresses.
    const lines = zlib.gunzipSync(fs.readFileSync(PARIS)).toString('utf8').split('\n');
    const PART = path.join(tmp, 'paris-part.csv');
    fs.writeFileSync(PART, `${lines.slice(0, 60_001).join('\n')}\n`);
    const perCommune = async () =>
      new Map(
        (
          await env.db.query<{ code: string; n: number }>(
            `SELECT code_insee AS code, count(*)::int AS n FROM adresse WHERE departement = '75' GROUP BY 1`,
          )
        ).rows.map((r) => [r.code, r.n]),
      );
    const paris75 = async () =>
      (await env.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM adresse WHERE departement = '75'`)).rows[0]!.n;

    before(async () => {
      env = await setup(backend);
      const run = await env.ctx.runImport({ job: 'adresses', source: PARIS, startedBy: 'test' });
      assert.equal(run.status, 'succeeded', run.message ?? '');
    });
    after(async () => {
      await env.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    });

    test('reads run while the rows load, and see every commune either old or new, never half of one', async () => {
      assert.equal(await paris75(), 158048);
      const before = await perCommune();
      const after = new Map<string, number>();
      for (const l of lines.slice(1, 60_001)) {
        const code = l.split(';')[6]!;
        after.set(code, (after.get(code) ?? 0) + 1);
      }
      const states = new Set<string>();
      let readsDuringLoad = 0;
      let done = false;
      const reader = (async () => {
        while (!done) {
          // Both reads are queued like a page's queries: they must not wait for the import to end.
          const [counts, staging] = await Promise.all([perCommune(), stagingTables(env.db)]);
          for (const [code, n] of before) {
            const now = counts.get(code) ?? 0;
            assert.ok(now === n || now === (after.get(code) ?? 0), `commune ${code} seen half-swapped: ${now}`);
          }
          states.add([...counts.values()].join(','));
          if (staging.length) readsDuringLoad++;
          await new Promise((r) => setImmediate(r));
        }
      })();
      const run = await env.ctx.runImport({ job: 'adresses', source: PART, startedBy: 'test', force: true });
      done = true;
      await reader;
      assert.equal(run.status, 'succeeded', run.message ?? '');
      assert.equal(run.rows_accepted, 60_000);
      assert.ok(readsDuringLoad > 0, 'no read got through while the staging table was being loaded');
      // PGlite swaps commune by commune (reads get through between them); PostgreSQL in one transaction.
      if (backend.name === 'pglite') assert.ok(states.size > 2, `reads saw ${states.size} states only`);
      assert.equal(await paris75(), 60_000);
      assert.deepEqual(await stagingTables(env.db), []);
      assert.match(run.message ?? '', /158.048 remplacées/u);
    });

    test('a swap failing in a later part keeps the communes already swapped (PGlite) or all (PostgreSQL), and says so', async () => {
      const bal = await env.ctx.runImport({ job: 'adresses', source: BAL, startedBy: 'test' });
      assert.equal(bal.status, 'succeeded', bal.message ?? '');
      // Full Paris over the 60,000 stored, one row of the 16th arrondissement carrying an id stored
      // in Meurthe-et-Moselle: the 5th to 15th arrondissements swap before the 16th fails.
      const k = lines.findIndex((l, i) => i > 60_000 && l.split(';')[6] === '75116');
      const bad = lines.slice();
      bad[k] = ['54084_0200_00001', ...lines[k]!.split(';').slice(1)].join(';');
      const file = path.join(tmp, 'paris-bad.csv');
      fs.writeFileSync(file, `${bad.join('\n')}\n`);
      const stored = await perCommune();
      const run = await env.ctx.runImport({ job: 'adresses', source: file, startedBy: 'test', force: true });
      assert.equal(run.status, 'failed');
      assert.deepEqual(await stagingTables(env.db), []);
      const now = await perCommune();
      assert.equal(now.get('75116'), stored.get('75116'));
      if (backend.name === 'pglite') {
        assert.match(run.message ?? '', /lot\(s\) de communes ont reçu leurs nouvelles adresses/u);
        assert.equal(now.get('75105'), 4534);
        assert.equal(now.get('75115'), 14165);
        // the search index follows the table, though the run failed
        const total = (await env.db.query<{ n: number }>('SELECT count(*)::int AS n FROM adresse')).rows[0]!.n;
        assert.equal((await getAddressIndex(env.ctx)).size, total);
      } else {
        assert.match(run.message ?? '', /n'ont pas été modifiées/u);
        assert.deepEqual(now, stored);
      }
    });

    test('a re-import swaps only what changed, and the result equals a fresh load', async () => {
      // every stored Paris row is a row of the file (the earlier runs loaded parts of it)
      const kept = await paris75();
      const run = await env.ctx.runImport({ job: 'adresses', source: PARIS, startedBy: 'test', force: true });
      assert.equal(run.status, 'succeeded', run.message ?? '');
      assert.equal(await paris75(), 158048);
      // the rows kept unchanged stay as written by the earlier runs; the others are new
      const byRun = (
        await env.db.query<{ n: number }>('SELECT count(*)::int AS n FROM adresse WHERE import_run = $1', [run.id])
      ).rows[0]!.n;
      assert.equal(byRun, 158048 - kept);
      const first = lines[1]!.split(';');
      const row = (
        await env.db.query<{ voie: string; code_insee: string }>('SELECT voie, code_insee FROM adresse WHERE id = $1', [
          first[0],
        ])
      ).rows[0];
      assert.equal(row?.code_insee, first[6]);
    });

    test('a failed import drops its staging table and changes nothing', async () => {
      const cut = path.join(tmp, 'paris-cut.csv');
      // a stored id moved to another département's commune: the swap must fail (ids stay unique)
      const moved = lines[5]!.split(';');
      moved[6] = '21231';
      moved[7] = '21000';
      fs.writeFileSync(cut, `${lines[0]}\n${moved.join(';')}\n`);
      const run = await env.ctx.runImport({ job: 'adresses', source: cut, startedBy: 'test', force: true });
      assert.equal(run.status, 'failed');
      assert.deepEqual(await stagingTables(env.db), []);
      assert.equal(await paris75(), 158048);
      assert.equal(
        (await env.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM adresse WHERE departement = '21'`)).rows[0]!
          .n,
        0,
      );
    });

    test('staging tables left by a crash are dropped at start-up, not those of a running import', async () => {
      const running = (
        await env.db.query<{ id: number }>(
          `INSERT INTO import_run (job, source, status, started_by) VALUES ('adresses', 'x', 'running', 'test') RETURNING id::int AS id`,
        )
      ).rows[0]!.id;
      await env.db.query('CREATE UNLOGGED TABLE staging_r999999_adresse_0badf00d (LIKE adresse)');
      await env.db.query(`CREATE UNLOGGED TABLE staging_r${running}_adresse_0000cafe (LIKE adresse)`);
      const dropped = await dropStaleStaging(env.db);
      assert.deepEqual(dropped, ['staging_r999999_adresse_0badf00d']);
      assert.deepEqual(await stagingTables(env.db), [`staging_r${running}_adresse_0000cafe`]);
      await env.db.query(`UPDATE import_run SET status = 'failed' WHERE id = $1`, [running]);
      assert.deepEqual(await dropStaleStaging(env.db), [`staging_r${running}_adresse_0000cafe`]);
    });
  });
}
