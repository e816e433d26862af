import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { audit } from '../accounts/audit.ts';
import type { AppContext } from '../context.ts';
import type { Queryable } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { fmtDate, type Html, html, raw } from '../http/html.ts';
import { type Actor, allowed, authorize, isAdmin, signedIn } from '../http/policy.ts';
import { CsrfField, Id, issuesText, text } from '../http/schemas.ts';
import * as M from './moderation-queries.ts';
import { can, canModerate } from './policy.ts';
import { CRUMB } from './routes.ts';

/**
 * Moderation before publication, per content type (migration 0540). Each writer of a moderated type calls
 * `afterWrite` in its transaction; public lists, feeds, search and the open-data files read only published
 * records; a record's page shows a pending or refused one to its organisation's editors and administrators.
 */

const LABEL: Record<M.ModeratedType, { one: string; many: string; path: string }> = {
  acteur: { one: 'Acteur', many: 'Fiches d’acteurs', path: '/ressources/acteurs' },
  projet: { one: 'Projet', many: 'Projets et cas d’usage', path: '/ressources/projets' },
  ressource: { one: 'Ressource', many: 'Ressources de la bibliothèque', path: '/ressources/bibliotheque' },
  evenement: { one: 'Événement', many: 'Événements de l’agenda', path: '/ressources/agenda' },
  actualite: { one: 'Actualité', many: 'Actualités de la veille', path: '/ressources/actualites' },
};
const STATUS: Record<M.Visibility, string> = {
  publie: 'publié',
  en_attente: 'en attente de relecture',
  refuse: 'refusé',
};

/**
 * After an editor's write: with review on for the type, the record waits (hidden, in the queue); with it
 * off, it is published. An administrator's write leaves the record's state as it is (they publish from
 * the queue). Returns the state, for the redirect's message and the audit line.
 */
export async function afterWrite(
  tx: Queryable,
  actor: Actor,
  type: M.ModeratedType,
  id: number,
  titre: string,
): Promise<M.Visibility> {
  const current = (await M.visibilityOf(tx, type, id)) ?? 'publie';
  if (isAdmin(actor)) return current;
  if (await M.reviewRequired(tx, type)) {
    await M.setVisibility(tx, type, id, 'en_attente');
    await M.upsertSubmission(tx, { type, id, titre, auteurId: actor.id });
    return 'en_attente';
  }
  if (current !== 'publie') {
    await M.setVisibility(tx, type, id, 'publie');
    if (await M.submissionOf(tx, type, id))
      await M.decideSubmission(tx, type, id, { statut: 'publie', motif: null, par: actor.id });
  }
  return 'publie';
}

/** Whether the viewer may see a record in this state: published, or its owners and administrators. */
export const mayView = (req: FastifyRequest, v: M.Visibility, organisationId: number | null): boolean =>
  v === 'publie' || allowed(req, can, 'modifier', { organisationId });

/** The notice a record's page shows its owners while it is not published. */
export async function statusNotice(q: Queryable, type: M.ModeratedType, id: number, v: M.Visibility): Promise<Html> {
  if (v === 'publie') return html``;
  const s = await M.submissionOf(q, type, id);
  return v === 'en_attente'
    ? html`<div class="fr-alert fr-alert--info fr-mb-3w"><p>En attente de relecture : cette fiche n’est pas encore visible du public.</p></div>`
    : html`<div class="fr-alert fr-alert--warning fr-mb-3w"><p>Refusée par la modération${s?.motif ? html` : « ${s.motif} »` : ''}. Elle n’est pas visible du public ; modifiez-la pour la soumettre à nouveau.</p></div>`;
}

const TypeParams = z.object({ type: z.enum(M.MODERATED), id: Id });
const RefusalForm = z.object({
  ...CsrfField,
  motif: text(1000, 3, 'indiquez le motif du refus (3 caractères au moins)'),
});
const SettingsForm = z.object({
  ...CsrfField,
  revue: z.union([z.enum(M.MODERATED), z.array(z.enum(M.MODERATED))]).optional(),
});

