/** Read side of the observatory: one function per SQL query. */
import type { Queryable } from '../db/db.ts';

export type Jeu = 'arcep-deploiements' | 'mci-communes';
export type SerieRow = {
  niveau: string;
  code: string;
  periode: string;
  date_fin: string;
  jeu: Jeu;
  perimetre: string;
  communes: number;
  locaux_raccordables: number | null;
  categorie: number | null;
  logements: number | null;
  etablissements: number | null;
  locaux: number | null;
  millesime_locaux: string | null;
  logements_insee: number | null;
  communes_ftth_completes: number | null;
  communes_ftth_nulles: number | null;
  nbr: number | null;
  inel_hd: number | null;
  elig_hd05: number | null;
  elig_hd3: number | null;
  elig_bhd8: number | null;
  elig_thd30: number | null;
  elig_thd100: number | null;
  elig_thd1g: number | null;
  communes_thd_completes: number | null;
  communes_thd_nulles: number | null;
};

const SERIE_COLS = `s.niveau, s.code, s.periode, to_char(s.date_fin, 'YYYY-MM-DD') AS date_fin, s.jeu, s.perimetre, s.communes,
  s.locaux_raccordables::float8 AS locaux_raccordables, s.categorie, s.logements::float8 AS logements, s.etablissements::float8 AS etablissements,
  s.locaux::float8 AS locaux, s.millesime_locaux, s.logements_insee, s.communes_ftth_completes, s.communes_ftth_nulles, s.nbr::float8 AS nbr,
  s.inel_hd::float8 AS inel_hd, s.elig_hd05::float8 AS elig_hd05, s.elig_hd3::float8 AS elig_hd3, s.elig_bhd8::float8 AS elig_bhd8,
  s.elig_thd30::float8 AS elig_thd30, s.elig_thd100::float8 AS elig_thd100, s.elig_thd1g::float8 AS elig_thd1g, s.communes_thd_completes, s.communes_thd_nulles`;

/** Every period of a territory: the quarterly FttH series and the MCI series of one perimeter. */
export async function seriesOf(q: Queryable, niveau: string, code: string, perimetre: string): Promise<SerieRow[]> {
  return (
    await q.query<SerieRow>(
      `SELECT ${SERIE_COLS} FROM obs_serie s
     WHERE s.niveau = $1 AND s.code = $2 AND (s.jeu = 'arcep-deploiements' OR s.perimetre = $3)
     ORDER BY s.date_fin, s.jeu`,
      [niveau, code, perimetre],
    )
  ).rows;
}

export type SourceRow = {
  jeu: string;
  perimetre: string;
  periode: string;
  fichier: string;
  producteur: string;
  licence: string;
  importe_le: string;
  source_jeu: string;
};
export async function periodSources(q: Queryable): Promise<SourceRow[]> {
  return (
    await q.query<SourceRow>(
      `SELECT ss.jeu, ss.perimetre, ss.periode, s.fichier, s.producteur, s.licence, s.jeu AS source_jeu,
            to_char(s.importe_le AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS importe_le
     FROM obs_serie_source ss JOIN obs_source s ON s.id = ss.source_id ORDER BY s.id`,
    )
  ).rows;
}

/** The latest period of a data set (by end date), if any. */
export async function latestPeriode(
  q: Queryable,
  jeu: Jeu,
  perimetre: string,
): Promise<{ periode: string; date_fin: string } | undefined> {
  return (
    await q.query<{ periode: string; date_fin: string }>(
      `SELECT periode, to_char(date_fin, 'YYYY-MM-DD') AS date_fin FROM obs_serie
     WHERE niveau = 'france' AND jeu = $1 AND perimetre = $2 ORDER BY date_fin DESC LIMIT 1`,
      [jeu, perimetre],
    )
  ).rows[0];
}

export type LatestRow = { code: string; nom: string; parent: string | null } & Partial<
  Record<
    | 'locaux_raccordables'
    | 'locaux'
    | 'logements_insee'
    | 'communes'
    | 'communes_ftth_completes'
    | 'communes_ftth_nulles'
    | 'nbr'
    | 'inel_hd'
    | 'elig_hd05'
    | 'elig_hd3'
    | 'elig_bhd8'
    | 'elig_thd30'
    | 'elig_thd100'
    | 'elig_thd1g'
    | 'communes_thd_completes'
    | 'communes_thd_nulles',
    number | null
  >
