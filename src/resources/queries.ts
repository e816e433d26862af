import type { Queryable } from '../db/db.ts';
import type { Visibility } from './moderation-queries.ts';

/** SQL of the resources space, one function per query. */

export type AideInput = {
  source_id: string | null;
  lien: string | null;
  nom: string;
  porteurs: string[];
  beneficiaires: string[];
  beneficiaires_libelles: string[];
  types: string[];
  types_libelles: string[];
  themes: string[];
  appel_a_projets: boolean;
  recurrence: string | null;
  date_ouverture: string | null;
  date_echeance: string | null;
  taux: string | null;
  description: string | null;
  eligibilite: string | null;
  contact: string | null;
  perimetre: string | null;
  fichier: string;
  format: string;
};

type AideRow = AideInput & { id: number; run_id: number; importe_le: Date };
export type AideTerritoire = { niveau: string; code: string; libelle: string };

const AIDE_COLS = `id, source_id, lien, nom, porteurs, beneficiaires, beneficiaires_libelles, types, types_libelles, themes,
  appel_a_projets, recurrence, to_char(date_ouverture, 'YYYY-MM-DD') AS date_ouverture,
  to_char(date_echeance, 'YYYY-MM-DD') AS date_echeance, taux, description, eligibilite, contact, perimetre,
  fichier, format, run_id, importe_le`;

/** The stored aid a re-import replaces: same source id, or else same link. */
export async function aideIdByKey(q: Queryable, sourceId: string | null, lien: string | null): Promise<number | null> {
  const r = await q.query<{ id: number }>(
    `SELECT id FROM aide WHERE ($1::text IS NOT NULL AND source_id = $1) OR ($2::text IS NOT NULL AND lien = $2)
     ORDER BY (source_id = $1) DESC NULLS LAST LIMIT 1`,
    [sourceId, lien],
  );
  return r.rows[0]?.id ?? null;
}

const VALUES = [
  'source_id',
  'lien',
  'nom',
  'porteurs',
  'beneficiaires',
  'beneficiaires_libelles',
  'types',
  'types_libelles',
  'themes',
  'appel_a_projets',
  'recurrence',
  'date_ouverture',
  'date_echeance',
  'taux',
  'description',
  'eligibilite',
  'contact',
  'perimetre',
  'fichier',
  'format',
] as const;
const params = (a: AideInput) => VALUES.map((k) => a[k]);

export async function insertAide(q: Queryable, a: AideInput, runId: number): Promise<number> {
  const r = await q.query<{ id: number }>(
    `INSERT INTO aide (${VALUES.join(', ')}, run_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::date, $13::date, $14, $15, $16, $17, $18, $19, $20, $21)
     RETURNING id`,
    [...params(a), runId],
  );
  return r.rows[0]!.id;
}

export async function updateAide(q: Queryable, id: number, a: AideInput, runId: number): Promise<void> {
  await q.query(
    `UPDATE aide SET ${VALUES.map((k, i) => `${k} = $${i + 1}${k.startsWith('date_') ? '::date' : ''}`).join(', ')},
       run_id = $21, importe_le = now() WHERE id = $22`,
    [...params(a), runId, id],
  );
}

export async function setAideTerritoires(q: Queryable, id: number, ts: AideTerritoire[]): Promise<void> {
  await q.query('DELETE FROM aide_territoire WHERE aide_id = $1', [id]);
  if (!ts.length) return;
  await q.query(
    `INSERT INTO aide_territoire (aide_id, niveau, code, libelle)
     SELECT $1, x.niveau, x.code, x.libelle FROM json_to_recordset($2::json) AS x(niveau text, code text, libelle text)
     ON CONFLICT DO NOTHING`,
    [id, JSON.stringify(ts)],
  );
}

export async function aideById(q: Queryable, id: number): Promise<AideRow | null> {
  return (await q.query<AideRow>(`SELECT ${AIDE_COLS} FROM aide WHERE id = $1`, [id])).rows[0] ?? null;
}

export async function aideTerritoires(q: Queryable, id: number): Promise<AideTerritoire[]> {
  return (
    await q.query<AideTerritoire>(
      `SELECT niveau, code, libelle FROM aide_territoire WHERE aide_id = $1
       ORDER BY array_position(ARRAY['pays','region','departement','epci','commune'], niveau), code`,
      [id],
    )
  ).rows;
}

