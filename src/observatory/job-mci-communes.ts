import { z } from 'zod';
import type { Row } from '../db/db.ts';
import { defineJob } from '../imports/job.ts';
import { COMMUNE_CODE, communeCodes, departementOfCommune } from '../territories/codes.ts';
import { csvTable, DeptListSchema, fail } from './job-common.ts';
import { MCI_FIELDS, type MciCounts, mciReading, parseCount, toCumulative } from './parse.ts';
import * as S from './store.ts';

const MciOptionsSchema = z
  .object({
    /** Which MCI file: all technologies (commune_debit.csv), terrestre, filaire or dsl. Read from the file name by default. */
    perimetre: z.enum(['toutes', 'terrestre', 'filaire', 'dsl']).optional(),
    departements: DeptListSchema.optional(),
  })
  .strict();

const MCI_REQUIRED = ['code_insee', 'nbr', 'inel_hd', 'elig_hd05', 'elig_hd3', 'elig_bhd8', 'elig_thd30', 'date'];

function perimetreFromName(name: string): 'toutes' | 'terrestre' | 'filaire' | 'dsl' {
  const m = /debit[_-](terrestre|filaire|dsl)/i.exec(name);
  return m ? (m[1]!.toLowerCase() as 'terrestre') : 'toutes';
}

/** Ma connexion internet commune statistics (commune_debit*.csv), one date per file or several. */
export const mciCommunesJob = defineJob({
  name: 'mci-communes',
  title: 'Ma connexion internet : éligibilité par commune et classe de débit (Arcep)',
  accepts:
    'Fichier commune_debit.csv de Ma connexion internet (ou ses variantes commune_debit_terrestre, _filaire, _dsl), séparateur « ; » ou « , », colonnes code_insee, nbr, inel_hd, elig_hd05, elig_hd3, elig_bhd8, elig_thd30, elig_thd100, elig_thd1g, date. Options : perimetre=toutes|terrestre|filaire|dsl (lu dans le nom du fichier par défaut), departements=21,25.',
  options: MciOptionsSchema,
  async run({ db, tally, config }, source, options) {
    const { header, records } = await csvTable(source, tally, config);
    const missing = MCI_REQUIRED.filter((c) => !header.includes(c));
    if (missing.length) {
      fail(
        `missing ${missing.join(',')}`,
        `Colonnes absentes de ${source.name} (ligne 1) : ${missing.join(', ')}. En-tête lu : ${header.join(' | ')}. Attendu : code_insee;nom_com;code_dep;code_reg;nbr;type;inel_hd;elig_hd05;elig_hd3;elig_bhd8;elig_thd30;elig_thd100;elig_thd1g;date.`,
      );
    }
    const perimetre = options.perimetre ?? perimetreFromName(source.name);
    const col = (n: string) => header.indexOf(n);
    const iCode = col('code_insee');
    const iDate = col('date');
    const iType = col('type');
    const iDep = col('code_dep');
    type Parsed = { line: number; code: string; dept: string; periode: string; counts: MciCounts; raw: string };
    const parsed: Parsed[] = [];
    for await (const { n: line, fields: r, raw } of records) {
      tally.read++;
      const code = (r[iCode] ?? '').trim().toUpperCase().padStart(5, '0');
      if (!COMMUNE_CODE.test(code)) {
        tally.reject(line, `code_insee invalide « ${r[iCode] ?? ''} »`, raw);
        continue;
      }
      const date = (r[iDate] ?? '').trim();
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date))) {
        tally.reject(line, `date invalide « ${date} » (AAAA-MM-JJ attendu)`, raw);
        continue;
      }
      if (iType >= 0 && r[iType] && r[iType]!.trim() !== 'all') {
        tally.reject(
          line,
          `type « ${r[iType]} » non pris en charge (seul « all », logements + locaux professionnels, est publié)`,
          raw,
        );
        continue;
      }
      const counts = {} as MciCounts;
      let bad: string | undefined;
      for (const f of MCI_FIELDS) {
        const j = col(f);
        if (j < 0) {
          counts[f] = null;
          continue;
        }
        const v = parseCount(r[j]);
        if (!v.ok) {
          bad = `valeur non numérique « ${r[j]} » pour ${f}`;
          break;
        }
        counts[f] = v.value;
      }
      if (!bad && counts.nbr === null) bad = 'nbr vide';
      if (bad) {
        tally.reject(line, bad, raw);
        continue;
      }
      const dept =
        iDep >= 0 && r[iDep]?.trim() ? r[iDep]!.trim().toUpperCase().padStart(2, '0') : departementOfCommune(code);
      if (options.departements && !options.departements.includes(dept)) {
        tally.read--;
        continue;
      }
      parsed.push({ line, code, dept, periode: date, counts, raw });
    }
    // Cumulative (as published) or exclusive classes (as the dictionary describes)? Whichever fits most rows.
    let cum = 0;
    let exc = 0;
    for (const p of parsed) {
      const k = mciReading(p.counts);
      if (k.cumulative) cum++;
      if (k.exclusive) exc++;
    }
    const cumulative = cum >= exc;
    const mapCode = (await communeCodes(db)).current;
    const out: Row[] = [];
    let unmapped = 0;
    for (const p of parsed) {
      const k = mciReading(p.counts);
      if (cumulative ? !k.cumulative : !k.exclusive) {
        tally.reject(
          p.line,
          cumulative
            ? 'valeurs incohérentes : les effectifs cumulés doivent décroître de elig_hd05 à elig_thd1g et inel_hd + elig_hd05 doit valoir nbr'
            : 'valeurs incohérentes : la somme des classes de débit doit valoir nbr',
          p.raw,
        );
        continue;
      }
      const c = cumulative ? p.counts : toCumulative(p.counts);
      const actuel = mapCode(p.code);
      if (!actuel) {
        unmapped++;
        tally.reject(
          p.line,
          `code commune ${p.code} inconnu du COG en vigueur et de la table des anciens codes ; non rattaché`,
          p.raw,
        );
      } else tally.accepted++;
      out.push({
        code_publie: p.code,
        periode: p.periode,
        perimetre,
        departement_publie: p.dept,
        code_actuel: actuel,
        ...c,
        source_id: 0,
      });
    }
    if (!out.length) fail(`no valid row in ${source.name}`, `Aucune ligne valide dans ${source.name}.`);
    const periodes = [...new Set(out.map((r) => String(r.periode)))].sort();
    const depts = [...new Set(out.map((r) => String(r.departement_publie)))];
    await db.transaction(async (tx) => {
      const sourceId = await S.insertSource(tx, {
        jeu: 'mci-communes',
        fichier: source.name,
        sha256: source.sha256,
        producteur: 'Arcep (Ma connexion internet)',
        licence: S.LICENCE_OUVERTE,
      });
      for (const r of out) r.source_id = sourceId;
      await S.deleteMciBrut(tx, periodes, perimetre, depts);
      await S.insertMciBrut(tx, out);
      await S.recompute(tx, ['mci-communes'], depts);
    });
    await S.vacuum(db);
    return `${out.length} communes (${depts.length} départements), date${periodes.length > 1 ? 's' : ''} ${periodes.join(', ')}, périmètre « ${perimetre} », effectifs ${cumulative ? 'cumulés' : 'par classe exclusive (convertis en cumulés)'}${unmapped ? ` ; ${unmapped} codes non rattachés` : ''}.`;
  },
});
