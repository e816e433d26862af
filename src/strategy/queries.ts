/** Strategy tables: one function per SQL query. */
import type { Queryable } from '../db/db.ts';

export type StrategyRow = {
  id: number;
  slug: string;
  titre: string;
  region: string;
  debut: number;
  fin: number;
  adoptee_le: string | null;
  statut: string;
  resume: string | null;
  niveaux: { code: string; libelle: string; pluriel: string; actions: boolean }[];
  principes: { code: string; libelle: string; description?: string }[];
  financements: {
    financeur: string;
    libelle: string;
    montant_min?: number;
    montant_max?: number;
    periode?: string;
  }[];
  document: { titre: string; editeur: string; date: string } | null;
};

const STRATEGY_COLS = `id, slug, titre, region, debut, fin, to_char(adoptee_le, 'YYYY-MM-DD') AS adoptee_le, statut, resume,
  niveaux, principes, financements, document`;

export async function listStrategies(q: Queryable): Promise<StrategyRow[]> {
  return (await q.query<StrategyRow>(`SELECT ${STRATEGY_COLS} FROM strategie ORDER BY debut DESC, slug`)).rows;
}

export async function strategyBySlug(q: Queryable, slug: string): Promise<StrategyRow | null> {
  return (await q.query<StrategyRow>(`SELECT ${STRATEGY_COLS} FROM strategie WHERE slug = $1`, [slug])).rows[0] ?? null;
}

export async function upsertStrategy(q: Queryable, s: Omit<StrategyRow, 'id'>): Promise<number> {
  const r = await q.query<{ id: number }>(
    `INSERT INTO strategie (slug, titre, region, debut, fin, adoptee_le, statut, resume, niveaux, principes, financements, document)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb, $11::jsonb, $12::jsonb)
     ON CONFLICT (slug) DO UPDATE SET titre = EXCLUDED.titre, region = EXCLUDED.region, debut = EXCLUDED.debut,
       fin = EXCLUDED.fin, adoptee_le = EXCLUDED.adoptee_le, statut = EXCLUDED.statut, resume = EXCLUDED.resume,
       niveaux = EXCLUDED.niveaux, principes = EXCLUDED.principes, financements = EXCLUDED.financements,
       document = EXCLUDED.document, modifiee_le = now()
     RETURNING id`,
    [
      s.slug,
      s.titre,
      s.region,
      s.debut,
      s.fin,
      s.adoptee_le,
      s.statut,
      s.resume,
      JSON.stringify(s.niveaux),
      JSON.stringify(s.principes),
      JSON.stringify(s.financements),
      s.document === null ? null : JSON.stringify(s.document),
    ],
  );
  return r.rows[0]!.id;
}

export type NodeRow = {
  id: number;
  parent_id: number | null;
  niveau: string;
  code: string;
  titre: string;
  description: string | null;
  rang: number;
  principes: string[];
  contact: string | null;
  partenaires: string[];
  territoires: { niveau: string; code: string }[];
  debut: string | null;
  fin: string | null;
  statut: string | null;
  avancement: number | null;
  poids: number;
};

const NODE_COLS = `id, parent_id, niveau, code, titre, description, rang, principes, contact, partenaires, territoires,
  to_char(debut, 'YYYY-MM-DD') AS debut, to_char(fin, 'YYYY-MM-DD') AS fin, statut, avancement::float8 AS avancement,
  poids::float8 AS poids`;

export async function nodesOf(q: Queryable, strategieId: number): Promise<NodeRow[]> {
  return (
    await q.query<NodeRow>(`SELECT ${NODE_COLS} FROM strategie_noeud WHERE strategie_id = $1 ORDER BY rang, id`, [
      strategieId,
    ])
  ).rows;
}

type NodeValues = Omit<NodeRow, 'id'>;

