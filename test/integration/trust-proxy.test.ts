import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createUser } from '../../src/accounts/service.ts';
import { buildApp } from '../../src/app.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { backends, cookieHeader, cookiesOf, csrfIn, quietLog, setup, testConfig } from '../helpers.ts';

test('TRUST_PROXY: nothing trusted by default, a hop count or listed proxies; "true" refused', () => {
  assert.equal(loadConfig({ NODE_ENV: 'production' }).trustProxy, false);
  assert.equal(loadConfig({ NODE_ENV: 'production', TRUST_PROXY: '1' }).trustProxy, 1);
  assert.deepEqual(loadConfig({ TRUST_PROXY: '10.0.0.1, 192.168.0.0/16' }).trustProxy, ['10.0.0.1', '192.168.0.0/16']);
  assert.throws(
    () => loadConfig({ TRUST_PROXY: 'true' }),
    (e) => e instanceof ConfigError && /TRUST_PROXY/.test(e.message),
  );
  assert.throws(
    () => loadConfig({ TRUST_PROXY: 'proxy.local' }),
    (e) => e instanceof ConfigError && /TRUST_PROXY/.test(e.message),
  );
});

for (const backend of backends()) {
  describe(`limits behind a proxy cannot be walked around with X-Forwarded-For (${backend.name})`, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    before(async () => {
      t = await setup(backend, { NODE_ENV: 'production' });
      await createUser(
        t.db,
        { id: null, label: 'cli' },
        {
          email: 'admin@region.fr',
          nom: 'Admin',
          motDePasse: 'Brume-sur-la-Saône-2026',
          role: 'administrateur',
          organisationId: null,
        },
      );
    });
    after(async () => {
      await t.close();
    });

    async function attempt(app: FastifyInstance, email: string, password: string, remoteAddress: string, xff?: string) {
      const headers = (extra: Record<string, string>) => ({ ...(xff ? { 'x-forwarded-for': xff } : {}), ...extra });
      const form = await app.inject({ method: 'GET', url: '/connexion', remoteAddress, headers: headers({}) });
      const jar = cookiesOf(form);
      return app.inject({
        method: 'POST',
        url: '/connexion',
        remoteAddress,
        headers: headers({ cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' }),
        payload: new URLSearchParams({
          _csrf: csrfIn(form.body),
          email,
          motDePasse: password,
          next: '/admin',
        }).toString(),
      });
    }

    test('in production without TRUST_PROXY, a forged X-Forwarded-For does not reset the login limit', async () => {
      const codes: number[] = [];
      for (let i = 0; i < 11; i++)
        codes.push(
          (await attempt(t.app, `inconnu${i}@region.fr`, 'mauvais mot de passe', '203.0.113.9', `198.51.100.${i}`))
            .statusCode,
        );
      assert.deepEqual(codes.slice(0, 10), Array(10).fill(401));
      assert.equal(codes[10], 429);
    });

    test('in production without TRUST_PROXY, a forged X-Forwarded-For does not reset the search limit', async () => {
      let last = 0;
      for (let i = 0; i < 121; i++) {
        last = (
          await t.app.inject({
            method: 'GET',
            url: '/api/v1/territoires/recherche?q=dijon',
            remoteAddress: '203.0.113.10',
            headers: { 'x-forwarded-for': `198.51.100.${i % 250}` },
          })
        ).statusCode;
        if (i < 120) assert.equal(last, 200);
      }
      assert.equal(last, 429);
    });

    test('failed logins count per account across addresses and instances, then even the right password waits', async () => {
      for (let i = 0; i < 10; i++)
        assert.equal((await attempt(t.app, 'Admin@Region.fr', `essai ${i}`, `192.0.2.${i + 1}`)).statusCode, 401);
      const blocked = await attempt(t.app, 'admin@region.fr', 'Brume-sur-la-Saône-2026', '192.0.2.200');
      assert.equal(blocked.statusCode, 429);
      assert.match(blocked.body, /Trop de tentatives de connexion infructueuses/);
      // A second instance on the same database sees the same count.
      const other = await buildApp(testConfig({ NODE_ENV: 'production' }), { db: t.db, log: quietLog });
      try {
        assert.equal(
          (await attempt(other.app, 'admin@region.fr', 'Brume-sur-la-Saône-2026', '192.0.2.201')).statusCode,
          429,
        );
      } finally {
        await other.app.close();
      }
      // Another account is not affected.
      assert.equal((await attempt(t.app, 'autre@region.fr', 'x', '192.0.2.202')).statusCode, 401);
    });

    test('with TRUST_PROXY=1 the client is the last hop, whatever the client put before it', async () => {
      const { app } = await buildApp(testConfig({ NODE_ENV: 'production', TRUST_PROXY: '1' }), {
        db: t.db,
        log: quietLog,
      });
      try {
        let last = 0;
        for (let i = 0; i < 121; i++) {
          last = (
            await app.inject({
              method: 'GET',
              url: '/api/v1/territoires/recherche?q=dijon',
              remoteAddress: '10.0.0.1',
              headers: { 'x-forwarded-for': `198.51.100.${i % 250}, 203.0.113.77` },
            })
          ).statusCode;
        }
        assert.equal(last, 429);
        // A different real client behind the same proxy has its own budget.
        assert.equal(
          (
            await app.inject({
              method: 'GET',
              url: '/api/v1/territoires/recherche?q=dijon',
              remoteAddress: '10.0.0.1',
              headers: { 'x-forwarded-for': '203.0.113.78' },
            })
          ).statusCode,
          200,
        );
      } finally {
        await app.close();
      }
    });
  });
}
