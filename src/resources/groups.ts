import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { audit } from '../accounts/audit.ts';
import { listOrganisations } from '../accounts/service.ts';
import type { AppContext } from '../context.ts';
import type { Queryable } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { fmtDate, html } from '../http/html.ts';
import { type Actor, allowed, authorize, isAdmin, signedIn } from '../http/policy.ts';
import { CsrfField, Id, issuesText, text } from '../http/schemas.ts';
import * as G from './groups-queries.ts';
import { canGroup } from './policy.ts';
import * as Q from './queries.ts';
import { CRUMB } from './routes.ts';

/**
 * Quarterly thematic working groups (migration 0542). The group page is public (members, meetings, rhythm);
 * a meeting's minutes, documents and thread are for members (their organisations' people) and administrators.
 */

/** A quarter, for the rhythm: a group without a meeting in the last 92 days is flagged. */
const QUARTER_MS = 92 * 86_400_000;
const LIST = { label: 'Groupes de travail', href: '/ressources/groupes' };
const groupNotFound = (id: number) =>
  new AppError('INTROUVABLE', `groupe ${id}`, 'Ce groupe de travail n’existe pas (ou plus).');
const meetingNotFound = (id: number) => new AppError('INTROUVABLE', `reunion ${id}`, 'Cette réunion n’existe pas.');
const invalid = (e: z.ZodError) =>
  new AppError('REQUETE_INVALIDE', e.message, `Formulaire invalide : ${issuesText(e)}. Rien n’a été enregistré.`);

const GroupForm = z.object({
  ...CsrfField,
  nom: text(200, 3, 'nom requis (3 caractères au moins)'),
  description: text(5000).default(''),
  themes: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])),
});
const MemberForm = z.object({ ...CsrfField, organisationId: Id });
const MeetingForm = z.object({ ...CsrfField, evenementId: Id });
const MinutesForm = z.object({
  ...CsrfField,
  compte_rendu: text(50_000).default(''),
  documents: z
    .string()
    .trim()
    .max(500)
    .regex(/^(\d{1,15}(\s*[,;]\s*\d{1,15})*)?$/, 'numéros de ressources de la bibliothèque séparés par des virgules')
    .default('')
    .transform((s) => [
      ...new Set(
        s
          .split(/[,;]/)
          .map((x) => x.trim())
          .filter(Boolean)
          .map(Number),
      ),
    ]),
});
const MessageForm = z.object({ ...CsrfField, texte: text(5000, 1, 'message vide') });
const GroupParams = z.object({ id: Id });
const MeetingParams = z.object({ id: Id, rid: Id });
const MessageParams = z.object({ id: Id, rid: Id, mid: Id });

/** Whether the actor's organisation is a member of the group. */
const memberOf = async (q: Queryable, actor: Actor | null, groupeId: number) =>
  actor?.organisationId != null && (await G.isMember(q, groupeId, actor.organisationId));

/** The rhythm line of a group: next meeting, last one, and the flag when none in the last quarter. */
function rhythm(g: G.GroupRow, now: Date) {
  const late = !g.derniere || now.getTime() - g.derniere.getTime() > QUARTER_MS;
  return {
    late,
    view: html`<p class="fr-mb-1w">Prochaine réunion : ${g.prochaine ? fmtDate(g.prochaine) : 'non programmée'} · dernière : ${g.derniere ? fmtDate(g.derniere) : 'aucune'}</p>
    ${late ? html`<p class="fr-badge fr-badge--warning">Pas de réunion ce dernier trimestre</p>` : html`<p class="fr-badge fr-badge--success">Rythme trimestriel tenu</p>`}`,
  };
}

const actorOf = (req: FastifyRequest): Actor | null => (req.viewer ? signedIn(req) : null);

