import type { FastifyRequest } from 'fastify';
import type { Role, SessionUser } from '../accounts/queries.ts';
import { AppError } from '../errors.ts';

/**
 * The policy core. Each module decides in its own `policy.ts` with a `can(actor, action, resource)`
 * function; routes call `authorize(req, can, action, resource)` before any write, which answers
 * 401 to visitors and 403 to signed-in users the module refuses. Keeping the decision a pure
 * function of (actor, action, resource) lets the role-matrix test and the views ask the same question.
 */

/** The signed-in user as policies and the audit journal see them (`id`, `label` are what `audit()` records). */
export type Actor = { id: number; label: string; nom: string; role: Role; organisationId: number | null };

/** A resource that belongs to an organisation; `null` means only administrators may change it. */
export type Owned = { organisationId: number | null };

type Can<A extends string, R> = (actor: Actor, action: A, resource: R) => boolean;

function actorFrom(u: SessionUser): Actor {
  return { id: u.id, label: u.email, nom: u.nom, role: u.role, organisationId: u.organisation_id };
}

/** The signed-in actor, or 401. Call it before loading a resource so visitors learn nothing about what exists. */
export function signedIn(req: FastifyRequest): Actor {
  if (!req.viewer) throw new AppError('NON_AUTHENTIFIE', `${req.method} ${req.url}`);
  return actorFrom(req.viewer);
}

/** 401 for visitors, 403 when the module's policy refuses; otherwise the actor, for the audit journal. */
export function authorize<A extends string, R>(req: FastifyRequest, can: Can<A, R>, action: A, resource: R): Actor {
  const actor = signedIn(req);
  if (!can(actor, action, resource))
    throw new AppError('INTERDIT', `${actor.label} (${actor.role}) may not ${action} on ${req.method} ${req.url}`);
  return actor;
}

/** The same decision for a view (e.g. whether to show an edit form); visitors may do nothing. */
export function allowed<A extends string, R>(req: FastifyRequest, can: Can<A, R>, action: A, resource: R): boolean {
  return req.viewer ? can(actorFrom(req.viewer), action, resource) : false;
}

export const isAdmin = (a: Actor): boolean => a.role === 'administrateur';

/** Administrators, or editors of the organisation that owns the resource. */
export const ownsOrAdmin = (a: Actor, r: Owned): boolean =>
  isAdmin(a) || (a.role === 'editeur' && a.organisationId !== null && r.organisationId === a.organisationId);
