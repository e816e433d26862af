import { z } from 'zod';
import type { Queryable, Row } from '../db/db.ts';
import { defineJob } from '../imports/job.ts';
import { readLimits } from '../imports/read.ts';
import type { RunTally } from '../imports/rejects.ts';
import { communeCodes, departementOfCommune } from '../territories/codes.ts';
import { DeptListSchema, fail, rejectAll } from './job-common.ts';
import {
  type DeploymentSheet,
  type InfoSheet,
  NIVEAU_SHEET_LABEL,
  norm,
  parseDeployment,
  parseInformations,
  quarterFromName,
  recognise,
  SheetError,
} from './parse.ts';
import { type LongSeries, parseLong, recogniseLong } from './parse-serie.ts';
import { loadSheets } from './sheets.ts';
import * as S from './store.ts';

const ArcepOptionsSchema = z
  .object({
    /** Quarter of the "informations" sheets when the file does not say it (e.g. 2018-T1). */
    trimestre: z
      .string()
      .regex(/^\d{4}-T[1-4]$/, 'trimestre attendu sous la forme 2018-T1')
      .optional(),
    /** Only these départements (commune sheets), e.g. "21,25,39". */
    departements: DeptListSchema.optional(),
  })
  .strict();

/**
 * ARCEP quarterly observatory of fixed deployments: the XLSX workbook, one of its per-sheet CSV
 * exports, or a folder of them. Each sheet is recognised from its header. Quarters accumulate:
 * re-importing a quarter replaces it (for the départements present in the file).
 */