export type AideFilter = {
  beneficiaire?: string | undefined;
  /** Territories the aid must be open to (any of them): a commune and its parents, or one territory. */
  territoires?: { niveau: string; code: string }[] | undefined;
  theme?: string | undefined;
  type?: string | undefined;
  echeanceAvant?: string | undefined;
  /** Only aids still open on this day (no deadline, or a deadline on or after it). */
  ouvertesAu?: string | undefined;
  /** Only aids first imported after this instant (alerts: what is new). */
  creeesApres?: Date | undefined;
  /** Only deadlines after `apres` (excluded, when given) and up to `jusquAu` (alerts: deadlines coming). */
  echeance?: { apres: string | null; jusquAu: string } | undefined;
};

function aideWhere(f: AideFilter): { sql: string; args: unknown[] } {
  const args: unknown[] = [];
  const w: string[] = [];
  const p = (v: unknown) => {
    args.push(v);
    return `$${args.length}`;
  };
  if (f.beneficiaire) w.push(`${p(f.beneficiaire)} = ANY(a.beneficiaires)`);
  if (f.type) w.push(`${p(f.type)} = ANY(a.types)`);
  if (f.theme) w.push(`EXISTS (SELECT 1 FROM unnest(a.themes) t WHERE lower(t) = lower(${p(f.theme)}))`);
  if (f.echeanceAvant) w.push(`a.date_echeance <= ${p(f.echeanceAvant)}::date`);
  if (f.ouvertesAu) w.push(`(a.date_echeance IS NULL OR a.date_echeance >= ${p(f.ouvertesAu)}::date)`);
  if (f.creeesApres) w.push(`a.cree_le > ${p(f.creeesApres)}::timestamptz`);
  if (f.echeance) {
    w.push(`a.date_echeance <= ${p(f.echeance.jusquAu)}::date`);
    if (f.echeance.apres) w.push(`a.date_echeance > ${p(f.echeance.apres)}::date`);
  }
  if (f.territoires)
    w.push(`EXISTS (SELECT 1 FROM aide_territoire t JOIN json_to_recordset(${p(JSON.stringify(f.territoires))}::json)
      AS x(niveau text, code text) ON x.niveau = t.niveau AND x.code = t.code WHERE t.aide_id = a.id)`);
  return { sql: w.length ? `WHERE ${w.join(' AND ')}` : '', args };
}

type AideListRow = Pick<
  AideRow,
  'id' | 'nom' | 'porteurs' | 'beneficiaires' | 'types' | 'date_ouverture' | 'date_echeance' | 'lien' | 'perimetre'
>;