export async function insertNode(q: Queryable, strategieId: number, n: NodeValues): Promise<number> {
  const r = await q.query<{ id: number }>(
    `INSERT INTO strategie_noeud (strategie_id, parent_id, niveau, code, titre, description, rang, principes, contact,
       partenaires, territoires, debut, fin, statut, avancement, poids)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10::jsonb, $11::jsonb, $12, $13, $14, $15, $16) RETURNING id`,
    [strategieId, ...nodeParams(n)],
  );
  return r.rows[0]!.id;
}

/** Ids of the nodes entered through the platform's forms (a re-import of the file keeps them). */
export async function enteredNodeIds(q: Queryable, strategieId: number): Promise<Set<number>> {
  const r = await q.query<{ id: number }>(
    "SELECT id FROM strategie_noeud WHERE strategie_id = $1 AND origine = 'saisie'",
    [strategieId],
  );
  return new Set(r.rows.map((x) => x.id));
}

export async function markEntered(q: Queryable, id: number): Promise<void> {
  await q.query("UPDATE strategie_noeud SET origine = 'saisie' WHERE id = $1", [id]);
}

export async function nextRank(q: Queryable, strategieId: number, parentId: number): Promise<number> {
  const r = await q.query<{ rang: number }>(
    'SELECT COALESCE(MAX(rang) + 1, 0)::int AS rang FROM strategie_noeud WHERE strategie_id = $1 AND parent_id = $2',
    [strategieId, parentId],
  );
  return r.rows[0]!.rang;
}

export async function codeTaken(q: Queryable, strategieId: number, code: string): Promise<boolean> {
  const r = await q.query('SELECT 1 FROM strategie_noeud WHERE strategie_id = $1 AND code = $2', [strategieId, code]);
  return r.rows.length > 0;
}

export async function updateNode(q: Queryable, id: number, n: NodeValues): Promise<void> {
  await q.query(
    `UPDATE strategie_noeud SET parent_id = $2, niveau = $3, code = $4, titre = $5, description = $6, rang = $7,
       principes = $8::jsonb, contact = $9, partenaires = $10::jsonb, territoires = $11::jsonb, debut = $12, fin = $13,
       statut = $14, avancement = $15, poids = $16, modifie_le = now()
     WHERE id = $1`,
    [id, ...nodeParams(n)],
  );
}

function nodeParams(n: NodeValues): unknown[] {
  return [
    n.parent_id,
    n.niveau,
    n.code,
    n.titre,
    n.description,
    n.rang,
    JSON.stringify(n.principes),
    n.contact,
    JSON.stringify(n.partenaires),
    JSON.stringify(n.territoires),
    n.debut,
    n.fin,
    n.statut,
    n.avancement,
    n.poids,
  ];
}

export async function deleteNode(q: Queryable, id: number): Promise<void> {
  await q.query('DELETE FROM strategie_noeud WHERE id = $1', [id]);
}

export type BudgetRow = {
  id: number;
  noeud_id: number;
  annee: number;
  financeur: string;
  prevu: number;
  engage: number;
  realise: number;
};

export async function budgetsOf(q: Queryable, strategieId: number): Promise<BudgetRow[]> {
  return (
    await q.query<BudgetRow>(
      `SELECT b.id, b.noeud_id, b.annee, b.financeur, b.prevu::float8 AS prevu, b.engage::float8 AS engage,
         b.realise::float8 AS realise
       FROM strategie_budget b JOIN strategie_noeud n ON n.id = b.noeud_id
       WHERE n.strategie_id = $1 ORDER BY b.noeud_id, b.annee, b.financeur`,
      [strategieId],
    )
  ).rows;
}

export async function deleteBudgetsOf(q: Queryable, noeudId: number): Promise<void> {
  await q.query('DELETE FROM strategie_budget WHERE noeud_id = $1', [noeudId]);
}

export async function insertBudget(q: Queryable, noeudId: number, b: Omit<BudgetRow, 'id' | 'noeud_id'>) {
  await q.query(
    `INSERT INTO strategie_budget (noeud_id, annee, financeur, prevu, engage, realise) VALUES ($1, $2, $3, $4, $5, $6)`,
    [noeudId, b.annee, b.financeur, b.prevu, b.engage, b.realise],
  );
}

