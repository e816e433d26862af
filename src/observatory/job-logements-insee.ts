import { z } from 'zod';
import type { Row } from '../db/db.ts';
import { defineJob } from '../imports/job.ts';
import { COMMUNE_CODE, communeCodes, departementOfCommune } from '../territories/codes.ts';
import { csvTable, DeptListSchema, fail } from './job-common.ts';
import * as S from './store.ts';

const LogementsOptionsSchema = z.object({ departements: DeptListSchema.optional() }).strict();

/** INSEE "Logement, base communale" (base-cc-logement): dwellings per commune, an alternative denominator. */
export const logementsInseeJob = defineJob({
  name: 'logements-insee',
  title: 'Logements par commune (Insee, recensement, base communale)',
  accepts:
    "Fichier CSV de la base communale « Logement » de l'Insee (base-cc-logement-AAAA), séparateur « ; », colonnes CODGEO et P21_LOG (P21_RP facultative ; l'année est lue dans le nom de colonne). Option : departements=21,25.",
  options: LogementsOptionsSchema,
  async run({ db, tally, config }, source, options) {
    const table = await csvTable(source, tally, config);
    const header = table.header.map((h) => h.toUpperCase());
    const iCode = header.indexOf('CODGEO');
    const iLog = header.findIndex((h) => /^P\d{2}_LOG$/.test(h));
    if (iCode < 0 || iLog < 0) {
      fail(
        `missing CODGEO/Pyy_LOG`,
        `Colonnes absentes de ${source.name} (ligne 1) : ${iCode < 0 ? 'CODGEO ' : ''}${iLog < 0 ? 'P21_LOG (ou Pyy_LOG)' : ''}. En-tête lu : ${header.join(' | ')}.`,
      );
    }
    const yy = header[iLog]!.slice(1, 3);
    const millesime = `20${yy}`;
    const iRp = header.indexOf(`P${yy}_RP`);
    const mapCode = (await communeCodes(db)).current;
    const out: Row[] = [];
    for await (const { n: line, fields: r, raw } of table.records) {
      tally.read++;
      const code = (r[iCode] ?? '').trim().toUpperCase().padStart(5, '0');
      if (!COMMUNE_CODE.test(code)) {
        tally.reject(line, `CODGEO invalide « ${r[iCode] ?? ''} »`, raw);
        continue;
      }
      const dept = departementOfCommune(code);
      if (options.departements && !options.departements.includes(dept)) {
        tally.read--;
        continue;
      }
      const log = Number((r[iLog] ?? '').replace(',', '.'));
      if (!(r[iLog] ?? '').trim() || !Number.isFinite(log)) {
        tally.reject(line, `valeur non numérique « ${r[iLog] ?? ''} » pour ${header[iLog]}`, raw);
        continue;
      }
      const rp = iRp >= 0 && (r[iRp] ?? '').trim() ? Number((r[iRp] ?? '').replace(',', '.')) : null;
      const actuel = mapCode(code);
      if (!actuel)
        tally.reject(
          line,
          `code commune ${code} inconnu du COG en vigueur et de la table des anciens codes ; non rattaché`,
          raw,
        );
      else tally.accepted++;
      out.push({
        code_publie: code,
        millesime,
        departement_publie: dept,
        code_actuel: actuel,
        logements: log,
        residences_principales: Number.isFinite(rp) ? rp : null,
        source_id: 0,
      });
    }
    if (!out.length) fail(`no valid row`, `Aucune ligne valide dans ${source.name}.`);
    const depts = [...new Set(out.map((r) => String(r.departement_publie)))];
    await db.transaction(async (tx) => {
      const sourceId = await S.insertSource(tx, {
        jeu: 'logements-insee',
        fichier: source.name,
        sha256: source.sha256,
        producteur: 'Insee (recensement de la population)',
        licence: S.LICENCE_OUVERTE,
      });
      for (const r of out) r.source_id = sourceId;
      await S.deleteLogements(tx, millesime, depts);
      await S.insertLogements(tx, out);
      await S.recompute(tx, undefined, depts);
    });
    await S.vacuum(db);
    return `${out.length} communes, logements ${millesime} (${header[iLog]}).`;
  },
});
