import crypto from 'node:crypto';
import argon2 from 'argon2';
import type { Db } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { type Actor, audit } from './audit.ts';
import * as C from './credential-queries.ts';
import { assertStrongPassword } from './password-policy.ts';
import { hashPassword } from './service.ts';

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

/**
 * A signed-in user changes their password: the current one is required, the new one must be strong,
 * and every other session of the user ends (a stolen session does not survive the change).
 */
export async function changePassword(
  db: Db,
  userId: number,
  currentToken: string,
  current: string,
  next: string,
): Promise<{ endedSessions: number }> {
  const user = await C.userById(db, userId);
  if (!user?.actif) throw new AppError('NON_AUTHENTIFIE', `user ${userId} gone`);
  const ok = await argon2.verify(user.mot_de_passe_hash, current).catch(() => false);
  if (!ok)
    throw new AppError(
      'IDENTIFIANTS_INVALIDES',
      `wrong current password for ${user.email}`,
      'Le mot de passe actuel est incorrect.',
    );
  if (current === next)
    throw new AppError(
      'MOT_DE_PASSE_FAIBLE',
      'same password',
      'Le nouveau mot de passe doit être différent de l’actuel.',
    );
  assertStrongPassword(next, [user.email, user.nom]);
  const hash = await hashPassword(next);
  return db.transaction(async (tx) => {
    await C.updatePasswordHash(tx, user.id, hash);
    const endedSessions = await C.deleteSessionsOfUser(tx, user.id, sha256(currentToken));
    await audit(
      tx,
      { id: user.id, label: user.email },
      'changement-mot-de-passe',
      { type: 'utilisateur', id: user.id },
      null,
      { sessions_fermees: endedSessions },
    );
    return { endedSessions };
  });
}

/** An administrator deactivates (sessions end, login refused) or reactivates an account. */
export async function setUserActive(db: Db, actor: Actor, id: number, actif: boolean): Promise<void> {
  if (actor.id === id && !actif)
    throw new AppError('REQUETE_INVALIDE', 'self deactivation', 'Vous ne pouvez pas désactiver votre propre compte.');
  await db.transaction(async (tx) => {
    const user = await C.userById(tx, id);
    if (!user) throw new AppError('INTROUVABLE', `user ${id}`);
    if (user.actif === actif) return;
    await C.setUserActive(tx, id, actif);
    const ended = actif ? 0 : await C.deleteSessionsOfUser(tx, id, null);
    await audit(
      tx,
      actor,
      actif ? 'reactivation' : 'desactivation',
      { type: 'utilisateur', id },
      { email: user.email, actif: user.actif },
      { email: user.email, actif, sessions_fermees: ended },
    );
  });
}

/** Whether `password` is the active account's current one (confirmation of a sensitive request). */
export async function passwordMatches(db: Db, userId: number, password: string): Promise<boolean> {
  const user = await C.userById(db, userId);
  if (!user?.actif || !user.mot_de_passe_hash) return false;
  return argon2.verify(user.mot_de_passe_hash, password).catch(() => false);
}