export type JalonRow = {
  id: number;
  noeud_id: number;
  prevu_le: string;
  titre: string;
  fait: boolean;
  fait_le: string | null;
};

export async function jalonsOf(q: Queryable, strategieId: number): Promise<JalonRow[]> {
  return (
    await q.query<JalonRow>(
      `SELECT j.id, j.noeud_id, to_char(j.prevu_le, 'YYYY-MM-DD') AS prevu_le, j.titre, j.fait,
         to_char(j.fait_le, 'YYYY-MM-DD') AS fait_le
       FROM strategie_jalon j JOIN strategie_noeud n ON n.id = j.noeud_id
       WHERE n.strategie_id = $1 ORDER BY j.noeud_id, j.prevu_le, j.id`,
      [strategieId],
    )
  ).rows;
}

export async function deleteJalonsOf(q: Queryable, noeudId: number): Promise<void> {
  await q.query('DELETE FROM strategie_jalon WHERE noeud_id = $1', [noeudId]);
}

export async function insertJalon(q: Queryable, noeudId: number, j: Omit<JalonRow, 'id' | 'noeud_id'>) {
  await q.query(`INSERT INTO strategie_jalon (noeud_id, prevu_le, titre, fait, fait_le) VALUES ($1, $2, $3, $4, $5)`, [
    noeudId,
    j.prevu_le,
    j.titre,
    j.fait,
    j.fait_le,
  ]);
}

export type LienRow = {
  id: number;
  noeud_id: number;
  genre: 'document' | 'objet';
  titre: string;
  url: string;
  auteur: string;
};

export async function liensOf(q: Queryable, noeudId: number): Promise<LienRow[]> {
  return (
    await q.query<LienRow>(
      'SELECT id, noeud_id, genre, titre, url, auteur FROM strategie_lien WHERE noeud_id = $1 ORDER BY genre, id',
      [noeudId],
    )
  ).rows;
}

export async function insertLien(q: Queryable, l: Omit<LienRow, 'id'>): Promise<number> {
  const r = await q.query<{ id: number }>(
    'INSERT INTO strategie_lien (noeud_id, genre, titre, url, auteur) VALUES ($1, $2, $3, $4, $5) RETURNING id',
    [l.noeud_id, l.genre, l.titre, l.url, l.auteur],
  );
  return r.rows[0]!.id;
}

export async function deleteLien(q: Queryable, noeudId: number, id: number): Promise<LienRow | null> {
  return (
    (
      await q.query<LienRow>(
        'DELETE FROM strategie_lien WHERE noeud_id = $1 AND id = $2 RETURNING id, noeud_id, genre, titre, url, auteur',
        [noeudId, id],
      )
    ).rows[0] ?? null
  );
}

export type IndicatorRow = {
  id: number;
  strategie_id: number;
  noeud_id: number | null;
  code: string;
  libelle: string;
  definition: string | null;
  unite: string;
  valeur_initiale: number | null;
  date_initiale: string | null;
  cible: number | null;
  date_cible: string | null;
  source_donnees: string | null;
  frequence: string | null;
  responsable: string | null;
  fournisseur: string | null;
  rang: number;
};

const indicatorCols = (
  a: string,
) => `${a}id, ${a}strategie_id, ${a}noeud_id, ${a}code, ${a}libelle, ${a}definition, ${a}unite,
  ${a}valeur_initiale::float8 AS valeur_initiale, to_char(${a}date_initiale, 'YYYY-MM-DD') AS date_initiale,
  ${a}cible::float8 AS cible, to_char(${a}date_cible, 'YYYY-MM-DD') AS date_cible, ${a}source_donnees, ${a}frequence,
  ${a}responsable, ${a}fournisseur, ${a}rang`;

export async function indicatorsOf(q: Queryable, strategieId: number): Promise<IndicatorRow[]> {
  return (
    await q.query<IndicatorRow>(
      `SELECT ${indicatorCols('')} FROM strategie_indicateur WHERE strategie_id = $1 ORDER BY rang, id`,
      [strategieId],
    )
  ).rows;
}

