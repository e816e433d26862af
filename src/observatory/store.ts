/** Write side of the observatory: one function per SQL statement, all run inside an import transaction. */
import { insertJson, type Queryable, type Row } from '../db/db.ts';
import { norm } from './parse.ts';

export const LICENCE_OUVERTE = 'Licence Ouverte 2.0 (Etalab)';

export async function insertSource(
  q: Queryable,
  s: { jeu: string; fichier: string; sha256: string | null; producteur: string; licence: string },
): Promise<number> {
  const r = await q.query<{ id: number }>(
    'INSERT INTO obs_source (jeu, fichier, sha256, producteur, licence) VALUES ($1, $2, $3, $4, $5) RETURNING id',
    [s.jeu, s.fichier, s.sha256, s.producteur, s.licence],
  );
  return Number(r.rows[0]!.id);
}

/** Today's régions by their accent-folded name (a long-format series may give names only). */
export async function regionsByName(q: Queryable): Promise<Map<string, string>> {
  const rows = (await q.query<{ code: string; nom: string }>('SELECT code, nom FROM region')).rows;
  return new Map(rows.map((r) => [norm(r.nom), r.code]));
}

export async function deleteFtthBrut(q: Queryable, periodes: string[], departements: string[]) {
  await q.query('DELETE FROM obs_ftth_brut WHERE periode = ANY($1::text[]) AND departement_publie = ANY($2::text[])', [
    periodes,
    departements,
  ]);
}
export async function insertFtthBrut(q: Queryable, rows: Row[]) {
  return insertJson(
    q,
    'obs_ftth_brut',
    {
      code_publie: 'text',
      periode: 'text',
      departement_publie: 'text',
      code_actuel: 'text',
      locaux_raccordables: 'integer',
      categorie: 'smallint',
      source_id: 'bigint',
    },
    rows,
  );
}

export async function deleteInfoBrut(q: Queryable, millesime: string, departements: string[]) {
  await q.query('DELETE FROM obs_info_brut WHERE millesime = $1 AND departement_publie = ANY($2::text[])', [
    millesime,
    departements,
  ]);
}
export async function insertInfoBrut(q: Queryable, rows: Row[]) {
  return insertJson(
    q,
    'obs_info_brut',
    {
      code_publie: 'text',
      millesime: 'text',
      departement_publie: 'text',
      epci_publie: 'text',
      code_actuel: 'text',
      nom: 'text',
      logements: 'integer',
      etablissements: 'integer',
      meilleure_estimation_locaux: 'integer',
      zone_tres_dense: 'boolean',
      engagement_l3313: 'text',
      intention_privee: 'boolean',
      commune_rurale: 'boolean',
      commune_montagne: 'boolean',
      operateurs: 'text',
      source_id: 'bigint',
    },
    rows,
  );
}

export async function deletePublie(
  q: Queryable,
  niveau: string,
  periodes: string[],
  champs: string[],
  codes: string[],
) {
  await q.query(
    'DELETE FROM obs_publie WHERE niveau = $1 AND periode = ANY($2::text[]) AND champ = ANY($3::text[]) AND code = ANY($4::text[])',
    [niveau, periodes, champs, codes],
  );
}
export async function insertPublie(q: Queryable, rows: Row[]) {
  return insertJson(
    q,
    'obs_publie',
    {
      niveau: 'text',
      code: 'text',
      periode: 'text',
      champ: 'text',
      valeur: 'double precision',
      nom: 'text',
      parent: 'text',
      source_id: 'bigint',
    },
    rows,
  );
}

export async function deleteMciBrut(q: Queryable, periodes: string[], perimetre: string, departements: string[]) {
  await q.query(
    'DELETE FROM obs_mci_brut WHERE periode = ANY($1::text[]) AND perimetre = $2 AND departement_publie = ANY($3::text[])',
    [periodes, perimetre, departements],
  );
}
export async function insertMciBrut(q: Queryable, rows: Row[]) {
  return insertJson(
    q,
    'obs_mci_brut',
    {
      code_publie: 'text',
      periode: 'text',
      perimetre: 'text',
      departement_publie: 'text',
      code_actuel: 'text',
      nbr: 'integer',
      inel_hd: 'integer',
      elig_hd05: 'integer',
      elig_hd3: 'integer',
      elig_bhd8: 'integer',
      elig_thd30: 'integer',
      elig_thd100: 'integer',
      elig_thd1g: 'integer',
      source_id: 'bigint',
    },
    rows,
  );
}

