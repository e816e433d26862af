import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { Db, Queryable } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { getTerritory } from '../territories/service.ts';
import * as Q from './queries.ts';
import { type NiveauAgregat, type QuestionnaireFile, QuestionnaireFileSchema } from './schema.ts';

/**
 * The digital-maturity observatory: the questionnaire (a data file loaded into tables), anonymous
 * submissions with their scores, and aggregates published only for groups of at least
 * PUBLICATION_THRESHOLD respondents (k-anonymity).
 */
export const PUBLICATION_THRESHOLD = 10;

const HERE = path.dirname(fileURLToPath(import.meta.url));
/**
 * The shipped questionnaire: beside this file when run from src/ (tsx), else in the checkout's src/maturite/
 * when run from dist/ (`tsc` does not copy YAML files).
 */
const QUESTIONNAIRE_PATH =
  [path.join(HERE, 'questionnaire.yaml'), path.join(HERE, '..', '..', 'src', 'maturite', 'questionnaire.yaml')].find(
    (p) => fs.existsSync(p),
  ) ?? path.join(HERE, 'questionnaire.yaml');

/** Parses and validates a questionnaire file's text; a French message naming every problem otherwise. */
export function parseQuestionnaire(text: string): QuestionnaireFile {
  let data: unknown;
  try {
    data = parse(text, { uniqueKeys: true });
  } catch (e) {
    throw new AppError('SOURCE_ILLISIBLE', String(e), `Questionnaire illisible (YAML) : ${(e as Error).message}`);
  }
  const p = QuestionnaireFileSchema.safeParse(data);
  if (!p.success)
    throw new AppError(
      'SOURCE_ILLISIBLE',
      p.error.message,
      `Questionnaire invalide : ${p.error.issues.map((i) => `${i.path.join('.') || 'fichier'} : ${i.message}`).join(' ; ')}`,
    );
  return p.data;
}

export const questionnaireFile = (): QuestionnaireFile =>
  parseQuestionnaire(fs.readFileSync(QUESTIONNAIRE_PATH, 'utf8'));

/**
 * Loads the shipped questionnaire into the tables unless this exact content (SHA-256) already is, with
 * its online campaign. Idempotent and safe when several instances start together (ON CONFLICT).
 */
export async function ensureQuestionnaire(db: Db, text = fs.readFileSync(QUESTIONNAIRE_PATH, 'utf8')): Promise<number> {
  const file = parseQuestionnaire(text);
  const empreinte = crypto.createHash('sha256').update(text).digest('hex');
  const existing = await Q.questionnaireByHash(db, empreinte);
  if (existing) return existing;
  return db.transaction(async (tx) => {
    await Q.upsertCampagne(tx, { ...file.campagne, origine: 'formulaire', source: null });
    const id = await Q.insertQuestionnaire(tx, {
      version: file.version,
      titre: file.titre,
      empreinte,
      profil: file.profil,
    });
    if (id === null) return (await Q.questionnaireByHash(tx, empreinte))!;
    for (const [i, d] of file.dimensions.entries()) await Q.insertDimension(tx, id, d.slug, d.libelle, i);
    for (const [i, qu] of file.questions.entries()) {
      await Q.insertQuestion(tx, id, { ...qu, ordre: i });
      for (const [j, c] of qu.reponses.entries()) await Q.insertChoix(tx, id, qu.code, { ...c, ordre: j });
    }
    return id;
  });
}

/**
 * Score of each dimension, 0–100 with one decimal: 100 × Σ(weight × points of the answer chosen) /
 * Σ(weight × highest points of the question), over the dimension's questions.
 */
export function scoresFor(questions: Q.QuestionRow[], answers: Record<string, string>): Record<string, number> {
  const sums = new Map<string, { got: number; max: number }>();
  for (const qu of questions) {
    const choice = qu.choix.find((c) => c.code === answers[qu.code]);
    if (!choice) throw new Error(`no answer to ${qu.code}`);
    const s = sums.get(qu.dimension) ?? { got: 0, max: 0 };
    s.got += qu.poids * choice.points;
    s.max += qu.poids * Math.max(...qu.choix.map((c) => c.points));
    sums.set(qu.dimension, s);
  }
  return Object.fromEntries([...sums].map(([d, s]) => [d, Math.round((1000 * s.got) / s.max) / 10]));
}

export const hashToken = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

type Submission = {
  type: string;
  sectionNaf: string;
  taille: string;
  commune: string;
  answers: Record<string, string>;
  email: string | null;
  consentement: boolean;
};

/** The commune and the EPCI, département and région containing it, through the territories service. */
export async function placeOf(q: Queryable, commune: string) {
  const t = await getTerritory(q, 'commune', commune);
  const parent = (n: string) => t.parents.find((p) => p.niveau === n)?.code ?? null;
  return { commune: t.code, epci: parent('epci'), departement: parent('departement')!, region: parent('region')! };
}
type Place = Awaited<ReturnType<typeof placeOf>>;

