import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { NewUserSchema } from './accounts/service.ts';
import { allJobs } from './app.ts';
import { CliRefusal, createAdminCommand, importCommand, withDb } from './cli-commands.ts';
import { ConfigError, loadConfig, loadEnvFile } from './config.ts';
import { migrate } from './db/migrate.ts';
import { AppError } from './errors.ts';
import type { ImportRun } from './imports/queries.ts';
import { backupCommand, restoreCommand } from './ops/backup-commands.ts';

const USAGE = `Usage : npm run cli -- <commande>

Commandes :
  import <job> [chemin-ou-url] [--option clé=valeur …] [--force] [--initialiser]
                       importe un fichier officiel ; « import --help » liste les imports
  creer-admin --email <adresse> --nom <nom> [--initialiser]
                       crée un compte administrateur (mot de passe lu dans ADMIN_PASSWORD
                       ou sur l'entrée standard)
  migrer               crée ou met à jour le schéma de la base
  sauvegarde <fichier> sauvegarde la base embarquée dans un fichier .jsonl.gz (confiée au serveur
                       s'il est en marche)
  restauration <fichier> [--remplacer]
                       restaure une sauvegarde dans la base embarquée (serveur arrêté) ; la base
                       existante est gardée à côté (pglite.avant-restauration-…)

La configuration est celle du serveur : variables d'environnement, puis le fichier .env du dossier
courant (ou celui nommé par ENV_FILE). Avec la base embarquée, une commande lancée pendant que le
serveur tourne lui est confiée ; --initialiser autorise la création d'une base embarquée neuve.
`;

function printJobs() {
  console.log('Imports disponibles (npm run cli -- import <job> <chemin-ou-url>) :\n');
  for (const j of allJobs().values())
    console.log(`  ${j.name.padEnd(20)} ${j.title}\n  ${''.padEnd(20)} ${j.accepts}\n`);
}

function printRun(r: ImportRun): number {
  const label = {
    succeeded: 'réussi',
    failed: 'ÉCHEC',
    unchanged: 'inchangé (source déjà importée)',
    running: 'en cours',
    cancelled: 'annulé',
  }[r.status];
  console.log(`Import n° ${r.id} (${r.job}) : ${label}`);
  console.log(`  source : ${r.source}${r.sha256 ? `\n  sha256 : ${r.sha256}` : ''}`);
  console.log(`  lignes lues ${r.rows_read}, retenues ${r.rows_accepted}, rejetées ${r.rows_rejected}`);
  if (r.message) console.log(`  ${r.message}`);
  for (const x of r.rejects.slice(0, 10)) console.log(`  rejet${x.line ? ` ligne ${x.line}` : ''} : ${x.reason}`);
  if (r.rejects.length > 10) console.log(`  … ${r.rows_rejected - 10} autres rejets (voir /admin/imports/${r.id})`);
  return r.status === 'failed' ? 1 : 0;
}

async function readPassword(): Promise<string> {
  if (process.env.ADMIN_PASSWORD) return process.env.ADMIN_PASSWORD;
  process.stdout.write('Mot de passe (12 caractères au moins) : ');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) {
    chunks.push(c as Buffer);
    if (String(c).includes('\n')) break;
  }
  return Buffer.concat(chunks).toString('utf8').split('\n')[0]!.trim();
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === 'aide') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  loadEnvFile();
  const config = loadConfig();
  const log = pino({ level: process.env.LOG_LEVEL ?? 'warn' });

  if (command === 'import') {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        option: { type: 'string', multiple: true, short: 'o' },
        force: { type: 'boolean' },
        initialiser: { type: 'boolean' },
      },
    });
    const [job, src] = positionals;
    if (values.help || !job) {
      printJobs();
      return values.help ? 0 : 2;
    }
    const jobs = allJobs();
    if (!jobs.has(job)) {
      console.error(`Import inconnu : « ${job} ».`);
      printJobs();
      return 2;
    }
    const options: Record<string, unknown> = {};
    for (const kv of values.option ?? []) {
      const i = kv.indexOf('=');
      if (i < 1) throw new AppError('REQUETE_INVALIDE', kv, `Option mal formée : « ${kv} » (attendu clé=valeur).`);
      const v = kv.slice(i + 1);
      options[kv.slice(0, i)] = v === 'true' ? true : v === 'false' ? false : /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
    }
    const source = src && !/^https?:\/\//i.test(src) ? path.resolve(src) : src;
    const req = {
      job,
      ...(source ? { source } : {}),
      options,
      force: values.force ?? false,
      startedBy: `cli (${process.env.USER ?? 'utilisateur'})`,
    };
    const run = await importCommand(config, log, req, { initialise: values.initialiser ?? false });
    return printRun(run);
  }

  if (command === 'creer-admin') {
    const { values } = parseArgs({
      args: rest,
      options: { email: { type: 'string' }, nom: { type: 'string' }, initialiser: { type: 'boolean' } },
    });
    const input = NewUserSchema.safeParse({
      email: values.email,
      nom: values.nom ?? 'Administrateur',
      motDePasse: await readPassword(),
      role: 'administrateur',
      organisationId: null,
    });
    if (!input.success) {
      console.error(
        `Compte invalide : ${input.error.issues.map((i) => `${i.path.join('.')} : ${i.message}`).join(' ; ')}`,
      );
      return 2;
    }
    const id = await createAdminCommand(config, log, input.data, `cli (${process.env.USER ?? 'utilisateur'})`, {
      initialise: values.initialiser ?? false,
    });
    console.log(`Administrateur créé (n° ${id}) : ${input.data.email}`);
    return 0;
  }

  if (command === 'migrer') {
    // A running server applied the migrations when it started: nothing to wait for.
    const applied = await withDb(
      config,
      (db) => migrate(db),
      async (_port, _token, pid) => {
        console.log(
          `Le serveur (processus ${pid}) utilise la base embarquée ; il a appliqué les migrations à son démarrage.`,
        );
        return [];
      },
      { initialise: true },
    );
    console.log(applied.length ? `Migrations appliquées : ${applied.join(', ')}` : 'Schéma déjà à jour.');
    return 0;
  }

  if (command === 'sauvegarde' || command === 'restauration') {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { remplacer: { type: 'boolean' } },
    });
    const file = positionals[0];
    if (!file) {
      console.error(USAGE);
      return 2;
    }
    return command === 'sauvegarde'
      ? backupCommand(config, path.resolve(file))
      : restoreCommand(config, path.resolve(file), values.remplacer ?? false);
  }

  console.error(USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    if (e instanceof ConfigError) console.error(e.message);
    else if (e instanceof CliRefusal) {
      console.error(e.message);
      process.exit(2);
    } else if (e instanceof AppError) console.error(`Erreur : ${e.userMessage}${e.detail ? ` (${e.detail})` : ''}`);
    else
      console.error(
        `Erreur : ${e instanceof Error ? e.message : String(e)}`,
        process.env.LOG_LEVEL === 'debug' ? e : '',
      );
    process.exit(1);
  },
);
