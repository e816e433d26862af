import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { defineJob } from '../imports/job.ts';
import { readChunks } from '../imports/read.ts';
import { communeGeometry, communeOperators } from './indicators.ts';
import { CommuneLocator } from './locate.ts';
import * as Q from './queries.ts';
import { OPERATEURS } from './vocab.ts';

/** The (empty) parameters shipped with the module: the runner needs a source, the rules are MODEL's. */
const DEFAULT_PARAMETERS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'indicateurs.json');

const ParametersSchema = z.object({ description: z.string().max(2000).optional() }).strict();

async function readParameters(file: string, name: string) {
  const parts: Buffer[] = [];
  for await (const chunk of readChunks(file, { maxBytes: 65_536 })) parts.push(chunk);
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.concat(parts).toString('utf8'));
  } catch {
    throw new AppError('IMPORT_ECHEC', `bad json ${file}`, `${name} n’est pas un fichier de paramètres JSON lisible.`);
  }
  const p = ParametersSchema.safeParse(doc);
  if (!p.success)
    throw new AppError(
      'IMPORT_ECHEC',
      p.error.message,
      `Paramètres invalides dans ${name} : ${p.error.issues.map((i) => `${i.path.join('.') || 'document'} ${i.message}`).join(' ; ')}.`,
    );
  return p.data;
}

/**
 * Recomputes the contour-derived indicators of every stored snapshot (indicators.ts): commune areas and centres
 * from the current contours, per operator the 4G sites in each commune and the distance to the nearest. Sites keep
 * the commune and the shared flag their import gave them. Run after each import of contours or territories.
 */
export const mobileIndicateursJob = defineJob({
  name: 'mobile-indicateurs',
  title: 'Indicateurs des relevés de sites mobiles (recalcul)',
  accepts:
    'Calcul, sans fichier de données : pour chaque relevé de sites mobiles déjà importé, l’aire et le centre de chaque commune d’après ses contours actuels, les sites 4G de chaque opérateur dans la commune et la distance de son centre au plus proche (règles de la page « Mobile »). Relancé après chaque import de contours ou de territoires. Source facultative : un fichier JSON de paramètres (vide).',
  options: z.object({}).strict(),
  defaultSource: () => DEFAULT_PARAMETERS,
  async run({ db, tally }, source) {
    await readParameters(source.path, path.basename(source.name));
    const snaps = await Q.snapshots(db);
    if (!snaps.length) return 'Aucun relevé de sites mobiles importé : rien à recalculer.';
    const locator = await CommuneLocator.build(db);
    const communesGeo = communeGeometry(locator.outlineParts());
    const computed: { date: string; perOperator: ReturnType<typeof communeOperators> }[] = [];
    for (const s of snaps) {
      const sites = await Q.snapshotSitePoints(db, s.date);
      const operateurs = OPERATEURS.filter((o) => s.operateurs.includes(o)).sort();
      computed.push({ date: s.date, perOperator: communeOperators(communesGeo, sites, operateurs) });
      tally.read += sites.length;
    }
    await db.transaction(async (tx) => {
      for (const c of computed) {
        await Q.deleteCommuneIndicators(tx, c.date);
        await Q.insertCommuneIndicators(tx, c.date, communesGeo, c.perOperator);
      }
    });
    tally.accepted = tally.read;
    return `Indicateurs recalculés pour ${snaps.length} relevé(s) (${tally.read} sites) sur ${communesGeo.length} commune(s) ayant un contour.`;
  },
});
