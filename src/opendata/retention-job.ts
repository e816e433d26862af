import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { deleteAuditOlderThan, deleteExpiredSessions, deleteLoginFailuresOlderThan } from '../accounts/service.ts';
import { AppError } from '../errors.ts';
import { defineJob } from '../imports/job.ts';
import { readChunks } from '../imports/read.ts';
import { coarsenMeasuresOlderThan, deleteMeasuresOlderThan } from '../mobile/service.ts';

/** The rules the job applies by default (its source): every one the register of processing activities states. */
const DEFAULT_RULES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'retention.json');
const RULES = ['sessions', 'echecs-connexion', 'journal', 'mesures-mobiles'] as const;
const RulesSchema = z.object({ regles: z.array(z.enum(RULES)).min(1) }).strict();

async function readRules(file: string, name: string) {
  const parts: Buffer[] = [];
  for await (const chunk of readChunks(file, { maxBytes: 65_536 })) parts.push(chunk);
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.concat(parts).toString('utf8'));
  } catch {
    throw new AppError(
      'IMPORT_ECHEC',
      `bad json ${file}`,
      `${name} n’est pas un fichier de règles JSON lisible (attendu : { "regles": ["sessions", "echecs-connexion", "journal", "mesures-mobiles"] }).`,
    );
  }
  const p = RulesSchema.safeParse(doc);
  if (!p.success)
    throw new AppError(
      'IMPORT_ECHEC',
      p.error.message,
      `Règles invalides dans ${name} : ${p.error.issues.map((i) => `${i.path.join('.') || 'document'} ${i.message}`).join(' ; ')}.`,
    );
  return new Set(p.data.regles);
}

/**
 * Retention of personal data, as the register of processing activities states it (durations from the
 * configuration, `RETENTION_*`): expired sessions and old failed logins deleted, audit-journal entries past
 * their retention deleted, crowdsourced measurements coarsened (about 1 km) then deleted. Scheduled daily
 * (migration 0603) and recorded like every run; never « unchanged ». One transaction.
 */
export const retentionJob = defineJob({
  name: 'retention',
  title: 'Durées de conservation des données personnelles (purge)',
  accepts:
    'Traitement, sans fichier de données : supprime les sessions expirées, les échecs de connexion et les entrées du journal des modifications plus anciens que leur durée de conservation, arrondit à environ 1 km la position des mesures mobiles participatives anciennes puis les supprime, selon le registre des traitements (durées : RETENTION_ECHECS_CONNEXION_JOURS, RETENTION_JOURNAL_JOURS, RETENTION_MESURES_PRECISION_JOURS, RETENTION_MESURES_JOURS). Source facultative : un fichier JSON des règles à appliquer ({ "regles": ["sessions", "echecs-connexion", "journal", "mesures-mobiles"] }).',
  options: z.object({}).strict(),
  defaultSource: () => DEFAULT_RULES,
  alwaysRuns: true,
  async run({ db, tally, config }, source) {
    const rules = await readRules(source.path, path.basename(source.name));
    const r = config.retention;
    const n = await db.transaction(async (tx) => ({
      sessions: rules.has('sessions') ? await deleteExpiredSessions(tx) : 0,
      echecs: rules.has('echecs-connexion') ? await deleteLoginFailuresOlderThan(tx, r.echecsConnexion) : 0,
      journal: rules.has('journal') ? await deleteAuditOlderThan(tx, r.journal) : 0,
      mesuresSupprimees: rules.has('mesures-mobiles') ? await deleteMeasuresOlderThan(tx, r.mesures) : 0,
      mesuresArrondies: rules.has('mesures-mobiles') ? await coarsenMeasuresOlderThan(tx, r.mesuresPrecision) : 0,
    }));
    const total = Object.values(n).reduce((a, b) => a + b, 0);
    tally.read = total;
    tally.accepted = total;
    return `${n.sessions} session(s) expirée(s) et ${n.echecs} échec(s) de connexion de plus de ${r.echecsConnexion} jour(s) supprimés ; ${n.journal} entrée(s) du journal de plus de ${r.journal} jours supprimée(s) ; mesures mobiles : ${n.mesuresArrondies} arrondie(s) à environ 1 km (plus de ${r.mesuresPrecision} jours), ${n.mesuresSupprimees} supprimée(s) (plus de ${r.mesures} jours).`;
  },
});
