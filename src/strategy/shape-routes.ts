import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { audit } from '../accounts/audit.ts';
import { setOwner } from '../accounts/ownership.ts';
import { listOrganisations } from '../accounts/service.ts';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { type Html, html } from '../http/html.ts';
import { CsrfField, Id, IsoDate, optText, parseForm, text } from '../http/schemas.ts';
import { SlugParams, strategyOr404 } from './api.ts';
import { authorizeShape, OWNED_TYPE } from './policy.ts';
import * as Q from './queries.ts';
import type { TreeNode } from './service.ts';

const optDate = z.union([z.literal('').transform(() => null), IsoDate]);
const optOrg = z.union([
  z.literal('').transform(() => null),
  z.coerce.number().int().positive('organisation inconnue'),
]);

const NewNodeForm = z
  .object({
    ...CsrfField,
    parent: Id,
    code: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/, 'code : lettres, chiffres, point, tiret (40 au plus)'),
    titre: text(300, 1, 'titre requis'),
    description: optText(4000).optional(),
    porteur: optOrg,
    contact: optText(300).optional(),
    debut: optDate,
    fin: optDate,
  })
  .refine((v) => !v.debut || !v.fin || v.fin >= v.debut, { message: 'la fin précède le début', path: ['fin'] });
const OwnerForm = z.object({ ...CsrfField, porteur: optOrg });
const SlugId = SlugParams.extend({ id: Id });

/** The level under `niveau` in the strategy's levels, or null for the last one. */
const childLevel = (s: Q.StrategyRow, niveau: string) => s.niveaux[s.niveaux.findIndex((l) => l.code === niveau) + 1];

/**
 * Administrators add nodes under any node but the deepest level (an action under a piste, a piste under an
 * orientation) and choose who owns a node. Nodes added here are kept by a re-import of the strategy file.
 */
export function registerStrategyShaping(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/strategie/:slug/actions', { schema: { params: SlugParams } }, async (req, reply) => {
    const actor = authorizeShape(req, 'creer-action');
    const s = await strategyOr404(ctx, req.params.slug);
    const f = parseForm(NewNodeForm, req.body);
    const parent = await Q.nodeById(ctx.db, f.parent);
    if (!parent || parent.strategie_id !== s.id)
      throw new AppError(
        'REQUETE_INVALIDE',
        `parent ${f.parent}`,
        'Cet élément parent n’appartient pas à la stratégie.',
      );
    const level = childLevel(s, parent.niveau);
    if (!level)
      throw new AppError(
        'REQUETE_INVALIDE',
        `niveau ${parent.niveau}`,
        `Rien ne se place sous un élément de ce niveau.`,
      );
    const id = await ctx.db.transaction(async (tx) => {
      if (await Q.codeTaken(tx, s.id, f.code))
        throw new AppError(
          'REQUETE_INVALIDE',
          `code ${f.code}`,
          `Le code ${f.code} est déjà pris dans cette stratégie.`,
        );
      const node = {
        parent_id: parent.id,
        niveau: level.code,
        code: f.code,
        titre: f.titre,
        description: f.description ?? null,
        rang: await Q.nextRank(tx, s.id, parent.id),
        principes: [],
        contact: f.contact ?? null,
        partenaires: [],
        territoires: [],
        debut: f.debut,
        fin: f.fin,
        statut: null,
        avancement: null,
        poids: 1,
      };
      const id = await Q.insertNode(tx, s.id, node);
      await Q.markEntered(tx, id);
      await setOwner(tx, OWNED_TYPE, id, f.porteur);
      const apres = { ...node, porteur_id: f.porteur };
      const auteur = actor.nom || actor.label;
      await Q.insertHistory(tx, {
        strategie_id: s.id,
        noeud_id: id,
        indicateur_id: null,
        objet: `${level.code} ${f.code}`,
        operation: 'creation',
        auteur,
        utilisateur_id: actor.id,
        avant: null,
        apres,
      });
      await audit(tx, actor, 'creation', { type: 'strategie_noeud', id }, null, apres);
      return id;
    });
    return reply.redirect(`/strategie/${s.slug}/actions/${id}?ok=1`, 303);
  });

  r.post('/strategie/:slug/actions/:id/porteur', { schema: { params: SlugId } }, async (req, reply) => {
    const actor = authorizeShape(req, 'attribuer');
    const s = await strategyOr404(ctx, req.params.slug);
    const n = await Q.nodeById(ctx.db, req.params.id);
    if (!n || n.strategie_id !== s.id)
      throw new AppError('INTROUVABLE', `noeud ${req.params.id}`, 'Cette action n’existe pas (ou plus).');
    const { porteur } = parseForm(OwnerForm, req.body);
    await ctx.db.transaction(async (tx) => {
      await setOwner(tx, OWNED_TYPE, n.id, porteur);
      await Q.insertHistory(tx, {
        strategie_id: s.id,
        noeud_id: n.id,
        indicateur_id: null,
        objet: `porteur de ${n.code}`,
        operation: 'attribution',
        auteur: actor.nom || actor.label,
        utilisateur_id: actor.id,
        avant: null,
        apres: { porteur_id: porteur },
      });
      await audit(tx, actor, 'attribution', { type: 'strategie_noeud', id: n.id }, null, { porteur_id: porteur });
    });
    return reply.redirect(`/strategie/${s.slug}/actions/${n.id}?ok=1`, 303);
  });
}

