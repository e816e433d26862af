import { z } from 'zod';
import type { Config } from '../config.ts';
import type { Row } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { defineJob } from '../imports/job.ts';
import type { RunTally } from '../imports/rejects.ts';
import { readHeader, readRecords, type CsvRecord } from '../imports/csv.ts';
import { readLimits } from '../imports/read.ts';
import type { Source } from '../imports/source.ts';
import {
  MCI_FIELDS, mciReading, NIVEAU_SHEET_LABEL, parseCount, parseDeployment, parseInformations, quarterFromName,
  recognise, SheetError, toCumulative, type DeploymentSheet, type InfoSheet, type MciCounts, type Reject,
} from './parse.ts';
import { loadSheets } from './sheets.ts';
import * as S from './store.ts';
import { COMMUNE_CODE, communeCodes, DEPARTEMENT_CODE, departementOfCommune } from '../territories/codes.ts';

const DeptListSchema = z.union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : v.split(/[,\s]+/)).map((x) => x.trim().toUpperCase()).filter(Boolean))
  .pipe(z.array(z.string().regex(DEPARTEMENT_CODE, 'code de département attendu (ex. 21, 2A, 971)')).min(1));

function fail(detail: string, message: string): never {
  throw new AppError('IMPORT_ECHEC', detail, message);
}

function rejectAll(tally: RunTally, rejects: Reject[], sheet: string) {
  for (const r of rejects) tally.reject(r.line, `Feuille « ${sheet} » : ${r.reason}`, r.raw);
}

export const ArcepOptionsSchema = z.object({
  /** Quarter of the "informations" sheets when the file does not say it (e.g. 2018-T1). */
  trimestre: z.string().regex(/^\d{4}-T[1-4]$/, 'trimestre attendu sous la forme 2018-T1').optional(),
  /** Only these départements (commune sheets), e.g. "21,25,39". */
  departements: DeptListSchema.optional(),
}).strict();

/**
 * ARCEP quarterly observatory of fixed deployments: the XLSX workbook, one of its per-sheet CSV
 * exports, or a folder of them. Each sheet is recognised from its header. Quarters accumulate:
 * re-importing a quarter replaces it (for the départements present in the file).
 */