export async function indicatorsWithProvider(q: Queryable): Promise<(IndicatorRow & { region: string })[]> {
  return (
    await q.query<IndicatorRow & { region: string }>(
      `SELECT ${indicatorCols('i.')}, s.region
       FROM strategie_indicateur i JOIN strategie s ON s.id = i.strategie_id
       WHERE i.fournisseur IS NOT NULL ORDER BY i.id`,
    )
  ).rows;
}

export type IndicatorValues = Omit<IndicatorRow, 'id' | 'strategie_id'>;

export async function insertIndicator(q: Queryable, strategieId: number, i: IndicatorValues): Promise<number> {
  const r = await q.query<{ id: number }>(
    `INSERT INTO strategie_indicateur (strategie_id, noeud_id, code, libelle, definition, unite, valeur_initiale,
       date_initiale, cible, date_cible, source_donnees, frequence, responsable, fournisseur, rang)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
    [strategieId, ...indicatorParams(i)],
  );
  return r.rows[0]!.id;
}

export async function updateIndicator(q: Queryable, id: number, i: IndicatorValues): Promise<void> {
  await q.query(
    `UPDATE strategie_indicateur SET noeud_id = $2, code = $3, libelle = $4, definition = $5, unite = $6,
       valeur_initiale = $7, date_initiale = $8, cible = $9, date_cible = $10, source_donnees = $11, frequence = $12,
       responsable = $13, fournisseur = $14, rang = $15
     WHERE id = $1`,
    [id, ...indicatorParams(i)],
  );
}

const indicatorParams = (i: IndicatorValues): unknown[] => [
  i.noeud_id,
  i.code,
  i.libelle,
  i.definition,
  i.unite,
  i.valeur_initiale,
  i.date_initiale,
  i.cible,
  i.date_cible,
  i.source_donnees,
  i.frequence,
  i.responsable,
  i.fournisseur,
  i.rang,
];

export async function deleteIndicator(q: Queryable, id: number): Promise<void> {
  await q.query('DELETE FROM strategie_indicateur WHERE id = $1', [id]);
}

export type MeasureRow = {
  id: number;
  indicateur_id: number;
  mesure_le: string;
  valeur: number;
  source_mesure: string;
  auteur: string;
  commentaire: string | null;
  origine: 'saisie' | 'import' | 'fournisseur';
};

export async function measuresOf(q: Queryable, strategieId: number): Promise<MeasureRow[]> {
  return (
    await q.query<MeasureRow>(
      `SELECT m.id, m.indicateur_id, to_char(m.mesure_le, 'YYYY-MM-DD') AS mesure_le, m.valeur::float8 AS valeur,
         m.source_mesure, m.auteur, m.commentaire, m.origine
       FROM strategie_mesure m JOIN strategie_indicateur i ON i.id = m.indicateur_id
       WHERE i.strategie_id = $1 ORDER BY m.indicateur_id, m.mesure_le, m.id`,
      [strategieId],
    )
  ).rows;
}

export async function measuresOfIndicator(q: Queryable, indicateurId: number, origine: string): Promise<MeasureRow[]> {
  return (
    await q.query<MeasureRow>(
      `SELECT id, indicateur_id, to_char(mesure_le, 'YYYY-MM-DD') AS mesure_le, valeur::float8 AS valeur, source_mesure,
         auteur, commentaire, origine
       FROM strategie_mesure WHERE indicateur_id = $1 AND origine = $2 ORDER BY mesure_le, id`,
      [indicateurId, origine],
    )
  ).rows;
}

export async function deleteMeasures(q: Queryable, indicateurId: number, origine: string): Promise<void> {
  await q.query('DELETE FROM strategie_mesure WHERE indicateur_id = $1 AND origine = $2', [indicateurId, origine]);
}

export async function insertMeasure(q: Queryable, m: Omit<MeasureRow, 'id'>): Promise<void> {
  await q.query(
    `INSERT INTO strategie_mesure (indicateur_id, mesure_le, valeur, source_mesure, auteur, commentaire, origine)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [m.indicateur_id, m.mesure_le, m.valeur, m.source_mesure, m.auteur, m.commentaire, m.origine],
  );
}

