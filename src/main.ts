import crypto from 'node:crypto';
import path from 'node:path';
import pino from 'pino';
import { buildApp } from './app.ts';
import { prepareDatabase } from './bootstrap.ts';
import { type Config, ConfigError, loadConfig, loadEnvFile } from './config.ts';
import { waitForLock } from './db/lock.ts';
import { openDb } from './db/open.ts';
import { startImportListener } from './imports/notify.ts';
import { scheduleSourceCleanup } from './imports/retention.ts';
import { startScheduler } from './imports/scheduler.ts';
import { installShutdown } from './ops/shutdown.ts';
import { checkRegion, databaseOpenError, StartupError } from './startup.ts';

async function main() {
  let config: Config | undefined;
  try {
    loadEnvFile();
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  const log = pino({ level: config.logLevel });
  const lock = config.databaseUrl
    ? undefined
    : await waitForLock(config.dataDir, 'server', (h) =>
        log.warn(
          `La base embarquée est utilisée par ${h.role === 'cli' ? 'un import en ligne de commande' : 'un autre serveur'} (processus ${h.pid}) ; attente de sa fin…`,
        ),
      );

  const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }).catch((e: unknown) => {
    throw config!.databaseUrl ? databaseOpenError(e, config!.databaseUrl) : e;
  });
  log.info({ base: db.kind, dataDir: config.dataDir }, 'database open');
  await prepareDatabase(db, config, log);
  await checkRegion(db, config);

  const internalToken = crypto.randomBytes(24).toString('base64url');
  const { app, ctx } = await buildApp(config, { db, log, internalToken });
  await app.listen({ port: config.port, host: config.host });
  lock?.update({ port: config.port, token: internalToken });
  log.info(`Plateforme prête : http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`);

  const scheduler = startScheduler({ db, config, log, runImport: ctx.runImport, instance: ctx.instance });
  // Several instances on one PostgreSQL: refresh in-memory indexes after the others' imports.
  const listener = config.databaseUrl
    ? await startImportListener({
        databaseUrl: config.databaseUrl,
        db,
        instance: ctx.instance,
        log,
        onImport: async (job, runId, followUpsDone) =>
          void (await ctx.dispatchImported({ job, runId, remote: true, followUpsDone })),
        onRetry: async (runId) => void (await ctx.retryFollowUps(runId)),
      })
    : undefined;
  const uploadsElsewhere = config.uploadDir !== path.join(config.dataDir, 'televersements') ? [config.uploadDir] : [];
  const cleanup = scheduleSourceCleanup(config.dataDir, config.sourceRetention, log, uploadsElsewhere);

  installShutdown({
    app,
    db,
    lock,
    log,
    timeoutMs: config.shutdownTimeoutMs,
    before: async () => {
      clearInterval(cleanup);
      await scheduler.stop();
      await listener?.stop();
    },
  });
}

// One French line for the operator; the stack only when asked for (LOG_LEVEL=debug or trace).
main().catch((e) => {
  const message = e instanceof Error ? e.message : String(e);
  console.error(e instanceof StartupError ? message : `Démarrage impossible : ${message}`);
  if (['debug', 'trace'].includes(process.env.LOG_LEVEL ?? ''))
    console.error(e instanceof StartupError && e.cause ? e.cause : e);
  process.exit(e instanceof StartupError ? 2 : 1);
});