export const arcepDeploiementsJob = defineJob({
  name: 'arcep-deploiements',
  title: 'Observatoire trimestriel Arcep du haut et très haut débit fixe (déploiements)',
  accepts:
    "Classeur XLSX « Le marché du haut et très haut débit fixe (déploiements) » de l'Arcep, ou l'export CSV d'une de ses feuilles (déploiement FttH par commune, EPCI, département, région, arrondissement ; informations par commune, EPCI, département, région), ou un dossier de ces fichiers. La feuille est reconnue d'après son en-tête. Options : trimestre=2018-T1 (millésime des feuilles « informations » quand le fichier ne le dit pas), departements=21,25 (ne charger que ces départements).",
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
    const series: LongSeries[] = [];
    try {
      for (const sheet of loaded.sheets) {
        const long = recogniseLong(sheet);
        if (long) {
          series.push(parseLong(sheet, long));
          continue;
        }
        const rec = recognise(sheet);
        if (!rec) {
          ignored.push(sheet.name);
          continue;
        }
        if (rec.kind === 'deploiement') deployments.push(parseDeployment(sheet, rec));
        else infos.push(parseInformations(sheet, rec));
      }
    } catch (e) {
      if (e instanceof SheetError) fail(e.message, e.message);
      throw e;
    }
    if (!deployments.length && !infos.length && !series.length) {
      fail(
        `no observatory sheet in ${source.name}`,
        `Aucune feuille de l'observatoire Arcep n'a été reconnue dans ${source.name} : l'en-tête attendu commence par « Code commune », « Siren EPCI », « Code département », « Code région » ou « Code arrondissement » (après les lignes de titre), ou pour une série longue « code_departement » ou « code_region », …, « annee », « trimestre », « nombre_de_logements_raccordables ». Feuilles lues : ${loaded.sheets.map((s) => s.name).join(', ') || 'aucune'}.`,
      );
    }
    if (loaded.workbook) {
      const missing: string[] = [];
      if (!deployments.some((d) => d.niveau === 'commune'))
        missing.push('« Déploiement par commune » (en-tête « Code commune, Champ, T1 2018… »)');
      if (!infos.some((d) => d.niveau === 'commune'))
        missing.push(
          '« Informations à l’échelle de la commune » (en-tête « Code commune, Nom commune, …, Logements, Établissements »)',
        );
      if (missing.length) {
        fail(
          `workbook ${source.name} misses ${missing.join(', ')}`,
          `Feuille manquante dans le classeur ${source.name} : ${missing.join(' ; ')}. Feuilles reconnues : ${[...deployments.map((d) => `${d.sheet} (déploiement, ${NIVEAU_SHEET_LABEL[d.niveau]})`), ...infos.map((d) => `${d.sheet} (informations, ${NIVEAU_SHEET_LABEL[d.niveau]})`)].join(', ') || 'aucune'}.`,
        );
      }
    }
    for (const d of [...deployments, ...infos]) {
      const dupe = [...deployments, ...infos].filter(
        (x) => x.niveau === d.niveau && 'periodes' in x === 'periodes' in d,
      );
      if (dupe.length > 1)
        fail(
          `two sheets of the same kind: ${dupe.map((x) => x.sheet).join(', ')}`,
          `Deux feuilles du même type (${NIVEAU_SHEET_LABEL[d.niveau]}) : ${dupe.map((x) => x.sheet).join(', ')}. Importez-les séparément.`,
        );
    }

    const lastQuarter = deployments
      .flatMap((d) => d.periodes)
      .sort()
      .at(-1);
    const millesimeOf = (s: InfoSheet): string => {
      const m =
        options.trimestre ?? s.millesime ?? lastQuarter ?? quarterFromName(source.name) ?? quarterFromName(s.sheet);
      if (!m)
        fail(
          `no quarter for informations sheet ${s.sheet}`,
          `Le trimestre de la feuille « ${s.sheet} » (informations) n'est indiqué ni dans le fichier ni dans son nom : précisez l'option trimestre (par exemple trimestre=2018-T1).`,
        );
      return m;
    };
    const keepDept = (d: string) => !options.departements || options.departements.includes(d);
    const mapCode = (await communeCodes(db)).current;

    let summary: string[] = [];
    const touched = new Set<string>();
    await db.transaction(async (tx) => {
      const sourceId = await S.insertSource(tx, {
        jeu: 'arcep-deploiements',
        fichier: source.name,
        sha256: source.sha256,
        producteur: 'Arcep',
        licence: S.LICENCE_OUVERTE,
      });
      for (const d of deployments) {
        tally.read += d.read;
        rejectAll(tally, d.rejects, d.sheet);
        if (d.niveau === 'commune') {
          const rows: Row[] = [];
          const byCode = new Map<string, { line: number; rac?: (number | null)[]; cat?: (number | null)[] }>();
          for (const r of d.rows) {
            if (r.champ !== 'locaux_raccordables' && r.champ !== 'categorie') {
              tally.reject(
                r.line,
                `Feuille « ${d.sheet} » : champ de mutualisation inattendu au niveau commune`,
                r.code,
              );
              continue;
            }
            const e = byCode.get(r.code) ?? { line: r.line };
            if (r.champ === 'locaux_raccordables') e.rac = r.values;
            else e.cat = r.values;
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
              tally.reject(
                e.line,
                `Feuille « ${d.sheet} » : code commune ${code} inconnu du COG en vigueur et de la table des anciens codes ; non rattaché (listé dans le contrôle des totaux)`,
                code,
              );
            }
            if (!e.rac) {
              if (rejectedCodes.has(code)) continue;
              tally.reject(e.line, `Feuille « ${d.sheet} » : commune ${code} sans ligne « Locaux Raccordables »`, code);
              continue;
            }
            d.periodes.forEach((p, j) => {
              const rac = e.rac![j];
              if (rac === null || rac === undefined) return;
              rows.push({
                code_publie: code,
                periode: p,
                departement_publie: dept,
                code_actuel: actuel,
                locaux_raccordables: rac,
                categorie: e.cat?.[j] ?? null,
                source_id: sourceId,
              });
            });
            if (actuel) tally.accepted += e.cat ? 2 : 1;
          }
          for (const x of depts) touched.add(x);
          await S.deleteFtthBrut(tx, d.periodes, [...depts]);
          await S.insertFtthBrut(tx, rows);
          summary.push(
            `${d.sheet} : ${byCode.size} communes × ${d.periodes.length} trimestres (${d.periodes.join(', ')})${unmapped ? `, ${unmapped} codes non rattachés` : ''}`,
          );
        } else {
          const rows: Row[] = [];
          const codes = new Set<string>();
          for (const r of d.rows) {
            if (d.niveau === 'departement' && !keepDept(r.code)) continue;
            codes.add(r.code);
            d.periodes.forEach((p, j) => {
              const v = r.values[j];
              if (v === null || v === undefined) return;
              rows.push({
                niveau: d.niveau,
                code: r.code,
                periode: p,
                champ: r.champ,
                valeur: v,
                nom: null,
                parent: null,
                source_id: sourceId,
              });
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
            if (!actuel)
              tally.reject(
                r.line,
                `Feuille « ${s.sheet} » : code commune ${r.code} inconnu du COG en vigueur et de la table des anciens codes ; non rattaché`,
                r.code,
              );
            else tally.accepted++;
            rows.push({
              code_publie: r.code,
              millesime,
              departement_publie: dept,
              epci_publie: r.epci,
              code_actuel: actuel,
              nom: r.nom,
              logements: r.logements,
              etablissements: r.etablissements,
              meilleure_estimation_locaux: r.meilleure_estimation_locaux,
              zone_tres_dense: r.zone_tres_dense,
              engagement_l3313: r.engagement_l3313,
              intention_privee: r.intention_privee,
              commune_rurale: r.commune_rurale,
              commune_montagne: r.commune_montagne,
              operateurs: r.operateurs,
              source_id: sourceId,
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
              rows.push({
                niveau: s.niveau,
                code: r.code,
                periode: millesime,
                champ,
                valeur: r[champ],
                nom: r.nom,
                parent,
                source_id: sourceId,
              });
            }
            tally.accepted++;
          }
          await S.deletePublie(tx, s.niveau, [millesime], ['logements', 'etablissements'], [...codes]);
          await S.insertPublie(tx, rows);
          summary.push(`${s.sheet} : informations de ${codes.size} ${NIVEAU_SHEET_LABEL[s.niveau]} (${millesime})`);
        }
      }
      if (series.length) summary.push(...(await storeLongSeries(tx, series, sourceId, tally, keepDept)));
      // ARCEP's own aggregate sheets do not feed the indicators: no recompute needed for them alone.
      if (
        deployments.some((d) => d.niveau === 'commune' || d.niveau === 'arrondissement') ||
        infos.some((d) => d.niveau === 'commune' || d.niveau === 'arrondissement')
      ) {
        const arrondissements =
          deployments.some((d) => d.niveau === 'arrondissement') || infos.some((d) => d.niveau === 'arrondissement');
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

/**
 * ARCEP's own département and région FttH totals from a long-format series (see parse-serie.ts),
 * stored beside the workbook's aggregate sheets: the pages use them as the territory's totals.
 */
async function storeLongSeries(
  tx: Queryable,
  list: LongSeries[],
  sourceId: number,
  tally: RunTally,
  keepDept: (d: string) => boolean,
): Promise<string[]> {
  const regions = await S.regionsByName(tx);
  const summary: string[] = [];
  for (const s of list) {
    tally.read += s.read;
    rejectAll(tally, s.rejects, s.sheet);
    const rows: Row[] = [];
    const codes = new Set<string>();
    const periodes = new Set<string>();
    for (const r of s.rows) {
      const code = r.code || (s.niveau === 'region' ? regions.get(norm(r.nom)) : undefined);
      if (!code) {
        tally.reject(
          r.line,
          `Feuille « ${s.sheet} » : région « ${r.nom} » inconnue du découpage en vigueur (code absent du fichier)`,
          r.nom,
        );
        continue;
      }
      if (s.niveau === 'departement' && !keepDept(code)) {
        tally.read--;
        continue;
      }
      codes.add(code);
      periodes.add(r.periode);
      rows.push({
        niveau: s.niveau,
        code,
        periode: r.periode,
        champ: 'locaux_raccordables',
        valeur: r.raccordables,
        nom: r.nom || null,
        parent: null,
        source_id: sourceId,
      });
      if (r.estimation !== null)
        rows.push({
          niveau: s.niveau,
          code,
          periode: r.periode,
          champ: 'meilleure_estimation_locaux',
          valeur: r.estimation,
          nom: r.nom || null,
          parent: null,
          source_id: sourceId,
        });
      tally.accepted++;
    }
    const p = [...periodes].sort();
    await S.deletePublie(tx, s.niveau, p, ['locaux_raccordables', 'meilleure_estimation_locaux'], [...codes]);
    await S.insertPublie(tx, rows);
    summary.push(
      `${s.sheet} : série longue de ${codes.size} ${NIVEAU_SHEET_LABEL[s.niveau]} × ${p.length} trimestres (${p[0] ?? '—'} → ${p.at(-1) ?? '—'})${s.estimationQuarter ? `, meilleure estimation des locaux de ${s.estimationQuarter}` : ''}`,
    );
  }
  return summary;
}