/** Writes one respondent, its answers and its scores (inside the caller's transaction). */
export async function storeRespondent(
  tx: Queryable,
  o: { questionnaireId: number; campagneId: number; tokenHash: string | null },
  s: Submission,
  place: Place,
  scores: Record<string, number>,
): Promise<number> {
  const id = await Q.insertRepondant(tx, {
    campagneId: o.campagneId,
    questionnaireId: o.questionnaireId,
    jetonEmpreinte: o.tokenHash,
    type: s.type,
    sectionNaf: s.sectionNaf,
    taille: s.taille,
    ...place,
    email: s.consentement ? s.email : null,
    consentement: s.consentement,
  });
  await Q.insertReponses(tx, id, s.answers);
  await Q.insertScores(tx, id, scores);
  return id;
}

/**
 * Stores one respondent of the online form (answers already checked against the questionnaire) with
 * its scores, in one transaction; returns the result page's token (only its SHA-256 is stored).
 */
export async function submit(
  db: Db,
  o: { questionnaireId: number; campagneId: number },
  s: Submission,
): Promise<{ id: number; token: string }> {
  const questions = await Q.questionsOf(db, o.questionnaireId);
  const scores = scoresFor(questions, s.answers);
  const place = await placeOf(db, s.commune);
  const token = crypto.randomBytes(32).toString('base64url');
  const id = await db.transaction((tx) => storeRespondent(tx, { ...o, tokenHash: hashToken(token) }, s, place, scores));
  return { id, token };
}

export type Indicator =
  | { repondants: number; dimensions: Record<string, { score_moyen: number }> }
  | { repondants: number; masque: true };

const indicatorOf = (row: Q.AggregateRow | undefined): Indicator =>
  row?.scores && row.repondants >= PUBLICATION_THRESHOLD
    ? {
        repondants: row.repondants,
        dimensions: Object.fromEntries(Object.entries(row.scores).map(([d, v]) => [d, { score_moyen: v }])),
      }
    : { repondants: row?.repondants ?? 0, masque: true };

/** Checks a group code: a territory through the territories service (current code), a sector or a size band of the questionnaire. */
async function groupCode(q: Queryable, niveau: NiveauAgregat, code: string): Promise<string> {
  if (niveau === 'secteur' || niveau === 'taille') {
    const profil = (await Q.currentQuestionnaire(q))?.profil;
    const known = niveau === 'secteur' ? profil?.sections_naf : profil?.tailles;
    const c = niveau === 'secteur' ? code.toUpperCase() : code;
    if (!known || !(c in known))
      throw new AppError(
        'INTROUVABLE',
        `${niveau} ${code}`,
        niveau === 'secteur'
          ? `Section NAF inconnue : ${code} (une lettre de A à U).`
          : `Tranche de taille inconnue : ${code} (${Object.keys(profil?.tailles ?? {}).join(', ')}).`,
      );
    return c;
  }
  return (await getTerritory(q, niveau, code)).code;
}

/** The published indicator of one group (territory, sector, size band), optionally of one campaign. */
export async function indicator(
  q: Queryable,
  niveau: NiveauAgregat,
  code: string,
  campagne?: string,
): Promise<Indicator> {
  const c = await groupCode(q, niveau, code);
  const rows = await Q.aggregates(q, niveau, { code: c, campagne, minimum: PUBLICATION_THRESHOLD });
  return indicatorOf(rows[0]);
}

/** Every group of a level with its count, and its means when published. */
export async function groupsOf(q: Queryable, niveau: NiveauAgregat, campagne?: string) {
  return (await Q.aggregates(q, niveau, { campagne, minimum: PUBLICATION_THRESHOLD })).map((row) => ({
    code: row.code,
    indicator: indicatorOf(row),
  }));
}

/** Respondents of the same size band and sector (the respondent included), all campaigns. */
export async function similarGroup(q: Queryable, taille: string, secteur: string): Promise<Indicator> {
  const rows = await Q.aggregates(q, 'taille', { code: taille, secteur, minimum: PUBLICATION_THRESHOLD });
  return indicatorOf(rows[0]);
}

/** Name of a group for tables: territories through the territories service, labels of the questionnaire otherwise. */
export async function groupName(q: Queryable, niveau: NiveauAgregat, code: string, profil: Q.Profil): Promise<string> {
  if (niveau === 'secteur') return `${code} — ${profil.sections_naf[code] ?? code}`;
  if (niveau === 'taille') return profil.tailles[code] ?? code;
  try {
    return `${(await getTerritory(q, niveau, code)).nom} (${code})`;
  } catch {
    return code;
  }
}
