import crypto from 'node:crypto';
import argon2 from 'argon2';
import { z } from 'zod';
import type { Db } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { audit, type Actor } from './audit.ts';
import * as Q from './queries.ts';
import { assertStrongPassword } from './password-policy.ts';

export const SESSION_HOURS = 12;

export const NewUserSchema = z.object({
  email: z.string().trim().toLowerCase().email('adresse électronique invalide').max(200),
  nom: z.string().trim().min(1, 'nom requis').max(120),
  motDePasse: z.string().min(12, 'le mot de passe doit faire au moins 12 caractères').max(200),
  role: z.enum(['administrateur', 'editeur']),
  organisationId: z.coerce.number().int().positive().nullable().default(null),
});
export type NewUser = z.infer<typeof NewUserSchema>;

export const LoginSchema = z.object({
  email: z.string().trim().max(200),
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
  if (!user || !ok || !user.actif) throw new AppError('IDENTIFIANTS_INVALIDES', `login failed for ${email.slice(0, 80)}`);
  return user;
}

export async function createUser(db: Db, actor: Actor, input: NewUser): Promise<number> {
  assertStrongPassword(input.motDePasse, [input.email, input.nom]);
  if (input.role === 'editeur' && !input.organisationId) throw new AppError('REQUETE_INVALIDE', 'editor without organisation', 'Un éditeur doit être rattaché à une organisation.');
  const hash = await hashPassword(input.motDePasse);
  return db.transaction(async (tx) => {
    if (await Q.userByEmail(tx, input.email)) throw new AppError('REQUETE_INVALIDE', 'duplicate email', 'Un compte existe déjà avec cette adresse électronique.');
    const id = await Q.insertUser(tx, { email: input.email, nom: input.nom, hash, role: input.role, organisationId: input.organisationId });
    await audit(tx, actor, 'creation', { type: 'utilisateur', id }, null, { email: input.email, nom: input.nom, role: input.role, organisation_id: input.organisationId });
    return id;
  });
}

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

export async function openSession(db: Db, user: Q.UserRow): Promise<{ token: string; expires: Date }> {
  const token = crypto.randomBytes(32).toString('base64url');
  const expires = new Date(Date.now() + SESSION_HOURS * 3600_000);
  await Q.deleteExpiredSessions(db);
  await Q.insertSession(db, { idHash: sha256(token), userId: user.id, csrf: crypto.randomBytes(24).toString('base64url'), expires });
  return { token, expires };
}

export const sessionFromToken = (db: Db, token: string) => Q.sessionUser(db, sha256(token));
export const closeSession = (db: Db, token: string) => Q.deleteSession(db, sha256(token));