export async function measureExists(
  q: Queryable,
  m: { indicateur_id: number; mesure_le: string; valeur: number; source_mesure: string },
): Promise<boolean> {
  const r = await q.query(
    'SELECT 1 FROM strategie_mesure WHERE indicateur_id = $1 AND mesure_le = $2 AND valeur = $3 AND source_mesure = $4',
    [m.indicateur_id, m.mesure_le, m.valeur, m.source_mesure],
  );
  return r.rows.length > 0;
}

export type HistoryValues = {
  strategie_id: number;
  noeud_id: number | null;
  indicateur_id: number | null;
  objet: string;
  operation: string;
  auteur: string;
  utilisateur_id: number | null;
  avant: unknown;
  apres: unknown;
};

export async function insertHistory(q: Queryable, h: HistoryValues): Promise<void> {
  await q.query(
    `INSERT INTO strategie_historique (strategie_id, noeud_id, indicateur_id, objet, operation, auteur, utilisateur_id, avant, apres)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb)`,
    [
      h.strategie_id,
      h.noeud_id,
      h.indicateur_id,
      h.objet,
      h.operation,
      h.auteur,
      h.utilisateur_id,
      h.avant === null || h.avant === undefined ? null : JSON.stringify(h.avant),
      h.apres === null || h.apres === undefined ? null : JSON.stringify(h.apres),
    ],
  );
}

type HistoryRow = HistoryValues & { id: number; le: Date };

export async function historyOf(
  q: Queryable,
  filter: { strategieId: number; noeudId?: number; indicateurId?: number },
  limit = 200,
): Promise<HistoryRow[]> {
  return (
    await q.query<HistoryRow>(
      `SELECT id, strategie_id, noeud_id, indicateur_id, objet, operation, auteur, utilisateur_id, le, avant, apres
       FROM strategie_historique
       WHERE strategie_id = $1 AND ($2::bigint IS NULL OR noeud_id = $2) AND ($3::bigint IS NULL OR indicateur_id = $3)
       ORDER BY le DESC, id DESC LIMIT $4`,
      [filter.strategieId, filter.noeudId ?? null, filter.indicateurId ?? null, limit],
    )
  ).rows;
}

export async function nodeById(q: Queryable, id: number): Promise<(NodeRow & { strategie_id: number }) | null> {
  return (
    (
      await q.query<NodeRow & { strategie_id: number }>(
        `SELECT ${NODE_COLS}, strategie_id FROM strategie_noeud WHERE id = $1`,
        [id],
      )
    ).rows[0] ?? null
  );
}

export async function updateNodeSteering(
  q: Queryable,
  id: number,
  v: { statut: string | null; avancement: number | null; debut: string | null; fin: string | null },
): Promise<void> {
  await q.query(
    'UPDATE strategie_noeud SET statut = $2, avancement = $3, debut = $4, fin = $5, modifie_le = now() WHERE id = $1',
    [id, v.statut, v.avancement, v.debut, v.fin],
  );
}

export async function upsertBudget(q: Queryable, noeudId: number, b: Omit<BudgetRow, 'id' | 'noeud_id'>) {
  await q.query(
    `INSERT INTO strategie_budget (noeud_id, annee, financeur, prevu, engage, realise) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (noeud_id, annee, financeur) DO UPDATE SET prevu = EXCLUDED.prevu, engage = EXCLUDED.engage,
       realise = EXCLUDED.realise`,
    [noeudId, b.annee, b.financeur, b.prevu, b.engage, b.realise],
  );
}

export async function budgetLine(q: Queryable, noeudId: number, annee: number, financeur: string) {
  return (
    (
      await q.query<BudgetRow>(
        `SELECT id, noeud_id, annee, financeur, prevu::float8 AS prevu, engage::float8 AS engage, realise::float8 AS realise
         FROM strategie_budget WHERE noeud_id = $1 AND annee = $2 AND financeur = $3`,
        [noeudId, annee, financeur],
      )
    ).rows[0] ?? null
  );
}

