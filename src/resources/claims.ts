import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { audit } from '../accounts/audit.ts';
import { ownerOf, setOwner } from '../accounts/ownership.ts';
import type { AppContext } from '../context.ts';
import type { Queryable } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { fmtDate, type Html, html } from '../http/html.ts';
import { allowed, authorize, signedIn } from '../http/policy.ts';
import { CsrfField, IdParams, issuesText, text } from '../http/schemas.ts';
import * as C from './claims-queries.ts';
import { mayView } from './moderation.ts';
import { canClaim } from './policy.ts';
import * as Q from './queries.ts';
import { CRUMB } from './routes.ts';

/**
 * An organisation claims its actor card (migration 0541): a member asks with a reason, an administrator
 * validates (the card's owner becomes the organisation, so its editors edit it through `can('modifier')`) or
 * refuses with a reason. Every step is audited.
 */

const ClaimForm = z.object({
  ...CsrfField,
  motif: text(1000, 10, 'expliquez le lien de votre organisation avec cette fiche (10 caractères au moins)'),
});
const RefusalForm = z.object({
  ...CsrfField,
  motif_refus: text(1000, 3, 'indiquez le motif du refus (3 caractères au moins)'),
});
const STATUS: Record<C.ClaimRow['statut'], string> = {
  en_attente: 'en attente de décision',
  validee: 'validée',
  refusee: 'refusée',
};
const claimNotFound = (id: number) =>
  new AppError('INTROUVABLE', `revendication ${id}`, 'Aucune demande en attente ne porte ce numéro.');

/** What an actor card shows a signed-in member of another organisation: their claims, and the form. */
export async function claimBlock(
  q: Queryable,
  req: FastifyRequest,
  acteurId: number,
  owner: number | null,
): Promise<Html> {
  const orgId = req.viewer?.organisation_id ?? null;
  if (orgId === null || !allowed(req, canClaim, 'revendiquer', { organisationId: owner })) return html``;
  const mine = await C.claimsOn(q, acteurId, orgId);
  const open = mine.some((c) => c.statut === 'en_attente');
  return html`<section class="fr-mt-4w" id="revendication"><h2>Gérer cette fiche</h2>
  ${mine.map((c) => html`<p>Demande du ${fmtDate(c.demande_le)} : ${STATUS[c.statut]}${c.motif_refus ? html` — motif : « ${c.motif_refus} »` : ''}.</p>`)}
  ${
    open
      ? ''
      : html`<p>Votre organisation tient cette fiche ? Demandez à la gérer : un administrateur vérifie la demande, puis les éditeurs de votre organisation pourront la modifier.</p>
  <form method="post" action="/ressources/acteurs/${acteurId}/revendication"><input type="hidden" name="_csrf" value="${req.csrfToken}">
  <div class="fr-input-group"><label class="fr-label" for="revendication-motif">Lien de votre organisation avec cette fiche<span class="fr-hint-text">par exemple : c’est notre association, SIREN, fonction du demandeur</span></label>
  <textarea class="fr-input" id="revendication-motif" name="motif" rows="3" required></textarea></div>
  <button class="fr-btn fr-btn--secondary" type="submit">Demander à gérer la fiche</button></form>`
  }</section>`;
}

