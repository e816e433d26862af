import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { text } from '../http/schemas.ts';
import { readCsv, readHeader } from '../imports/csv.ts';
import { defineJob } from '../imports/job.ts';
import { readLimits } from '../imports/read.ts';
import { unaccentLower } from '../text/normalize.ts';
import * as Q from './queries.ts';
import { ensureQuestionnaire, placeOf, scoresFor, storeRespondent } from './service.ts';

/**
 * Job `maturite-campagne`: a survey campaign (e.g. a CCI survey) in CSV, one row per respondent, into
 * the same model as the online form. Columns (header names, any order, `;` `,` or tab):
 * `type`, `section_naf`, `taille`, `commune` (code INSEE), then one column per question code of the
 * questionnaire holding the answer's code or its label. A re-import of the same campaign replaces its
 * respondents; rows with a problem are rejects with their reason, the others are kept.
 */
const CampaignOptions = z.object({
  campagne: z
    .string({ error: 'option campagne requise (ex. --option campagne=cci-2025)' })
    .trim()
    .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'campagne : code en minuscules, chiffres et tirets (ex. cci-2025)')
    .max(60),
  libelle: text(200).optional(),
  source: text(200).optional(),
});

const PROFILE_COLUMNS = ['type', 'section_naf', 'taille', 'commune'] as const;
const fold = (s: string) => unaccentLower(s).replace(/[’']/g, "'").replace(/\s+/g, ' ').trim();

/** The key of `labels` whose key or label matches the cell, folded (accents, case, spaces). */
function pick(labels: Record<string, string>, cell: string): string | undefined {
  const f = fold(cell);
  return Object.entries(labels).find(([k, l]) => fold(k) === f || fold(l) === f)?.[0];
}

export const maturiteCampagneJob = defineJob({
  name: 'maturite-campagne',
  title: 'Maturité numérique : campagne d’enquête (CSV)',
  accepts:
    'CSV d’une enquête de maturité numérique (par ex. une enquête CCI), une ligne par répondant : colonnes type (entreprise, association, collectivite), section_naf (A à U), taille (0, 1-9, 10-49, 50-249, 250+), commune (code INSEE), puis une colonne par code de question du questionnaire (connexion, postes, site-web…) avec le code ou le libellé de la réponse. Options : campagne=<code> (requis), libelle=…, source=… (producteur). Un nouvel import de la même campagne remplace ses répondants.',
  options: CampaignOptions,
  async run({ db, tally, config }, source, options) {
    const limits = readLimits(config);
    const fichier = path.basename(source.name);
    if ((await Q.campagneOrigine(db, options.campagne)) === 'formulaire')
      throw new AppError(
        'IMPORT_ECHEC',
        `campaign ${options.campagne} is the form's`,
        `La campagne « ${options.campagne} » est celle du formulaire en ligne : choisissez un autre code de campagne.`,
      );
    const qid = await ensureQuestionnaire(db);
    const qn = (await Q.questionnaireById(db, qid))!;
    const questions = await Q.questionsOf(db, qid);
    const { header } = await readHeader(source.path, limits);
    const missing = [...PROFILE_COLUMNS, ...questions.map((q) => q.code)].filter((c) => !header.includes(c));
    if (missing.length)
      throw new AppError(
        'IMPORT_ECHEC',
        `missing columns ${missing.join(',')}`,
        `Colonnes absentes de ${fichier} (ligne 1) : ${missing.join(', ')}. Attendu : type, section_naf, taille, commune puis une colonne par question (${questions.map((q) => q.code).join(', ')}).`,
      );
    const places = new Map<string, Awaited<ReturnType<typeof placeOf>> | null>();
    const ready: { s: Parameters<typeof storeRespondent>[2]; place: Awaited<ReturnType<typeof placeOf>> }[] = [];
    for await (const { n, row, raw } of readCsv(source.path, tally, { limits })) {
      tally.read++;
      const problems: string[] = [];
      const type = pick(qn.profil.types, row.type ?? '');
      if (!type) problems.push(`type « ${row.type ?? ''} » inconnu (${Object.keys(qn.profil.types).join(', ')})`);
      const naf = (row.section_naf ?? '').toUpperCase();
      if (!(naf in qn.profil.sections_naf)) problems.push(`section NAF « ${row.section_naf ?? ''} » inconnue (A à U)`);
      const taille = pick(qn.profil.tailles, row.taille ?? '');
      if (!taille)
        problems.push(`taille « ${row.taille ?? ''} » inconnue (${Object.keys(qn.profil.tailles).join(', ')})`);
      const code = (row.commune ?? '').toUpperCase();
      let place = places.get(code);
      if (place === undefined && /^\d[\dAB]\d{3}$/.test(code)) {
        place = await placeOf(db, code).catch(() => null);
        places.set(code, place);
      }
      if (!place) problems.push(`commune « ${row.commune ?? ''} » inconnue (code INSEE attendu)`);
      const answers: Record<string, string> = {};
      for (const q of questions) {
        const cell = row[q.code] ?? '';
        const c = pick(Object.fromEntries(q.choix.map((x) => [x.code, x.libelle])), cell);
        if (!cell) problems.push(`réponse manquante à la question ${q.code}`);
        else if (!c)
          problems.push(
            `question ${q.code} : réponse « ${cell} » hors des choix (${q.choix.map((x) => x.code).join(', ')})`,
          );
        else answers[q.code] = c;
      }
      if (problems.length || !place || !type || !taille) {
        tally.reject(n, problems.join(' ; '), raw);
        continue;
      }
      ready.push({
        s: { type, sectionNaf: naf, taille, commune: place.commune, answers, email: null, consentement: false },
        place,
      });
    }
    if (!ready.length)
      throw new AppError(
        'IMPORT_ECHEC',
        `no valid respondent in ${fichier}`,
        `Aucun répondant valide dans ${fichier} (${tally.rejected} ligne(s) rejetée(s) : voir les motifs). Rien n’a été modifié.`,
      );
    let replaced = 0;
    await db.transaction(async (tx) => {
      const campagneId = await Q.upsertCampagne(tx, {
        code: options.campagne,
        libelle: options.libelle ?? options.campagne,
        origine: 'import',
        source: options.source ?? null,
      });
      replaced = await Q.deleteRepondantsOfCampagne(tx, campagneId);
      for (const { s, place } of ready) {
        await storeRespondent(
          tx,
          { questionnaireId: qid, campagneId, tokenHash: null },
          s,
          place,
          scoresFor(questions, s.answers),
        );
        tally.accepted++;
      }
    });
    return `${ready.length} répondant(s) importé(s) dans la campagne « ${options.campagne} » depuis ${fichier}${replaced ? ` (remplacent ${replaced} répondant(s) du précédent import)` : ''}${tally.rejected ? ` ; ${tally.rejected} ligne(s) rejetée(s)` : ''}.`;
  },
});