export async function listAides(
  q: Queryable,
  f: AideFilter,
  limit: number,
  offset: number,
): Promise<{ total: number; items: AideListRow[] }> {
  const { sql, args } = aideWhere(f);
  const total = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM aide a ${sql}`, args);
  const items = await q.query<AideListRow>(
    `SELECT a.id, a.nom, a.porteurs, a.beneficiaires, a.types, to_char(a.date_ouverture, 'YYYY-MM-DD') AS date_ouverture,
            to_char(a.date_echeance, 'YYYY-MM-DD') AS date_echeance, a.lien, a.perimetre
     FROM aide a ${sql} ORDER BY a.date_echeance NULLS LAST, a.nom, a.id LIMIT ${limit} OFFSET ${offset}`,
    args,
  );
  return { total: total.rows[0]?.n ?? 0, items: items.rows };
}

/** Every theme the imported aids carry, with counts, for the filter list. */
export async function aideThemes(q: Queryable): Promise<{ theme: string; n: number }[]> {
  return (
    await q.query<{ theme: string; n: number }>(
      'SELECT t AS theme, count(*)::int AS n FROM aide, unnest(themes) t GROUP BY t ORDER BY t',
    )
  ).rows;
}

/** The files the stored aids come from, for the sources block. */
export async function aideSources(
  q: Queryable,
): Promise<{ fichier: string; format: string; n: number; importe_le: Date }[]> {
  return (
    await q.query<{ fichier: string; format: string; n: number; importe_le: Date }>(
      'SELECT fichier, format, count(*)::int AS n, max(importe_le) AS importe_le FROM aide GROUP BY fichier, format ORDER BY fichier',
    )
  ).rows;
}

export async function countAides(q: Queryable): Promise<number> {
  return (await q.query<{ n: number }>('SELECT count(*)::int AS n FROM aide')).rows[0]!.n;
}

// Search index

type SearchDoc = {
  type: string;
  objet_id: number;
  titre: string;
  corps: string;
  titre_plie: string;
  corps_plie: string;
  themes: string[];
  territoires: string[];
  url: string;
};

export async function upsertSearchDoc(q: Queryable, d: SearchDoc): Promise<void> {
  await q.query(
    `INSERT INTO ressource_recherche (type, objet_id, titre, corps, titre_plie, corps_plie, themes, territoires, url, document)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,
             setweight(to_tsvector('french', $5), 'A') || setweight(to_tsvector('french', $6), 'B'))
     ON CONFLICT (type, objet_id) DO UPDATE SET titre = EXCLUDED.titre, corps = EXCLUDED.corps,
       titre_plie = EXCLUDED.titre_plie, corps_plie = EXCLUDED.corps_plie, themes = EXCLUDED.themes,
       territoires = EXCLUDED.territoires, url = EXCLUDED.url, document = EXCLUDED.document`,
    [d.type, d.objet_id, d.titre, d.corps, d.titre_plie, d.corps_plie, d.themes, d.territoires, d.url],
  );
}

type SearchHit = {
  type: string;
  objet_id: number;
  titre: string;
  corps: string;
  corps_plie: string;
  url: string;
  headline: string;
  total: number;
};

const HEADLINE_OPTS =
  "'StartSel=' || chr(1) || ', StopSel=' || chr(2) || ', MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=' || chr(3)";

/**
 * Documents matching a folded query (French stemming), best first, with `ts_headline` over the folded
 * body (marks are control characters, mapped back onto the original text by the caller).
 */
export async function searchDocs(
  q: Queryable,
  f: { q: string; type?: string | undefined; theme?: string | undefined; territoires?: string[] | undefined },
  limit: number,
  offset: number,
): Promise<SearchHit[]> {
  return (
    await q.query<SearchHit>(
      `WITH query AS (SELECT websearch_to_tsquery('french', $1) AS tsq)
       SELECT r.type, r.objet_id, r.titre, r.corps, r.corps_plie, r.url,
              ts_headline('french', r.corps_plie, query.tsq, ${HEADLINE_OPTS}) AS headline,
              count(*) OVER ()::int AS total
       FROM ressource_recherche r, query
       WHERE r.document @@ query.tsq AND r.publie
         AND ($2::text IS NULL OR r.type = $2)
         AND ($3::text IS NULL OR $3 = ANY(r.themes))
         AND ($4::text[] IS NULL OR r.territoires && $4::text[])
       ORDER BY ts_rank(r.document, query.tsq) DESC, r.titre, r.type, r.objet_id
       LIMIT ${limit} OFFSET ${offset}`,
      [f.q, f.type ?? null, f.theme ?? null, f.territoires ?? null],
    )
  ).rows;
}

/** Counts per type of the same search, for the facets. */
export async function searchFacets(
  q: Queryable,
  f: { q: string; theme?: string | undefined; territoires?: string[] | undefined },
): Promise<{ type: string; n: number }[]> {
  return (
    await q.query<{ type: string; n: number }>(
      `SELECT r.type, count(*)::int AS n FROM ressource_recherche r
       WHERE r.document @@ websearch_to_tsquery('french', $1) AND r.publie
         AND ($2::text IS NULL OR $2 = ANY(r.themes)) AND ($3::text[] IS NULL OR r.territoires && $3::text[])
       GROUP BY r.type ORDER BY r.type`,
      [f.q, f.theme ?? null, f.territoires ?? null],
    )
  ).rows;
}

// Themes and actors

export type ThemeRow = { slug: string; libelle: string; ordre: number };
export async function listThemes(q: Queryable): Promise<ThemeRow[]> {
  return (await q.query<ThemeRow>('SELECT slug, libelle, ordre FROM ressource_theme ORDER BY ordre, slug')).rows;
}

export type ActeurInput = {
  nom: string;
  categorie: string;
  niveau: string | null;
  code_territoire: string | null;
  themes: string[];
  competences: string | null;
  description: string | null;
  siret: string | null;
  siren: string | null;
  rna: string | null;
  site: string | null;
  contact_public: string | null;
};
type ActeurRow = ActeurInput & { id: number; moderation: Visibility; cree_le: Date; modifie_le: Date };

const ACTEUR_COLS = [
  'nom',
  'categorie',
  'niveau',
  'code_territoire',
  'themes',
  'competences',
  'description',
  'siret',
  'siren',
  'rna',
  'site',
  'contact_public',
] as const;

export async function insertActeur(q: Queryable, a: ActeurInput): Promise<number> {
  const r = await q.query<{ id: number }>(
    `INSERT INTO acteur (${ACTEUR_COLS.join(', ')}) VALUES (${ACTEUR_COLS.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
    ACTEUR_COLS.map((k) => a[k]),
  );
  return r.rows[0]!.id;
}