export function registerClaimsRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const route = { schema: { params: IdParams } };

  app.post('/ressources/acteurs/:id/revendication', route, async (req, reply) => {
    const actor = signedIn(req);
    const a = await Q.acteurById(ctx.db, req.params.id);
    const owner = a ? ((await ownerOf(ctx.db, 'acteur', a.id))?.organisationId ?? null) : null;
    if (!a || !mayView(req, a.moderation, owner))
      throw new AppError('INTROUVABLE', `acteur ${req.params.id}`, 'Cet acteur n’existe pas (ou plus).');
    authorize(req, canClaim, 'revendiquer', { organisationId: owner });
    const p = ClaimForm.safeParse(req.body);
    if (!p.success)
      throw new AppError(
        'REQUETE_INVALIDE',
        p.error.message,
        `Demande invalide : ${issuesText(p.error)}. Rien n’a été enregistré.`,
      );
    const organisationId = actor.organisationId!;
    await ctx.db.transaction(async (tx) => {
      if (await C.openClaim(tx, a.id, organisationId))
        throw new AppError(
          'REQUETE_INVALIDE',
          `claim exists ${a.id}/${organisationId}`,
          'Votre organisation a déjà une demande en attente pour cette fiche.',
        );
      const id = await C.insertClaim(tx, {
        acteurId: a.id,
        organisationId,
        demandeurId: actor.id,
        motif: p.data.motif,
      });
      await audit(tx, actor, 'revendication', { type: 'acteur', id: a.id }, null, {
        revendication: id,
        organisation_id: organisationId,
        motif: p.data.motif,
      });
    });
    return reply.redirect(`/ressources/acteurs/${a.id}#revendication`, 303);
  });

  const decide = async (req: FastifyRequest, id: number, statut: 'validee' | 'refusee') => {
    const actor = authorize(req, canClaim, 'decider', { organisationId: null });
    let motifRefus: string | null = null;
    if (statut === 'refusee') {
      const p = RefusalForm.safeParse(req.body);
      if (!p.success)
        throw new AppError(
          'REQUETE_INVALIDE',
          p.error.message,
          `Refus invalide : ${issuesText(p.error)}. Rien n’a été enregistré.`,
        );
      motifRefus = p.data.motif_refus;
    }
    await ctx.db.transaction(async (tx) => {
      const c = await C.claimById(tx, id);
      if (c?.statut !== 'en_attente') throw claimNotFound(id);
      const before = (await ownerOf(tx, 'acteur', c.acteur_id))?.organisationId ?? null;
      await C.decideClaim(tx, id, { statut, motifRefus, par: actor.id });
      if (statut === 'validee') await setOwner(tx, 'acteur', c.acteur_id, c.organisation_id);
      await audit(
        tx,
        actor,
        statut === 'validee' ? 'revendication-validee' : 'revendication-refusee',
        { type: 'acteur', id: c.acteur_id },
        { revendication: id, organisation_id: before },
        {
          revendication: id,
          organisation_id: statut === 'validee' ? c.organisation_id : before,
          motif_refus: motifRefus,
        },
      );
    });
  };
  app.post('/ressources/revendications/:id/valider', route, async (req, reply) => {
    await decide(req, req.params.id, 'validee');
    return reply.redirect('/ressources/revendications', 303);
  });
  app.post('/ressources/revendications/:id/refuser', route, async (req, reply) => {
    await decide(req, req.params.id, 'refusee');
    return reply.redirect('/ressources/revendications', 303);
  });

  app.get('/ressources/revendications', async (req, reply) => {
    authorize(req, canClaim, 'decider', { organisationId: null });
    const open = await C.openClaims(ctx.db, 200);
    const csrf = html`<input type="hidden" name="_csrf" value="${req.csrfToken}">`;
    return ctx.render(req, reply, {
      title: 'Demandes de gestion des fiches d’acteurs',
      breadcrumb: [CRUMB, { label: 'Demandes de gestion des fiches' }],
      main: html`<h1 class="fr-mt-2w">Demandes de gestion des fiches d’acteurs</h1>
      <p>Une organisation validée devient propriétaire de la fiche : ses éditeurs la modifient. Voir aussi la <a href="/ressources/moderation">modération des contributions</a>.</p>
      ${
        open.length
          ? html`<div class="fr-table" id="revendications"><table><caption>Demandes en attente (${open.length})</caption>
      <thead><tr><th scope="col">Fiche</th><th scope="col">Organisation</th><th scope="col">Demandeur</th><th scope="col">Motif</th><th scope="col">Reçue le</th><th scope="col">Décision</th></tr></thead>
      <tbody>${open.map(
        (
          c,
        ) => html`<tr><td><a href="/ressources/acteurs/${c.acteur_id}">${c.acteur_nom}</a></td><td>${c.organisation_nom}</td><td>${c.demandeur_nom ?? '—'}</td><td>${c.motif}</td><td>${fmtDate(c.demande_le)}</td>
      <td><form method="post" action="/ressources/revendications/${c.id}/valider">${csrf}<button class="fr-btn fr-btn--sm" type="submit" title="Confier « ${c.acteur_nom} » à ${c.organisation_nom}">Valider</button></form>
      <form method="post" action="/ressources/revendications/${c.id}/refuser" class="fr-mt-1w">${csrf}<div class="fr-input-group"><label class="fr-label" for="refus-${c.id}">Motif du refus</label><input class="fr-input" id="refus-${c.id}" name="motif_refus" required></div><button class="fr-btn fr-btn--sm fr-btn--secondary" type="submit" title="Refuser la demande de ${c.organisation_nom}">Refuser</button></form></td></tr>`,
      )}</tbody></table></div>`
          : html`<p>Aucune demande en attente.</p>`
      }`,
    });
  });
}