>;

const LATEST_COLS = `f.locaux_raccordables::float8 AS locaux_raccordables, f.locaux::float8 AS locaux,
  coalesce(f.logements_insee, m.logements_insee) AS logements_insee, coalesce(f.communes, m.communes) AS communes,
  f.communes_ftth_completes, f.communes_ftth_nulles, m.nbr::float8 AS nbr, m.inel_hd::float8 AS inel_hd, m.elig_hd05::float8 AS elig_hd05,
  m.elig_hd3::float8 AS elig_hd3, m.elig_bhd8::float8 AS elig_bhd8, m.elig_thd30::float8 AS elig_thd30, m.elig_thd100::float8 AS elig_thd100,
  m.elig_thd1g::float8 AS elig_thd1g, m.communes_thd_completes, m.communes_thd_nulles`;

/**
 * Latest FttH and MCI values of territories of one level, listed by an SQL subquery yielding
 * (code, nom, parent); $1 = FttH period, $2 = MCI period, $3 = MCI perimeter, $4… = the subquery's.
 */
async function latestOf(
  q: Queryable,
  niveau: string,
  list: string,
  params: unknown[],
  p: { ftth?: string; mci?: string; perimetre: string },
): Promise<LatestRow[]> {
  return (
    await q.query<LatestRow>(
      `SELECT t.code, t.nom, t.parent, ${LATEST_COLS}
     FROM (${list}) t
     LEFT JOIN obs_serie f ON f.niveau = '${niveau}' AND f.code = t.code AND f.jeu = 'arcep-deploiements' AND f.perimetre = 'ftth' AND f.periode = $1
     LEFT JOIN obs_serie m ON m.niveau = '${niveau}' AND m.code = t.code AND m.jeu = 'mci-communes' AND m.perimetre = $3 AND m.periode = $2
     ORDER BY t.code`,
      [p.ftth ?? '', p.mci ?? '', p.perimetre, ...params],
    )
  ).rows;
}

/** Current communes of a region, département or EPCI with their latest values (parent = EPCI). */
export function communesLatest(
  q: Queryable,
  scope: { niveau: 'region' | 'departement' | 'epci' | 'france'; code: string },
  p: { ftth?: string; mci?: string; perimetre: string },
) {
  const where = scope.niveau === 'france' ? 'true' : `c.${scope.niveau} = $4`;
  return latestOf(
    q,
    'commune',
    `SELECT c.code, c.nom, c.epci AS parent FROM commune c WHERE c.type = 'commune-actuelle' AND ${where}`,
    scope.niveau === 'france' ? [] : [scope.code],
    p,
  );
}

export function departementsLatest(
  q: Queryable,
  region: string | null,
  p: { ftth?: string; mci?: string; perimetre: string },
) {
  return latestOf(
    q,
    'departement',
    `SELECT code, nom, region AS parent FROM departement WHERE ${region ? 'region = $4' : 'true'}`,
    region ? [region] : [],
    p,
  );
}

/** EPCI with at least one commune in the region or département. */
export function epcisLatest(
  q: Queryable,
  scope: { niveau: 'region' | 'departement' | 'france'; code: string },
  p: { ftth?: string; mci?: string; perimetre: string },
) {
  const where = scope.niveau === 'france' ? 'true' : `c.${scope.niveau} = $4`;
  return latestOf(
    q,
    'epci',
    `SELECT e.code, e.nom, NULL::text AS parent FROM epci e WHERE EXISTS (SELECT 1 FROM commune c WHERE c.epci = e.code AND ${where})`,
    scope.niveau === 'france' ? [] : [scope.code],
    p,
  );
}

