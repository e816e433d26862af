import { type Actor, isAdmin } from '../http/policy.ts';

/**
 * Targeted-coverage list: the editors of a département's organisation (its territory is that
 * département) maintain that département's items; administrators maintain every item.
 */
type DccAction = 'creer' | 'modifier';
type DccResource = { departement: string | null; orgDepartement: string | null };

export function can(actor: Actor, action: DccAction, r: DccResource): boolean {
  if (isAdmin(actor)) return true;
  if (actor.role !== 'editeur' || r.orgDepartement === null) return false;
  return action === 'creer'
    ? r.departement === null || r.departement === r.orgDepartement
    : r.departement === r.orgDepartement;
}

/** Crowdsourced measurements: any editor or administrator hides or publishes again an atypical measurement. */
export function canModerate(actor: Actor, _action: 'moderer', _r: null): boolean {
  return isAdmin(actor) || actor.role === 'editeur';
}