export async function deleteLogements(q: Queryable, millesime: string, departements: string[]) {
  await q.query('DELETE FROM obs_logements_insee WHERE millesime = $1 AND departement_publie = ANY($2::text[])', [
    millesime,
    departements,
  ]);
}
export async function insertLogements(q: Queryable, rows: Row[]) {
  return insertJson(
    q,
    'obs_logements_insee',
    {
      code_publie: 'text',
      millesime: 'text',
      departement_publie: 'text',
      code_actuel: 'text',
      logements: 'double precision',
      residences_principales: 'double precision',
      source_id: 'bigint',
    },
    rows,
  );
}

/** End date of a period label: '2018-T1' → 2018-03-31; an ISO date stays itself. */
const DATE_FIN = `CASE WHEN periode ~ '^[0-9]{4}-T[1-4]$'
  THEN (make_date(substr(periode, 1, 4)::int, substr(periode, 7, 1)::int * 3, 1) + interval '1 month' - interval '1 day')::date
  ELSE periode::date END`;

const FTTH_COMMUNES_SQL = `
    INSERT INTO obs_serie (niveau, code, periode, date_fin, jeu, perimetre, communes, locaux_raccordables, categorie,
      logements, etablissements, locaux, millesime_locaux, logements_insee, communes_ftth_completes, communes_ftth_nulles)
    WITH f AS (
      SELECT code_actuel AS code, periode, sum(locaux_raccordables)::bigint AS rac, CASE WHEN count(*) = 1 THEN min(categorie) END AS categorie
      FROM obs_ftth_brut WHERE code_actuel IS NOT NULL AND ($1::text[] IS NULL OR code_actuel IN (SELECT code FROM commune WHERE departement = ANY($1::text[]))) GROUP BY code_actuel, periode
      UNION ALL
      SELECT p.code, p.periode, p.valeur::bigint, k.valeur::smallint
      FROM obs_publie p JOIN commune c ON c.code = p.code AND c.type = 'arrondissement-municipal'
      LEFT JOIN obs_publie k ON k.niveau = 'arrondissement' AND k.code = p.code AND k.periode = p.periode AND k.champ = 'categorie'
      WHERE p.niveau = 'arrondissement' AND p.champ = 'locaux_raccordables' AND p.valeur IS NOT NULL AND ($1::text[] IS NULL OR c.departement = ANY($1::text[]))
    ),
    i AS (
      SELECT code_actuel AS code, millesime, sum(logements)::bigint AS logements, sum(coalesce(etablissements, 0))::bigint AS etablissements
      FROM obs_info_brut WHERE code_actuel IS NOT NULL AND logements IS NOT NULL AND ($1::text[] IS NULL OR code_actuel IN (SELECT code FROM commune WHERE departement = ANY($1::text[]))) GROUP BY code_actuel, millesime
      UNION ALL
      SELECT l.code, l.periode, l.valeur::bigint, coalesce(e.valeur, 0)::bigint
      FROM obs_publie l JOIN commune c ON c.code = l.code AND c.type = 'arrondissement-municipal'
      LEFT JOIN obs_publie e ON e.niveau = 'arrondissement' AND e.code = l.code AND e.periode = l.periode AND e.champ = 'etablissements'
      WHERE l.niveau = 'arrondissement' AND l.champ = 'logements' AND l.valeur IS NOT NULL
    ),
    pm AS MATERIALIZED (
      SELECT p.periode, coalesce(max(m.millesime) FILTER (WHERE m.millesime <= p.periode), min(m.millesime)) AS millesime
      FROM (SELECT DISTINCT periode FROM obs_ftth_brut) p LEFT JOIN (SELECT DISTINCT millesime FROM i) m ON true
      GROUP BY p.periode
    ),
    li AS (
      SELECT code_actuel AS code, sum(logements) AS logements FROM obs_logements_insee
      WHERE code_actuel IS NOT NULL AND millesime = (SELECT max(millesime) FROM obs_logements_insee) GROUP BY code_actuel
    )
    SELECT 'commune', f.code, f.periode, ${DATE_FIN.replace(/periode/g, 'f.periode')}, 'arcep-deploiements', 'ftth', 1, f.rac, f.categorie,
      i.logements, i.etablissements, i.logements + i.etablissements, CASE WHEN i.code IS NOT NULL THEN pm.millesime END, li.logements,
      CASE WHEN i.logements + i.etablissements > 0 AND f.rac >= i.logements + i.etablissements THEN 1 ELSE 0 END,
      CASE WHEN f.rac = 0 THEN 1 ELSE 0 END
    FROM f JOIN pm ON pm.periode = f.periode
    LEFT JOIN i ON i.code = f.code AND i.millesime = pm.millesime
    LEFT JOIN li ON li.code = f.code`;

