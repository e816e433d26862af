import crypto from 'node:crypto';
import argon2 from 'argon2';
import { z } from 'zod';
import type { Db, Queryable } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { OptionalId, text } from '../http/schemas.ts';
import { type Actor, audit } from './audit.ts';
import { assertOrganisation } from './ownership.ts';
import { assertStrongPassword } from './password-policy.ts';
import * as Q from './queries.ts';

const SESSION_HOURS = 12;

export const NewUserSchema = z.object({
  email: z.string().trim().toLowerCase().email('adresse électronique invalide').max(200),
  nom: text(120, 1, 'nom requis'),
  motDePasse: z.string().min(12, 'le mot de passe doit faire au moins 12 caractères').max(200),
  role: z.enum(['administrateur', 'editeur']),
  organisationId: OptionalId.nullable().default(null),
});
export type NewUser = z.infer<typeof NewUserSchema>;

export const LoginSchema = z.object({
  email: text(200),
  motDePasse: z.string().max(200),
});

export const hashPassword = (p: string) => argon2.hash(p, { type: argon2.argon2id });

// Verifying against a fixed hash when the e-mail is unknown keeps the response time the same,
// so timing does not tell which part of the credentials was wrong.
let dummyHash: Promise<string> | undefined;

export async function checkCredentials(db: Db, email: string, password: string): Promise<Q.UserRow> {
  const user = await Q.userByEmail(db, email);
  dummyHash ??= hashPassword(crypto.randomBytes(16).toString('hex'));
  const ok = await argon2.verify(user?.mot_de_passe_hash ?? (await dummyHash), password).catch(() => false);
  if (!user || !ok || !user.actif)
    throw new AppError('IDENTIFIANTS_INVALIDES', `login failed for ${email.slice(0, 80)}`);
  return user;
}

export async function createUser(db: Db, actor: Actor, input: NewUser): Promise<number> {
  assertStrongPassword(input.motDePasse, [input.email, input.nom]);
  if (input.role === 'editeur' && !input.organisationId)
    throw new AppError(
      'REQUETE_INVALIDE',
      'editor without organisation',
      'Un éditeur doit être rattaché à une organisation.',
    );
  const hash = await hashPassword(input.motDePasse);
  return db.transaction(async (tx) => {
    if (input.organisationId !== null) await assertOrganisation(tx, input.organisationId);
    if (await Q.userByEmail(tx, input.email))
      throw new AppError(
        'REQUETE_INVALIDE',
        'duplicate email',
        'Un compte existe déjà avec cette adresse électronique.',
      );
    const id = await Q.insertUser(tx, {
      email: input.email,
      nom: input.nom,
      hash,
      role: input.role,
      organisationId: input.organisationId,
    });
    await audit(tx, actor, 'creation', { type: 'utilisateur', id }, null, {
      email: input.email,
      nom: input.nom,
      role: input.role,
      organisation_id: input.organisationId,
    });
    return id;
  });
}

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

export async function openSession(db: Db, user: Q.UserRow): Promise<{ token: string; expires: Date }> {
  const token = crypto.randomBytes(32).toString('base64url');
  const expires = new Date(Date.now() + SESSION_HOURS * 3600_000);
  await Q.deleteExpiredSessions(db);
  await Q.insertSession(db, {
    idHash: sha256(token),
    userId: user.id,
    csrf: crypto.randomBytes(24).toString('base64url'),
    expires,
  });
  return { token, expires };
}

export const sessionFromToken = (db: Db, token: string) => Q.sessionUser(db, sha256(token));
export const closeSession = (db: Db, token: string) => Q.deleteSession(db, sha256(token));

export { ORGANISATION_TYPES, type OrganisationNiveau } from './queries.ts';
export const listAccounts = (q: Queryable) => Q.listUsers(q);
export const listOrganisations = (q: Queryable) => Q.listOrganisations(q);

type NewOrganisation = {
  nom: string;
  type: Q.OrganisationType;
  territoireNiveau: Q.OrganisationNiveau | null;
  territoireCode: string | null;
};

export async function createOrganisation(db: Db, actor: Actor, o: NewOrganisation): Promise<number> {
  return db.transaction(async (tx) => {
    if (await Q.organisationByName(tx, o.nom))
      throw new AppError('REQUETE_INVALIDE', 'duplicate organisation', `Une organisation s’appelle déjà « ${o.nom} ».`);
    const id = await Q.insertOrganisation(tx, o);
    await audit(tx, actor, 'creation', { type: 'organisation', id }, null, {
      nom: o.nom,
      type: o.type,
      territoire_niveau: o.territoireNiveau,
      territoire_code: o.territoireCode,
    });
    return id;
  });
}
/** Everything stored about an account holder, for their own download (right of access). */
export const contactOf = (q: Queryable, userId: number) => Q.contactOf(q, userId);

/** Retention of the accounts' personal data (job `retention`, see the register of processing activities). */
export const deleteExpiredSessions = (q: Queryable) => Q.deleteExpiredSessions(q);
export const deleteLoginFailuresOlderThan = (q: Queryable, days: number) => Q.deleteLoginFailuresOlderThan(q, days);
export const deleteAuditOlderThan = (q: Queryable, days: number) => Q.deleteAuditOlderThan(q, days);
