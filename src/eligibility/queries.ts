import type { Queryable } from '../db/db.ts';
import { communeCodes, DEPARTEMENT_CODE, padCommuneCode } from '../territories/codes.ts';
import type { Method } from './matching.ts';

type MciBuildingRow = {
  imb_id: string;
  imb_code: string | null;
  nb_locaux: number | null;
  imb_type: string | null;
  imb_source: string | null;
  appariement: string;
  distance_m: number | null;
  addr_code: string | null;
};
export async function mciBuildingsOfAddress(q: Queryable, adresseId: string): Promise<MciBuildingRow[]> {
  return (
    await q.query<MciBuildingRow>(
      `SELECT imb_id, imb_code, nb_locaux, imb_type, imb_source, appariement, distance_m, addr_code FROM mci_immeuble WHERE adresse_id = $1 ORDER BY distance_m NULLS LAST, imb_id`,
      [adresseId],
    )
  ).rows;
}

type FibreBuildingRow = {
  imb_id: string;
  imb_etat: string;
  pm_ref: string | null;
  pm_etat: string | null;
  code_l331: string | null;
  catg_loc_imb: string | null;
  nb_locaux: number | null;
  type_imb: string | null;
  date_completude: string | null;
  pm_date_mad: string | null;
  appariement: string;
  distance_m: number | null;
  batiment: string | null;
};
export async function fibreBuildingsOfAddress(q: Queryable, adresseId: string): Promise<FibreBuildingRow[]> {
  return (
    await q.query<FibreBuildingRow>(
      `SELECT imb_id, imb_etat, pm_ref, pm_etat, code_l331, catg_loc_imb, nb_locaux, type_imb, to_char(date_completude, 'YYYY-MM-DD') AS date_completude,
            to_char(pm_date_mad, 'YYYY-MM-DD') AS pm_date_mad, appariement, distance_m, batiment
     FROM fibre_immeuble WHERE adresse_id = $1 ORDER BY distance_m NULLS LAST, imb_id`,
      [adresseId],
    )
  ).rows;
}

export type EligRow = {
  imb_id: string;
  code_operateur: string;
  operateur_nom: string | null;
  code_techno: string;
  classe_descendant: string | null;
  classe_montant: string | null;
  limitation_go: number | null;
  saturation: boolean;
};
export async function eligibilityOfBuildings(q: Queryable, imbIds: string[]): Promise<EligRow[]> {
  if (!imbIds.length) return [];
  return (
    await q.query<EligRow>(
      `SELECT e.imb_id, e.code_operateur, o.nom AS operateur_nom, e.code_techno, e.classe_descendant, e.classe_montant, e.limitation_go, e.saturation
     FROM mci_eligibilite e LEFT JOIN mci_operateur o ON o.code = e.code_operateur WHERE e.imb_id = ANY($1::text[])`,
      [imbIds],
    )
  ).rows;
}

export async function buildingCountsOfCommune(
  q: Queryable,
  code: string,
): Promise<{ mci: number; fibre: number; eligibilite: number }> {
  const r = await q.query<{ mci: number; fibre: number; eligibilite: number }>(
    `SELECT (SELECT count(*)::int FROM mci_immeuble WHERE code_insee = $1) AS mci,
            (SELECT count(*)::int FROM fibre_immeuble WHERE code_insee = $1) AS fibre,
            (SELECT count(*)::int FROM mci_eligibilite e JOIN mci_immeuble i ON i.imb_id = e.imb_id WHERE i.code_insee = $1) AS eligibilite`,
    [code],
  );
  return r.rows[0]!;
}

/** Premises of the commune's imported MCI buildings, with fibre and with wired ≥ 30 Mbit/s. */
export async function buildingStatsOfCommune(q: Queryable, code: string) {
  return (
    await q.query<{ immeubles: number; locaux: number; locaux_fibre: number; locaux_thd_filaire: number }>(
      `SELECT count(*)::int AS immeubles, coalesce(sum(coalesce(i.nb_locaux, 1)), 0)::int AS locaux,
            coalesce(sum(coalesce(i.nb_locaux, 1)) FILTER (WHERE EXISTS (SELECT 1 FROM mci_eligibilite e WHERE e.imb_id = i.imb_id AND e.code_techno = 'FO')), 0)::int AS locaux_fibre,
            coalesce(sum(coalesce(i.nb_locaux, 1)) FILTER (WHERE EXISTS (SELECT 1 FROM mci_eligibilite e WHERE e.imb_id = i.imb_id AND e.code_techno IN ('FO', 'COAX', 'CU')
              AND e.classe_descendant IN ('THD30', 'THD100', 'THD1G'))), 0)::int AS locaux_thd_filaire
     FROM mci_immeuble i WHERE i.code_insee = $1 AND EXISTS (SELECT 1 FROM mci_eligibilite e WHERE e.imb_id = i.imb_id)`,
      [code],
    )
  ).rows[0]!;
}

