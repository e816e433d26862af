import { insertJson, type Queryable } from '../db/db.ts';

/** SQL of the open-data module, one function per query. */

export type OrganisationRow = {
  siren: string;
  nom: string;
  niveau: 'region' | 'departement' | 'epci' | 'commune' | null;
  code: string | null;
  url_plateforme: string | null;
  id_datagouv: string | null;
  technologie: string | null;
  jeux: number | null;
  derniere_publication: string | null;
  fichier: string;
};

const COLUMNS = {
  siren: 'text',
  nom: 'text',
  niveau: 'text',
  code: 'text',
  url_plateforme: 'text',
  id_datagouv: 'text',
  technologie: 'text',
  jeux: 'integer',
  derniere_publication: 'date',
  fichier: 'text',
  run_id: 'bigint',
};

export async function deleteOrganisations(q: Queryable): Promise<void> {
  await q.query('DELETE FROM opendata_organisation');
}

/** Inserts, or (status files) updates what the row gives and keeps the rest. */
export async function upsertOrganisations(q: Queryable, rows: (OrganisationRow & { run_id: number })[]) {
  return insertJson(q, 'opendata_organisation', COLUMNS, rows, {
    onConflict: `ON CONFLICT (siren) DO UPDATE SET nom = EXCLUDED.nom, niveau = EXCLUDED.niveau, code = EXCLUDED.code,
      url_plateforme = coalesce(EXCLUDED.url_plateforme, opendata_organisation.url_plateforme),
      id_datagouv = coalesce(EXCLUDED.id_datagouv, opendata_organisation.id_datagouv),
      technologie = coalesce(EXCLUDED.technologie, opendata_organisation.technologie),
      jeux = coalesce(EXCLUDED.jeux, opendata_organisation.jeux),
      derniere_publication = coalesce(EXCLUDED.derniere_publication, opendata_organisation.derniere_publication),
      fichier = EXCLUDED.fichier, run_id = EXCLUDED.run_id, importe_le = now()`,
  });
}

export async function listOrganisations(q: Queryable): Promise<(OrganisationRow & { importe_le: Date })[]> {
  return (
    await q.query<OrganisationRow & { importe_le: Date }>(
      `SELECT siren, nom, niveau, code, url_plateforme, id_datagouv, technologie, jeux,
              to_char(derniere_publication, 'YYYY-MM-DD') AS derniere_publication, fichier, importe_le
       FROM opendata_organisation ORDER BY siren`,
    )
  ).rows;
}
