import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { audit } from '../accounts/audit.ts';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { formatDate, type Html, html, raw } from '../http/html.ts';
import { LICENCES, type LicenceId } from '../http/licences.ts';
import { allowed, authorize, signedIn } from '../http/policy.ts';
import { CsrfField, IdParams, issuesText, text } from '../http/schemas.ts';
import { can } from './policy.ts';
import * as Q from './queries.ts';
import { CRUMB } from './views.ts';

/** Datalab projects: goal, team, catalogue datasets used, status, outputs, licence (migration 0604). */

const STATUTS = { idee: 'Idée', en_cours: 'En cours', termine: 'Terminé', abandonne: 'Abandonné' } as const;
const LIST = { label: 'Datalab', href: '/donnees/datalab' };

const ProjetForm = z.object({
  ...CsrfField,
  titre: text(200, 3, '3 caractères au moins'),
  objectif: text(4000, 10, 'décrivez l’objectif (10 caractères au moins)'),
  equipe: text(2000),
  jeux: text(2000),
  statut: z.enum(['idee', 'en_cours', 'termine', 'abandonne'], { message: 'statut inconnu' }),
  resultats: text(4000),
  licence: z.enum(Object.keys(LICENCES) as [LicenceId, ...LicenceId[]], { message: 'licence inconnue' }),
});

const notFound = (id: number) =>
  new AppError('INTROUVABLE', `datalab ${id}`, 'Ce projet du datalab n’existe pas (ou plus).');

/** The form's values checked, the dataset ids against the catalogue (an unknown one is refused). */
function readForm(ctx: AppContext, body: unknown): Q.ProjetInput {
  const p = ProjetForm.safeParse(body ?? {});
  if (!p.success)
    throw new AppError('REQUETE_INVALIDE', p.error.message, `Formulaire invalide : ${issuesText(p.error)}`);
  const jeux = [...new Set(p.data.jeux.split(/[\s,;]+/).filter(Boolean))];
  const unknown = jeux.filter((j) => !ctx.datasets.has(j));
  if (unknown.length)
    throw new AppError(
      'REQUETE_INVALIDE',
      `unknown datasets ${unknown.join(',')}`,
      `Jeu(x) de données inconnu(s) du catalogue : ${unknown.map((j) => `« ${j.slice(0, 60)} »`).join(', ')}. Rien n’a été enregistré.`,
    );
  const { _csrf, ...rest } = p.data;
  return { ...rest, jeux };
}

function form(ctx: AppContext, csrf: string, action: string, p: Partial<Q.ProjetInput>): Html {
  const input = (
    name: keyof Q.ProjetInput,
    label: string,
    hint = '',
  ) => html`<div class="fr-input-group"><label class="fr-label" for="dl-${name}">${label}${hint ? html` <span class="fr-hint-text">${hint}</span>` : ''}</label>
    <input class="fr-input" id="dl-${name}" name="${name}" value="${String(p[name] ?? '')}"></div>`;
  const area = (
    name: keyof Q.ProjetInput,
    label: string,
    hint = '',
  ) => html`<div class="fr-input-group"><label class="fr-label" for="dl-${name}">${label}${hint ? html` <span class="fr-hint-text">${hint}</span>` : ''}</label>
    <textarea class="fr-input" id="dl-${name}" name="${name}" rows="4">${String(p[name] ?? '')}</textarea></div>`;
  const select = (
    name: 'statut' | 'licence',
    label: string,
    list: [string, string][],
    v: string,
  ) => html`<div class="fr-select-group"><label class="fr-label" for="dl-${name}">${label}</label>
    <select class="fr-select" id="dl-${name}" name="${name}">${list.map(([k, l]) => html`<option value="${k}"${k === v ? raw(' selected') : ''}>${l}</option>`)}</select></div>`;
  return html`<form method="post" action="${action}"><input type="hidden" name="_csrf" value="${csrf}">
  ${input('titre', 'Titre')}
  ${area('objectif', 'Objectif')}
  ${area('equipe', 'Équipe', 'organisations et rôles ; pas de coordonnées personnelles')}
  ${input('jeux', 'Jeux de données utilisés', `identifiants du catalogue séparés par des virgules (${[...ctx.datasets.keys()].slice(0, 4).join(', ')}…)`)}
  ${select('statut', 'Statut', Object.entries(STATUTS), p.statut ?? 'idee')}
  ${area('resultats', 'Résultats', 'visualisations, jeux produits, liens')}
  ${select(
    'licence',
    'Licence des résultats',
    Object.entries(LICENCES).map(([k, l]) => [k, l.nom]),
    p.licence ?? 'licence-ouverte-2.0',
  )}
  <button class="fr-btn fr-mt-2w" type="submit">Enregistrer</button></form>`;
}

