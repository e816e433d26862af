import type { Queryable } from '../db/db.ts';

export const STATUTS = ['identifie', 'arrete', 'en_construction', 'en_service', 'abandonne'] as const;
export type Statut = (typeof STATUTS)[number];

export type DccInput = {
  cle: string;
  departement: string;
  communes: string[];
  nom_zone: string;
  operateurs: string[];
  operateur_leader: string | null;
  arrete_reference: string | null;
  arrete_date: string | null;
  echeance: string | null;
  statut: Statut;
  statut_date: string | null;
  lon: number | null;
  lat: number | null;
};

export type DccRow = DccInput & { id: number; modifie_le: string; site_arcep: string | null };

const COLS = `id::int AS id, cle, departement, communes, nom_zone, operateurs, operateur_leader, arrete_reference,
  to_char(arrete_date, 'YYYY-MM-DD') AS arrete_date, to_char(echeance, 'YYYY-MM-DD') AS echeance, statut,
  to_char(statut_date, 'YYYY-MM-DD') AS statut_date, lon, lat, modifie_le::text AS modifie_le, site_arcep`;

/** Inserts or updates by key; returns the id and whether the status changed (for the history). */
export async function upsertDcc(q: Queryable, d: DccInput): Promise<{ id: number; changed: boolean }> {
  const before = (
    await q.query<{ id: number; statut: string; statut_date: string | null }>(
      `SELECT id::int AS id, statut, to_char(statut_date, 'YYYY-MM-DD') AS statut_date FROM mobile_dcc WHERE cle = $1`,
      [d.cle],
    )
  ).rows[0];
  const r = await q.query<{ id: number }>(
    `INSERT INTO mobile_dcc (cle, departement, communes, nom_zone, operateurs, operateur_leader, arrete_reference,
       arrete_date, echeance, statut, statut_date, lon, lat)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (cle) DO UPDATE SET departement = EXCLUDED.departement, communes = EXCLUDED.communes,
       nom_zone = EXCLUDED.nom_zone, operateurs = EXCLUDED.operateurs, operateur_leader = EXCLUDED.operateur_leader,
       arrete_reference = EXCLUDED.arrete_reference, arrete_date = EXCLUDED.arrete_date, echeance = EXCLUDED.echeance,
       statut = EXCLUDED.statut, statut_date = EXCLUDED.statut_date, lon = coalesce(EXCLUDED.lon, mobile_dcc.lon),
       lat = coalesce(EXCLUDED.lat, mobile_dcc.lat),
       modifie_le = now()
     RETURNING id::int AS id`,
    [
      d.cle,
      d.departement,
      d.communes,
      d.nom_zone,
      d.operateurs,
      d.operateur_leader,
      d.arrete_reference,
      d.arrete_date,
      d.echeance,
      d.statut,
      d.statut_date,
      d.lon,
      d.lat,
    ],
  );
  const id = r.rows[0]!.id;
  return { id, changed: !before || before.statut !== d.statut || before.statut_date !== d.statut_date };
}

export async function dccById(q: Queryable, id: number): Promise<DccRow | undefined> {
  return (await q.query<DccRow>(`SELECT ${COLS} FROM mobile_dcc WHERE id = $1`, [id])).rows[0];
}

/** The items of the départements of a région ($1), by département then deadline. */
export async function dccOfRegion(q: Queryable, region: string): Promise<DccRow[]> {
  return (
    await q.query<DccRow>(
      `SELECT ${COLS} FROM mobile_dcc WHERE departement IN (SELECT code FROM departement WHERE region = $1)
       ORDER BY departement, echeance NULLS LAST, nom_zone, id`,
      [region],
    )
  ).rows;
}

export async function setStatus(
  q: Queryable,
  id: number,
  statut: Statut,
  date: string | null,
  siteArcep: string | null,
) {
  await q.query(
    'UPDATE mobile_dcc SET statut = $2, statut_date = $3, site_arcep = $4, modifie_le = now() WHERE id = $1',
    [id, statut, date, siteArcep],
  );
}

type NearbySite = {
  num_site: string;
  operateur: string;
  commune: string;
  lon: number;
  lat: number;
  date: string;
};

/**
 * Sites of the latest snapshot with a site number, of the given operators, in the given communes or within
 * about 5 km of a point (bounding box; the caller ranks by distance).
 */
export async function sitesNear(
  q: Queryable,
  o: { operateurs: string[]; communes: string[]; lon: number | null; lat: number | null },
): Promise<NearbySite[]> {
  const d = 0.07;
  return (
    await q.query<NearbySite>(
      `SELECT s.num_site, s.operateur, s.commune, s.lon, s.lat, to_char(s.date, 'YYYY-MM-DD') AS date
       FROM mobile_site s
       WHERE s.date = (SELECT max(date) FROM mobile_releve) AND s.num_site IS NOT NULL
         AND (cardinality($1::text[]) = 0 OR s.operateur = ANY($1::text[]))
         AND (s.commune = ANY($2::text[])
              OR ($3::float8 IS NOT NULL AND s.lon BETWEEN $3::float8 - $5 AND $3::float8 + $5
                  AND s.lat BETWEEN $4::float8 - $5 AND $4::float8 + $5))
       ORDER BY s.num_site LIMIT 500`,
      [o.operateurs, o.communes, o.lon, o.lat, d],
    )
  ).rows;
}

export async function addHistory(q: Queryable, id: number, statut: string, date: string | null, par: string) {
  await q.query('INSERT INTO mobile_dcc_historique (dcc_id, statut, statut_date, par) VALUES ($1, $2, $3, $4)', [
    id,
    statut,
    date,
    par,
  ]);
}

export async function historyOf(q: Queryable, id: number) {
  return (
    await q.query<{ statut: string; statut_date: string | null; par: string; le: string }>(
      `SELECT statut, to_char(statut_date, 'YYYY-MM-DD') AS statut_date, par, le::text AS le
       FROM mobile_dcc_historique WHERE dcc_id = $1 ORDER BY id`,
      [id],
    )
  ).rows;
}