type ShapeRow = { code: string; nom: string; geometrie: { type: 'MultiPolygon'; coordinates: number[][][][] } };
/** Simplified outlines of the listed territories (those that have one). */
export async function shapesOf(q: Queryable, niveau: string, codes: string[]): Promise<ShapeRow[]> {
  if (!codes.length) return [];
  return (
    await q.query<ShapeRow>(
      `SELECT g.code, g.code AS nom, g.geometrie_simplifiee AS geometrie FROM territoire_geometrie g WHERE g.niveau = $1 AND g.code = ANY($2::text[])`,
      [niveau, codes],
    )
  ).rows;
}

type ControleRow = {
  code: string;
  nom: string | null;
  periode: string;
  publie: number | null;
  somme_communes_publiees: number | null;
  recalcule: number | null;
  non_rattaches: number | null;
  codes_non_rattaches: string | null;
  sortants: number | null;
  entrants: number | null;
};

/**
 * ARCEP's published département (or région) totals against the totals recomputed from commune
 * rows. `somme_communes_publiees` sums the commune rows as published (file's geography);
 * `recalcule` is the platform's figure (today's communes); the difference is explained by the
 * codes left unmapped and by communes that changed département since.
 */
/** The materialised cross-check (see refreshControle), optionally for one quarter. */
export async function controle(
  q: Queryable,
  niveau: 'departement' | 'region',
  periode: string | null,
): Promise<ControleRow[]> {
  return (
    await q.query<ControleRow>(
      `SELECT code, nom, periode, publie, somme_communes_publiees, recalcule, non_rattaches, codes_non_rattaches, sortants, entrants
     FROM obs_controle WHERE niveau = $1 AND ($2::text IS NULL OR periode = $2) ORDER BY periode, code`,
      [niveau, periode],
    )
  ).rows;
}

/** Published EPCI totals against the 2018 membership (informations sheet) and today's perimeter. */
export async function controleEpci(q: Queryable, periode: string | null) {
  return (
    await q.query<{
      code: string;
      nom: string | null;
      periode: string;
      publie: number | null;
      perimetre_publie: number | null;
      perimetre_actuel: number | null;
    }>(
      `WITH mil AS (SELECT max(millesime) AS m FROM obs_info_brut),
     r AS (
       SELECT i.epci_publie AS code, b.periode, sum(b.locaux_raccordables)::float8 AS total
       FROM obs_ftth_brut b JOIN obs_info_brut i ON i.code_publie = b.code_publie AND i.millesime = (SELECT m FROM mil)
       WHERE ($1::text IS NULL OR b.periode = $1) GROUP BY i.epci_publie, b.periode
     )
     SELECT p.code, coalesce(e.nom, (SELECT n.nom FROM obs_publie n WHERE n.niveau = 'epci' AND n.code = p.code AND n.nom IS NOT NULL LIMIT 1)) AS nom,
            p.periode, p.valeur AS publie, r.total AS perimetre_publie, s.locaux_raccordables::float8 AS perimetre_actuel
     FROM obs_publie p
     LEFT JOIN epci e ON e.code = p.code
     LEFT JOIN r ON r.code = p.code AND r.periode = p.periode
     LEFT JOIN obs_serie s ON s.niveau = 'epci' AND s.code = p.code AND s.jeu = 'arcep-deploiements' AND s.perimetre = 'ftth' AND s.periode = p.periode
     WHERE p.niveau = 'epci' AND p.champ = 'locaux_raccordables' AND ($1::text IS NULL OR p.periode = $1)
     ORDER BY p.periode, p.code`,
      [periode],
    )
  ).rows;
}

export type ObjectifRow = {
  id: number;
  libelle: string;
  strategie: string;
  territoire_niveau: string;
  territoire_code: string;
  indicateur: string;
  cible: number;
  echeance: string;
  source: string;
  note: string | null;
  actif: boolean;
  perimetre: 'ftth' | 'toutes' | 'terrestre' | 'filaire';
};
const OBJ_COLS = `id::int AS id, libelle, strategie, territoire_niveau, territoire_code, indicateur, cible, to_char(echeance, 'YYYY-MM-DD') AS echeance, source, note, actif, perimetre`;

