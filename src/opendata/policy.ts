import { type Actor, isAdmin } from '../http/policy.ts';

/**
 * Data governance: the register of processing activities is the controller's, so only administrators
 * edit it; everyone reads it. Each account holder downloads their own data (no policy: always theirs) and
 * may erase their own account, and only theirs: an administrator neither (deactivating is theirs to do).
 */
type RegistreAction = 'modifier-registre';
type AccountAction = 'effacer-compte';

export function can(
  actor: Actor,
  action: RegistreAction | AccountAction,
  resource: { utilisateurId: number } | null,
): boolean {
  if (action === 'effacer-compte') return resource !== null && actor.id === resource.utilisateurId;
  return isAdmin(actor);
}
