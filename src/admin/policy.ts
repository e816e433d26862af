import { type Actor, isAdmin } from '../http/policy.ts';

/**
 * The administration of the instance: imports, schedules, accounts, organisations and the journal
 * are the administrators' alone. Any signed-in user reaches the administration home, which lists
 * what their role lets them edit.
 */
type AdminAction = 'accueil' | 'importer' | 'planifier' | 'gerer-comptes' | 'gerer-organisations' | 'consulter-journal';

export function can(actor: Actor, action: AdminAction, _resource: null = null): boolean {
  return action === 'accueil' || isAdmin(actor);
}