export function registerGroupsRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const csrf = (req: FastifyRequest) => html`<input type="hidden" name="_csrf" value="${req.csrfToken}">`;

  app.get('/ressources/groupes', async (req, reply) => {
    const now = new Date();
    const groups = await G.listGroups(ctx.db, now);
    const mayCreate = allowed(req, canGroup, 'creer-groupe', { member: false });
    return ctx.render(req, reply, {
      title: 'Groupes de travail',
      breadcrumb: [CRUMB, { label: LIST.label }],
      main: html`<h1 class="fr-mt-2w">Groupes de travail thématiques</h1>
      <p>Les groupes se réunissent chaque trimestre ; comptes rendus, documents et échanges sont réservés à leurs membres.</p>
      ${
        groups.length
          ? html`<ul id="groupes">${groups.map((g) => html`<li class="fr-mb-2w"><p class="fr-mb-0"><a href="/ressources/groupes/${g.id}"><strong>${g.nom}</strong></a> — ${g.membres} organisation${g.membres > 1 ? 's' : ''} membre${g.membres > 1 ? 's' : ''}</p>${rhythm(g, now).view}</li>`)}</ul>`
          : html`<p>Aucun groupe de travail.</p>`
      }
      ${
        mayCreate
          ? html`<h2>Créer un groupe</h2><form method="post" action="/ressources/groupes">${csrf(req)}
      <div class="fr-input-group"><label class="fr-label" for="g-nom">Nom</label><input class="fr-input" id="g-nom" name="nom" required></div>
      <div class="fr-input-group"><label class="fr-label" for="g-description">Description<span class="fr-hint-text">texte brut</span></label><textarea class="fr-input" id="g-description" name="description" rows="3"></textarea></div>
      <button class="fr-btn" type="submit">Créer le groupe</button></form>`
          : ''
      }`,
    });
  });

  app.post('/ressources/groupes', async (req, reply) => {
    const actor = authorize(req, canGroup, 'creer-groupe', { member: false });
    const p = GroupForm.safeParse(req.body);
    if (!p.success) throw invalid(p.error);
    const known = new Set((await Q.listThemes(ctx.db)).map((t) => t.slug));
    const bad = p.data.themes.find((t) => !known.has(t));
    if (bad)
      throw new AppError('REQUETE_INVALIDE', `theme ${bad}`, `Thème inconnu « ${bad} ». Rien n’a été enregistré.`);
    const id = await ctx.db.transaction(async (tx) => {
      if (await G.groupByName(tx, p.data.nom))
        throw new AppError('REQUETE_INVALIDE', 'group exists', `Un groupe « ${p.data.nom} » existe déjà.`);
      const { _csrf: _c, ...g } = p.data;
      const id = await G.insertGroup(tx, g);
      await audit(tx, actor, 'creation', { type: 'groupe_travail', id }, null, g);
      return id;
    });
    return reply.redirect(`/ressources/groupes/${id}`, 303);
  });

  app.get('/ressources/groupes/:id', { schema: { params: GroupParams } }, async (req, reply) => {
    const now = new Date();
    const g = await G.groupById(ctx.db, req.params.id, now);
    if (!g) throw groupNotFound(req.params.id);
    const actor = actorOf(req);
    const member = await memberOf(ctx.db, actor, g.id);
    const [members, meetings] = await Promise.all([G.membersOf(ctx.db, g.id), G.meetingsOf(ctx.db, g.id)]);
    const mayRead = allowed(req, canGroup, 'participer', { member });
    const mayRun = allowed(req, canGroup, 'animer', { member });
    const linked = new Set(meetings.map((m) => m.evenement_id));
    const events = mayRun
      ? (await Q.listEvenements(ctx.db, { depuis: new Date(now.getTime() - QUARTER_MS) }, 200, 0)).items.filter(
          (e) => !linked.has(e.id),
        )
      : [];
    const orgs = allowed(req, canGroup, 'gerer-membres', { member }) ? await listOrganisations(ctx.db) : null;
    return ctx.render(req, reply, {
      title: g.nom,
      breadcrumb: [CRUMB, LIST, { label: g.nom }],
      main: html`<h1 class="fr-mt-2w">${g.nom}</h1>
      ${g.description ? html`${g.description.split(/\n{2,}/).map((x) => html`<p>${x}</p>`)}` : ''}
      <section id="rythme"><h2>Rythme</h2>${rhythm(g, now).view}</section>
      <h2>Membres</h2>
      ${members.length ? html`<ul id="membres">${members.map((m) => html`<li>${m.nom}</li>`)}</ul>` : html`<p>Aucune organisation membre.</p>`}
      ${
        orgs
          ? html`<form method="post" action="/ressources/groupes/${g.id}/membres">${csrf(req)}<div class="fr-select-group"><label class="fr-label" for="g-org">Ajouter une organisation</label>
      <select class="fr-select" id="g-org" name="organisationId">${orgs.map((o) => html`<option value="${o.id}">${o.nom}</option>`)}</select></div><button class="fr-btn fr-btn--secondary" type="submit">Ajouter</button></form>`
          : ''
      }
      <h2>Réunions</h2>
      ${
        meetings.length
          ? html`<div class="fr-table" id="reunions"><table><caption>Réunions (${meetings.length})</caption>
      <thead><tr><th scope="col">Date</th><th scope="col">Réunion</th><th scope="col">Compte rendu et échanges</th></tr></thead>
      <tbody>${meetings.map((m) => html`<tr><td>${fmtDate(m.debut)}</td><td><a href="/ressources/agenda/${m.evenement_id}">${m.titre}</a></td><td>${mayRead ? html`<a href="/ressources/groupes/${g.id}/reunions/${m.id}">ouvrir</a>` : 'réservé aux membres'}</td></tr>`)}</tbody></table></div>`
          : html`<p>Aucune réunion.</p>`
      }
      ${
        mayRun
          ? events.length
            ? html`<form method="post" action="/ressources/groupes/${g.id}/reunions">${csrf(req)}<div class="fr-select-group"><label class="fr-label" for="g-evt">Ajouter une réunion<span class="fr-hint-text">un événement de l’agenda ; créez-le d’abord dans l’agenda</span></label>
      <select class="fr-select" id="g-evt" name="evenementId">${events.map((e) => html`<option value="${e.id}">${fmtDate(e.debut)} — ${e.titre}</option>`)}</select></div><button class="fr-btn fr-btn--secondary" type="submit">Ajouter la réunion</button></form>`
            : html`<p>Pour ajouter une réunion, <a href="/ressources/agenda/nouveau">créez son événement dans l’agenda</a>.</p>`
          : ''
      }`,
    });
  });

  app.post('/ressources/groupes/:id/membres', { schema: { params: GroupParams } }, async (req, reply) => {
    signedIn(req);
    const g = await G.groupById(ctx.db, req.params.id, new Date());
    if (!g) throw groupNotFound(req.params.id);
    const actor = authorize(req, canGroup, 'gerer-membres', { member: false });
    const p = MemberForm.safeParse(req.body);
    if (!p.success) throw invalid(p.error);
    const orgs = await listOrganisations(ctx.db);
    if (!orgs.some((o) => o.id === p.data.organisationId))
      throw new AppError(
        'REQUETE_INVALIDE',
        'organisation',
        'Cette organisation n’existe pas : choisissez-en une dans la liste.',
      );
    await ctx.db.transaction(async (tx) => {
      if (await G.addMember(tx, g.id, p.data.organisationId))
        await audit(tx, actor, 'ajout-membre', { type: 'groupe_travail', id: g.id }, null, {
          organisation_id: p.data.organisationId,
        });
    });
    return reply.redirect(`/ressources/groupes/${g.id}`, 303);
  });

  /** Signed in (401), the group exists (404), the policy (403): the group and the actor. */
  const loadFor = async (req: FastifyRequest, id: number, action: 'animer' | 'participer') => {
    const actor = signedIn(req);
    const g = await G.groupById(ctx.db, id, new Date());
    if (!g) throw groupNotFound(id);
    const member = await memberOf(ctx.db, actor, g.id);
    authorize(req, canGroup, action, { member });
    return { g, actor, member };
  };

  app.post('/ressources/groupes/:id/reunions', { schema: { params: GroupParams } }, async (req, reply) => {
    const { g, actor } = await loadFor(req, req.params.id, 'animer');
    const p = MeetingForm.safeParse(req.body);
    if (!p.success) throw invalid(p.error);
    const e = await Q.evenementById(ctx.db, p.data.evenementId);
    if (e?.moderation !== 'publie')
      throw new AppError(
        'REQUETE_INVALIDE',
        'evenement',
        'Cet événement n’est pas dans l’agenda. Rien n’a été enregistré.',
      );
    const id = await ctx.db.transaction(async (tx) => {
      if (await G.meetingOfEvent(tx, e.id))
        throw new AppError('REQUETE_INVALIDE', 'meeting exists', 'Cet événement est déjà une réunion d’un groupe.');
      const id = await G.insertMeeting(tx, g.id, e.id);
      await audit(tx, actor, 'creation', { type: 'groupe_reunion', id }, null, { groupe_id: g.id, evenement_id: e.id });
      return id;
    });
    return reply.redirect(`/ressources/groupes/${g.id}/reunions/${id}`, 303);
  });

  app.get('/ressources/groupes/:id/reunions/:rid', { schema: { params: MeetingParams } }, async (req, reply) => {
    const { g, actor, member } = await loadFor(req, req.params.id, 'participer');
    const m = await G.meetingById(ctx.db, g.id, req.params.rid);
    if (!m) throw meetingNotFound(req.params.rid);
    const [docs, messages] = await Promise.all([G.documentsOf(ctx.db, m.id), G.messagesOf(ctx.db, m.id)]);
    const mayRun = canGroup(actor, 'animer', { member });
    return ctx.render(req, reply, {
      title: `${m.titre} — ${g.nom}`,
      breadcrumb: [CRUMB, LIST, { label: g.nom, href: `/ressources/groupes/${g.id}` }, { label: m.titre }],
      main: html`<h1 class="fr-mt-2w">${m.titre}</h1>
      <p>${g.nom} · ${fmtDate(m.debut)}${m.lieu ? ` · ${m.lieu}` : ''} · <a href="/ressources/agenda/${m.evenement_id}">l’événement dans l’agenda</a></p>
      <h2>Compte rendu</h2>
      <div id="compte-rendu">${m.compte_rendu ? m.compte_rendu.split(/\n{2,}/).map((x) => html`<p>${x}</p>`) : html`<p>Pas encore de compte rendu.</p>`}</div>
      <h2>Documents</h2>
      ${docs.length ? html`<ul id="documents">${docs.map((d) => html`<li><a href="/ressources/bibliotheque/${d.id}">${d.titre}</a></li>`)}</ul>` : html`<p>Aucun document.</p>`}
      ${
        mayRun
          ? html`<form method="post" action="/ressources/groupes/${g.id}/reunions/${m.id}">${csrf(req)}
      <div class="fr-input-group"><label class="fr-label" for="r-cr">Compte rendu<span class="fr-hint-text">texte brut</span></label><textarea class="fr-input" id="r-cr" name="compte_rendu" rows="8">${m.compte_rendu}</textarea></div>
      <div class="fr-input-group"><label class="fr-label" for="r-docs">Documents<span class="fr-hint-text">numéros des ressources de la bibliothèque, séparés par des virgules ; elles deviennent réservées aux membres</span></label><input class="fr-input" id="r-docs" name="documents" value="${docs.map((d) => d.id).join(', ')}"></div>
      <button class="fr-btn fr-btn--secondary" type="submit">Enregistrer le compte rendu</button></form>`
          : ''
      }
      <h2>Échanges</h2>
      ${
        messages.length
          ? html`<ul id="fil">${messages.map(
              (
                x,
              ) => html`<li class="fr-mb-2w"><p class="fr-mb-0"><strong>${x.auteur_nom ?? 'compte supprimé'}</strong>, ${fmtDate(x.cree_le)}</p>${x.texte.split(/\n{2,}/).map((t) => html`<p class="fr-mb-0">${t}</p>`)}
      ${canGroup(actor, 'supprimer-message', { member, auteurId: x.auteur_id }) ? html`<form method="post" action="/ressources/groupes/${g.id}/reunions/${m.id}/messages/${x.id}/suppression">${csrf(req)}<button class="fr-btn fr-btn--tertiary fr-btn--sm" type="submit">Supprimer ce message</button></form>` : ''}</li>`,
            )}</ul>`
          : html`<p>Aucun message.</p>`
      }
      <form method="post" action="/ressources/groupes/${g.id}/reunions/${m.id}/messages">${csrf(req)}
      <div class="fr-input-group"><label class="fr-label" for="r-msg">Votre message<span class="fr-hint-text">texte brut, visible des membres du groupe</span></label><textarea class="fr-input" id="r-msg" name="texte" rows="4" required></textarea></div>
      <button class="fr-btn" type="submit">Publier le message</button></form>`,
    });
  });

  app.post('/ressources/groupes/:id/reunions/:rid', { schema: { params: MeetingParams } }, async (req, reply) => {
    const { g, actor } = await loadFor(req, req.params.id, 'animer');
    const m = await G.meetingById(ctx.db, g.id, req.params.rid);
    if (!m) throw meetingNotFound(req.params.rid);
    const p = MinutesForm.safeParse(req.body);
    if (!p.success) throw invalid(p.error);
    const found = await G.existingResources(ctx.db, p.data.documents);
    const missing = p.data.documents.filter((d) => !found.includes(d));
    if (missing.length)
      throw new AppError(
        'REQUETE_INVALIDE',
        'documents',
        `Ressource${missing.length > 1 ? 's' : ''} inconnue${missing.length > 1 ? 's' : ''} dans la bibliothèque : ${missing.join(', ')}. Rien n’a été enregistré.`,
      );
    await ctx.db.transaction(async (tx) => {
      const before = (await G.documentsOf(tx, m.id)).map((d) => d.id);
      await G.updateMinutes(tx, m.id, p.data.compte_rendu);
      await G.setDocuments(tx, m.id, p.data.documents);
      await G.refreshDocumentSearch(tx, [...new Set([...before, ...p.data.documents])]);
      await audit(
        tx,
        actor,
        'modification',
        { type: 'groupe_reunion', id: m.id },
        { compte_rendu: m.compte_rendu, documents: before },
        { compte_rendu: p.data.compte_rendu, documents: p.data.documents },
      );
    });
    return reply.redirect(`/ressources/groupes/${g.id}/reunions/${m.id}`, 303);
  });

  app.post(
    '/ressources/groupes/:id/reunions/:rid/messages',
    { schema: { params: MeetingParams } },
    async (req, reply) => {
      const { g, actor } = await loadFor(req, req.params.id, 'participer');
      const m = await G.meetingById(ctx.db, g.id, req.params.rid);
      if (!m) throw meetingNotFound(req.params.rid);
      const p = MessageForm.safeParse(req.body);
      if (!p.success) throw invalid(p.error);
      await ctx.db.transaction(async (tx) => {
        const id = await G.insertMessage(tx, m.id, actor.id, p.data.texte);
        await audit(tx, actor, 'creation', { type: 'groupe_message', id }, null, {
          reunion_id: m.id,
          texte: p.data.texte,
        });
      });
      return reply.redirect(`/ressources/groupes/${g.id}/reunions/${m.id}#fil`, 303);
    },
  );

  app.post(
    '/ressources/groupes/:id/reunions/:rid/messages/:mid/suppression',
    { schema: { params: MessageParams } },
    async (req, reply) => {
      const actor = signedIn(req);
      const g = await G.groupById(ctx.db, req.params.id, new Date());
      const m = g ? await G.meetingById(ctx.db, g.id, req.params.rid) : null;
      const x = m ? await G.messageById(ctx.db, m.id, req.params.mid) : null;
      if (!g || !m || !x)
        throw new AppError('INTROUVABLE', `message ${req.params.mid}`, 'Ce message n’existe pas (ou plus).');
      const member = await memberOf(ctx.db, actor, g.id);
      authorize(req, canGroup, 'supprimer-message', { member, auteurId: x.auteur_id });
      await ctx.db.transaction(async (tx) => {
        await G.deleteMessage(tx, x.id);
        await audit(
          tx,
          actor,
          'suppression',
          { type: 'groupe_message', id: x.id },
          { reunion_id: m.id, texte: x.texte },
          null,
        );
      });
      return reply.redirect(`/ressources/groupes/${g.id}/reunions/${m.id}#fil`, 303);
    },
  );
}

/** Whether a library resource may be shown: not reserved to a group, or the viewer is an administrator or a member. */
export async function mayReadDocument(q: Queryable, req: FastifyRequest, ressourceId: number): Promise<boolean> {
  const groups = await G.groupsOfDocument(q, ressourceId);
  if (!groups.length) return true;
  const actor = actorOf(req);
  if (!actor) return false;
  if (isAdmin(actor)) return true;
  for (const id of groups) if (await memberOf(q, actor, id)) return true;
  return false;
}