export const arcepDeploiementsJob = defineJob({
  name: 'arcep-deploiements',
  title: 'Observatoire trimestriel Arcep du haut et très haut débit fixe (déploiements)',
  accepts: "Classeur XLSX « Le marché du haut et très haut débit fixe (déploiements) » de l'Arcep, ou l'export CSV d'une de ses feuilles (déploiement FttH par commune, EPCI, département, région, arrondissement ; informations par commune, EPCI, département, région), ou un dossier de ces fichiers. La feuille est reconnue d'après son en-tête. Options : trimestre=2018-T1 (millésime des feuilles « informations » quand le fichier ne le dit pas), departements=21,25 (ne charger que ces départements).",
  options: ArcepOptionsSchema,
  async run({ db, tally, config }, source, options) {
    let loaded: Awaited<ReturnType<typeof loadSheets>>;
    try {
      loaded = await loadSheets(source.path, source.name, readLimits(config));
    } catch (e) {
      if (e instanceof SheetError) fail(e.message, e.message);
      throw e;
    }
    const deployments: DeploymentSheet[] = [];
    const infos: InfoSheet[] = [];
    const ignored: string[] = [];
    try {
      for (const sheet of loaded.sheets) {
        const rec = recognise(sheet);
        if (!rec) { ignored.push(sheet.name); continue; }
        if (rec.kind === 'deploiement') deployments.push(parseDeployment(sheet, rec));
        else infos.push(parseInformations(sheet, rec));
      }
    } catch (e) {
      if (e instanceof SheetError) fail(e.message, e.message);
      throw e;
    }
    if (!deployments.length && !infos.length) {
      fail(`no observatory sheet in ${source.name}`, `Aucune feuille de l'observatoire Arcep n'a été reconnue dans ${source.name} : l'en-tête attendu commence par « Code commune », « Siren EPCI », « Code département », « Code région » ou « Code arrondissement » (après les lignes de titre). Feuilles lues : ${loaded.sheets.map((s) => s.name).join(', ') || 'aucune'}.`);
    }
    if (loaded.workbook) {
      const missing: string[] = [];
      if (!deployments.some((d) => d.niveau === 'commune')) missing.push('« Déploiement par commune » (en-tête « Code commune, Champ, T1 2018… »)');
      if (!infos.some((d) => d.niveau === 'commune')) missing.push('« Informations à l’échelle de la commune » (en-tête « Code commune, Nom commune, …, Logements, Établissements »)');
      if (missing.length) {
        fail(`workbook ${source.name} misses ${missing.join(', ')}`, `Feuille manquante dans le classeur ${source.name} : ${missing.join(' ; ')}. Feuilles reconnues : ${[...deployments.map((d) => `${d.sheet} (déploiement, ${NIVEAU_SHEET_LABEL[d.niveau]})`), ...infos.map((d) => `${d.sheet} (informations, ${NIVEAU_SHEET_LABEL[d.niveau]})`)].join(', ') || 'aucune'}.`);
      }
    }
    for (const d of [...deployments, ...infos]) {
      const dupe = [...deployments, ...infos].filter((x) => x.niveau === d.niveau && ('periodes' in x) === ('periodes' in d));
      if (dupe.length > 1) fail(`two sheets of the same kind: ${dupe.map((x) => x.sheet).join(', ')}`, `Deux feuilles du même type (${NIVEAU_SHEET_LABEL[d.niveau]}) : ${dupe.map((x) => x.sheet).join(', ')}. Importez-les séparément.`);
    }

    const lastQuarter = deployments.flatMap((d) => d.periodes).sort().at(-1);
    const millesimeOf = (s: InfoSheet): string => {
      const m = options.trimestre ?? s.millesime ?? lastQuarter ?? quarterFromName(source.name) ?? quarterFromName(s.sheet);
      if (!m) fail(`no quarter for informations sheet ${s.sheet}`, `Le trimestre de la feuille « ${s.sheet} » (informations) n'est indiqué ni dans le fichier ni dans son nom : précisez l'option trimestre (par exemple trimestre=2018-T1).`);
      return m;
    };
    const keepDept = (d: string) => !options.departements || options.departements.includes(d);
    const mapCode = (await communeCodes(db)).current;

    let summary: string[] = [];
    const touched = new Set<string>();
    await db.transaction(async (tx) => {
      const sourceId = await S.insertSource(tx, { jeu: 'arcep-deploiements', fichier: source.name, sha256: source.sha256, producteur: 'Arcep', licence: S.LICENCE_OUVERTE });
      for (const d of deployments) {
        tally.read += d.read;
        rejectAll(tally, d.rejects, d.sheet);
        if (d.niveau === 'commune') {
          const rows: Row[] = [];
          const byCode = new Map<string, { line: number; rac?: (number | null)[]; cat?: (number | null)[] }>();
          for (const r of d.rows) {
            if (r.champ !== 'locaux_raccordables' && r.champ !== 'categorie') {
              tally.reject(r.line, `Feuille « ${d.sheet} » : champ de mutualisation inattendu au niveau commune`, r.code);
              continue;
            }
            const e = byCode.get(r.code) ?? { line: r.line };
            if (r.champ === 'locaux_raccordables') e.rac = r.values; else e.cat = r.values;
            byCode.set(r.code, e);
          }
          const depts = new Set<string>();
          let unmapped = 0;
          const rejectedCodes = new Set(d.rejects.map((r) => r.raw.split(/[,;]/)[0]!.trim().padStart(5, '0')));
          for (const [code, e] of byCode) {
            const dept = departementOfCommune(code);
            if (!keepDept(dept)) continue;
            depts.add(dept);
            const actuel = mapCode(code);
            if (!actuel) {
              unmapped++;
              tally.reject(e.line, `Feuille « ${d.sheet} » : code commune ${code} inconnu du COG en vigueur et de la table des anciens codes ; non rattaché (listé dans le contrôle des totaux)`, code);
            }
            if (!e.rac) {
              if (rejectedCodes.has(code)) continue;
              tally.reject(e.line, `Feuille « ${d.sheet} » : commune ${code} sans ligne « Locaux Raccordables »`, code);
              continue;
            }
            d.periodes.forEach((p, j) => {
              const rac = e.rac![j];
              if (rac === null || rac === undefined) return;
              rows.push({ code_publie: code, periode: p, departement_publie: dept, code_actuel: actuel, locaux_raccordables: rac, categorie: e.cat?.[j] ?? null, source_id: sourceId });
            });
            if (actuel) tally.accepted += e.cat ? 2 : 1;
          }
          for (const x of depts) touched.add(x);
          await S.deleteFtthBrut(tx, d.periodes, [...depts]);
          await S.insertFtthBrut(tx, rows);
          summary.push(`${d.sheet} : ${byCode.size} communes × ${d.periodes.length} trimestres (${d.periodes.join(', ')})${unmapped ? `, ${unmapped} codes non rattachés` : ''}`);
        } else {
          const rows: Row[] = [];
          const codes = new Set<string>();
          for (const r of d.rows) {
            if (d.niveau === 'departement' && !keepDept(r.code)) continue;
            codes.add(r.code);
            d.periodes.forEach((p, j) => {
              const v = r.values[j];
              if (v === null || v === undefined) return;
              rows.push({ niveau: d.niveau, code: r.code, periode: p, champ: r.champ, valeur: v, nom: null, parent: null, source_id: sourceId });
            });
            tally.accepted++;
          }
          const champs = [...new Set(rows.map((r) => String(r.champ)))];
          await S.deletePublie(tx, d.niveau, d.periodes, champs, [...codes]);
          await S.insertPublie(tx, rows);
          summary.push(`${d.sheet} : ${codes.size} ${NIVEAU_SHEET_LABEL[d.niveau]} × ${d.periodes.length} trimestres`);
        }
      }
      for (const s of infos) {
        tally.read += s.read;
        rejectAll(tally, s.rejects, s.sheet);
        const millesime = millesimeOf(s);
        if (s.niveau === 'commune') {
          const rows: Row[] = [];
          const depts = new Set<string>();
          for (const r of s.rows) {
            const dept = r.departement ?? departementOfCommune(r.code);
            if (!keepDept(dept)) continue;
            depts.add(dept);
            const actuel = mapCode(r.code);
            if (!actuel) tally.reject(r.line, `Feuille « ${s.sheet} » : code commune ${r.code} inconnu du COG en vigueur et de la table des anciens codes ; non rattaché`, r.code);
            else tally.accepted++;
            rows.push({
              code_publie: r.code, millesime, departement_publie: dept, epci_publie: r.epci, code_actuel: actuel, nom: r.nom, logements: r.logements,
              etablissements: r.etablissements, meilleure_estimation_locaux: r.meilleure_estimation_locaux, zone_tres_dense: r.zone_tres_dense,
              engagement_l3313: r.engagement_l3313, intention_privee: r.intention_privee, commune_rurale: r.commune_rurale, commune_montagne: r.commune_montagne,
              operateurs: r.operateurs, source_id: sourceId,
            });
          }
          for (const x of depts) touched.add(x);
          await S.deleteInfoBrut(tx, millesime, [...depts]);
          await S.insertInfoBrut(tx, rows);
          summary.push(`${s.sheet} : informations de ${rows.length} communes (${millesime})`);
        } else {
          const rows: Row[] = [];
          const codes = new Set<string>();
          for (const r of s.rows) {
            if (s.niveau === 'departement' && !keepDept(r.code)) continue;
            codes.add(r.code);
            const parent = s.niveau === 'arrondissement' ? r.commune : s.niveau === 'departement' ? r.region : null;
            for (const champ of ['logements', 'etablissements'] as const) {
              rows.push({ niveau: s.niveau, code: r.code, periode: millesime, champ, valeur: r[champ], nom: r.nom, parent, source_id: sourceId });
            }
            tally.accepted++;
          }
          await S.deletePublie(tx, s.niveau, [millesime], ['logements', 'etablissements'], [...codes]);
          await S.insertPublie(tx, rows);
          summary.push(`${s.sheet} : informations de ${codes.size} ${NIVEAU_SHEET_LABEL[s.niveau]} (${millesime})`);
        }
      }
      // ARCEP's own aggregate sheets do not feed the indicators: no recompute needed for them alone.
      if (deployments.some((d) => d.niveau === 'commune' || d.niveau === 'arrondissement') || infos.some((d) => d.niveau === 'commune' || d.niveau === 'arrondissement')) {
        const arrondissements = deployments.some((d) => d.niveau === 'arrondissement') || infos.some((d) => d.niveau === 'arrondissement');
        await S.recompute(tx, ['arcep-deploiements'], arrondissements ? null : [...touched]);
      }
      await S.refreshControle(tx);
    });
    await S.vacuum(db);
    if (ignored.length) summary.push(`feuilles ignorées (non reconnues) : ${ignored.join(', ')}`);
    summary = summary.length ? summary : ['rien à importer'];
    return `${summary.join(' ; ')}.`;
  },
});