export type OffreRow = {
  operateur: string;
  technologie: string;
  satellite: boolean;
  quatre_g: boolean;
  thd_radio: boolean;
  site: string | null;
  aide_etat: boolean;
};
export async function offresOfDepartement(q: Queryable, dep: string): Promise<OffreRow[]> {
  return (
    await q.query<OffreRow>(
      'SELECT operateur, technologie, satellite, quatre_g, thd_radio, site, aide_etat FROM offre_repli WHERE departement = $1 ORDER BY aide_etat DESC, operateur',
      [dep],
    )
  ).rows;
}
export async function absenceOfDepartement(q: Queryable, dep: string): Promise<string | null> {
  return (
    (await q.query<{ message: string }>('SELECT message FROM offre_repli_absence WHERE departement = $1', [dep]))
      .rows[0]?.message ?? null
  );
}

export async function communeOf(q: Queryable, code: string) {
  return (
    await q.query<{ code: string; nom: string; departement: string; commune_parente: string | null }>(
      'SELECT code, nom, departement, commune_parente FROM commune WHERE code = $1',
      [code],
    )
  ).rows[0];
}

// Public networks (RIP)

export type RipRow = {
  id: number;
  nom: string;
  porteur: string | null;
  exploitant: string | null;
  contact_gros: string | null;
  email: string | null;
  telephone: string | null;
  site: string | null;
  modifie_le: Date;
};
const RIP_COLS = 'id, nom, porteur, exploitant, contact_gros, email, telephone, site, modifie_le';

export async function ripsOfCommune(q: Queryable, codes: string[]): Promise<RipRow[]> {
  return (
    await q.query<RipRow>(
      `SELECT DISTINCT ${RIP_COLS.split(', ')
        .map((c) => `r.${c}`)
        .join(
          ', ',
        )} FROM rip r JOIN rip_commune rc ON rc.rip_id = r.id WHERE rc.code_insee = ANY($1::text[]) ORDER BY r.nom`,
      [codes],
    )
  ).rows;
}
export async function listRips(q: Queryable) {
  return (
    await q.query<RipRow & { communes: number }>(
      `SELECT ${RIP_COLS.split(', ')
        .map((c) => `r.${c}`)
        .join(
          ', ',
        )}, (SELECT count(*)::int FROM rip_commune rc WHERE rc.rip_id = r.id) AS communes FROM rip r ORDER BY r.nom`,
    )
  ).rows;
}
export async function ripById(q: Queryable, id: number): Promise<RipRow | undefined> {
  return (await q.query<RipRow>(`SELECT ${RIP_COLS} FROM rip WHERE id = $1`, [id])).rows[0];
}
export async function ripCommunes(q: Queryable, id: number): Promise<string[]> {
  return (
    await q.query<{ code_insee: string }>('SELECT code_insee FROM rip_commune WHERE rip_id = $1 ORDER BY code_insee', [
      id,
    ])
  ).rows.map((r) => r.code_insee);
}
export type RipInput = {
  nom: string;
  porteur: string | null;
  exploitant: string | null;
  contact_gros: string | null;
  email: string | null;
  telephone: string | null;
  site: string | null;
};
export async function insertRip(q: Queryable, r: RipInput): Promise<number> {
  return (
    await q.query<{ id: number }>(
      'INSERT INTO rip (nom, porteur, exploitant, contact_gros, email, telephone, site) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id::int AS id',
      [r.nom, r.porteur, r.exploitant, r.contact_gros, r.email, r.telephone, r.site],
    )
  ).rows[0]!.id;
}
export async function updateRip(q: Queryable, id: number, r: RipInput): Promise<void> {
  await q.query(
    'UPDATE rip SET nom = $2, porteur = $3, exploitant = $4, contact_gros = $5, email = $6, telephone = $7, site = $8, modifie_le = now() WHERE id = $1',
    [id, r.nom, r.porteur, r.exploitant, r.contact_gros, r.email, r.telephone, r.site],
  );
}
export async function deleteRip(q: Queryable, id: number): Promise<void> {
  await q.query('DELETE FROM rip WHERE id = $1', [id]);
}
export async function setRipCommunes(q: Queryable, id: number, codes: string[]): Promise<void> {
  await q.query('DELETE FROM rip_commune WHERE rip_id = $1', [id]);
  await q.query(
    'INSERT INTO rip_commune (rip_id, code_insee) SELECT $1, c FROM unnest($2::text[]) AS c ON CONFLICT DO NOTHING',
    [id, codes],
  );
}
/** Expands INSEE codes and département codes to current commune codes; returns the unknown entries. */
export async function expandCommuneCodes(
  q: Queryable,
  entries: string[],
): Promise<{ codes: string[]; unknown: string[] }> {
  const codes = new Set<string>();
  const unknown: string[] = [];
  const communes = await communeCodes(q);
  for (const e of entries) {
    if (DEPARTEMENT_CODE.test(e)) {
      const rows = (
        await q.query<{ code: string }>(
          `SELECT code FROM commune WHERE departement = $1 AND type = 'commune-actuelle'`,
          [e],
        )
      ).rows;
      if (rows.length) for (const r of rows) codes.add(r.code);
      else unknown.push(e);
      continue;
    }
    const now = communes.current(padCommuneCode(e));
    if (now) codes.add(now);
    else unknown.push(e);
  }
  return { codes: [...codes].sort(), unknown };
}

