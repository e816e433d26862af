import { z } from 'zod';
import { insertJson, type Row } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { readCsv, readHeader } from '../imports/csv.ts';
import { defineJob } from '../imports/job.ts';
import { readLimits } from '../imports/read.ts';
import { DEPARTEMENT_CODE } from '../territories/codes.ts';
import { fold } from '../text/normalize.ts';
import { hasAny, textOrNull } from './common.ts';

/** Technologies named in the "technologie" column ("Satellite et 4G et THD radio", "THD LTE"…). */
function technologiesOf(t: string): { satellite: boolean; quatre_g: boolean; thd_radio: boolean } {
  const f = fold(t);
  const thd = /\bthd\b/.test(f);
  return { satellite: /satellite/.test(f), quatre_g: /\b4g\b/.test(f) || (/\blte\b/.test(f) && !thd), thd_radio: thd };
}

export const offresRepliJob = defineJob({
  name: 'offres-repli',
  title: 'Offres de repli France Très Haut Débit (par département)',
  accepts:
    'Fichier des opérateurs partenaires du programme France Très Haut Débit par département (ANCT, operateurs_fthd) : insee_dep, insee_reg, departement, operateur, technologie, site, prise_en_charge_aide. Remplace les offres des départements présents.',
  options: z.object({}).strict(),
  async run({ db, tally, config }, source) {
    const limits = readLimits(config);
    const { header } = await readHeader(source.path, limits);
    if (!hasAny(header, 'insee_dep') || !hasAny(header, 'operateur') || !hasAny(header, 'prise_en_charge_aide')) {
      throw new AppError(
        'SOURCE_ILLISIBLE',
        `bad header ${header.join(',')}`,
        `Le fichier n'a pas les colonnes attendues (insee_dep, operateur, technologie, prise_en_charge_aide). En-tête lu : ${header.join(', ')}.`,
      );
    }
    const offres = new Map<string, Row & { n: number }>();
    const absences = new Map<string, Row>();
    for await (const { n, row, raw } of readCsv(source.path, tally, { limits })) {
      tally.read++;
      const reject = (reason: string) => tally.reject(n, reason, raw);
      const dep = (row.insee_dep ?? '').trim().toUpperCase();
      if (!DEPARTEMENT_CODE.test(dep)) {
        reject(`code département invalide : « ${row.insee_dep ?? ''} »`);
        continue;
      }
      const operateur = textOrNull(row.operateur, 200);
      const techno = textOrNull(row.technologie, 100);
      if (!operateur) {
        reject('opérateur manquant');
        continue;
      }
      if (!techno) {
        // The file says so in words when a territory has no partner ("Le territoire ne possède actuellement pas d'offre…").
        if (/pas d.?offre/i.test(operateur)) {
          absences.set(dep, { departement: dep, departement_nom: textOrNull(row.departement), message: operateur });
          tally.accepted++;
          continue;
        }
        reject('technologie manquante');
        continue;
      }
      const aide = fold(row.prise_en_charge_aide ?? '');
      if (aide !== 'oui' && aide !== 'non') {
        reject(`prise_en_charge_aide invalide : « ${row.prise_en_charge_aide ?? ''} » (attendu Oui ou Non)`);
        continue;
      }
      const site = textOrNull(row.site, 500);
      if (site && !/^https?:\/\//i.test(site)) {
        reject(`site invalide : ${site}`);
        continue;
      }
      const key = `${dep}|${operateur.toLowerCase()}`;
      if (offres.has(key)) {
        reject(`offre en double pour ${operateur} dans le département ${dep}`);
        continue;
      }
      offres.set(key, {
        n,
        departement: dep,
        departement_nom: textOrNull(row.departement),
        operateur,
        technologie: techno,
        ...technologiesOf(techno),
        site,
        aide_etat: aide === 'oui',
      });
    }
    if (!offres.size && !absences.size)
      throw new AppError(
        'IMPORT_ECHEC',
        'no valid row',
        'Aucune offre valide dans le fichier : rien n’a été remplacé.',
      );
    const depts = [...new Set([...[...offres.values()].map((o) => o.departement as string), ...absences.keys()])];
    await db.transaction(async (tx) => {
      await tx.query('DELETE FROM offre_repli WHERE departement = ANY($1::text[])', [depts]);
      await tx.query('DELETE FROM offre_repli_absence WHERE departement = ANY($1::text[])', [depts]);
      await insertJson(
        tx,
        'offre_repli',
        {
          departement: 'text',
          departement_nom: 'text',
          operateur: 'text',
          technologie: 'text',
          satellite: 'boolean',
          quatre_g: 'boolean',
          thd_radio: 'boolean',
          site: 'text',
          aide_etat: 'boolean',
        },
        [...offres.values()].map(({ n: _n, ...o }) => o),
      );
      await insertJson(tx, 'offre_repli_absence', { departement: 'text', departement_nom: 'text', message: 'text' }, [
        ...absences.values(),
      ]);
    });
    tally.accepted += offres.size;
    const aided = [...offres.values()].filter((o) => o.aide_etat).length;
    return `${offres.size} offres dans ${depts.length} départements et territoires (${aided} avec l'aide de l'État)${absences.size ? ` ; ${absences.size} territoires sans offre partenaire (${[...absences.keys()].join(', ')})` : ''}.`;
  },
});