export const MciOptionsSchema = z.object({
  /** Which MCI file: all technologies (commune_debit.csv), terrestre, filaire or dsl. Read from the file name by default. */
  perimetre: z.enum(['toutes', 'terrestre', 'filaire', 'dsl']).optional(),
  departements: DeptListSchema.optional(),
}).strict();

const MCI_REQUIRED = ['code_insee', 'nbr', 'inel_hd', 'elig_hd05', 'elig_hd3', 'elig_bhd8', 'elig_thd30', 'date'];

/**
 * Header (first non-blank line) and records of a CSV source, streamed; a malformed record is a
 * reject with its line. The header record itself is not yielded.
 */
async function csvTable(source: Source, tally: RunTally, config: Config): Promise<{ header: string[]; records: AsyncGenerator<CsvRecord> }> {
  const limits = readLimits(config);
  const { header, delimiter } = await readHeader(source.path, limits);
  const onBad = (n: number, reason: string, raw: string) => {
    tally.read++;
    tally.reject(n, `ligne illisible : ${reason}`, raw);
  };
  async function* records(): AsyncGenerator<CsvRecord> {
    let first = true;
    for await (const rec of readRecords(source.path, { limits, delimiter, onBad })) {
      if (first) first = false;
      else yield rec;
    }
  }
  return { header, records: records() };
}

