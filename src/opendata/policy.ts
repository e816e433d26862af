import { type Actor, isAdmin } from '../http/policy.ts';

/**
 * Data governance: the register of processing activities is the controller's, so only administrators
 * edit it; everyone reads it. Each account holder downloads their own data (no policy: always theirs).
 */
type RegistreAction = 'modifier-registre';

export function can(actor: Actor, _action: RegistreAction, _resource: null): boolean {
  return isAdmin(actor);
}