export async function listObjectifs(q: Queryable, onlyActive = false): Promise<ObjectifRow[]> {
  return (
    await q.query<ObjectifRow>(
      `SELECT ${OBJ_COLS} FROM obs_objectif ${onlyActive ? 'WHERE actif' : ''} ORDER BY echeance, id`,
    )
  ).rows;
}
export async function getObjectif(q: Queryable, id: number): Promise<ObjectifRow | undefined> {
  return (await q.query<ObjectifRow>(`SELECT ${OBJ_COLS} FROM obs_objectif WHERE id = $1`, [id])).rows[0];
}
/** A target's scope defaults to the FttH observatory for the FttH rate, to terrestrial access otherwise. */
export type ObjectifInput = Omit<ObjectifRow, 'id' | 'perimetre'> & { perimetre?: ObjectifRow['perimetre'] };
const perimetreOf = (o: ObjectifInput) => o.perimetre ?? (o.indicateur === 'taux_ftth' ? 'ftth' : 'terrestre');
export async function insertObjectif(q: Queryable, o: ObjectifInput): Promise<number> {
  const r = await q.query<{ id: number }>(
    `INSERT INTO obs_objectif (libelle, strategie, territoire_niveau, territoire_code, indicateur, cible, echeance, source, note, actif, perimetre)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id::int AS id`,
    [
      o.libelle,
      o.strategie,
      o.territoire_niveau,
      o.territoire_code,
      o.indicateur,
      o.cible,
      o.echeance,
      o.source,
      o.note,
      o.actif,
      perimetreOf(o),
    ],
  );
  return r.rows[0]!.id;
}
export async function updateObjectif(q: Queryable, id: number, o: ObjectifInput): Promise<void> {
  await q.query(
    `UPDATE obs_objectif SET libelle = $2, strategie = $3, territoire_niveau = $4, territoire_code = $5, indicateur = $6, cible = $7,
       echeance = $8, source = $9, note = $10, actif = $11, perimetre = $12 WHERE id = $1`,
    [
      id,
      o.libelle,
      o.strategie,
      o.territoire_niveau,
      o.territoire_code,
      o.indicateur,
      o.cible,
      o.echeance,
      o.source,
      o.note,
      o.actif,
      perimetreOf(o),
    ],
  );
}
export async function deleteObjectif(q: Queryable, id: number): Promise<void> {
  await q.query('DELETE FROM obs_objectif WHERE id = $1', [id]);
}

/**
 * Where a commune stands among the communes of its EPCI or département: rank (1 + communes with a
 * strictly higher value), how many share its value (ex æquo), and how many have a value.
 */
export async function communeRank(
  q: Queryable,
  code: string,
  within: 'epci' | 'departement',
  indicateur: 'ftth' | 'thd100',
  p: { ftth?: string; mci?: string; perimetre: string },
) {
  const value =
    indicateur === 'ftth'
      ? `CASE WHEN f.locaux > 0 THEN f.locaux_raccordables::float8 / f.locaux END`
      : `CASE WHEN m.nbr > 0 THEN m.elig_thd100::float8 / m.nbr END`;
  return (
    await q.query<{ rang: number; total: number; ex_aequo: number; valeur: number | null }>(
      `WITH me AS (SELECT ${within} AS g FROM commune WHERE code = $4),
     v AS (
       SELECT c.code, ${value} AS valeur FROM commune c
       LEFT JOIN obs_serie f ON f.niveau = 'commune' AND f.code = c.code AND f.jeu = 'arcep-deploiements' AND f.perimetre = 'ftth' AND f.periode = $1
       LEFT JOIN obs_serie m ON m.niveau = 'commune' AND m.code = c.code AND m.jeu = 'mci-communes' AND m.perimetre = $3 AND m.periode = $2
       WHERE c.type = 'commune-actuelle' AND c.${within} = (SELECT g FROM me)
     )
     SELECT (SELECT count(*)::int + 1 FROM v WHERE v.valeur > x.valeur) AS rang, (SELECT count(*)::int FROM v WHERE v.valeur IS NOT NULL) AS total,
            (SELECT count(*)::int FROM v WHERE v.valeur = x.valeur) AS ex_aequo, x.valeur
     FROM v x WHERE x.code = $4`,
      [p.ftth ?? '', p.mci ?? '', p.perimetre, code],
    )
  ).rows[0];
}

