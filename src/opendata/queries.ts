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

// Register of processing activities (article 30)

export const REGISTRE_CHAMPS = [
  'nom',
  'finalite',
  'base_legale',
  'categories_donnees',
  'categories_personnes',
  'duree_conservation',
  'destinataires',
  'transferts',
  'mesures_securite',
] as const;
export type TraitementInput = Record<(typeof REGISTRE_CHAMPS)[number], string>;
export type TraitementRow = TraitementInput & { code: string; rang: number; modifie_le: Date };

export async function listTraitements(q: Queryable): Promise<TraitementRow[]> {
  return (await q.query<TraitementRow>('SELECT * FROM registre_traitement ORDER BY rang, code')).rows;
}

export async function traitementByCode(q: Queryable, code: string): Promise<TraitementRow | null> {
  return (await q.query<TraitementRow>('SELECT * FROM registre_traitement WHERE code = $1', [code])).rows[0] ?? null;
}

export async function updateTraitement(q: Queryable, code: string, t: TraitementInput): Promise<void> {
  await q.query(
    `UPDATE registre_traitement SET ${REGISTRE_CHAMPS.map((k, i) => `${k} = $${i + 2}`).join(', ')}, modifie_le = now()
     WHERE code = $1`,
    [code, ...REGISTRE_CHAMPS.map((k) => t[k])],
  );
}

// Open-data rate over time

type TauxRow = {
  run_id: number;
  mesure_le: string;
  niveau: 'region' | 'departement';
  code: string;
  obligees: number;
  publient: number;
  fichier: string;
};

export async function insertTaux(q: Queryable, rows: TauxRow[]) {
  return insertJson(
    q,
    'opendata_taux',
    {
      run_id: 'bigint',
      mesure_le: 'date',
      niveau: 'text',
      code: 'text',
      obligees: 'integer',
      publient: 'integer',
      fichier: 'text',
    },
    rows,
  );
}

/** Snapshots of a territory, one per date (the latest import of a date wins). */
export async function tauxOf(q: Queryable, niveau: 'region' | 'departement', code: string): Promise<TauxRow[]> {
  return (
    await q.query<TauxRow>(
      `SELECT DISTINCT ON (mesure_le) run_id::float8 AS run_id, to_char(mesure_le, 'YYYY-MM-DD') AS mesure_le, niveau, code,
              obligees, publient, fichier
       FROM opendata_taux WHERE niveau = $1 AND code = $2 ORDER BY mesure_le, run_id DESC`,
      [niveau, code],
    )
  ).rows;
}

// Datalab projects

export type ProjetInput = {
  titre: string;
  objectif: string;
  equipe: string;
  jeux: string[];
  statut: 'idee' | 'en_cours' | 'termine' | 'abandonne';
  resultats: string;
  licence: string;
};
type ProjetRow = ProjetInput & {
  id: number;
  organisation_id: number | null;
  organisation: string | null;
  modifie_le: Date;
};

const PROJET_SELECT = `SELECT p.id::float8 AS id, p.titre, p.objectif, p.equipe, p.jeux, p.statut, p.resultats, p.licence,
  p.organisation_id::float8 AS organisation_id, o.nom AS organisation, p.modifie_le
  FROM datalab_projet p LEFT JOIN organisation o ON o.id = p.organisation_id`;

export async function listProjets(q: Queryable): Promise<ProjetRow[]> {
  return (await q.query<ProjetRow>(`${PROJET_SELECT} ORDER BY p.modifie_le DESC, p.id DESC`)).rows;
}

export async function projetById(q: Queryable, id: number): Promise<ProjetRow | null> {
  return (await q.query<ProjetRow>(`${PROJET_SELECT} WHERE p.id = $1`, [id])).rows[0] ?? null;
}

export async function insertProjet(q: Queryable, p: ProjetInput, organisationId: number | null): Promise<number> {
  return (
    await q.query<{ id: number }>(
      `INSERT INTO datalab_projet (titre, objectif, equipe, jeux, statut, resultats, licence, organisation_id)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8) RETURNING id::float8 AS id`,
      [p.titre, p.objectif, p.equipe, JSON.stringify(p.jeux), p.statut, p.resultats, p.licence, organisationId],
    )
  ).rows[0]!.id;
}

export async function updateProjet(q: Queryable, id: number, p: ProjetInput): Promise<void> {
  await q.query(
    `UPDATE datalab_projet SET titre = $2, objectif = $3, equipe = $4, jeux = $5::jsonb, statut = $6, resultats = $7,
       licence = $8, modifie_le = now() WHERE id = $1`,
    [id, p.titre, p.objectif, p.equipe, JSON.stringify(p.jeux), p.statut, p.resultats, p.licence],
  );
}
