import type { Queryable } from '../db/db.ts';

export type Role = 'administrateur' | 'editeur';
export const ORGANISATION_TYPES = [
  'region',
  'prefecture',
  'departement',
  'syndicat-mixte',
  'gip',
  'epci',
  'chambre',
  'tiers-lieu',
  'association',
  'autre',
] as const;
export type OrganisationType = (typeof ORGANISATION_TYPES)[number];
export type OrganisationNiveau = 'region' | 'departement' | 'epci' | 'commune';
export type UserRow = {
  id: number;
  email: string;
  nom: string;
  mot_de_passe_hash: string;
  role: Role;
  organisation_id: number | null;
  actif: boolean;
};
export type SessionUser = {
  id: number;
  email: string;
  nom: string;
  role: Role;
  organisation_id: number | null;
  csrf_token: string;
};

export async function userByEmail(q: Queryable, email: string) {
  return (
    await q.query<UserRow>(
      'SELECT id, email, nom, mot_de_passe_hash, role, organisation_id, actif FROM utilisateur WHERE lower(email) = lower($1)',
      [email],
    )
  ).rows[0];
}

export async function insertUser(
  q: Queryable,
  u: { email: string; nom: string; hash: string; role: Role; organisationId: number | null },
) {
  return (
    await q.query<{ id: number }>(
      'INSERT INTO utilisateur (email, nom, mot_de_passe_hash, role, organisation_id) VALUES ($1, $2, $3, $4, $5) RETURNING id',
      [u.email, u.nom, u.hash, u.role, u.organisationId],
    )
  ).rows[0]!.id;
}

export async function listUsers(q: Queryable) {
  return (
    await q.query<{
      id: number;
      email: string;
      nom: string;
      role: Role;
      actif: boolean;
      organisation: string | null;
      cree_le: Date;
    }>(
      `SELECT u.id, u.email, u.nom, u.role, u.actif, o.nom AS organisation, u.cree_le
     FROM utilisateur u LEFT JOIN organisation o ON o.id = u.organisation_id ORDER BY u.email`,
    )
  ).rows;
}

export async function listOrganisations(q: Queryable) {
  return (
    await q.query<{
      id: number;
      nom: string;
      type: OrganisationType;
      territoire_niveau: OrganisationNiveau | null;
      territoire_code: string | null;
    }>('SELECT id, nom, type, territoire_niveau, territoire_code FROM organisation ORDER BY nom')
  ).rows;
}

export async function insertOrganisation(
  q: Queryable,
  o: {
    nom: string;
    type: OrganisationType;
    territoireNiveau: OrganisationNiveau | null;
    territoireCode: string | null;
  },
) {
  return (
    await q.query<{ id: number }>(
      'INSERT INTO organisation (nom, type, territoire_niveau, territoire_code) VALUES ($1, $2, $3, $4) RETURNING id',
      [o.nom, o.type, o.territoireNiveau, o.territoireCode],
    )
  ).rows[0]!.id;
}

export async function insertSession(q: Queryable, s: { idHash: string; userId: number; csrf: string; expires: Date }) {
  await q.query('INSERT INTO session (id_hash, utilisateur_id, csrf_token, expire_le) VALUES ($1, $2, $3, $4)', [
    s.idHash,
    s.userId,
    s.csrf,
    s.expires,
  ]);
}

export async function sessionUser(q: Queryable, idHash: string) {
  return (
    await q.query<SessionUser>(
      `SELECT u.id, u.email, u.nom, u.role, u.organisation_id, s.csrf_token
     FROM session s JOIN utilisateur u ON u.id = s.utilisateur_id
     WHERE s.id_hash = $1 AND s.expire_le > now() AND u.actif`,
      [idHash],
    )
  ).rows[0];
}

export async function deleteSession(q: Queryable, idHash: string) {
  await q.query('DELETE FROM session WHERE id_hash = $1', [idHash]);
}

export async function deleteExpiredSessions(q: Queryable): Promise<number> {
  return (await q.query('DELETE FROM session WHERE expire_le <= now()')).rowCount;
}

export async function organisationById(q: Queryable, id: number) {
  return (await q.query<{ id: number; nom: string }>('SELECT id, nom FROM organisation WHERE id = $1', [id])).rows[0];
}

export async function organisationByName(q: Queryable, nom: string) {
  return (await q.query<{ id: number }>('SELECT id FROM organisation WHERE lower(nom) = lower($1)', [nom])).rows[0];
}

