import type { Queryable } from '../db/db.ts';

/** SQL of the digital-maturity observatory (migration 0520), one function per query. */

export type QuestionnaireRow = { id: number; version: string; titre: string; profil: Profil; charge_le: Date };
export type Profil = {
  types: Record<string, string>;
  tailles: Record<string, string>;
  sections_naf: Record<string, string>;
};

export async function questionnaireByHash(q: Queryable, empreinte: string): Promise<number | null> {
  const r = await q.query<{ id: number }>('SELECT id FROM maturite_questionnaire WHERE empreinte = $1', [empreinte]);
  return r.rows[0] ? Number(r.rows[0].id) : null;
}

export async function insertQuestionnaire(
  q: Queryable,
  v: { version: string; titre: string; empreinte: string; profil: Profil },
): Promise<number | null> {
  const r = await q.query<{ id: number }>(
    `INSERT INTO maturite_questionnaire (version, titre, empreinte, profil) VALUES ($1, $2, $3, $4)
     ON CONFLICT (empreinte) DO NOTHING RETURNING id`,
    [v.version, v.titre, v.empreinte, JSON.stringify(v.profil)],
  );
  return r.rows[0] ? Number(r.rows[0].id) : null;
}

export async function insertDimension(q: Queryable, qid: number, slug: string, libelle: string, ordre: number) {
  await q.query('INSERT INTO maturite_dimension (questionnaire_id, slug, libelle, ordre) VALUES ($1, $2, $3, $4)', [
    qid,
    slug,
    libelle,
    ordre,
  ]);
}

export async function insertQuestion(
  q: Queryable,
  qid: number,
  v: { code: string; dimension: string; libelle: string; poids: number; ordre: number },
) {
  await q.query(
    'INSERT INTO maturite_question (questionnaire_id, code, dimension, libelle, poids, ordre) VALUES ($1, $2, $3, $4, $5, $6)',
    [qid, v.code, v.dimension, v.libelle, v.poids, v.ordre],
  );
}

export async function insertChoix(
  q: Queryable,
  qid: number,
  question: string,
  v: { code: string; libelle: string; points: number; ordre: number },
) {
  await q.query(
    'INSERT INTO maturite_choix (questionnaire_id, question, code, libelle, points, ordre) VALUES ($1, $2, $3, $4, $5, $6)',
    [qid, question, v.code, v.libelle, v.points, v.ordre],
  );
}

/** The newest version loaded. */
export async function currentQuestionnaire(q: Queryable): Promise<QuestionnaireRow | null> {
  const r = await q.query<QuestionnaireRow>(
    'SELECT id, version, titre, profil, charge_le FROM maturite_questionnaire ORDER BY id DESC LIMIT 1',
  );
  return r.rows[0] ? { ...r.rows[0], id: Number(r.rows[0].id) } : null;
}

export async function questionnaireById(q: Queryable, id: number): Promise<QuestionnaireRow | null> {
  const r = await q.query<QuestionnaireRow>(
    'SELECT id, version, titre, profil, charge_le FROM maturite_questionnaire WHERE id = $1',
    [id],
  );
  return r.rows[0] ? { ...r.rows[0], id: Number(r.rows[0].id) } : null;
}

export type DimensionRow = { slug: string; libelle: string };
export async function dimensionsOf(q: Queryable, qid: number): Promise<DimensionRow[]> {
  return (
    await q.query<DimensionRow>(
      'SELECT slug, libelle FROM maturite_dimension WHERE questionnaire_id = $1 ORDER BY ordre',
      [qid],
    )
  ).rows;
}

export type QuestionRow = {
  code: string;
  dimension: string;
  libelle: string;
  poids: number;
  choix: { code: string; libelle: string; points: number }[];
};
export async function questionsOf(q: Queryable, qid: number): Promise<QuestionRow[]> {
  const r = await q.query<QuestionRow>(
    `SELECT qu.code, qu.dimension, qu.libelle, qu.poids::float8 AS poids,
       (SELECT json_agg(json_build_object('code', c.code, 'libelle', c.libelle, 'points', c.points::float8) ORDER BY c.ordre)
          FROM maturite_choix c WHERE c.questionnaire_id = qu.questionnaire_id AND c.question = qu.code) AS choix
     FROM maturite_question qu JOIN maturite_dimension d ON d.questionnaire_id = qu.questionnaire_id AND d.slug = qu.dimension
     WHERE qu.questionnaire_id = $1 ORDER BY d.ordre, qu.ordre`,
    [qid],
  );
  return r.rows;
}