/**
 * Rebuilds the materialised indicators from the raw tables: commune rows first (older codes
 * summed into today's commune), then every level above in one GROUP BY GROUPING SETS over
 * today's communes (arrondissements municipaux are not summed twice: only current communes count).
 */
export async function recompute(
  q: Queryable,
  jeux: readonly ('arcep-deploiements' | 'mci-communes')[] = ['arcep-deploiements', 'mci-communes'],
  departements: string[] | null = null,
): Promise<void> {
  // Communes whose rows may change: those of the départements the file covered, and the
  // communes their older codes now belong to (a commune may have changed département).
  let scope: string[] | null = null;
  if (departements) {
    const moved = await q.query<{ departement: string }>(
      `SELECT DISTINCT c.departement FROM (
         SELECT code_actuel FROM obs_ftth_brut WHERE departement_publie = ANY($1::text[])
         UNION SELECT code_actuel FROM obs_mci_brut WHERE departement_publie = ANY($1::text[])
         UNION SELECT code_actuel FROM obs_info_brut WHERE departement_publie = ANY($1::text[])
       ) b JOIN commune c ON c.code = b.code_actuel`,
      [departements],
    );
    scope = [...new Set([...departements, ...moved.rows.map((r) => r.departement)])];
  }
  const ftth = jeux.includes('arcep-deploiements');
  const mci = jeux.includes('mci-communes');
  // Fresh statistics: without them the planner picks nested loops over the just-loaded tables.
  await q.query('ANALYZE obs_ftth_brut, obs_info_brut, obs_publie, obs_mci_brut, obs_logements_insee');
  // PGlite's default work_mem (4 MB) makes these GROUP BYs spill to disk.
  await q.query("SELECT set_config('work_mem', '64MB', true)");
  await q.query(
    `DELETE FROM obs_serie WHERE jeu = ANY($1::text[]) AND (niveau <> 'commune' OR $2::text[] IS NULL
    OR code IN (SELECT code FROM commune WHERE departement = ANY($2::text[])))`,
    [jeux, scope],
  );
  await q.query('DELETE FROM obs_serie_source');
  if (ftth) await q.query(FTTH_COMMUNES_SQL, [scope]);
  if (mci)
    await q.query(
      `
    INSERT INTO obs_serie (niveau, code, periode, date_fin, jeu, perimetre, communes, logements_insee,
      nbr, inel_hd, elig_hd05, elig_hd3, elig_bhd8, elig_thd30, elig_thd100, elig_thd1g, communes_thd_completes, communes_thd_nulles)
    WITH m AS (
      SELECT code_actuel AS code, periode, perimetre, sum(nbr) AS nbr, sum(inel_hd) AS inel_hd, sum(elig_hd05) AS elig_hd05, sum(elig_hd3) AS elig_hd3,
        sum(elig_bhd8) AS elig_bhd8, sum(elig_thd30) AS elig_thd30, sum(elig_thd100) AS elig_thd100, sum(elig_thd1g) AS elig_thd1g
      FROM obs_mci_brut WHERE code_actuel IS NOT NULL AND ($1::text[] IS NULL OR code_actuel IN (SELECT code FROM commune WHERE departement = ANY($1::text[]))) GROUP BY code_actuel, periode, perimetre
    ),
    li AS (
      SELECT code_actuel AS code, sum(logements) AS logements FROM obs_logements_insee
      WHERE code_actuel IS NOT NULL AND millesime = (SELECT max(millesime) FROM obs_logements_insee) GROUP BY code_actuel
    )
    SELECT 'commune', m.code, m.periode, m.periode::date, 'mci-communes', m.perimetre, 1, li.logements,
      m.nbr, m.inel_hd, m.elig_hd05, m.elig_hd3, m.elig_bhd8, m.elig_thd30, m.elig_thd100, m.elig_thd1g,
      CASE WHEN m.nbr > 0 AND m.elig_thd30 >= m.nbr THEN 1 ELSE 0 END,
      CASE WHEN m.nbr > 0 AND m.elig_thd30 = 0 THEN 1 ELSE 0 END
    FROM m LEFT JOIN li ON li.code = m.code`,
      [scope],
    );
  await q.query(
    `
    INSERT INTO obs_serie (niveau, code, periode, date_fin, jeu, perimetre, communes, locaux_raccordables, logements, etablissements, locaux,
      millesime_locaux, logements_insee, communes_ftth_completes, communes_ftth_nulles, nbr, inel_hd, elig_hd05, elig_hd3, elig_bhd8,
      elig_thd30, elig_thd100, elig_thd1g, communes_thd_completes, communes_thd_nulles)
    SELECT CASE WHEN grouping(c.departement) = 0 THEN 'departement' WHEN grouping(c.region) = 0 THEN 'region' WHEN grouping(c.epci) = 0 THEN 'epci' ELSE 'france' END,
      CASE WHEN grouping(c.departement) = 0 THEN c.departement WHEN grouping(c.region) = 0 THEN c.region WHEN grouping(c.epci) = 0 THEN c.epci ELSE 'FR' END,
      s.periode, s.date_fin, s.jeu, s.perimetre, sum(s.communes), sum(s.locaux_raccordables), sum(s.logements), sum(s.etablissements), sum(s.locaux),
      max(s.millesime_locaux), sum(s.logements_insee), sum(s.communes_ftth_completes), sum(s.communes_ftth_nulles), sum(s.nbr), sum(s.inel_hd),
      sum(s.elig_hd05), sum(s.elig_hd3), sum(s.elig_bhd8), sum(s.elig_thd30), sum(s.elig_thd100), sum(s.elig_thd1g),
      sum(s.communes_thd_completes), sum(s.communes_thd_nulles)
    FROM obs_serie s JOIN commune c ON c.code = s.code AND c.type = 'commune-actuelle'
    WHERE s.niveau = 'commune' AND s.jeu = ANY($1::text[])
    GROUP BY s.periode, s.date_fin, s.jeu, s.perimetre, GROUPING SETS ((c.departement), (c.region), (c.epci), ())
    HAVING grouping(c.epci) = 1 OR c.epci IS NOT NULL`,
    [jeux],
  );
  await q.query('ANALYZE obs_serie');
  await q.query(`
    INSERT INTO obs_serie_source (jeu, perimetre, periode, source_id)
    SELECT DISTINCT 'arcep-deploiements', 'ftth', periode, source_id FROM obs_ftth_brut
    UNION SELECT DISTINCT 'arcep-deploiements', 'ftth', p.periode, i.source_id FROM (SELECT DISTINCT periode FROM obs_ftth_brut) p CROSS JOIN (SELECT DISTINCT source_id FROM obs_info_brut) i
    UNION SELECT DISTINCT 'arcep-deploiements', 'ftth', periode, source_id FROM obs_publie WHERE niveau = 'arrondissement'
    UNION SELECT DISTINCT 'mci-communes', perimetre, periode, source_id FROM obs_mci_brut
    UNION SELECT DISTINCT s.jeu, s.perimetre, s.periode, l.source_id FROM (SELECT DISTINCT jeu, perimetre, periode FROM obs_serie) s
      CROSS JOIN (SELECT DISTINCT source_id FROM obs_logements_insee WHERE millesime = (SELECT max(millesime) FROM obs_logements_insee)) l`);
}

