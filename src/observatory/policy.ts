import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ownerOf, ownersOf, setOwner } from '../accounts/ownership.ts';
import { listOrganisations } from '../accounts/service.ts';
import type { Db, Queryable } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { type Html, html } from '../http/html.ts';
import { type Actor, allowed, authorize, isAdmin, type Owned, ownsOrAdmin, signedIn } from '../http/policy.ts';
import { OptionalId } from '../http/schemas.ts';
import { getObjectif } from './queries.ts';

/**
 * Coverage targets: an organisation (a département, a syndicat) maintains the targets of its own
 * strategy. Editors create targets for their organisation and change or delete those it owns;
 * national, regional and European targets without an owner stay the administrators'.
 */
type ObjectifAction = 'creer' | 'modifier' | 'supprimer' | 'attribuer';

function can(actor: Actor, action: ObjectifAction, objectif: Owned): boolean {
  switch (action) {
    case 'creer':
    case 'modifier':
    case 'supprimer':
      return ownsOrAdmin(actor, objectif);
    case 'attribuer':
      return isAdmin(actor);
  }
}

const TYPE = 'objectif';

/**
 * 401 for visitors, 404 for a target that does not exist, 403 when the policy refuses. A new target
 * is the editor's organisation's; an administrator's has no owner until the form names one.
 */
export async function authorizeObjectif(
  req: FastifyRequest,
  db: Db,
  action: 'creer' | 'modifier' | 'supprimer',
  id: number | null,
): Promise<{ actor: Actor; owner: number | null }> {
  const actor = signedIn(req);
  if (id !== null && !(await getObjectif(db, id)))
    throw new AppError('INTROUVABLE', `objectif ${id}`, 'Cet objectif n’existe pas (ou plus).');
  const owner =
    id === null
      ? isAdmin(actor)
        ? null
        : actor.organisationId
      : ((await ownerOf(db, TYPE, id))?.organisationId ?? null);
  authorize(req, can, action, { organisationId: owner });
  return { actor, owner };
}

const OwnerField = z.object({ organisationId: OptionalId.optional() });

/** Records the owner after a save: the one the administrator chose, otherwise the current one. */
export async function saveObjectifOwner(
  req: FastifyRequest,
  tx: Queryable,
  id: number,
  current: number | null,
): Promise<number | null> {
  const p = OwnerField.safeParse(req.body);
  if (!p.success) throw new AppError('REQUETE_INVALIDE', p.error.message, 'Organisation propriétaire invalide.');
  const chosen = p.data.organisationId;
  if (chosen !== undefined) authorize(req, can, 'attribuer', { organisationId: current });
  const next = chosen === undefined ? current : chosen;
  await setOwner(tx, TYPE, id, next);
  return next;
}

export const dropObjectifOwner = (tx: Queryable, id: number) => setOwner(tx, TYPE, id, null);

/** What the targets page shows each viewer: which forms, and the owner choice for administrators. */
export async function objectifEditing(req: FastifyRequest, db: Db) {
  const owners = await ownersOf(db, TYPE);
  const ownerId = (id: number) => owners.get(id)?.organisationId ?? null;
  const orgs = allowed(req, can, 'attribuer', { organisationId: null }) ? await listOrganisations(db) : null;
  const creatorOrg = req.viewer?.role === 'administrateur' ? null : (req.viewer?.organisation_id ?? null);
  return {
    ownerName: (id: number) => owners.get(id)?.nom ?? null,
    mayCreate: allowed(req, can, 'creer', { organisationId: creatorOrg }),
    mayEdit: (id: number) => allowed(req, can, 'modifier', { organisationId: ownerId(id) }),
    ownerField: (id?: number): Html => {
      if (!orgs) return html``;
      const current = id === undefined ? null : ownerId(id);
      const f = `obj-${id ?? 'nouveau'}-organisation`;
      return html`<div class="fr-col-12 fr-col-md-6 fr-select-group"><label class="fr-label" for="${f}">Organisation propriétaire <span class="fr-hint-text">ses éditeurs peuvent modifier cet objectif</span></label><select class="fr-select" id="${f}" name="organisationId"><option value="">— aucune (administrateurs seulement) —</option>${orgs.map((o) => html`<option value="${o.id}"${current === o.id ? html` selected` : ''}>${o.nom}</option>`)}</select></div>`;
    },
  };
}
