import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { type AllowList, parseAllowList } from './imports/net-guard.ts';

/** Environment variables the platform reads. Parsed once at start-up. */
const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'doit commencer par postgres:// ou postgresql:// (must be a PostgreSQL URL)')
    .optional(),
  REGION: z
    .string()
    .regex(/^\d{2,3}$/, 'code INSEE de région attendu, par ex. 27 ou 28 (INSEE region code expected)')
    .default('27'),
  INSTANCE_NAME: z.string().min(1).max(120).optional(),
  PUBLIC_URL: z.string().url().optional(),
  UPLOAD_MAX_MB: z.coerce.number().int().min(1).max(2048).default(200),
  /** Cap on the bytes an import reads once decompressed (gzip bombs); default 10 × UPLOAD_MAX_MB. */
  IMPORT_MAX_DECOMPRESSED_MB: z.coerce.number().int().min(1).max(100_000).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** Cookies need Secure behind HTTPS; off by default so that http://localhost works. */
  COOKIE_SECURE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** Folder whose files planned imports may read (besides http(s) URLs); none by default. */
  IMPORT_DIR: z.string().min(1).optional(),
  /** Where uploads are kept; a directory every instance reads when several run. */
  UPLOAD_DIR: z.string().min(1).optional(),
  /** Where the resource library keeps its files (named by SHA-256); a directory every instance reads. */
  LIBRARY_DIR: z.string().min(1).optional(),
  LIBRARY_MAX_MB: z.coerce.number().int().min(1).max(2048).default(20),
  /** Outgoing mail (aid alerts): smtp://user:password@host:587 (STARTTLS) or smtps://…:465; none = no e-mail. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'doit commencer par smtp:// ou smtps://')
    .optional(),
  MAIL_FROM: z.string().min(3).max(200).default('Plateforme numérique <ne-pas-repondre@localhost>'),
  /** Which proxies' X-Forwarded-For is believed: none by default (see trustProxyOption). */
  TRUST_PROXY: z.string().max(1000).optional(),
  /** Hosts and CIDR ranges an import may download from although they are internal (intranet source). */
  IMPORT_URL_ALLOWLIST: z.string().max(2000).default(''),
  IMPORT_INACTIVITY_S: z.coerce.number().int().min(1).max(3600).default(60),
  /** Retention of uploaded and downloaded source files: age in days, and how many per job at most. */
  SOURCE_RETENTION_DAYS: z.coerce.number().int().min(0).max(3650).default(30),
  SOURCE_RETENTION_PER_JOB: z.coerce.number().int().min(1).max(1000).default(3),
  // Retention of personal data (job `retention`, daily): defaults are what /donnees/registre states (migration 0603).
  RETENTION_ECHECS_CONNEXION_JOURS: z.coerce.number().int().min(1).max(365).default(1),
  RETENTION_JOURNAL_JOURS: z.coerce.number().int().min(30).max(36500).default(1095),
  RETENTION_MESURES_PRECISION_JOURS: z.coerce.number().int().min(1).max(36500).default(365),
  RETENTION_MESURES_JOURS: z.coerce.number().int().min(1).max(36500).default(1825),
  // Datalab: a view that would read more rows than this is refused.
  DATALAB_MAX_LIGNES: z.coerce.number().int().min(10).max(100_000_000).default(200_000),
  /** Bearer token for /metrics; without it, /metrics answers only direct loopback requests. */
  METRICS_TOKEN: z.string().min(16, '16 caractères au moins (at least 16 characters)').optional(),
  /** Seconds a stop (SIGTERM) waits for in-flight requests and the running import. */
  SHUTDOWN_TIMEOUT: z.coerce.number().int().min(1).max(3600).default(30),
  /** Observatory: figures whose data is older than this many months are marked as dated, and not projected. */
  OBS_DONNEES_ANCIENNES_MOIS: z.coerce.number().int().min(1).max(240).default(12),
  /** Base map (MapLibre style JSON) under the interactive maps; its origin is added to the map pages' CSP. */
  CARTE_STYLE_URL: z
    .string()
    .url()
    .regex(/^https?:\/\//, 'URL http(s) d’un style MapLibre attendue (http(s) URL of a MapLibre style expected)')
    .default('https://data.geopf.fr/annexes/ressources/vectorTiles/styles/PLAN.IGN/standard.json'),
  /** Attribution shown on the base map. */
  CARTE_ATTRIBUTION: z.string().min(1).max(300).default('Fond de carte : © IGN — Géoplateforme, PLAN IGN'),
  /** Other hosts the style's tiles, glyphs or sprites come from (space- or comma-separated origins). */
  CARTE_HOTES: z
    .string()
    .max(2000)
    .regex(
      /^\s*(https?:\/\/[A-Za-z0-9.*-]+(:\d{1,5})?[\s,]*)*$/,
      'origines http(s) séparées par des espaces, ex. https://tuiles.exemple.fr (space-separated origins)',
    )
    .default(''),
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
  /** Bytes an import may read once decompressed. */
  importMaxBytes: number;
  logLevel: z.infer<typeof ConfigSchema>['LOG_LEVEL'];
  env: z.infer<typeof ConfigSchema>['NODE_ENV'];
  cookieSecure: boolean;
  importDir: string | undefined;
  uploadDir: string;
  libraryDir: string;
  libraryMaxBytes: number;
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Fastify's trustProxy: false, a hop count, or a list of proxy addresses/CIDRs. */
  trustProxy: boolean | number | string[];
  importAllowList: AllowList;
  importInactivityMs: number;
  sourceRetention: { days: number; perJob: number };
  /** Personal-data retention in days (job `retention`): failed logins, audit journal, precise then any mobile measurement. */
  retention: { echecsConnexion: number; journal: number; mesuresPrecision: number; mesures: number };
  /** Datalab exploration: most rows one view may read. */
  datalabMaxRows: number;
  metricsToken: string | undefined;
  shutdownTimeoutMs: number;
  obsMaxAgeMonths: number;
  /** Interactive maps: base style URL, its attribution, and the origins the map pages may connect to. */
  carte: { styleUrl: string; attribution: string; origins: string[] };
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
  const extra = netSettings(c.TRUST_PROXY, c.IMPORT_URL_ALLOWLIST);
  return {
    port: c.PORT,
    host: c.HOST,
    dataDir: path.resolve(c.DATA_DIR),
    databaseUrl: c.DATABASE_URL,
    region: c.REGION,
    instanceName: c.INSTANCE_NAME,
    publicUrl: c.PUBLIC_URL,
    uploadMaxBytes: c.UPLOAD_MAX_MB * 1024 * 1024,
    importMaxBytes: (c.IMPORT_MAX_DECOMPRESSED_MB ?? 10 * c.UPLOAD_MAX_MB) * 1024 * 1024,
    logLevel: c.LOG_LEVEL,
    env: c.NODE_ENV,
    cookieSecure: c.COOKIE_SECURE,
    importDir: c.IMPORT_DIR ? path.resolve(c.IMPORT_DIR) : undefined,
    uploadDir: path.resolve(c.UPLOAD_DIR ?? path.join(c.DATA_DIR, 'televersements')),
    libraryDir: path.resolve(c.LIBRARY_DIR ?? path.join(c.DATA_DIR, 'bibliotheque')),
    libraryMaxBytes: c.LIBRARY_MAX_MB * 1024 * 1024,
    smtpUrl: c.SMTP_URL,
    mailFrom: c.MAIL_FROM,
    ...extra,
    importInactivityMs: c.IMPORT_INACTIVITY_S * 1000,
    sourceRetention: { days: c.SOURCE_RETENTION_DAYS, perJob: c.SOURCE_RETENTION_PER_JOB },
    retention: {
      echecsConnexion: c.RETENTION_ECHECS_CONNEXION_JOURS,
      journal: c.RETENTION_JOURNAL_JOURS,
      mesuresPrecision: c.RETENTION_MESURES_PRECISION_JOURS,
      mesures: c.RETENTION_MESURES_JOURS,
    },
    datalabMaxRows: c.DATALAB_MAX_LIGNES,
    metricsToken: c.METRICS_TOKEN,
    shutdownTimeoutMs: c.SHUTDOWN_TIMEOUT * 1000,
    obsMaxAgeMonths: c.OBS_DONNEES_ANCIENNES_MOIS,
    carte: {
      styleUrl: c.CARTE_STYLE_URL,
      attribution: c.CARTE_ATTRIBUTION,
      origins: [...new Set([new URL(c.CARTE_STYLE_URL).origin, ...c.CARTE_HOTES.split(/[\s,]+/).filter(Boolean)])],
    },
  };
}