export async function campagneIdByCode(q: Queryable, code: string): Promise<number | null> {
  const r = await q.query<{ id: number }>('SELECT id FROM maturite_campagne WHERE code = $1', [code]);
  return r.rows[0] ? Number(r.rows[0].id) : null;
}

export async function upsertCampagne(
  q: Queryable,
  v: { code: string; libelle: string; origine: 'formulaire' | 'import'; source: string | null },
): Promise<number> {
  const r = await q.query<{ id: number }>(
    `INSERT INTO maturite_campagne (code, libelle, origine, source) VALUES ($1, $2, $3, $4)
     ON CONFLICT (code) DO UPDATE SET libelle = excluded.libelle RETURNING id`,
    [v.code, v.libelle, v.origine, v.source],
  );
  return Number(r.rows[0]!.id);
}

type CampagneRow = { id: number; code: string; libelle: string; origine: string; source: string | null };
export async function listCampagnes(q: Queryable): Promise<CampagneRow[]> {
  const r = await q.query<CampagneRow>('SELECT id, code, libelle, origine, source FROM maturite_campagne ORDER BY id');
  return r.rows.map((c) => ({ ...c, id: Number(c.id) }));
}

type RepondantInput = {
  campagneId: number;
  questionnaireId: number;
  jetonEmpreinte: string | null;
  type: string;
  sectionNaf: string;
  taille: string;
  commune: string;
  epci: string | null;
  departement: string;
  region: string;
  email: string | null;
  consentement: boolean;
};

export async function insertRepondant(q: Queryable, v: RepondantInput): Promise<number> {
  const r = await q.query<{ id: number }>(
    `INSERT INTO maturite_repondant (campagne_id, questionnaire_id, jeton_empreinte, type, section_naf, taille, commune,
       epci, departement, region, consentement_contact, consentement_le, email)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, CASE WHEN $11 THEN now() END, $12) RETURNING id`,
    [
      v.campagneId,
      v.questionnaireId,
      v.jetonEmpreinte,
      v.type,
      v.sectionNaf,
      v.taille,
      v.commune,
      v.epci,
      v.departement,
      v.region,
      v.consentement,
      v.email,
    ],
  );
  return Number(r.rows[0]!.id);
}

export async function insertReponses(q: Queryable, id: number, answers: Record<string, string>) {
  await q.query(
    `INSERT INTO maturite_reponse (repondant_id, question, choix)
     SELECT $1, key, value FROM json_each_text($2::json)`,
    [id, JSON.stringify(answers)],
  );
}

export async function insertScores(q: Queryable, id: number, scores: Record<string, number>) {
  await q.query(
    `INSERT INTO maturite_score (repondant_id, dimension, score)
     SELECT $1, key, value::numeric FROM json_each_text($2::json)`,
    [id, JSON.stringify(scores)],
  );
}

type RepondantRow = {
  id: number;
  questionnaire_id: number;
  campagne: string;
  type: string;
  section_naf: string;
  taille: string;
  commune: string;
  consentement_contact: boolean;
  consentement_le: Date | null;
  cree_le: Date;
};
export async function repondantByToken(q: Queryable, empreinte: string): Promise<RepondantRow | null> {
  const r = await q.query<RepondantRow>(
    `SELECT r.id, r.questionnaire_id, c.libelle AS campagne, r.type, r.section_naf, r.taille, r.commune,
       r.consentement_contact, r.consentement_le, r.cree_le
     FROM maturite_repondant r JOIN maturite_campagne c ON c.id = r.campagne_id WHERE r.jeton_empreinte = $1`,
    [empreinte],
  );
  const row = r.rows[0];
  return row ? { ...row, id: Number(row.id), questionnaire_id: Number(row.questionnaire_id) } : null;
}

