import { type Actor, isAdmin, type Owned, ownsOrAdmin } from '../http/policy.ts';

/**
 * Data governance: the register of processing activities is the controller's, so only administrators
 * edit it; everyone reads it. Datalab projects: any editor creates one for their organisation; its
 * organisation and administrators edit it.
 */
type Action = 'modifier-registre' | 'creer-projet' | 'modifier-projet';

export function can(actor: Actor, action: Action, resource: Owned | null): boolean {
  switch (action) {
    case 'creer-projet':
      return isAdmin(actor) || (actor.role === 'editeur' && actor.organisationId !== null);
    case 'modifier-projet':
      return resource !== null && ownsOrAdmin(actor, resource);
    default:
      return isAdmin(actor);
  }
}

/**
 * Each account holder downloads their own data (no policy: always theirs) and may erase their own account,
 * and only theirs: an administrator neither (deactivating an account is theirs to do).
 */
export const canErase = (actor: Actor, _action: 'effacer-compte', account: { utilisateurId: number }): boolean =>
  actor.id === account.utilisateurId;
