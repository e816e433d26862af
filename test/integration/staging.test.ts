import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';
import { dropStaleStaging, stagingTables } from '../../src/db/staging.ts';
import { backends, setup, shared } from '../helpers.ts';

const PARIS = shared('addresses', 'ban-adresses-75-paris-2024-06.csv.gz');

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

    test('reads run while the rows load, and only ever see the old or the new addresses', async () => {
      assert.equal(await paris75(), 158048);
      const seen = new Set<number>();
      let readsDuringLoad = 0;
      let done = false;
      const reader = (async () => {
        while (!done) {
          // Both reads are queued like a page's queries: they must not wait for the import to end.
          const [n, staging] = await Promise.all([paris75(), stagingTables(env.db)]);
          seen.add(n);
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
      assert.deepEqual(
        [...seen].filter((n) => n !== 158048 && n !== 60_000),
        [],
        'a half-loaded state was visible',
      );
      assert.equal(await paris75(), 60_000);
      assert.deepEqual(await stagingTables(env.db), []);
      assert.match(run.message ?? '', /158.048 remplacées/u);
    });

    test('a re-import swaps only what changed, and the result equals a fresh load', async () => {
      const run = await env.ctx.runImport({ job: 'adresses', source: PARIS, startedBy: 'test', force: true });
      assert.equal(run.status, 'succeeded', run.message ?? '');
      assert.equal(await paris75(), 158048);
      // the 60,000 rows kept unchanged stay as written by the earlier run; the others are new
      const byRun = (
        await env.db.query<{ n: number }>('SELECT count(*)::int AS n FROM adresse WHERE import_run = $1', [run.id])
      ).rows[0]!.n;
      assert.equal(byRun, 158048 - 60_000);
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
