import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { buildApp } from '../src/app.ts';
import { prepareDatabase } from '../src/bootstrap.ts';
import { type Config, loadConfig } from '../src/config.ts';
import type { Db } from '../src/db/db.ts';
import { openDb } from '../src/db/open.ts';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Real public files for tests; never copied into the project. */
export const SHARED_DATA = path.resolve(process.env.SHARED_DATA_DIR ?? path.join(ROOT, '..', 'shared', 'data'));
export const shared = (...p: string[]) => path.join(SHARED_DATA, ...p);

/**
 * The files of ../shared/data a suite reads (paths relative to it). On a fresh clone without them the
 * suite is skipped with one line naming the missing files: `describe(name, { skip: missingShared(…) }, fn)`.
 * `npm run donnees:test` downloads them from their public sources.
 */
export function missingShared(...files: string[]): string | undefined {
  const missing = files.filter((f) => !fs.existsSync(shared(f)));
  if (!missing.length) return undefined;
  return `données de test absentes (${SHARED_DATA}) : ${missing.join(', ')} — « npm run donnees:test » les télécharge`;
}

export type Backend = { name: 'pglite' | 'postgres'; open(): Promise<{ db: Db; drop(): Promise<void> }> };

/**
 * The backends every integration test runs on: PGlite always, and a PostgreSQL server when
 * TEST_DATABASE_URL is set (CI sets it). Each test file gets a fresh database.
 */
export function backends(): Backend[] {
  const list: Backend[] = [
    {
      name: 'pglite',
      async open() {
        const db = await openDb({ memory: true });
        return { db, drop: () => db.close() };
      },
    },
  ];
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    list.push({
      name: 'postgres',
      async open() {
        const admin = await openDb({ databaseUrl: url });
        const name = `pan_test_${crypto.randomBytes(6).toString('hex')}`;
        await admin.query(`CREATE DATABASE ${name}`);
        const u = new URL(url);
        u.pathname = `/${name}`;
        const db = await openDb({ databaseUrl: u.toString() });
        return {
          db,
          async drop() {
            await db.close();
            await admin.query(`DROP DATABASE IF EXISTS ${name}`);
            await admin.close();
          },
        };
      },
    });
  }
  return list;
}

export const quietLog = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/**
 * Each call gets its own data directory (uploads, downloads) so test files running in parallel, or in
 * any order, never see each other's files; `setup().close()` removes it.
 */
export function testConfig(over: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'pan-test-')),
    LOG_LEVEL: 'silent',
    ...over,
  });
}

/** A migrated database with the territories loaded, and the app built on it. `close()` drops it all. */
export async function setup(backend: Backend, over: Record<string, string> = {}) {
  const { db, drop } = await backend.open();
  const config = testConfig(over);
  await prepareDatabase(db, config, quietLog);
  const { app, ctx } = await buildApp(config, { db, log: quietLog, internalToken: 'test-token' });
  await app.ready();
  return {
    db,
    app,
    ctx,
    config,
    async close() {
      await app.close();
      await drop();
      if (!over.DATA_DIR) fs.rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}

/** Starts the app on a free loopback port (for browser tests) and returns its base URL. */
export async function serve(app: Awaited<ReturnType<typeof setup>>['app']): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  return `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
}

/** Form-session helpers for in-process HTTP tests: cookies set by a response, the CSRF field of a page. */
export type InjectResponse = { headers: Record<string, unknown>; body: string; statusCode: number };
export const cookiesOf = (r: InjectResponse): Record<string, string> => {
  const set = r.headers['set-cookie'];
  const list = Array.isArray(set) ? set : set ? [String(set)] : [];
  return Object.fromEntries(list.map((c: string) => c.split(';')[0]!.split('=') as [string, string]));
};
export const csrfIn = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? '';
export const cookieHeader = (c: Record<string, string>) =>
  Object.entries(c)
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');

type TestApp = Awaited<ReturnType<typeof setup>>['app'];

/**
 * Signs in through the login form and returns the answer and the cookie jar of the new session. `formFrom`: the
 * instance that serves the form (two instances may differ); `remoteAddress`: the client address of both requests.
 */
export async function signIn(
  app: TestApp,
  email: string,
  password: string,
  o: { formFrom?: TestApp; remoteAddress?: string } = {},
) {
  const form = await (o.formFrom ?? app).inject({ method: 'GET', url: '/connexion', remoteAddress: o.remoteAddress });
  const res = await app.inject({
    method: 'POST',
    url: '/connexion',
    remoteAddress: o.remoteAddress,
    headers: { cookie: cookieHeader(cookiesOf(form)), 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: csrfIn(form.body), email, motDePasse: password, next: '/admin' }).toString(),
  });
  return { res, jar: { ...cookiesOf(form), ...cookiesOf(res) } };
}