export function perimetreFromName(name: string): 'toutes' | 'terrestre' | 'filaire' | 'dsl' {
  const m = /debit[_-](terrestre|filaire|dsl)/i.exec(name);
  return m ? (m[1]!.toLowerCase() as 'terrestre') : 'toutes';
}

/** Ma connexion internet commune statistics (commune_debit*.csv), one date per file or several. */
export const mciCommunesJob = defineJob({
  name: 'mci-communes',
  title: 'Ma connexion internet : éligibilité par commune et classe de débit (Arcep)',
  accepts: "Fichier commune_debit.csv de Ma connexion internet (ou ses variantes commune_debit_terrestre, _filaire, _dsl), séparateur « ; » ou « , », colonnes code_insee, nbr, inel_hd, elig_hd05, elig_hd3, elig_bhd8, elig_thd30, elig_thd100, elig_thd1g, date. Options : perimetre=toutes|terrestre|filaire|dsl (lu dans le nom du fichier par défaut), departements=21,25.",
  options: MciOptionsSchema,
  async run({ db, tally, config }, source, options) {
    const { header, records } = await csvTable(source, tally, config);
    const missing = MCI_REQUIRED.filter((c) => !header.includes(c));
    if (missing.length) {
      fail(`missing ${missing.join(',')}`, `Colonnes absentes de ${source.name} (ligne 1) : ${missing.join(', ')}. En-tête lu : ${header.join(' | ')}. Attendu : code_insee;nom_com;code_dep;code_reg;nbr;type;inel_hd;elig_hd05;elig_hd3;elig_bhd8;elig_thd30;elig_thd100;elig_thd1g;date.`);
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
      if (!COMMUNE_CODE.test(code)) { tally.reject(line, `code_insee invalide « ${r[iCode] ?? ''} »`, raw); continue; }
      const date = (r[iDate] ?? '').trim();
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date))) { tally.reject(line, `date invalide « ${date} » (AAAA-MM-JJ attendu)`, raw); continue; }
      if (iType >= 0 && r[iType] && r[iType]!.trim() !== 'all') { tally.reject(line, `type « ${r[iType]} » non pris en charge (seul « all », logements + locaux professionnels, est publié)`, raw); continue; }
      const counts = {} as MciCounts;
      let bad: string | undefined;
      for (const f of MCI_FIELDS) {
        const j = col(f);
        if (j < 0) { counts[f] = null; continue; }
        const v = parseCount(r[j]);
        if (!v.ok) { bad = `valeur non numérique « ${r[j]} » pour ${f}`; break; }
        counts[f] = v.value;
      }
      if (!bad && counts.nbr === null) bad = 'nbr vide';
      if (bad) { tally.reject(line, bad, raw); continue; }
      const dept = iDep >= 0 && r[iDep]?.trim() ? r[iDep]!.trim().toUpperCase().padStart(2, '0') : departementOfCommune(code);
      if (options.departements && !options.departements.includes(dept)) { tally.read--; continue; }
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
        tally.reject(p.line, cumulative
          ? 'valeurs incohérentes : les effectifs cumulés doivent décroître de elig_hd05 à elig_thd1g et inel_hd + elig_hd05 doit valoir nbr'
          : 'valeurs incohérentes : la somme des classes de débit doit valoir nbr', p.raw);
        continue;
      }
      const c = cumulative ? p.counts : toCumulative(p.counts);
      const actuel = mapCode(p.code);
      if (!actuel) {
        unmapped++;
        tally.reject(p.line, `code commune ${p.code} inconnu du COG en vigueur et de la table des anciens codes ; non rattaché`, p.raw);
      } else tally.accepted++;
      out.push({ code_publie: p.code, periode: p.periode, perimetre, departement_publie: p.dept, code_actuel: actuel, ...c, source_id: 0 });
    }
    if (!out.length) fail(`no valid row in ${source.name}`, `Aucune ligne valide dans ${source.name}.`);
    const periodes = [...new Set(out.map((r) => String(r.periode)))].sort();
    const depts = [...new Set(out.map((r) => String(r.departement_publie)))];
    await db.transaction(async (tx) => {
      const sourceId = await S.insertSource(tx, { jeu: 'mci-communes', fichier: source.name, sha256: source.sha256, producteur: 'Arcep (Ma connexion internet)', licence: S.LICENCE_OUVERTE });
      for (const r of out) r.source_id = sourceId;
      await S.deleteMciBrut(tx, periodes, perimetre, depts);
      await S.insertMciBrut(tx, out);
      await S.recompute(tx, ['mci-communes'], depts);
    });
    await S.vacuum(db);
    return `${out.length} communes (${depts.length} départements), date${periodes.length > 1 ? 's' : ''} ${periodes.join(', ')}, périmètre « ${perimetre} », effectifs ${cumulative ? 'cumulés' : 'par classe exclusive (convertis en cumulés)'}${unmapped ? ` ; ${unmapped} codes non rattachés` : ''}.`;
  },
});