/**
 * The server and the CLI read the same settings: variables already set win, then the file named by
 * ENV_FILE, else `.env` in the current directory (npm scripts run in the project folder).
 * Returns the file read, if any.
 */
export function loadEnvFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = path.resolve(env.ENV_FILE ?? '.env');
  if (!env.ENV_FILE && !fs.existsSync(file)) return undefined;
  // process.loadEnvFile appeared in Node 20.12.
  if (typeof process.loadEnvFile !== 'function') {
    throw new ConfigError(
      `Le fichier de configuration ${file} demande Node.js 20.12 ou plus récent (version actuelle : ${process.version}).`,
    );
  }
  try {
    process.loadEnvFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && !env.ENV_FILE) return undefined;
    throw new ConfigError(`Fichier de configuration illisible : ${file} (${(e as Error).message})`);
  }
  return file;
}

/**
 * TRUST_PROXY: unset or `false` trusts no X-Forwarded-For (whatever NODE_ENV), a number trusts that many
 * hops, otherwise a list of proxy addresses or CIDR ranges. `true` (trust every hop) is refused: it would
 * let any client choose the address the login and search limits count.
 */
function netSettings(
  trust: string | undefined,
  allow: string,
): { trustProxy: Config['trustProxy']; importAllowList: AllowList } {
  const issues: string[] = [];
  let trustProxy: Config['trustProxy'] = false;
  const t = (trust ?? '').trim();
  if (t === '' || t === 'false' || t === '0') trustProxy = false;
  else if (/^\d+$/.test(t)) trustProxy = Number(t);
  else if (t === 'true')
    issues.push(
      '  - TRUST_PROXY : « true » ferait confiance à n’importe quel client ; indiquez le nombre de proxys (1) ou leurs adresses',
    );
  else {
    const list = t.split(/[\s,]+/).filter(Boolean);
    const bad = list.filter((x) => {
      const [a, b] = x.split('/');
      return !net.isIP(a ?? '') || (b !== undefined && !/^\d{1,3}$/.test(b));
    });
    if (bad.length) issues.push(`  - TRUST_PROXY : ${bad.join(', ')} n’est pas une adresse IP ou une plage CIDR`);
    trustProxy = list;
  }
  let importAllowList = parseAllowList('');
  try {
    importAllowList = parseAllowList(allow);
  } catch (e) {
    issues.push(`  - IMPORT_URL_ALLOWLIST : ${(e as Error).message}`);
  }
  if (issues.length)
    throw new ConfigError(
      `Configuration invalide (invalid configuration) :\n${issues.join('\n')}\nVoir README.md, section « Configuration ».`,
    );
  return { trustProxy, importAllowList };
}
