import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { readHeader, readRecords } from '../imports/csv.ts';
import { defineJob } from '../imports/job.ts';
import { readLimits } from '../imports/read.ts';
import { communeCodes } from '../territories/codes.ts';
import { allCurrentCommunes } from '../territories/service.ts';
import { safeText } from '../text/safe.ts';
import * as Q from './queries.ts';

export const IFN_COMPONENTS = [
  'no_thd_coverage_rate',
  'no_4g_coverage_rate',
  'poverty_rate',
  'older_65_rate',
  'nscol15p_rate',
] as const;

/** A score of the file: a number from 0 to 10. */
function score(v: string | undefined): number | null {
  if (v === undefined || v.trim() === '') return null;
  const n = Number(v.trim().replace(',', '.'));
  return Number.isFinite(n) && n >= 0 && n <= 10 ? n : null;
}

export const ifnJob = defineJob({
  name: 'ifn',
  title: 'Indice de fragilité numérique (communes ou EPCI)',
  accepts:
    'Fichier CSV de l’indice de fragilité numérique (colonnes name, division, code, no_thd_coverage_rate, no_4g_coverage_rate, poverty_rate, older_65_rate, nscol15p_rate, total ; division « city » ou « epci »), un niveau par fichier. Chaque composante est une note de 0 à 10 (plus haut : plus fragile). Les codes communaux anciens sont ramenés à la commune d’aujourd’hui ; une commune d’aujourd’hui déjà notée par une autre ligne du fichier, un code inconnu ou des notes manquantes rejettent la ligne. Un nouvel import d’un niveau remplace ce niveau.',
  options: z.object({}).strict(),
  async run({ db, tally, config, runId }, source) {
    const limits = readLimits(config);
    const fichier = path.basename(source.name);
    const { header, delimiter } = await readHeader(source.path, limits);
    const missing = ['name', 'division', 'code', ...IFN_COMPONENTS, 'total'].filter((h) => !header.includes(h));
    if (missing.length)
      throw new AppError(
        'IMPORT_ECHEC',
        `ifn header ${header.join(',')}`,
        `En-tête non reconnu dans ${fichier} (ligne 1) : colonnes absentes ${missing.join(', ')}. Attendu : name, division, code, ${IFN_COMPONENTS.join(', ')}, total.`,
      );
    const current = (await communeCodes(db)).current;
    const epcis = new Set((await allCurrentCommunes(db)).map((c) => c.epci).filter((e): e is string => !!e));
    const rows = new Map<string, Q.IfnRow>();
    let niveau: 'commune' | 'epci' | null = null;
    const onBad = (n: number, reason: string, raw: string) => {
      tally.read++;
      tally.reject(n, `ligne illisible : ${reason}`, raw);
    };
    let first = true;
    for await (const r of readRecords(source.path, { limits, delimiter, onBad, expectedFields: header.length })) {
      if (first) {
        first = false;
        continue;
      }
      tally.read++;
      const c = (name: string) => {
        const v = r.fields[header.indexOf(name)]?.trim();
        return v ? safeText(v) : undefined;
      };
      const division = c('division');
      const lvl = division === 'city' ? 'commune' : division === 'epci' ? 'epci' : null;
      if (!lvl) {
        tally.reject(r.n, `division « ${division ?? ''} » inconnue (city ou epci attendu)`, r.raw);
        continue;
      }
      niveau ??= lvl;
      if (lvl !== niveau) {
        tally.reject(r.n, `ligne de niveau ${lvl} dans un fichier de niveau ${niveau} (un niveau par fichier)`, r.raw);
        continue;
      }
      const published = c('code') ?? '';
      const scores = IFN_COMPONENTS.map((k) => score(c(k)));
      const total = score(c('total'));
      if (scores.some((s) => s === null) || total === null) {
        tally.reject(r.n, `notes absentes ou hors de 0 à 10 pour ${published || 'une ligne sans code'}`, r.raw);
        continue;
      }
      const code =
        lvl === 'commune'
          ? current(/^\d{4}$/.test(published) ? `0${published}` : published)
          : epcis.has(published)
            ? published
            : null;
      if (!code) {
        tally.reject(
          r.n,
          `code ${lvl === 'commune' ? 'commune' : 'EPCI (SIREN)'} « ${published} » inconnu dans le découpage en vigueur`,
          r.raw,
        );
        continue;
      }
      const prev = rows.get(code);
      if (prev && (prev.code_publie === code || published !== code)) {
        tally.reject(
          r.n,
          `${published} : la commune d’aujourd’hui ${code} est déjà notée par la ligne de ${prev.code_publie}`,
          r.raw,
        );
        continue;
      }
      if (prev)
        tally.reject(null, `${prev.code_publie} : remplacé par la ligne de ${code} (même commune d’aujourd’hui)`);
      const [a, b, d, e, f] = scores as number[];
      rows.set(code, {
        niveau: lvl,
        code,
        nom: c('name') ?? code,
        code_publie: published,
        no_thd_coverage_rate: a!,
        no_4g_coverage_rate: b!,
        poverty_rate: d!,
        older_65_rate: e!,
        nscol15p_rate: f!,
        total,
        fichier,
        run_id: runId,
      });
    }
    if (!niveau || !rows.size)
      throw new AppError(
        'IMPORT_ECHEC',
        `no valid ifn row in ${fichier}`,
        `Aucune ligne valide dans ${fichier} (${tally.rejected} ligne(s) rejetée(s)) : les notes déjà importées sont conservées.`,
      );
    tally.accepted = rows.size;
    const lvl = niveau;
    await db.transaction((tx) => Q.replaceIfn(tx, lvl, [...rows.values()]));
    return `${rows.size} ${lvl === 'commune' ? 'communes' : 'EPCI'} notées depuis ${fichier}${tally.rejected ? ` ; ${tally.rejected} ligne(s) rejetée(s)` : ''}.`;
  },
});
