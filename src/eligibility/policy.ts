import { type Actor, isAdmin, type Owned, ownsOrAdmin } from '../http/policy.ts';

/**
 * Public networks (RIP): the syndicat or département that carries a network keeps its sheet up to
 * date. Editors create networks for their own organisation and change or delete those it owns;
 * only administrators give a network to an organisation (or take it back).
 */
type RipAction = 'consulter' | 'creer' | 'modifier' | 'supprimer' | 'attribuer';

export function can(actor: Actor, action: RipAction, rip: Owned): boolean {
  switch (action) {
    case 'consulter':
      return isAdmin(actor) || actor.organisationId !== null;
    case 'creer':
    case 'modifier':
    case 'supprimer':
      return ownsOrAdmin(actor, rip);
    case 'attribuer':
      return isAdmin(actor);
  }
}