/** Reclaims the rows the last recompute deleted (outside the transaction; best effort). */
export async function vacuum(q: Queryable): Promise<void> {
  await q
    .query('VACUUM obs_serie, obs_serie_source, obs_ftth_brut, obs_info_brut, obs_mci_brut')
    .catch(() => undefined);
}

/**
 * Rebuilds the cross-check of ARCEP's published département and région totals against the
 * platform's (end of each ARCEP import). Commune rows are first summed by (published département,
 * current département, published région, current région): a few hundred groups, from which both
 * levels are read. The difference is explained by unmapped codes (listed) and by communes that
 * changed département or région since the file's vintage.
 */
export async function refreshControle(q: Queryable): Promise<void> {
  await q.query("SELECT set_config('work_mem', '64MB', true)");
  await q.query('DELETE FROM obs_controle');
  await q.query(`
    CREATE TEMP TABLE obs_controle_groupes ON COMMIT DROP AS
    SELECT b.periode, b.departement_publie AS dep_publie, dp.region AS reg_publie, c.departement AS dep_actuel, c.region AS reg_actuel,
           sum(b.locaux_raccordables)::float8 AS v,
           string_agg(CASE WHEN c.code IS NULL THEN b.code_publie END, ' ' ORDER BY b.code_publie) AS codes
    FROM obs_ftth_brut b LEFT JOIN departement dp ON dp.code = b.departement_publie LEFT JOIN commune c ON c.code = b.code_actuel
    GROUP BY b.periode, b.departement_publie, dp.region, c.departement, c.region`);
  for (const [niveau, pub, cur] of [
    ['departement', 'dep_publie', 'dep_actuel'],
    ['region', 'reg_publie', 'reg_actuel'],
  ] as const) {
    await q.query(`
      INSERT INTO obs_controle (niveau, code, nom, periode, publie, somme_communes_publiees, recalcule, non_rattaches, codes_non_rattaches, sortants, entrants)
      WITH by_pub AS (
        SELECT ${pub} AS code, periode, sum(v) AS somme, coalesce(sum(v) FILTER (WHERE ${cur} IS NULL), 0) AS non_rattaches,
               string_agg(codes, ' ') FILTER (WHERE ${cur} IS NULL) AS codes, coalesce(sum(v) FILTER (WHERE ${cur} <> ${pub}), 0) AS sortants
        FROM obs_controle_groupes GROUP BY ${pub}, periode
      ),
      by_cur AS (
        SELECT ${cur} AS code, periode, coalesce(sum(v) FILTER (WHERE ${cur} <> ${pub} OR ${pub} IS NULL), 0) AS entrants
        FROM obs_controle_groupes WHERE ${cur} IS NOT NULL GROUP BY ${cur}, periode
      )
      SELECT '${niveau}', p.code, t.nom, p.periode, p.valeur, bp.somme, s.locaux_raccordables::float8,
             coalesce(bp.non_rattaches, 0), bp.codes, coalesce(bp.sortants, 0), coalesce(bc.entrants, 0)
      FROM obs_publie p
      LEFT JOIN ${niveau} t ON t.code = p.code
      LEFT JOIN by_pub bp ON bp.code = p.code AND bp.periode = p.periode
      LEFT JOIN by_cur bc ON bc.code = p.code AND bc.periode = p.periode
      LEFT JOIN obs_serie s ON s.niveau = '${niveau}' AND s.code = p.code AND s.jeu = 'arcep-deploiements' AND s.perimetre = 'ftth' AND s.periode = p.periode
      WHERE p.niveau = '${niveau}' AND p.champ = 'locaux_raccordables' AND p.periode IN (SELECT DISTINCT periode FROM obs_ftth_brut)`);
  }
  await q.query('DROP TABLE obs_controle_groupes');
}