/** Communes of each EPCI that has communes in the région: in the région, and in all. */
export async function epciCommuneCounts(q: Queryable, region: string) {
  return (
    await q.query<{ code: string; total: number; dans_region: number }>(
      `SELECT c.epci AS code, count(*)::int AS total, count(*) FILTER (WHERE c.region = $1)::int AS dans_region
     FROM commune c WHERE c.type = 'commune-actuelle' AND c.epci IN (SELECT epci FROM commune WHERE region = $1 AND epci IS NOT NULL)
     GROUP BY c.epci`,
      [region],
    )
  ).rows;
}

/** Technology scopes of Ma connexion internet actually imported (what the filter may offer). */
export async function importedPerimetres(q: Queryable): Promise<string[]> {
  return (
    await q.query<{ perimetre: string }>(
      `SELECT DISTINCT perimetre FROM obs_serie WHERE niveau = 'france' AND jeu = 'mci-communes' ORDER BY perimetre`,
    )
  ).rows.map((r) => r.perimetre);
}

export type PublishedRow = {
  periode: string;
  locaux_raccordables: number;
  meilleure_estimation_locaux: number | null;
  logements: number | null;
  etablissements: number | null;
  fichier: string;
  producteur: string;
  licence: string;
  importe_le: string;
};
/**
 * ARCEP's own FttH totals of a département or région, per quarter, with ARCEP's denominator for
 * that quarter when published: its "meilleure estimation des locaux", or the logements +
 * établissements of the latest informations sheet not after the quarter (the earliest otherwise).
 */
export async function publishedSeries(
  q: Queryable,
  niveau: 'departement' | 'region',
  code: string,
): Promise<PublishedRow[]> {
  return (
    await q.query<PublishedRow>(
      `WITH r AS (SELECT periode, valeur, source_id FROM obs_publie WHERE niveau = $1 AND code = $2 AND champ = 'locaux_raccordables' AND valeur IS NOT NULL),
     info AS (SELECT periode, sum(valeur) FILTER (WHERE champ = 'logements') AS logements, sum(valeur) FILTER (WHERE champ = 'etablissements') AS etablissements
              FROM obs_publie WHERE niveau = $1 AND code = $2 AND champ IN ('logements', 'etablissements') GROUP BY periode)
     SELECT r.periode, r.valeur AS locaux_raccordables, e.valeur AS meilleure_estimation_locaux, i.logements, i.etablissements,
            s.fichier, s.producteur, s.licence, to_char(s.importe_le AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS importe_le
     FROM r JOIN obs_source s ON s.id = r.source_id
     LEFT JOIN obs_publie e ON e.niveau = $1 AND e.code = $2 AND e.champ = 'meilleure_estimation_locaux' AND e.periode = r.periode
     LEFT JOIN LATERAL (SELECT * FROM info ORDER BY (info.periode <= r.periode) DESC, CASE WHEN info.periode <= r.periode THEN info.periode END DESC, info.periode LIMIT 1) i ON true
     ORDER BY r.periode`,
      [niveau, code],
    )
  ).rows;
}

/** Régions an EPCI's current communes belong to, with how many communes in each. */
export async function epciRegions(q: Queryable, epci: string) {
  return (
    await q.query<{ code: string; nom: string; communes: number }>(
      `SELECT r.code, r.nom, count(*)::int AS communes FROM commune c JOIN region r ON r.code = c.region
     WHERE c.type = 'commune-actuelle' AND c.epci = $1 GROUP BY r.code, r.nom ORDER BY count(*) DESC`,
      [epci],
    )
  ).rows;
}

/** FttH quarters with commune figures (what the dashboard's quarter filter may offer), latest first. */
export async function ftthPeriods(q: Queryable): Promise<{ periode: string; date_fin: string }[]> {
  return (
    await q.query<{ periode: string; date_fin: string }>(
      `SELECT periode, to_char(date_fin, 'YYYY-MM-DD') AS date_fin FROM obs_serie
     WHERE niveau = 'france' AND jeu = 'arcep-deploiements' AND perimetre = 'ftth' ORDER BY date_fin DESC`,
    )
  ).rows;
}