export async function indicatorById(q: Queryable, id: number): Promise<IndicatorRow | null> {
  return (
    (await q.query<IndicatorRow>(`SELECT ${indicatorCols('')} FROM strategie_indicateur WHERE id = $1`, [id]))
      .rows[0] ?? null
  );
}

export type ReviewRow = {
  id: number;
  strategie_id: number;
  tenue_le: string;
  comite: string;
  participants: string | null;
  ordre_du_jour: string | null;
  compte_rendu: string | null;
  dossier: Record<string, { avancement: number; statut: string }>;
};

const REVIEW_COLS = `id, strategie_id, to_char(tenue_le, 'YYYY-MM-DD') AS tenue_le, comite, participants, ordre_du_jour,
  compte_rendu, dossier`;

export async function reviewsOf(q: Queryable, strategieId: number): Promise<ReviewRow[]> {
  return (
    await q.query<ReviewRow>(
      `SELECT ${REVIEW_COLS} FROM strategie_revue WHERE strategie_id = $1 ORDER BY tenue_le DESC, id DESC`,
      [strategieId],
    )
  ).rows;
}

export async function insertReview(q: Queryable, r: Omit<ReviewRow, 'id'>): Promise<number> {
  const res = await q.query<{ id: number }>(
    `INSERT INTO strategie_revue (strategie_id, tenue_le, comite, participants, ordre_du_jour, compte_rendu, dossier)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) RETURNING id`,
    [r.strategie_id, r.tenue_le, r.comite, r.participants, r.ordre_du_jour, r.compte_rendu, JSON.stringify(r.dossier)],
  );
  return res.rows[0]!.id;
}

export async function setReviewMinutes(q: Queryable, id: number, text: string | null): Promise<void> {
  await q.query('UPDATE strategie_revue SET compte_rendu = $2 WHERE id = $1', [id, text]);
}

type DecisionRow = {
  id: number;
  revue_id: number;
  noeud_id: number;
  decision: string;
  motif: string;
  auteur: string;
};

export async function decisionsOf(q: Queryable, revueId: number): Promise<DecisionRow[]> {
  return (
    await q.query<DecisionRow>(
      'SELECT id, revue_id, noeud_id, decision, motif, auteur FROM strategie_decision WHERE revue_id = $1 ORDER BY id',
      [revueId],
    )
  ).rows;
}

export async function insertDecision(q: Queryable, d: Omit<DecisionRow, 'id'>): Promise<void> {
  await q.query(
    'INSERT INTO strategie_decision (revue_id, noeud_id, decision, motif, auteur) VALUES ($1, $2, $3, $4, $5)',
    [d.revue_id, d.noeud_id, d.decision, d.motif, d.auteur],
  );
}

export async function historySince(q: Queryable, strategieId: number, since: Date | null, limit = 500) {
  return (
    await q.query<{
      id: number;
      noeud_id: number | null;
      indicateur_id: number | null;
      objet: string;
      operation: string;
      auteur: string;
      le: Date;
    }>(
      `SELECT id, noeud_id, indicateur_id, objet, operation, auteur, le FROM strategie_historique
       WHERE strategie_id = $1 AND ($2::timestamptz IS NULL OR le > $2) ORDER BY le DESC, id DESC LIMIT $3`,
      [strategieId, since, limit],
    )
  ).rows;
}

export async function lastReviewCreated(
  q: Queryable,
  strategieId: number,
): Promise<{ tenue_le: string; creee_le: Date } | null> {
  return (
    (
      await q.query<{ tenue_le: string; creee_le: Date }>(
        `SELECT to_char(tenue_le, 'YYYY-MM-DD') AS tenue_le, creee_le FROM strategie_revue WHERE strategie_id = $1
         ORDER BY creee_le DESC LIMIT 1`,
        [strategieId],
      )
    ).rows[0] ?? null
  );
}