export const LogementsOptionsSchema = z.object({ departements: DeptListSchema.optional() }).strict();

/** INSEE "Logement, base communale" (base-cc-logement): dwellings per commune, an alternative denominator. */
export const logementsInseeJob = defineJob({
  name: 'logements-insee',
  title: 'Logements par commune (Insee, recensement, base communale)',
  accepts: "Fichier CSV de la base communale « Logement » de l'Insee (base-cc-logement-AAAA), séparateur « ; », colonnes CODGEO et P21_LOG (P21_RP facultative ; l'année est lue dans le nom de colonne). Option : departements=21,25.",
  options: LogementsOptionsSchema,
  async run({ db, tally, config }, source, options) {
    const table = await csvTable(source, tally, config);
    const header = table.header.map((h) => h.toUpperCase());
    const iCode = header.indexOf('CODGEO');
    const iLog = header.findIndex((h) => /^P\d{2}_LOG$/.test(h));
    if (iCode < 0 || iLog < 0) {
      fail(`missing CODGEO/Pyy_LOG`, `Colonnes absentes de ${source.name} (ligne 1) : ${iCode < 0 ? 'CODGEO ' : ''}${iLog < 0 ? 'P21_LOG (ou Pyy_LOG)' : ''}. En-tête lu : ${header.join(' | ')}.`);
    }
    const yy = header[iLog]!.slice(1, 3);
    const millesime = `20${yy}`;
    const iRp = header.indexOf(`P${yy}_RP`);
    const mapCode = (await communeCodes(db)).current;
    const out: Row[] = [];
    for await (const { n: line, fields: r, raw } of table.records) {
      tally.read++;
      const code = (r[iCode] ?? '').trim().toUpperCase().padStart(5, '0');
      if (!COMMUNE_CODE.test(code)) { tally.reject(line, `CODGEO invalide « ${r[iCode] ?? ''} »`, raw); continue; }
      const dept = departementOfCommune(code);
      if (options.departements && !options.departements.includes(dept)) { tally.read--; continue; }
      const log = Number((r[iLog] ?? '').replace(',', '.'));
      if (!(r[iLog] ?? '').trim() || !Number.isFinite(log)) { tally.reject(line, `valeur non numérique « ${r[iLog] ?? ''} » pour ${header[iLog]}`, raw); continue; }
      const rp = iRp >= 0 && (r[iRp] ?? '').trim() ? Number((r[iRp] ?? '').replace(',', '.')) : null;
      const actuel = mapCode(code);
      if (!actuel) tally.reject(line, `code commune ${code} inconnu du COG en vigueur et de la table des anciens codes ; non rattaché`, raw);
      else tally.accepted++;
      out.push({ code_publie: code, millesime, departement_publie: dept, code_actuel: actuel, logements: log, residences_principales: Number.isFinite(rp) ? rp : null, source_id: 0 });
    }
    if (!out.length) fail(`no valid row`, `Aucune ligne valide dans ${source.name}.`);
    const depts = [...new Set(out.map((r) => String(r.departement_publie)))];
    await db.transaction(async (tx) => {
      const sourceId = await S.insertSource(tx, { jeu: 'logements-insee', fichier: source.name, sha256: source.sha256, producteur: 'Insee (recensement de la population)', licence: S.LICENCE_OUVERTE });
      for (const r of out) r.source_id = sourceId;
      await S.deleteLogements(tx, millesime, depts);
      await S.insertLogements(tx, out);
      await S.recompute(tx, undefined, depts);
    });
    await S.vacuum(db);
    return `${out.length} communes, logements ${millesime} (${header[iLog]}).`;
  },
});