// Diagnostics

export async function matchStats(q: Queryable) {
  return (
    await q.query<{ source: 'mci' | 'fibre'; appariement: Method; immeubles: number; distance_mediane: number | null }>(
      `SELECT 'mci' AS source, appariement, count(*)::int AS immeubles, percentile_cont(0.5) WITHIN GROUP (ORDER BY distance_m) AS distance_mediane FROM mci_immeuble GROUP BY appariement
     UNION ALL
     SELECT 'fibre', appariement, count(*)::int, percentile_cont(0.5) WITHIN GROUP (ORDER BY distance_m) FROM fibre_immeuble GROUP BY appariement
     ORDER BY 1, 2`,
    )
  ).rows;
}

/** One page of the per-commune match figures; `total` (same on every row) is the number of rows of all pages. */
export async function matchStatsByCommune(q: Queryable, limit = 200, offset = 0) {
  return (
    await q.query<{
      code_insee: string;
      nom: string | null;
      source: string;
      immeubles: number;
      apparies: number;
      adresses: number;
      total: number;
    }>(
      `WITH b AS (
       SELECT 'mci' AS source, code_insee, count(*)::int AS immeubles, count(*) FILTER (WHERE appariement <> 'aucun')::int AS apparies FROM mci_immeuble GROUP BY code_insee
       UNION ALL
       SELECT 'fibre', code_insee, count(*)::int, count(*) FILTER (WHERE appariement <> 'aucun')::int FROM fibre_immeuble GROUP BY code_insee)
     SELECT b.code_insee, c.nom, b.source, b.immeubles, b.apparies, (SELECT count(*)::int FROM adresse a WHERE a.code_insee = b.code_insee) AS adresses,
            count(*) OVER ()::int AS total
     FROM b LEFT JOIN commune c ON c.code = b.code_insee ORDER BY b.code_insee, b.source LIMIT $1 OFFSET $2`,
      [limit, offset],
    )
  ).rows;
}

export async function lastRuns(q: Queryable, jobs: string[], limit = 15) {
  return (
    await q.query<{
      id: number;
      job: string;
      status: string;
      ended_at: Date | null;
      rows_read: number;
      rows_accepted: number;
      rows_rejected: number;
      message: string | null;
    }>(
      `SELECT id::int AS id, job, status, ended_at, rows_read, rows_accepted, rows_rejected, message FROM import_run WHERE job = ANY($1::text[]) ORDER BY id DESC LIMIT $2`,
      [jobs, limit],
    )
  ).rows;
}