export async function scoresOf(q: Queryable, id: number): Promise<Record<string, number>> {
  const r = await q.query<{ dimension: string; score: number }>(
    'SELECT dimension, score::float8 AS score FROM maturite_score WHERE repondant_id = $1',
    [id],
  );
  return Object.fromEntries(r.rows.map((x) => [x.dimension, x.score]));
}

const GROUP_COLUMN = {
  commune: 'commune',
  epci: 'epci',
  departement: 'departement',
  region: 'region',
  secteur: 'section_naf',
  taille: 'taille',
} as const;
type GroupColumn = keyof typeof GROUP_COLUMN;

export type AggregateRow = { code: string; repondants: number; scores: Record<string, number> | null };

/**
 * Respondents and mean score per dimension of each group of a level (optionally one group, one campaign,
 * or the size band × sector pair of the result page). Means are only returned for groups of at least
 * `minimum` respondents: a smaller group's scores never leave the database.
 */
export async function aggregates(
  q: Queryable,
  level: GroupColumn,
  o: { code?: string; campagne?: string; taille?: string; secteur?: string; minimum: number },
): Promise<AggregateRow[]> {
  const col = GROUP_COLUMN[level];
  const r = await q.query<{ code: string; repondants: number; scores: Record<string, number> | null }>(
    `WITH g AS (
       SELECT r.${col} AS code, r.id FROM maturite_repondant r JOIN maturite_campagne c ON c.id = r.campagne_id
       WHERE r.${col} IS NOT NULL AND ($1::text IS NULL OR r.${col} = $1) AND ($2::text IS NULL OR c.code = $2)
         AND ($3::text IS NULL OR r.taille = $3) AND ($4::text IS NULL OR r.section_naf = $4)),
     n AS (SELECT code, count(*)::int AS repondants FROM g GROUP BY code),
     m AS (SELECT g.code, s.dimension, round(avg(s.score), 1)::float8 AS moyenne
           FROM g JOIN maturite_score s ON s.repondant_id = g.id
           WHERE g.code IN (SELECT code FROM n WHERE repondants >= $5) GROUP BY g.code, s.dimension)
     SELECT n.code, n.repondants,
       (SELECT json_object_agg(m.dimension, m.moyenne) FROM m WHERE m.code = n.code) AS scores
     FROM n ORDER BY n.code`,
    [o.code ?? null, o.campagne ?? null, o.taille ?? null, o.secteur ?? null, o.minimum],
  );
  return r.rows.map((x) => ({ code: x.code, repondants: Number(x.repondants), scores: x.scores }));
}

/** Respondents of an imported campaign, before a re-import replaces them (answers and scores cascade). */
export async function deleteRepondantsOfCampagne(q: Queryable, campagneId: number): Promise<number> {
  return (await q.query('DELETE FROM maturite_repondant WHERE campagne_id = $1', [campagneId])).rowCount;
}

export async function campagneOrigine(q: Queryable, code: string): Promise<string | null> {
  const r = await q.query<{ origine: string }>('SELECT origine FROM maturite_campagne WHERE code = $1', [code]);
  return r.rows[0]?.origine ?? null;
}

/** Questionnaire answers left with a contact address (right of access and erasure). */
export async function repondantsWithEmail(q: Queryable, email: string) {
  return (
    await q.query<{ id: number; campagne_id: number; cree_le: Date; consentement_le: Date | null }>(
      `SELECT id::float8 AS id, campagne_id::float8 AS campagne_id, cree_le, consentement_le FROM maturite_repondant
       WHERE lower(email) = lower($1) ORDER BY id`,
      [email],
    )
  ).rows;
}

/** Erasure: the answers are kept (anonymous aggregates), the contact address and its consent go. */
export async function forgetRepondantEmail(q: Queryable, email: string): Promise<number> {
  return (
    await q.query(
      `UPDATE maturite_repondant SET email = NULL, consentement_contact = false, consentement_le = NULL
       WHERE lower(email) = lower($1)`,
      [email],
    )
  ).rowCount;
}
