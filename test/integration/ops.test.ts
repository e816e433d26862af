import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startDraining } from '../../src/ops/readiness.ts';
import { backends, setup, shared } from '../helpers.ts';

for (const backend of backends()) {
  describe(`operations: readiness and metrics (${backend.name})`, () => {
    let env: Awaited<ReturnType<typeof setup>>;
    let guarded: Awaited<ReturnType<typeof setup>>;
    before(async () => {
      env = await setup(backend);
      guarded = await setup(backend, { METRICS_TOKEN: 'un-jeton-de-test-assez-long' });
    });
    after(async () => {
      await env.close();
      await guarded.close();
    });

    test('readiness says ready, and says why not when a migration is missing', async () => {
      const ok = await env.app.inject('/api/ready');
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.json().statut, 'pret');
      assert.deepEqual(ok.json().raisons, []);
      const [row] = (
        await env.db.query<{ name: string; checksum: string }>(
          'DELETE FROM schema_migration WHERE name = (SELECT max(name) FROM schema_migration) RETURNING name, checksum',
        )
      ).rows;
      try {
        const ko = await env.app.inject('/api/ready');
        assert.equal(ko.statusCode, 503);
        assert.equal(ko.json().statut, 'pas_pret');
        assert.match(ko.json().raisons.join(' '), new RegExp(`migrations non appliquées : ${row!.name}`));
        assert.equal(ko.json().verifications.base.ok, true);
      } finally {
        await env.db.query('INSERT INTO schema_migration (name, checksum) VALUES ($1, $2)', [row!.name, row!.checksum]);
      }
      const spec = (await env.app.inject('/api/openapi.json')).json();
      assert.ok(spec.paths['/api/ready'], 'readiness missing from OpenAPI');
      assert.ok(spec.paths['/api/health'], 'liveness missing from OpenAPI');
    });

    test('metrics: request durations by route pattern, import runs, index size, event-loop lag', async () => {
      assert.equal((await env.app.inject('/api/v1/territoires/departement/21')).statusCode, 200);
      const run = await env.ctx.runImport({
        job: 'contours',
        source: shared('boundaries', 'france-geojson-2018', 'departements-bourgogne-franche-comte.geojson.gz'),
        startedBy: 'test',
      });
      assert.equal(run.status, 'succeeded', run.message ?? '');
      const r = await env.app.inject('/metrics');
      assert.equal(r.statusCode, 200, r.body);
      assert.match(String(r.headers['content-type']), /text\/plain/);
      assert.match(
        r.body,
        /plateforme_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/territoires\/:niveau\/:code",status_code="200"\} 1/,
      );
      assert.doesNotMatch(r.body, /route="\/api\/v1\/territoires\/departement\/21"/);
      assert.match(r.body, /plateforme_import_runs_total\{job="contours",status="succeeded"\} 1/);
      assert.match(r.body, /plateforme_import_duration_seconds_count\{job="contours",status="succeeded"\} 1/);
      assert.match(r.body, /plateforme_index_entries\{index="adresses"\} 0/);
      assert.match(r.body, /plateforme_nodejs_eventloop_lag_seconds /);
      assert.match(r.body, /plateforme_process_resident_memory_bytes /);
    });

    test('metrics are refused to a remote client and to a request relayed by a proxy', async () => {
      assert.equal((await env.app.inject({ url: '/metrics', remoteAddress: '203.0.113.7' })).statusCode, 403);
      assert.equal(
        (await env.app.inject({ url: '/metrics', headers: { 'x-forwarded-for': '203.0.113.7' } })).statusCode,
        403,
      );
    });

    test('with METRICS_TOKEN, metrics need the bearer token, from anywhere', async () => {
      assert.equal((await guarded.app.inject('/metrics')).statusCode, 403);
      assert.equal(
        (await guarded.app.inject({ url: '/metrics', headers: { authorization: 'Bearer faux-jeton-faux-jeton-faux' } }))
          .statusCode,
        403,
      );
      const r = await guarded.app.inject({
        url: '/metrics',
        remoteAddress: '203.0.113.7',
        headers: { authorization: 'Bearer un-jeton-de-test-assez-long' },
      });
      assert.equal(r.statusCode, 200);
      assert.match(r.body, /plateforme_http_request_duration_seconds/);
    });

    test('a stopping instance is not ready (the load balancer stops sending traffic)', async () => {
      startDraining(guarded.app);
      const r = await guarded.app.inject('/api/ready');
      assert.equal(r.statusCode, 503);
      assert.deepEqual(r.json().raisons, ['arrêt en cours']);
      assert.equal((await guarded.app.inject('/api/health')).statusCode, 200);
    });
  });
}
