import type { Queryable } from '../db/db.ts';
import type { Niveau } from '../territories/schema.ts';
import { communesOfSql } from '../territories/service.ts';

/** Serialises submissions of the same measurement (two identical requests at once: one is kept). */
export async function lockFingerprint(q: Queryable, empreinte: string) {
  await q.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`mobile_mesure:${empreinte}`]);
}

export async function recentWithFingerprint(q: Queryable, empreinte: string): Promise<number | null> {
  const r = await q.query<{ id: number }>(
    `SELECT id::int AS id FROM mobile_mesure WHERE empreinte = $1 AND recu_le > now() - interval '1 minute'
     ORDER BY id LIMIT 1`,
    [empreinte],
  );
  return r.rows[0]?.id ?? null;
}

export async function insertMeasure(
  q: Queryable,
  m: {
    horodatage: string;
    lon: number;
    lat: number;
    commune: string | null;
    operateur: string;
    techno: string;
    debit_descendant_mbps: number;
    debit_montant_mbps: number;
    latence_ms: number;
    signal_dbm: number | null;
    appareil: string | null;
    interieur: boolean | null;
    origine: string;
    empreinte: string;
  },
): Promise<number> {
  const r = await q.query<{ id: number }>(
    `INSERT INTO mobile_mesure (horodatage, lon, lat, commune, operateur, techno, debit_descendant_mbps,
       debit_montant_mbps, latence_ms, signal_dbm, appareil, interieur, origine, empreinte)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id::int AS id`,
    [
      m.horodatage,
      m.lon,
      m.lat,
      m.commune,
      m.operateur,
      m.techno,
      m.debit_descendant_mbps,
      m.debit_montant_mbps,
      m.latence_ms,
      m.signal_dbm,
      m.appareil,
      m.interieur,
      m.origine,
      m.empreinte,
    ],
  );
  return r.rows[0]!.id;
}

type AggRow = { operateur: string; mesures: number; down: number; up: number; latence: number; sous_8: number };

const AGG = `m.operateur, count(*)::int AS mesures,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY m.debit_descendant_mbps)::float8 AS down,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY m.debit_montant_mbps)::float8 AS up,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY m.latence_ms)::float8 AS latence,
  (count(*) FILTER (WHERE m.debit_descendant_mbps < 8))::float8 / count(*) AS sous_8`;

/** Per operator in the current communes of a territory ($1 its code). */
export async function aggregatesOf(q: Queryable, niveau: Niveau, code: string): Promise<AggRow[]> {
  return (
    await q.query<AggRow>(
      `SELECT ${AGG} FROM mobile_mesure m JOIN commune c ON c.code = m.commune
       WHERE NOT m.masquee AND ${communesOfSql(niveau, 'c')} GROUP BY m.operateur ORDER BY m.operateur`,
      [code],
    )
  ).rows;
}

export async function aggregatesAll(q: Queryable): Promise<AggRow[]> {
  return (await q.query<AggRow>(`SELECT ${AGG} FROM mobile_mesure m GROUP BY m.operateur ORDER BY m.operateur`)).rows;
}

type PublishedMeasure = {
  id: number;
  horodatage: string;
  lon: number;
  lat: number;
  commune: string | null;
  operateur: string;
  techno: string;
  debit_descendant_mbps: number;
  debit_montant_mbps: number;
  latence_ms: number;
  signal_dbm: number | null;
  appareil: string | null;
  interieur: boolean | null;
};

/** Every measurement as published (rounded position, no fingerprint), oldest first. */
export async function publishedMeasures(q: Queryable): Promise<PublishedMeasure[]> {
  return (
    await q.query<PublishedMeasure>(
      `SELECT id::int AS id, to_char(horodatage AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS horodatage, lon, lat,
         commune, operateur, techno, debit_descendant_mbps, debit_montant_mbps, latence_ms, signal_dbm, appareil, interieur
       FROM mobile_mesure WHERE NOT masquee ORDER BY id`,
    )
  ).rows;
}

/** Outside a tenth to ten times the median download of its operator and technology (from 5 measurements). */
const ATYPICAL = `WITH med AS (
    SELECT operateur, techno, percentile_cont(0.5) WITHIN GROUP (ORDER BY debit_descendant_mbps)::float8 AS mediane
    FROM mobile_mesure WHERE NOT masquee GROUP BY operateur, techno HAVING count(*) >= 5)
  SELECT m.id::int AS id, to_char(m.horodatage AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS horodatage, m.commune,
    m.operateur, m.techno, m.debit_descendant_mbps, m.debit_montant_mbps, m.latence_ms, m.masquee, m.moderee_par,
    med.mediane
  FROM mobile_mesure m LEFT JOIN med ON med.operateur = m.operateur AND med.techno = m.techno`;

type ModerationRow = {
  id: number;
  horodatage: string;
  commune: string | null;
  operateur: string;
  techno: string;
  debit_descendant_mbps: number;
  debit_montant_mbps: number;
  latence_ms: number;
  masquee: boolean;
  moderee_par: string | null;
  mediane: number | null;
};

/** Measurements to review: the atypical ones still published, and the hidden ones. */
export async function toModerate(q: Queryable): Promise<ModerationRow[]> {
  return (
    await q.query<ModerationRow>(
      `${ATYPICAL}
       WHERE m.masquee OR (med.mediane IS NOT NULL AND (m.debit_descendant_mbps > med.mediane * 10
                                                       OR m.debit_descendant_mbps < med.mediane / 10))
       ORDER BY m.masquee, m.id DESC LIMIT 200`,
    )
  ).rows;
}

export async function measureExists(q: Queryable, id: number): Promise<boolean> {
  return (await q.query('SELECT 1 FROM mobile_mesure WHERE id = $1', [id])).rows.length > 0;
}

export async function setHidden(q: Queryable, id: number, hidden: boolean, by: string) {
  await q.query('UPDATE mobile_mesure SET masquee = $2, moderee_par = $3 WHERE id = $1', [id, hidden, by]);
}

/** Published measurements of an operator per commune of a territory: count and median download. */
export async function communeMeasuresOf(
  q: Queryable,
  niveau: Niveau,
  code: string,
  operateur: string,
): Promise<{ commune: string; mesures: number; down: number }[]> {
  return (
    await q.query<{ commune: string; mesures: number; down: number }>(
      `SELECT m.commune, count(*)::int AS mesures,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY m.debit_descendant_mbps)::float8 AS down
       FROM mobile_mesure m JOIN commune c ON c.code = m.commune
       WHERE NOT m.masquee AND m.operateur = $2 AND ${communesOfSql(niveau, 'c')} GROUP BY m.commune`,
      [code, operateur],
    )
  ).rows;
}

/**
 * Retention: measurements received more than `days` ago lose precision, their position rounded from about
 * 100 m (3 decimals) to about 1 km (2 decimals), and their fingerprint (a hash of the exact values) goes.
 */
export async function coarsenMeasuresOlderThan(q: Queryable, days: number): Promise<number> {
  return (
    await q.query(
      `UPDATE mobile_mesure SET lon = round(lon::numeric, 2)::float8, lat = round(lat::numeric, 2)::float8, empreinte = ''
       WHERE recu_le < now() - make_interval(days => $1)
         AND (empreinte <> '' OR lon <> round(lon::numeric, 2)::float8 OR lat <> round(lat::numeric, 2)::float8)`,
      [days],
    )
  ).rowCount;
}

export async function deleteMeasuresOlderThan(q: Queryable, days: number): Promise<number> {
  return (await q.query('DELETE FROM mobile_mesure WHERE recu_le < now() - make_interval(days => $1)', [days]))
    .rowCount;
}