export function registerModerationRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const PAGE = { label: 'Modération', href: '/ressources/moderation' };

  app.get('/ressources/moderation', async (req, reply) => {
    authorize(req, canModerate, 'moderer', null);
    const settings = await M.listSettings(ctx.db);
    const queue = await M.pendingSubmissions(ctx.db, 200);
    const csrf = html`<input type="hidden" name="_csrf" value="${req.csrfToken}">`;
    return ctx.render(req, reply, {
      title: 'Modération des contributions',
      breadcrumb: [CRUMB, { label: PAGE.label }],
      main: html`<h1 class="fr-mt-2w">Modération des contributions</h1>
      <p>Les demandes des organisations qui veulent gérer une fiche d’acteur sont sur la page <a href="/ressources/revendications">demandes de gestion des fiches</a>.</p>
      <h2>Relecture avant publication</h2>
      <form method="post" action="/ressources/moderation/reglages">${csrf}
      <fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Types de contenus dont les contributions des éditeurs attendent une relecture<span class="fr-hint-text">non cochés : elles sont publiées directement ; celles des administrateurs le sont toujours</span></legend>
      ${settings.map((s) => html`<div class="fr-fieldset__element"><div class="fr-checkbox-group"><input type="checkbox" id="revue-${s.objet_type}" name="revue" value="${s.objet_type}"${s.revue ? raw(' checked') : ''}><label class="fr-label" for="revue-${s.objet_type}">${LABEL[s.objet_type].many}</label></div></div>`)}</fieldset>
      <button class="fr-btn" type="submit">Enregistrer les réglages</button></form>
      <h2 class="fr-mt-4w">File de relecture</h2>
      ${
        queue.length
          ? html`<div class="fr-table" id="file"><table><caption>Contributions en attente (${queue.length})</caption>
      <thead><tr><th scope="col">Type</th><th scope="col">Contribution</th><th scope="col">Auteur</th><th scope="col">Soumise le</th><th scope="col">Décision</th></tr></thead>
      <tbody>${queue.map(
        (
          s,
        ) => html`<tr><td>${LABEL[s.objet_type].one}</td><td><a href="${LABEL[s.objet_type].path}/${s.objet_id}">${s.titre}</a></td><td>${s.auteur_nom ?? '—'}</td><td>${fmtDate(s.soumis_le)}</td>
      <td><form method="post" action="/ressources/moderation/${s.objet_type}/${s.objet_id}/publier">${csrf}<button class="fr-btn fr-btn--sm" type="submit" title="Publier « ${s.titre} »">Publier</button></form>
      <form method="post" action="/ressources/moderation/${s.objet_type}/${s.objet_id}/refuser" class="fr-mt-1w">${csrf}<div class="fr-input-group"><label class="fr-label" for="motif-${s.objet_type}-${s.objet_id}">Motif du refus</label><input class="fr-input" id="motif-${s.objet_type}-${s.objet_id}" name="motif" required></div><button class="fr-btn fr-btn--sm fr-btn--secondary" type="submit" title="Refuser « ${s.titre} »">Refuser</button></form></td></tr>`,
      )}</tbody></table></div>`
          : html`<p>Aucune contribution en attente.</p>`
      }`,
    });
  });

  app.post('/ressources/moderation/reglages', async (req, reply) => {
    const actor = authorize(req, canModerate, 'moderer', null);
    const p = SettingsForm.safeParse(req.body);
    if (!p.success)
      throw new AppError('REQUETE_INVALIDE', p.error.message, `Réglages invalides : ${issuesText(p.error)}.`);
    const on = new Set([p.data.revue ?? []].flat());
    await ctx.db.transaction(async (tx) => {
      const before = await M.listSettings(tx);
      for (const s of before)
        if (s.revue !== on.has(s.objet_type)) await M.updateSetting(tx, s.objet_type, on.has(s.objet_type));
      await audit(
        tx,
        actor,
        'modification',
        { type: 'moderation_reglage' },
        Object.fromEntries(before.map((s) => [s.objet_type, s.revue])),
        Object.fromEntries(before.map((s) => [s.objet_type, on.has(s.objet_type)])),
      );
    });
    return reply.redirect('/ressources/moderation', 303);
  });

  const decide = async (req: FastifyRequest, type: M.ModeratedType, id: number, statut: 'publie' | 'refuse') => {
    const actor = authorize(req, canModerate, 'moderer', null);
    let motif: string | null = null;
    if (statut === 'refuse') {
      const p = RefusalForm.safeParse(req.body);
      if (!p.success)
        throw new AppError(
          'REQUETE_INVALIDE',
          p.error.message,
          `Refus invalide : ${issuesText(p.error)}. Rien n’a été enregistré.`,
        );
      motif = p.data.motif;
    }
    await ctx.db.transaction(async (tx) => {
      const s = await M.submissionOf(tx, type, id);
      if (s?.statut !== 'en_attente')
        throw new AppError(
          'INTROUVABLE',
          `moderation ${type} ${id}`,
          'Aucune contribution en attente ne porte ce numéro.',
        );
      await M.decideSubmission(tx, type, id, { statut, motif, par: actor.id });
      await M.setVisibility(tx, type, id, statut);
      await audit(
        tx,
        actor,
        statut === 'publie' ? 'publication' : 'refus',
        { type, id },
        { moderation: 'en_attente' },
        { moderation: statut, motif },
      );
    });
  };
  const route = { schema: { params: TypeParams } };
  app.post('/ressources/moderation/:type/:id/publier', route, async (req, reply) => {
    await decide(req, req.params.type, req.params.id, 'publie');
    return reply.redirect('/ressources/moderation', 303);
  });
  app.post('/ressources/moderation/:type/:id/refuser', route, async (req, reply) => {
    await decide(req, req.params.type, req.params.id, 'refuse');
    return reply.redirect('/ressources/moderation', 303);
  });

  app.get('/ressources/mes-contributions', async (req, reply) => {
    const actor = signedIn(req);
    const mine = await M.submissionsOf(ctx.db, actor.id, 200);
    return ctx.render(req, reply, {
      title: 'Mes contributions',
      breadcrumb: [CRUMB, { label: 'Mes contributions' }],
      main: html`<h1 class="fr-mt-2w">Mes contributions soumises à relecture</h1>
      ${
        mine.length
          ? html`<div class="fr-table" id="contributions"><table><caption>Mes contributions (${mine.length})</caption>
      <thead><tr><th scope="col">Type</th><th scope="col">Contribution</th><th scope="col">Soumise le</th><th scope="col">État</th><th scope="col">Motif</th></tr></thead>
      <tbody>${mine.map((s) => html`<tr><td>${LABEL[s.objet_type].one}</td><td><a href="${LABEL[s.objet_type].path}/${s.objet_id}">${s.titre}</a></td><td>${fmtDate(s.soumis_le)}</td><td>${STATUS[s.statut]}</td><td>${s.motif ?? '—'}</td></tr>`)}</tbody></table></div>`
          : html`<p>Aucune contribution soumise à relecture.</p>`
      }`,
    });
  });
}
