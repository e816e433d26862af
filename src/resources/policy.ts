import { type Actor, isAdmin, type Owned, ownsOrAdmin } from '../http/policy.ts';

/**
 * Directory of actors: any editor adds a card for their own organisation and edits the cards it
 * owns; administrators edit every card and give a card to an organisation (or take it back).
 */
type ActeurAction = 'creer' | 'modifier' | 'attribuer';

export function can(actor: Actor, action: ActeurAction, acteur: Owned): boolean {
  switch (action) {
    case 'creer':
      return isAdmin(actor) || (actor.role === 'editeur' && actor.organisationId !== null);
    case 'modifier':
      return ownsOrAdmin(actor, acteur);
    case 'attribuer':
      return isAdmin(actor);
  }
}

/** An aid alert is its account holder's; administrators may remove any (moderation, departures). */
export const canAlert = (actor: Actor, _action: 'supprimer', alert: { utilisateurId: number }): boolean =>
  isAdmin(actor) || actor.id === alert.utilisateurId;

/** Moderation before publication (settings, review queue): administrators only. */
export const canModerate = (actor: Actor, _action: 'moderer', _r: null): boolean => isAdmin(actor);

/**
 * Claims of actor cards: a member of an organisation asks to manage a card their organisation does not own
 * (administrators, who belong to none, give cards through the form); administrators decide.
 */
export function canClaim(actor: Actor, action: 'revendiquer' | 'decider', card: Owned): boolean {
  switch (action) {
    case 'revendiquer':
      return actor.organisationId !== null && card.organisationId !== actor.organisationId;
    case 'decider':
      return isAdmin(actor);
  }
}

/**
 * Working groups: administrators create groups and choose member organisations; editors of a member
 * organisation (and administrators) add meetings and write minutes; every member reads them and takes part in
 * the threads; a message is removed by its author or an administrator.
 */
type GroupAction = 'creer-groupe' | 'gerer-membres' | 'animer' | 'participer' | 'supprimer-message';

export function canGroup(actor: Actor, action: GroupAction, g: { member: boolean; auteurId?: number | null }): boolean {
  switch (action) {
    case 'creer-groupe':
    case 'gerer-membres':
      return isAdmin(actor);
    case 'animer':
      return isAdmin(actor) || (actor.role === 'editeur' && g.member);
    case 'participer':
      return isAdmin(actor) || g.member;
    case 'supprimer-message':
      return isAdmin(actor) || (g.member && g.auteurId === actor.id);
  }
}