export async function ownerRow(q: Queryable, type: string, id: number) {
  return (
    await q.query<{ organisation_id: number; nom: string }>(
      `SELECT p.organisation_id, o.nom FROM organisation_propriete p JOIN organisation o ON o.id = p.organisation_id
     WHERE p.objet_type = $1 AND p.objet_id = $2`,
      [type, id],
    )
  ).rows[0];
}

export async function ownerRows(q: Queryable, type: string) {
  return (
    await q.query<{ objet_id: number; organisation_id: number; nom: string }>(
      `SELECT p.objet_id, p.organisation_id, o.nom FROM organisation_propriete p JOIN organisation o ON o.id = p.organisation_id
     WHERE p.objet_type = $1`,
      [type],
    )
  ).rows;
}

export async function upsertOwner(q: Queryable, type: string, id: number, organisationId: number) {
  await q.query(
    `INSERT INTO organisation_propriete (objet_type, objet_id, organisation_id) VALUES ($1, $2, $3)
     ON CONFLICT (objet_type, objet_id) DO UPDATE SET organisation_id = EXCLUDED.organisation_id`,
    [type, id, organisationId],
  );
}

export async function deleteOwner(q: Queryable, type: string, id: number) {
  await q.query('DELETE FROM organisation_propriete WHERE objet_type = $1 AND objet_id = $2', [type, id]);
}

/** What the platform holds about one account holder (right of access, GDPR article 15): never the password hash. */
/** Where to write to an account holder (alerts), or null for an unknown account. */
export async function contactOf(q: Queryable, userId: number) {
  return (
    (
      await q.query<{ email: string; nom: string; actif: boolean }>(
        'SELECT email, nom, actif FROM utilisateur WHERE id = $1',
        [userId],
      )
    ).rows[0] ?? null
  );
}

export async function personalData(q: Queryable, userId: number) {
  const compte = (
    await q.query<{
      id: number;
      email: string;
      nom: string;
      role: Role;
      organisation: string | null;
      actif: boolean;
      cree_le: Date;
    }>(
      `SELECT u.id, u.email, u.nom, u.role, o.nom AS organisation, u.actif, u.cree_le
       FROM utilisateur u LEFT JOIN organisation o ON o.id = u.organisation_id WHERE u.id = $1`,
      [userId],
    )
  ).rows[0];
  if (!compte) return null;
  const sessions = (
    await q.query<{ cree_le: Date; expire_le: Date }>(
      'SELECT cree_le, expire_le FROM session WHERE utilisateur_id = $1 ORDER BY cree_le',
      [userId],
    )
  ).rows;
  const journal = (
    await q.query<{ le: Date; action: string; objet_type: string; objet_id: string | null }>(
      'SELECT le, action, objet_type, objet_id FROM journal_audit WHERE utilisateur_id = $1 ORDER BY le, id',
      [userId],
    )
  ).rows;
  const echecs = (
    await q.query<{ le: Date; adresse: string }>(
      'SELECT le, adresse FROM connexion_echec WHERE email = lower($1) ORDER BY le',
      [compte.email],
    )
  ).rows;
  return { compte, sessions, journal, echecs_connexion: echecs };
}

// Erasure (GDPR article 17): the account stays as a row (journal and contributions point to it), without the person.

export async function deleteAllSessionsOf(q: Queryable, userId: number): Promise<number> {
  return (await q.query('DELETE FROM session WHERE utilisateur_id = $1', [userId])).rowCount;
}

export async function deleteLoginFailuresOf(q: Queryable, email: string): Promise<number> {
  return (await q.query('DELETE FROM connexion_echec WHERE email = lower($1)', [email])).rowCount;
}

export async function anonymiseAuditActor(q: Queryable, userId: number, anon: string): Promise<number> {
  return (await q.query('UPDATE journal_audit SET acteur = $2 WHERE utilisateur_id = $1', [userId, anon])).rowCount;
}

export async function anonymiseAccount(q: Queryable, userId: number): Promise<number> {
  return (
    await q.query(
      `UPDATE utilisateur SET email = 'compte-efface-' || id, nom = 'Compte effacé', mot_de_passe_hash = '', actif = false
       WHERE id = $1`,
      [userId],
    )
  ).rowCount;
}

// Retention (job `retention`): what the register of processing activities states.

export async function deleteLoginFailuresOlderThan(q: Queryable, days: number): Promise<number> {
  return (await q.query('DELETE FROM connexion_echec WHERE le < now() - make_interval(days => $1)', [days])).rowCount;
}

export async function deleteAuditOlderThan(q: Queryable, days: number): Promise<number> {
  return (await q.query('DELETE FROM journal_audit WHERE le < now() - make_interval(days => $1)', [days])).rowCount;
}
