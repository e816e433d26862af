import path from 'node:path';
import { z } from 'zod';

/** Environment variables the platform reads. Parsed once at start-up. */
const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'doit commencer par postgres:// ou postgresql:// (must be a PostgreSQL URL)')
    .optional(),
  REGION: z.string().regex(/^\d{2,3}$/, 'code INSEE de région attendu, par ex. 27 ou 28 (INSEE region code expected)').default('27'),
  INSTANCE_NAME: z.string().min(1).max(120).optional(),
  PUBLIC_URL: z.string().url().optional(),
  UPLOAD_MAX_MB: z.coerce.number().int().min(1).max(2048).default(200),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** Cookies need Secure behind HTTPS; off by default so that http://localhost works. */
  COOKIE_SECURE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** Bearer token for /metrics; without it, /metrics answers only direct loopback requests. */
  METRICS_TOKEN: z.string().min(16, '16 caractères au moins (at least 16 characters)').optional(),
  /** Seconds a stop (SIGTERM) waits for in-flight requests and the running import. */
  SHUTDOWN_TIMEOUT: z.coerce.number().int().min(1).max(3600).default(30),
});

export type Config = {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  region: string;
  instanceName: string | undefined;
  publicUrl: string | undefined;
  uploadMaxBytes: number;
  logLevel: z.infer<typeof ConfigSchema>['LOG_LEVEL'];
  env: z.infer<typeof ConfigSchema>['NODE_ENV'];
  cookieSecure: boolean;
  metricsToken: string | undefined;
  shutdownTimeoutMs: number;
};

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')),
  );
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join('.')} : ${i.message}`);
    throw new ConfigError(
      `Configuration invalide (invalid configuration) :\n${lines.join('\n')}\nVoir README.md, section « Configuration ».`,
    );
  }
  const c = parsed.data;
  return {
    port: c.PORT,
    host: c.HOST,
    dataDir: path.resolve(c.DATA_DIR),
    databaseUrl: c.DATABASE_URL,
    region: c.REGION,
    instanceName: c.INSTANCE_NAME,
    publicUrl: c.PUBLIC_URL,
    uploadMaxBytes: c.UPLOAD_MAX_MB * 1024 * 1024,
    logLevel: c.LOG_LEVEL,
    env: c.NODE_ENV,
    cookieSecure: c.COOKIE_SECURE,
    metricsToken: c.METRICS_TOKEN,
    shutdownTimeoutMs: c.SHUTDOWN_TIMEOUT * 1000,
  };
}
