import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { audit } from '../accounts/audit.ts';
import type { AppContext } from '../context.ts';
import type { Queryable } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { type Html, html } from '../http/html.ts';
import type { Actor } from '../http/policy.ts';
import { CsrfField, Id, IsoDate, optText, parseForm, text } from '../http/schemas.ts';
import { SlugParams, strategyOr404 } from './api.ts';
import { authorizeNode } from './policy.ts';
import * as Q from './queries.ts';
import { FINANCEUR_LABEL, FINANCEURS, STATUT_ACTION_LABEL, STATUTS_ACTION } from './schema.ts';

const SlugId = SlugParams.extend({ id: Id });
const optDate = z.union([z.literal('').transform(() => null), IsoDate]);
const num = (what: string, min: number, max: number) =>
  z
    .string()
    .trim()
    .transform((s) => s.replace(/\s/g, '').replace(',', '.'))
    .refine((s) => /^-?\d+(\.\d+)?$/.test(s), `${what} : nombre attendu`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${what} : entre ${min} et ${max}`);

const ActionForm = z
  .object({
    ...CsrfField,
    statut: z.union([z.literal('').transform(() => null), z.enum(STATUTS_ACTION)]),
    avancement: z.union([z.literal('').transform(() => null), num('avancement', 0, 100)]),
    debut: optDate,
    fin: optDate,
  })
  .refine((v) => !v.debut || !v.fin || v.fin >= v.debut, { message: 'la fin précède le début', path: ['fin'] });

const BudgetForm = z.object({
  ...CsrfField,
  annee: num('année', 1990, 2100).refine(Number.isInteger, 'année entière attendue'),
  financeur: z.enum(FINANCEURS, { error: 'financeur inconnu' }),
  prevu: num('prévu', 0, 1e12),
  engage: num('engagé', 0, 1e12),
  realise: num('réalisé', 0, 1e12),
});

const JalonForm = z.object({
  ...CsrfField,
  date: IsoDate,
  titre: text(300, 1, 'titre requis'),
  fait: z.literal('oui').optional(),
});

/** Paths of the platform an action may point to (its places, datasets, territories, aids, other actions). */
const INTERNAL =
  /^\/(territoires|inclusion|donnees|observatoire|ressources|strategie|eligibilite)(\/[\w\-.~%:/]*)?(\?[\w\-.~%=&]*)?$/;
const LienForm = z.object({
  ...CsrfField,
  titre: text(300, 1, 'titre du lien requis'),
  url: z
    .string()
    .trim()
    .max(2000, 'adresse trop longue')
    .refine(
      (u) => INTERNAL.test(u) || (URL.canParse(u) && /^https?:$/.test(new URL(u).protocol)),
      'adresse attendue : une page de la plateforme (/territoires/…, /inclusion/…, /donnees/…) ou une adresse http(s)',
    ),
});
const LienId = SlugId.extend({ lien: Id });

const MesureForm = z.object({
  ...CsrfField,
  date: IsoDate,
  valeur: num('valeur', -1e12, 1e12),
  source: text(300, 1, 'la source de la mesure est requise'),
  commentaire: optText(2000).optional(),
});

/** The node of this strategy, or 404 (after the visitor check: visitors learn nothing). */
async function nodeOf(req: FastifyRequest, ctx: AppContext, slug: string, id: number) {
  if (!req.viewer) throw new AppError('NON_AUTHENTIFIE', `${req.method} ${req.url}`);
  const s = await strategyOr404(ctx, slug);
  const n = await Q.nodeById(ctx.db, id);
  if (!n || n.strategie_id !== s.id)
    throw new AppError('INTROUVABLE', `noeud ${id}`, 'Cette action n’existe pas (ou plus).');
  return { s, n };
}

async function record(
  tx: Queryable,
  actor: Actor,
  h: { strategie_id: number; noeud_id: number | null; indicateur_id: number | null; objet: string; operation: string },
  avant: unknown,
  apres: unknown,
) {
  await Q.insertHistory(tx, { ...h, auteur: actor.nom || actor.label, utilisateur_id: actor.id, avant, apres });
  await audit(tx, actor, h.operation, { type: 'strategie_noeud', id: h.noeud_id ?? h.indicateur_id }, avant, apres);
}

export function registerStrategyEditing(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const back = (slug: string, id: number) => `/strategie/${slug}/actions/${id}?ok=1`;

  r.post('/strategie/:slug/actions/:id', { schema: { params: SlugId } }, async (req, reply) => {
    const { s, n } = await nodeOf(req, ctx, req.params.slug, req.params.id);
    const actor = await authorizeNode(req, ctx.db, 'modifier-action', n.id);
    const v = parseForm(ActionForm, req.body);
    const next = { statut: v.statut, avancement: v.avancement, debut: v.debut, fin: v.fin };
    await ctx.db.transaction(async (tx) => {
      const prev = { statut: n.statut, avancement: n.avancement, debut: n.debut, fin: n.fin };
      await Q.updateNodeSteering(tx, n.id, next);
      await record(
        tx,
        actor,
        {
          strategie_id: s.id,
          noeud_id: n.id,
          indicateur_id: null,
          objet: `${n.niveau} ${n.code}`,
          operation: 'modification',
        },
        prev,
        next,
      );
    });
    return reply.redirect(back(s.slug, n.id), 303);
  });

  r.post('/strategie/:slug/actions/:id/budget', { schema: { params: SlugId } }, async (req, reply) => {
    const { s, n } = await nodeOf(req, ctx, req.params.slug, req.params.id);
    const actor = await authorizeNode(req, ctx.db, 'modifier-action', n.id);
    const { _csrf, ...b } = parseForm(BudgetForm, req.body);
    await ctx.db.transaction(async (tx) => {
      const prev = await Q.budgetLine(tx, n.id, b.annee, b.financeur);
      await Q.upsertBudget(tx, n.id, b);
      await record(
        tx,
        actor,
        {
          strategie_id: s.id,
          noeud_id: n.id,
          indicateur_id: null,
          objet: `budget ${b.annee} ${b.financeur} de ${n.code}`,
          operation: prev ? 'modification' : 'creation',
        },
        prev,
        b,
      );
    });
    return reply.redirect(back(s.slug, n.id), 303);
  });

  r.post('/strategie/:slug/actions/:id/jalons', { schema: { params: SlugId } }, async (req, reply) => {
    const { s, n } = await nodeOf(req, ctx, req.params.slug, req.params.id);
    const actor = await authorizeNode(req, ctx.db, 'modifier-action', n.id);
    const j = parseForm(JalonForm, req.body);
    const row = { prevu_le: j.date, titre: j.titre, fait: j.fait === 'oui', fait_le: null };
    await ctx.db.transaction(async (tx) => {
      await Q.insertJalon(tx, n.id, row);
      await record(
        tx,
        actor,
        { strategie_id: s.id, noeud_id: n.id, indicateur_id: null, objet: `jalon de ${n.code}`, operation: 'creation' },
        null,
        row,
      );
    });
    return reply.redirect(back(s.slug, n.id), 303);
  });

  r.post('/strategie/:slug/actions/:id/liens', { schema: { params: SlugId } }, async (req, reply) => {
    const { s, n } = await nodeOf(req, ctx, req.params.slug, req.params.id);
    const actor = await authorizeNode(req, ctx.db, 'modifier-action', n.id);
    const l = parseForm(LienForm, req.body);
    const row = {
      noeud_id: n.id,
      genre: l.url.startsWith('/') ? ('objet' as const) : ('document' as const),
      titre: l.titre,
      url: l.url,
      auteur: actor.nom || actor.label,
    };
    await ctx.db.transaction(async (tx) => {
      await Q.insertLien(tx, row);
      await record(
        tx,
        actor,
        { strategie_id: s.id, noeud_id: n.id, indicateur_id: null, objet: `lien de ${n.code}`, operation: 'creation' },
        null,
        row,
      );
    });
    return reply.redirect(back(s.slug, n.id), 303);
  });

  r.post('/strategie/:slug/actions/:id/liens/:lien/suppression', { schema: { params: LienId } }, async (req, reply) => {
    const { s, n } = await nodeOf(req, ctx, req.params.slug, req.params.id);
    const actor = await authorizeNode(req, ctx.db, 'modifier-action', n.id);
    parseForm(z.object(CsrfField), req.body);
    await ctx.db.transaction(async (tx) => {
      const gone = await Q.deleteLien(tx, n.id, req.params.lien);
      if (!gone) throw new AppError('INTROUVABLE', `lien ${req.params.lien}`, 'Ce lien n’existe pas (ou plus).');
      await record(
        tx,
        actor,
        {
          strategie_id: s.id,
          noeud_id: n.id,
          indicateur_id: null,
          objet: `lien de ${n.code}`,
          operation: 'suppression',
        },
        gone,
        null,
      );
    });
    return reply.redirect(back(s.slug, n.id), 303);
  });

  r.post('/strategie/:slug/indicateurs/:id/mesures', { schema: { params: SlugId } }, async (req, reply) => {
    if (!req.viewer) throw new AppError('NON_AUTHENTIFIE', `${req.method} ${req.url}`);
    const s = await strategyOr404(ctx, req.params.slug);
    const ind = await Q.indicatorById(ctx.db, req.params.id);
    if (!ind || ind.strategie_id !== s.id)
      throw new AppError('INTROUVABLE', `indicateur ${req.params.id}`, 'Cet indicateur n’existe pas (ou plus).');
    // An indicator is the owner's of the action it follows; one that follows none is the administrators'.
    const actor = await authorizeNode(req, ctx.db, 'saisir-mesure', ind.noeud_id);
    const m = parseForm(MesureForm, req.body);
    const row = {
      indicateur_id: ind.id,
      mesure_le: m.date,
      valeur: m.valeur,
      source_mesure: m.source,
      auteur: actor.nom || actor.label,
      commentaire: m.commentaire ?? null,
      origine: 'saisie' as const,
    };
    await ctx.db.transaction(async (tx) => {
      await Q.insertMeasure(tx, row);
      await record(
        tx,
        actor,
        {
          strategie_id: s.id,
          noeud_id: null,
          indicateur_id: ind.id,
          objet: `mesure de ${ind.code}`,
          operation: 'creation',
        },
        null,
        row,
      );
    });
    return reply.redirect(`/strategie/${s.slug}/indicateurs/${ind.id}?ok=1`, 303);
  });
}

const field = (id: string, label: string, input: Html) =>
  html`<div class="fr-input-group fr-col-12 fr-col-md-3"><label class="fr-label" for="${id}">${label}</label>${input}</div>`;

/** The forms of an action page, for those who may change it. */
export function actionForms(
  slug: string,
  n: { id: number; statut: string | null; avancement: number | null; debut: string | null; fin: string | null },
  csrf: string,
): Html {
  const base = `/strategie/${slug}/actions/${n.id}`;
  return html`<h2>Mettre à jour</h2>
  <form method="post" action="${base}" class="fr-mb-4w"><input type="hidden" name="_csrf" value="${csrf}"><div class="fr-grid-row fr-grid-row--gutters">
  <div class="fr-select-group fr-col-12 fr-col-md-3"><label class="fr-label" for="a-statut">Statut</label><select class="fr-select" id="a-statut" name="statut"><option value="">— déduit des composantes —</option>${STATUTS_ACTION.map((s) => html`<option value="${s}"${n.statut === s ? html` selected` : ''}>${STATUT_ACTION_LABEL[s]}</option>`)}</select></div>
  ${field('a-avancement', 'Avancement (0–100, vide : calculé)', html`<input class="fr-input" id="a-avancement" name="avancement" inputmode="decimal" value="${n.avancement ?? ''}">`)}
  ${field('a-debut', 'Début', html`<input class="fr-input" type="date" id="a-debut" name="debut" value="${n.debut ?? ''}">`)}
  ${field('a-fin', 'Fin', html`<input class="fr-input" type="date" id="a-fin" name="fin" value="${n.fin ?? ''}">`)}
  </div><button class="fr-btn fr-mt-2w" type="submit">Enregistrer</button></form>
  <h3 class="fr-h6">Ligne de budget (remplace celle de la même année et du même financeur)</h3>
  <form method="post" action="${base}/budget" class="fr-mb-4w"><input type="hidden" name="_csrf" value="${csrf}"><div class="fr-grid-row fr-grid-row--gutters">
  ${field('b-annee', 'Année', html`<input class="fr-input" id="b-annee" name="annee" inputmode="numeric" required>`)}
  <div class="fr-select-group fr-col-12 fr-col-md-3"><label class="fr-label" for="b-financeur">Financeur</label><select class="fr-select" id="b-financeur" name="financeur">${FINANCEURS.map((f) => html`<option value="${f}">${FINANCEUR_LABEL[f]}</option>`)}</select></div>
  ${field('b-prevu', 'Prévu (€)', html`<input class="fr-input" id="b-prevu" name="prevu" inputmode="decimal" value="0">`)}
  ${field('b-engage', 'Engagé (€)', html`<input class="fr-input" id="b-engage" name="engage" inputmode="decimal" value="0">`)}
  ${field('b-realise', 'Réalisé (€)', html`<input class="fr-input" id="b-realise" name="realise" inputmode="decimal" value="0">`)}
  </div><button class="fr-btn fr-btn--secondary fr-mt-2w" type="submit">Enregistrer la ligne</button></form>
  <h3 class="fr-h6">Ajouter un jalon</h3>
  <form method="post" action="${base}/jalons" class="fr-mb-4w"><input type="hidden" name="_csrf" value="${csrf}"><div class="fr-grid-row fr-grid-row--gutters">
  ${field('j-date', 'Date prévue', html`<input class="fr-input" type="date" id="j-date" name="date" required>`)}
  ${field('j-titre', 'Titre', html`<input class="fr-input" id="j-titre" name="titre" required maxlength="300">`)}
  <div class="fr-checkbox-group fr-col-12 fr-col-md-3"><input type="checkbox" id="j-fait" name="fait" value="oui"><label class="fr-label" for="j-fait">Déjà fait</label></div>
  </div><button class="fr-btn fr-btn--secondary fr-mt-2w" type="submit">Ajouter le jalon</button></form>
  <h3 class="fr-h6">Ajouter un document ou un lien</h3>
  <form method="post" action="${base}/liens" class="fr-mb-4w"><input type="hidden" name="_csrf" value="${csrf}"><div class="fr-grid-row fr-grid-row--gutters">
  ${field('l-titre', 'Titre', html`<input class="fr-input" id="l-titre" name="titre" required maxlength="300">`)}
  <div class="fr-input-group fr-col-12 fr-col-md-6"><label class="fr-label" for="l-url">Adresse<span class="fr-hint-text">Un document en ligne (https://…) ou une page de la plateforme : un territoire (/territoires/…), un lieu (/inclusion/…), un jeu de données (/donnees/…), une aide (/ressources/…)</span></label><input class="fr-input" id="l-url" name="url" required maxlength="2000"></div>
  </div><button class="fr-btn fr-btn--secondary fr-mt-2w" type="submit">Ajouter le lien</button></form>`;
}

export function measureForm(slug: string, id: number, unite: string, csrf: string): Html {
  return html`<h2>Saisir une mesure</h2>
  <form method="post" action="/strategie/${slug}/indicateurs/${id}/mesures" class="fr-mb-4w"><input type="hidden" name="_csrf" value="${csrf}"><div class="fr-grid-row fr-grid-row--gutters">
  ${field('m-date', 'Date', html`<input class="fr-input" type="date" id="m-date" name="date" required>`)}
  ${field('m-valeur', `Valeur (${unite})`, html`<input class="fr-input" id="m-valeur" name="valeur" inputmode="decimal" required>`)}
  ${field('m-source', 'Source', html`<input class="fr-input" id="m-source" name="source" required maxlength="300">`)}
  ${field('m-commentaire', 'Commentaire', html`<input class="fr-input" id="m-commentaire" name="commentaire" maxlength="2000">`)}
  </div><button class="fr-btn fr-mt-2w" type="submit">Enregistrer la mesure</button></form>`;
}

const LIEN_GENRE = { document: 'Documents', objet: 'Sur la plateforme' } as const;

/** The action's documents and links; a delete button for those who may change the action. */
export function linksBlock(slug: string, nodeId: number, liens: Q.LienRow[], csrf: string | null): Html {
  if (!liens.length) return html`<p>Aucun document ni lien.</p>`;
  return html`${(['document', 'objet'] as const).map((g) => {
    const ls = liens.filter((l) => l.genre === g);
    if (!ls.length) return '';
    return html`<h3 class="fr-h6">${LIEN_GENRE[g]}</h3><ul>${ls.map(
      (l) =>
        html`<li><a href="${l.url}"${g === 'document' ? html` rel="noopener noreferrer"` : ''}>${l.titre}</a>${g === 'document' ? html` <span class="fr-text--xs">(${new URL(l.url).hostname})</span>` : ''}${
          csrf
            ? html` <form method="post" action="/strategie/${slug}/actions/${nodeId}/liens/${l.id}/suppression" class="pan-inline"><input type="hidden" name="_csrf" value="${csrf}"><button class="fr-btn fr-btn--tertiary-no-outline fr-btn--sm" type="submit" title="Retirer le lien « ${l.titre} »">Retirer</button></form>`
            : ''
        }</li>`,
    )}</ul>`;
  })}`;
}
