import type { FastifyRequest } from 'fastify';
import { ownerOf } from '../accounts/ownership.ts';
import type { Queryable } from '../db/db.ts';
import { type Actor, allowed, authorize, isAdmin, type Owned, ownsOrAdmin, signedIn } from '../http/policy.ts';

/**
 * Actions and their measurements: the editors of the organisation that owns an action update it
 * (progress, status, dates, milestones, budget lines) and enter the measurements of the indicators
 * that follow it; administrators change everything. An action without an owner, or an indicator
 * that follows no owned action, is the administrators'.
 */
type StrategyAction = 'modifier-action' | 'saisir-mesure';

function can(actor: Actor, _action: StrategyAction, r: Owned): boolean {
  return ownsOrAdmin(actor, r);
}

export const OWNED_TYPE = 'action';

/** 401, then the owner of the node is read, then 403: call once the node is known to exist. */
export async function authorizeNode(
  req: FastifyRequest,
  q: Queryable,
  action: StrategyAction,
  noeudId: number | null,
): Promise<Actor> {
  signedIn(req);
  const owner = noeudId === null ? null : ((await ownerOf(q, OWNED_TYPE, noeudId))?.organisationId ?? null);
  return authorize(req, can, action, { organisationId: owner });
}

/** Whether the page shows the forms of a node to this viewer. */
export const mayEdit = (
  req: FastifyRequest,
  organisationId: number | null,
  action: StrategyAction = 'modifier-action',
) => allowed(req, can, action, { organisationId });

/** Review sessions and their decisions are the committee's: administrators only. */
const canReview = (actor: Actor, _action: 'revue', _r: null) => isAdmin(actor);
export const authorizeReview = (req: FastifyRequest) => authorize(req, canReview, 'revue', null);
export const mayReview = (req: FastifyRequest) => allowed(req, canReview, 'revue', null);

/** Adding a node to the tree and choosing who owns it shape the strategy itself: administrators only. */
const canShape = (actor: Actor, _action: 'creer-action' | 'attribuer', _r: null) => isAdmin(actor);
export const authorizeShape = (req: FastifyRequest, action: 'creer-action' | 'attribuer') =>
  authorize(req, canShape, action, null);
export const mayShape = (req: FastifyRequest) => allowed(req, canShape, 'creer-action', null);