type Org = { id: number; nom: string };
const orgOptions = (orgs: Org[], current: number | null) =>
  html`<option value="">— aucun (administrateurs) —</option>${orgs.map((o) => html`<option value="${o.id}"${o.id === current ? html` selected` : ''}>${o.nom}</option>`)}`;

export const organisationsForForms = async (ctx: AppContext): Promise<Org[]> =>
  (await listOrganisations(ctx.db)).map((o) => ({ id: o.id, nom: o.nom }));

/** « Add an element »: every node that may have children is a possible parent. */
export function newNodeForm(s: Q.StrategyRow, nodes: TreeNode[], orgs: Org[], csrf: string): Html {
  const parents = nodes.filter((n) => childLevel(s, n.niveau));
  return html`<h2>Ajouter un élément</h2>
  <form method="post" action="/strategie/${s.slug}/actions" class="fr-mb-4w"><input type="hidden" name="_csrf" value="${csrf}"><div class="fr-grid-row fr-grid-row--gutters">
  <div class="fr-select-group fr-col-12 fr-col-md-6"><label class="fr-label" for="n-parent">Sous<span class="fr-hint-text">Le nouvel élément prend le niveau suivant (une action sous une piste d’action).</span></label><select class="fr-select" id="n-parent" name="parent" required>${parents.map((n) => html`<option value="${n.id}">${n.code} — ${n.titre}</option>`)}</select></div>
  <div class="fr-input-group fr-col-12 fr-col-md-2"><label class="fr-label" for="n-code">Code</label><input class="fr-input" id="n-code" name="code" required maxlength="40"></div>
  <div class="fr-input-group fr-col-12 fr-col-md-4"><label class="fr-label" for="n-titre">Titre</label><input class="fr-input" id="n-titre" name="titre" required maxlength="300"></div>
  <div class="fr-input-group fr-col-12"><label class="fr-label" for="n-description">Description</label><textarea class="fr-input" id="n-description" name="description" maxlength="4000"></textarea></div>
  <div class="fr-select-group fr-col-12 fr-col-md-4"><label class="fr-label" for="n-porteur">Organisation porteuse</label><select class="fr-select" id="n-porteur" name="porteur">${orgOptions(orgs, null)}</select></div>
  <div class="fr-input-group fr-col-12 fr-col-md-4"><label class="fr-label" for="n-contact">Contact</label><input class="fr-input" id="n-contact" name="contact" maxlength="300"></div>
  <div class="fr-input-group fr-col-6 fr-col-md-2"><label class="fr-label" for="n-debut">Début</label><input class="fr-input" type="date" id="n-debut" name="debut"></div>
  <div class="fr-input-group fr-col-6 fr-col-md-2"><label class="fr-label" for="n-fin">Fin</label><input class="fr-input" type="date" id="n-fin" name="fin"></div>
  </div><button class="fr-btn fr-mt-2w" type="submit">Ajouter</button></form>`;
}

export function ownerForm(slug: string, n: TreeNode, orgs: Org[], csrf: string): Html {
  return html`<h3 class="fr-h6">Organisation porteuse</h3>
  <form method="post" action="/strategie/${slug}/actions/${n.id}/porteur" class="fr-mb-4w"><input type="hidden" name="_csrf" value="${csrf}">
  <div class="fr-select-group"><label class="fr-label" for="o-porteur">Porteur (ses éditeurs mettent l’action à jour)</label><select class="fr-select" id="o-porteur" name="porteur">${orgOptions(orgs, n.porteur_id)}</select></div>
  <button class="fr-btn fr-btn--secondary" type="submit">Changer le porteur</button></form>`;
}