export async function updateActeur(q: Queryable, id: number, a: ActeurInput): Promise<void> {
  await q.query(
    `UPDATE acteur SET ${ACTEUR_COLS.map((k, i) => `${k} = $${i + 1}`).join(', ')}, modifie_le = now() WHERE id = $${ACTEUR_COLS.length + 1}`,
    [...ACTEUR_COLS.map((k) => a[k]), id],
  );
}

export async function acteurById(q: Queryable, id: number): Promise<ActeurRow | null> {
  return (await q.query<ActeurRow>('SELECT * FROM acteur WHERE id = $1', [id])).rows[0] ?? null;
}

export async function listActeurs(
  q: Queryable,
  f: { theme?: string | undefined; categorie?: string | undefined },
  limit: number,
  offset: number,
): Promise<{ total: number; items: ActeurRow[] }> {
  const where = `WHERE moderation = 'publie' AND ($1::text IS NULL OR $1 = ANY(themes)) AND ($2::text IS NULL OR categorie = $2)`;
  const args = [f.theme ?? null, f.categorie ?? null];
  const total = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM acteur ${where}`, args);
  const items = await q.query<ActeurRow>(
    `SELECT * FROM acteur ${where} ORDER BY lower(nom), id LIMIT ${limit} OFFSET ${offset}`,
    args,
  );
  return { total: total.rows[0]?.n ?? 0, items: items.rows };
}

/** An aid without source id nor link is recognised by its name and funders. */
export async function aideIdByName(q: Queryable, nom: string, porteurs: string[]): Promise<number | null> {
  const r = await q.query<{ id: number }>(
    'SELECT id FROM aide WHERE source_id IS NULL AND lien IS NULL AND nom = $1 AND porteurs = $2::text[] LIMIT 1',
    [nom, porteurs],
  );
  return r.rows[0]?.id ?? null;
}

// Agenda

export type EvenementInput = {
  titre: string;
  debut: Date;
  fin: Date;
  lieu: string | null;
  lien_en_ligne: string | null;
  organisateur: string | null;
  themes: string[];
  inscription: string | null;
  description: string | null;
};
type EvenementRow = EvenementInput & { id: number; moderation: Visibility; cree_le: Date; modifie_le: Date };
const EVT_COLS = [
  'titre',
  'debut',
  'fin',
  'lieu',
  'lien_en_ligne',
  'organisateur',
  'themes',
  'inscription',
  'description',
] as const;

export async function insertEvenement(q: Queryable, e: EvenementInput): Promise<number> {
  const r = await q.query<{ id: number }>(
    `INSERT INTO evenement (${EVT_COLS.join(', ')}) VALUES (${EVT_COLS.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
    EVT_COLS.map((k) => e[k]),
  );
  return r.rows[0]!.id;
}

export async function updateEvenement(q: Queryable, id: number, e: EvenementInput): Promise<void> {
  await q.query(
    `UPDATE evenement SET ${EVT_COLS.map((k, i) => `${k} = $${i + 1}`).join(', ')}, modifie_le = now() WHERE id = $${EVT_COLS.length + 1}`,
    [...EVT_COLS.map((k) => e[k]), id],
  );
}

export async function evenementById(q: Queryable, id: number): Promise<EvenementRow | null> {
  return (await q.query<EvenementRow>('SELECT * FROM evenement WHERE id = $1', [id])).rows[0] ?? null;
}

/** Events of a theme (or all), upcoming first when `depuis` is given, for the list and the feed. */
export async function listEvenements(
  q: Queryable,
  f: { theme?: string | undefined; depuis?: Date | undefined },
  limit: number,
  offset: number,
): Promise<{ total: number; items: EvenementRow[] }> {
  const where =
    "WHERE moderation = 'publie' AND ($1::text IS NULL OR $1 = ANY(themes)) AND ($2::timestamptz IS NULL OR fin >= $2)";
  const args = [f.theme ?? null, f.depuis ?? null];
  const total = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM evenement ${where}`, args);
  const items = await q.query<EvenementRow>(
    `SELECT * FROM evenement ${where} ORDER BY debut, id LIMIT ${limit} OFFSET ${offset}`,
    args,
  );
  return { total: total.rows[0]?.n ?? 0, items: items.rows };
}

// News watch

export type ActualiteInput = {
  titre: string;
  source_nom: string;
  lien: string | null;
  publie_le: string;
  etiquettes: string[];
  resume: string;
};
type ActualiteRow = ActualiteInput & { id: number; moderation: Visibility; cree_le: Date; modifie_le: Date };

export async function insertActualite(q: Queryable, a: ActualiteInput): Promise<number> {
  const r = await q.query<{ id: number }>(
    `INSERT INTO actualite (titre, source_nom, lien, publie_le, etiquettes, resume)
     VALUES ($1, $2, $3, $4::date, $5, $6) RETURNING id`,
    [a.titre, a.source_nom, a.lien, a.publie_le, a.etiquettes, a.resume],
  );
  return r.rows[0]!.id;
}

export async function updateActualite(q: Queryable, id: number, a: ActualiteInput): Promise<void> {
  await q.query(
    `UPDATE actualite SET titre = $1, source_nom = $2, lien = $3, publie_le = $4::date, etiquettes = $5, resume = $6,
       modifie_le = now() WHERE id = $7`,
    [a.titre, a.source_nom, a.lien, a.publie_le, a.etiquettes, a.resume, id],
  );
}

const ACT_COLS = `id, titre, source_nom, lien, to_char(publie_le, 'YYYY-MM-DD') AS publie_le, etiquettes, resume, moderation, cree_le, modifie_le`;

export async function actualiteById(q: Queryable, id: number): Promise<ActualiteRow | null> {
  return (await q.query<ActualiteRow>(`SELECT ${ACT_COLS} FROM actualite WHERE id = $1`, [id])).rows[0] ?? null;
}

export async function listActualites(
  q: Queryable,
  f: { etiquette?: string | undefined },
  limit: number,
  offset: number,
): Promise<{ total: number; items: ActualiteRow[] }> {
  const where = "WHERE moderation = 'publie' AND ($1::text IS NULL OR $1 = ANY(etiquettes))";
  const total = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM actualite ${where}`, [
    f.etiquette ?? null,
  ]);
  const items = await q.query<ActualiteRow>(
    `SELECT ${ACT_COLS} FROM actualite ${where} ORDER BY actualite.publie_le DESC, id DESC LIMIT ${limit} OFFSET ${offset}`,
    [f.etiquette ?? null],
  );
  return { total: total.rows[0]?.n ?? 0, items: items.rows };
}

/** Count and last change of the records entered on the platform (open-data ETag and Last-Modified). */
export async function enteredStamp(
  q: Queryable,
): Promise<{ acteur: string; evenement: string; modifie_le: Date | null }[]> {
  return (
    await q.query<{ acteur: string; evenement: string; modifie_le: Date | null }>(
      `SELECT (SELECT count(*) || ':' || coalesce(max(id), 0) FROM acteur) AS acteur,
              (SELECT count(*) || ':' || coalesce(max(id), 0) FROM evenement) AS evenement,
              greatest((SELECT max(modifie_le) FROM acteur), (SELECT max(modifie_le) FROM evenement)) AS modifie_le`,
    )
  ).rows;
}