export function registerDatalabRoutes(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const show = (req: FastifyRequest, reply: FastifyReply, title: string, main: Html, crumbs = [CRUMB, LIST]) =>
    ctx.render(req, reply, { title, breadcrumb: [...crumbs, { label: title }], main });

  r.get('/donnees/datalab', async (req, reply) => {
    const list = await Q.listProjets(ctx.db);
    return ctx.render(req, reply, {
      title: 'Datalab',
      breadcrumb: [CRUMB, { label: 'Datalab' }],
      main: html`<h1 class="fr-mt-2w">Datalab</h1>
      <p>Projets collaboratifs sur les données de la plateforme. Chaque jeu du <a href="/donnees">catalogue</a> s’explore aussi en ligne (filtrer, regrouper, agréger) depuis sa fiche.</p>
      ${allowed(req, can, 'creer-projet', null) ? html`<p><a class="fr-btn fr-btn--secondary" href="/donnees/datalab/nouveau">Proposer un projet</a></p>` : ''}
      ${
        list.length
          ? html`<div class="fr-table"><table><caption>Projets du datalab (${list.length})</caption>
      <thead><tr><th scope="col">Projet</th><th scope="col">Statut</th><th scope="col">Jeux utilisés</th><th scope="col">Organisation</th></tr></thead>
      <tbody>${list.map((p) => html`<tr><td><a href="/donnees/datalab/${p.id}">${p.titre}</a></td><td>${STATUTS[p.statut]}</td><td>${p.jeux.join(', ')}</td><td>${p.organisation ?? '—'}</td></tr>`)}</tbody></table></div>`
          : html`<p>Aucun projet pour l’instant.</p>`
      }`,
    });
  });

  r.get('/donnees/datalab/nouveau', async (req, reply) => {
    authorize(req, can, 'creer-projet', null);
    return show(
      req,
      reply,
      'Proposer un projet',
      html`<h1 class="fr-mt-2w">Proposer un projet</h1>${form(ctx, req.csrfToken, '/donnees/datalab', {})}`,
    );
  });

  r.get('/donnees/datalab/:id', { schema: { params: IdParams } }, async (req, reply) => {
    const p = await Q.projetById(ctx.db, req.params.id);
    if (!p) throw notFound(req.params.id);
    const lic = LICENCES[p.licence as LicenceId];
    return show(
      req,
      reply,
      p.titre,
      html`<h1 class="fr-mt-2w">${p.titre}</h1>
      <p class="fr-badge fr-badge--info">${STATUTS[p.statut]}</p>
      <h2>Objectif</h2><p>${p.objectif}</p>
      <h2>Équipe</h2><p>${p.equipe || '—'}${p.organisation ? ` (projet de ${p.organisation})` : ''}</p>
      <h2>Jeux de données utilisés</h2>
      ${p.jeux.length ? html`<ul>${p.jeux.map((j) => html`<li><a href="/donnees/${j}">${ctx.datasets.get(j)?.title ?? j}</a> — <a href="/donnees/${j}/explorer">explorer</a></li>`)}</ul>` : html`<p>—</p>`}
      <h2>Résultats</h2><p>${p.resultats || '—'}</p>
      <p>Licence des résultats : ${lic ? html`<a href="${lic.url}" rel="noopener external">${lic.nom}</a>` : p.licence}. Mis à jour le ${formatDate(p.modifie_le, 'jour')}.</p>
      ${allowed(req, can, 'modifier-projet', { organisationId: p.organisation_id }) ? html`<p><a class="fr-btn fr-btn--secondary" href="/donnees/datalab/${p.id}/modifier">Modifier le projet</a></p>` : ''}`,
    );
  });

  r.get('/donnees/datalab/:id/modifier', { schema: { params: IdParams } }, async (req, reply) => {
    const p = await Q.projetById(ctx.db, req.params.id);
    if (!p) throw notFound(req.params.id);
    authorize(req, can, 'modifier-projet', { organisationId: p.organisation_id });
    return show(
      req,
      reply,
      `Modifier « ${p.titre} »`,
      html`<h1 class="fr-mt-2w">Modifier « ${p.titre} »</h1>${form(ctx, req.csrfToken, `/donnees/datalab/${p.id}`, p)}`,
    );
  });

  r.post('/donnees/datalab', async (req, reply) => {
    const actor = authorize(req, can, 'creer-projet', null);
    const input = readForm(ctx, req.body);
    const id = await ctx.db.transaction(async (tx) => {
      const id = await Q.insertProjet(tx, input, actor.organisationId);
      await audit(tx, actor, 'creation', { type: 'datalab-projet', id }, null, input);
      return id;
    });
    return reply.redirect(`/donnees/datalab/${id}`, 303);
  });

  r.post('/donnees/datalab/:id', { schema: { params: IdParams } }, async (req, reply) => {
    signedIn(req);
    const before = await Q.projetById(ctx.db, req.params.id);
    if (!before) throw notFound(req.params.id);
    const actor = authorize(req, can, 'modifier-projet', { organisationId: before.organisation_id });
    const input = readForm(ctx, req.body);
    await ctx.db.transaction(async (tx) => {
      await Q.updateProjet(tx, before.id, input);
      const { id: _i, organisation_id: _o, organisation: _n, modifie_le: _m, ...avant } = before;
      await audit(tx, actor, 'modification', { type: 'datalab-projet', id: before.id }, avant, input);
    });
    return reply.redirect(`/donnees/datalab/${before.id}`, 303);
  });
}
