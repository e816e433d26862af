import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { audit } from '../accounts/audit.ts';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { fmtDay, html } from '../http/html.ts';
import { alert } from '../http/layout.ts';
import { CsrfField, Id, IsoDate, optText, parseForm, text } from '../http/schemas.ts';
import { actionLevels, SlugParams, strategyOr404 } from './api.ts';
import { authorizeReview, mayReview } from './policy.ts';
import * as Q from './queries.ts';
import { reviewCsv, reviewPdf } from './review-export.ts';
import { DECISION_LABEL, DECISIONS, decisionLabel, reviewFile } from './review-file.ts';
import { flatten, strategyTree } from './service.ts';
import { eur, indicatorStatus, num, statusBadge } from './views.ts';

const SessionForm = z.object({
  ...CsrfField,
  date: IsoDate,
  comite: text(200, 1, 'nom du comité requis'),
  participants: optText(2000).optional(),
  ordre_du_jour: optText(4000).optional(),
  compte_rendu: optText(20000).optional(),
});
const DecisionForm = z.object({
  ...CsrfField,
  noeud: Id,
  decision: z.enum(DECISIONS, { error: `décision attendue parmi ${DECISIONS.join(', ')}` }),
  motif: text(2000, 1, 'le motif de la décision est requis'),
});
const MinutesForm = z.object({ ...CsrfField, compte_rendu: optText(20000).optional() });
const SlugId = SlugParams.extend({ id: Id });

export function registerStrategyReviews(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/strategie/:slug/revues', { schema: { params: SlugParams } }, async (req, reply) => {
    const s = await strategyOr404(ctx, req.params.slug);
    const list = await Q.reviewsOf(ctx.db, s.id);
    return ctx.render(req, reply, {
      title: `Revues du comité — ${s.titre}`,
      breadcrumb: [
        { label: 'Stratégie régionale', href: '/strategie' },
        { label: s.titre, href: `/strategie/${s.slug}` },
        { label: 'Revues' },
      ],
      main: html`<h1 class="fr-mt-2w">Revues du comité de pilotage</h1>
      ${list.length ? html`<ul>${list.map((v) => html`<li><a href="/strategie/${s.slug}/revues/${v.id}">${fmtDay(v.tenue_le)} — ${v.comite}</a></li>`)}</ul>` : html`<p>Aucune revue enregistrée.</p>`}
      ${
        mayReview(req)
          ? html`<h2>Nouvelle revue</h2><form method="post" action="/strategie/${s.slug}/revues"><input type="hidden" name="_csrf" value="${req.csrfToken}">
      <div class="fr-input-group"><label class="fr-label" for="r-date">Date</label><input class="fr-input" type="date" id="r-date" name="date" required></div>
      <div class="fr-input-group"><label class="fr-label" for="r-comite">Comité</label><input class="fr-input" id="r-comite" name="comite" required maxlength="200" value="Comité de pilotage du numérique"></div>
      <div class="fr-input-group"><label class="fr-label" for="r-part">Participants</label><textarea class="fr-input" id="r-part" name="participants"></textarea></div>
      <div class="fr-input-group"><label class="fr-label" for="r-odj">Ordre du jour</label><textarea class="fr-input" id="r-odj" name="ordre_du_jour"></textarea></div>
      <button class="fr-btn" type="submit">Créer la revue et son dossier</button></form>`
          : ''
      }`,
    });
  });

  r.get('/strategie/:slug/revues/:id', { schema: { params: SlugId } }, async (req, reply) => {
    const s = await strategyOr404(ctx, req.params.slug);
    const f = await reviewFile(ctx.db, s, req.params.id);
    const { review: v, previous, lines, decisions, byNode } = f;
    return ctx.render(req, reply, {
      title: `Revue du ${fmtDay(v.tenue_le)} — ${s.titre}`,
      breadcrumb: [
        { label: 'Stratégie régionale', href: '/strategie' },
        { label: s.titre, href: `/strategie/${s.slug}` },
        { label: 'Revues', href: `/strategie/${s.slug}/revues` },
        { label: fmtDay(v.tenue_le) },
      ],
      main: html`<h1 class="fr-mt-2w">${v.comite} — ${fmtDay(v.tenue_le)}</h1>
      ${(req.query as { ok?: string }).ok ? alert('success', 'Enregistré.') : ''}
      ${v.participants ? html`<p><strong>Participants :</strong> ${v.participants}</p>` : ''}
      ${v.ordre_du_jour ? html`<p><strong>Ordre du jour :</strong> ${v.ordre_du_jour}</p>` : ''}
      <p class="fr-text--sm">Télécharger le rapport de revue : <a href="/strategie/${s.slug}/revues/${v.id}/rapport.pdf" download>PDF</a> · <a href="/strategie/${s.slug}/revues/${v.id}/dossier.csv" download>CSV (tableur)</a></p>
      <h2>Décisions</h2>
      ${decisions.length ? html`<ul>${decisions.map((d) => html`<li>${byNode.get(d.noeud_id)?.code ?? d.noeud_id} — ${decisionLabel(d.decision)} : ${d.motif} (${d.auteur})</li>`)}</ul>` : html`<p>Aucune décision enregistrée.</p>`}
      <h2>Dossier de revue</h2>
      <p class="fr-text--sm">Les actions qui demandent une décision d’abord : en retard, jalons dépassés, budget dépassé, sans progrès depuis la revue précédente${previous ? html` (du ${fmtDay(previous.tenue_le)})` : ' (aucune revue précédente)'}.</p>
      <div class="fr-table fr-table--sm"><table><caption>Actions (${lines.length})</caption>
      <thead><tr><th scope="col">Action</th><th scope="col">Statut</th><th scope="col" class="pan-num">Avancement</th><th scope="col" class="pan-num">Depuis la revue précédente</th><th scope="col" class="pan-num">Jalons en retard</th><th scope="col" class="pan-num">Prévu</th><th scope="col" class="pan-num">Réalisé / prévu</th></tr></thead>
      <tbody>${lines.map((l) => html`<tr><td><a href="/strategie/${s.slug}/actions/${l.n.id}">${l.n.code}</a> ${l.n.titre}</td><td>${statusBadge(l.n.statut_calcule)}</td><td class="pan-num">${num(Math.round(l.n.avancement_calcule))} %</td><td class="pan-num">${l.depuis === null ? '—' : `${l.depuis >= 0 ? '+' : ''}${num(Math.round(l.depuis))} pts`}</td><td class="pan-num">${l.retard}</td><td class="pan-num">${eur(l.n.budget_total.prevu)}</td><td class="pan-num">${l.consommation === null ? '—' : `${num(Math.round(l.consommation * 100))} %`}</td></tr>`)}</tbody></table></div>
      <h2>Indicateurs</h2>
      <div class="fr-table fr-table--sm"><table><caption>Indicateurs à la date d’aujourd’hui (${f.indicators.length})</caption>
      <thead><tr><th scope="col">Code</th><th scope="col">Indicateur</th><th scope="col" class="pan-num">Dernière mesure</th><th scope="col" class="pan-num">Cible</th><th scope="col">Statut</th></tr></thead>
      <tbody>${f.indicators.map((i) => {
        const last = i.mesures.at(-1);
        return html`<tr><td>${i.code}</td><td><a href="/strategie/${s.slug}/indicateurs/${i.id}">${i.libelle}</a></td><td class="pan-num">${last ? `${num(last.valeur)} ${i.unite} (${fmtDay(last.mesure_le)})` : '—'}</td><td class="pan-num">${i.cible === null ? '—' : `${num(i.cible)} ${i.unite}`}</td><td>${indicatorStatus(i)}</td></tr>`;
      })}</tbody></table></div>
      <h2>Compte rendu</h2>
      ${v.compte_rendu ? html`<div class="pan-compte-rendu">${v.compte_rendu.split(/\n{2,}/).map((p) => html`<p>${p}</p>`)}</div>` : html`<p>Pas encore de compte rendu.</p>`}
      ${
        mayReview(req)
          ? html`<form method="post" action="/strategie/${s.slug}/revues/${v.id}/compte-rendu"><input type="hidden" name="_csrf" value="${req.csrfToken}">
      <div class="fr-input-group"><label class="fr-label" for="r-cr">Compte rendu de la séance</label><textarea class="fr-input" id="r-cr" name="compte_rendu" rows="8">${v.compte_rendu ?? ''}</textarea></div>
      <button class="fr-btn fr-btn--secondary" type="submit">Enregistrer le compte rendu</button></form>`
          : ''
      }
      ${
        mayReview(req)
          ? html`<h2>Enregistrer une décision</h2><form method="post" action="/strategie/${s.slug}/revues/${v.id}/decisions"><input type="hidden" name="_csrf" value="${req.csrfToken}">
      <div class="fr-select-group"><label class="fr-label" for="d-noeud">Action</label><select class="fr-select" id="d-noeud" name="noeud">${lines.map((l) => html`<option value="${l.n.id}">${l.n.code} — ${l.n.titre}</option>`)}</select></div>
      <div class="fr-select-group"><label class="fr-label" for="d-decision">Décision</label><select class="fr-select" id="d-decision" name="decision">${DECISIONS.map((d) => html`<option value="${d}">${DECISION_LABEL[d]}</option>`)}</select></div>
      <div class="fr-input-group"><label class="fr-label" for="d-motif">Motif</label><textarea class="fr-input" id="d-motif" name="motif" required></textarea></div>
      <button class="fr-btn" type="submit">Enregistrer la décision</button></form>`
          : ''
      }`,
    });
  });

  r.get('/strategie/:slug/revues/:id/dossier.csv', { schema: { params: SlugId } }, async (req, reply) => {
    const s = await strategyOr404(ctx, req.params.slug);
    const f = await reviewFile(ctx.db, s, req.params.id);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="revue-${s.slug}-${f.review.tenue_le}.csv"`)
      .send(reviewCsv(f));
  });

  r.get('/strategie/:slug/revues/:id/rapport.pdf', { schema: { params: SlugId } }, async (req, reply) => {
    const s = await strategyOr404(ctx, req.params.slug);
    const f = await reviewFile(ctx.db, s, req.params.id);
    return reply
      .type('application/pdf')
      .header('content-disposition', `attachment; filename="revue-${s.slug}-${f.review.tenue_le}.pdf"`)
      .send(reviewPdf(f, ctx.site(), new Date()));
  });

  r.get('/strategie/:slug/changements', { schema: { params: SlugParams } }, async (req, reply) => {
    const s = await strategyOr404(ctx, req.params.slug);
    const last = await Q.lastReviewCreated(ctx.db, s.id);
    const rows = await Q.historySince(ctx.db, s.id, last?.creee_le ?? null);
    return ctx.render(req, reply, {
      title: `Ce qui a changé — ${s.titre}`,
      breadcrumb: [
        { label: 'Stratégie régionale', href: '/strategie' },
        { label: s.titre, href: `/strategie/${s.slug}` },
        { label: 'Changements' },
      ],
      main: html`<h1 class="fr-mt-2w">Ce qui a changé depuis ${last ? `la revue du ${fmtDay(last.tenue_le)}` : 'le début (aucune revue encore)'}</h1>
      ${
        rows.length
          ? html`<ol class="pan-historique">${rows.map((h) => html`<li>${fmtDay(h.le.toISOString().slice(0, 10))} — ${h.noeud_id ? html`<a href="/strategie/${s.slug}/actions/${h.noeud_id}">${h.objet}</a>` : h.indicateur_id ? html`<a href="/strategie/${s.slug}/indicateurs/${h.indicateur_id}">${h.objet}</a>` : h.objet} : ${h.operation} par ${h.auteur}</li>`)}</ol>`
          : html`<p>Aucun changement.</p>`
      }`,
    });
  });

  r.post('/strategie/:slug/revues', { schema: { params: SlugParams } }, async (req, reply) => {
    const actor = authorizeReview(req);
    const s = await strategyOr404(ctx, req.params.slug);
    const f = parseForm(SessionForm, req.body);
    const levels = actionLevels(s);
    const dossier = Object.fromEntries(
      flatten(await strategyTree(ctx.db, s.id))
        .filter((n) => levels.has(n.niveau))
        .map((n) => [String(n.id), { avancement: n.avancement_calcule, statut: n.statut_calcule }]),
    );
    const row = {
      strategie_id: s.id,
      tenue_le: f.date,
      comite: f.comite,
      participants: f.participants ?? null,
      ordre_du_jour: f.ordre_du_jour ?? null,
      compte_rendu: f.compte_rendu ?? null,
      dossier,
    };
    const id = await ctx.db.transaction(async (tx) => {
      const id = await Q.insertReview(tx, row);
      const { dossier: _d, ...shown } = row;
      await audit(tx, actor, 'creation', { type: 'strategie_revue', id }, null, shown);
      return id;
    });
    return reply.redirect(`/strategie/${s.slug}/revues/${id}?ok=1`, 303);
  });

  r.post('/strategie/:slug/revues/:id/decisions', { schema: { params: SlugId } }, async (req, reply) => {
    const actor = authorizeReview(req);
    const s = await strategyOr404(ctx, req.params.slug);
    const v = (await Q.reviewsOf(ctx.db, s.id)).find((x) => x.id === req.params.id);
    if (!v) throw new AppError('INTROUVABLE', `revue ${req.params.id}`, 'Cette revue n’existe pas (ou plus).');
    const f = parseForm(DecisionForm, req.body);
    const node = await Q.nodeById(ctx.db, f.noeud);
    if (!node || node.strategie_id !== s.id)
      throw new AppError('REQUETE_INVALIDE', `noeud ${f.noeud}`, 'Cette action n’appartient pas à la stratégie.');
    const d = {
      revue_id: v.id,
      noeud_id: node.id,
      decision: f.decision,
      motif: f.motif,
      auteur: actor.nom || actor.label,
    };
    await ctx.db.transaction(async (tx) => {
      await Q.insertDecision(tx, d);
      // The decision is in the action's history (timeline of its page).
      await Q.insertHistory(tx, {
        strategie_id: s.id,
        noeud_id: node.id,
        indicateur_id: null,
        objet: `décision de la revue du ${v.tenue_le} : ${DECISION_LABEL[d.decision]}`,
        operation: 'decision',
        auteur: d.auteur,
        utilisateur_id: actor.id,
        avant: null,
        apres: d,
      });
      await audit(tx, actor, 'decision', { type: 'strategie_noeud', id: node.id }, null, d);
    });
    return reply.redirect(`/strategie/${s.slug}/revues/${v.id}?ok=1`, 303);
  });

  r.post('/strategie/:slug/revues/:id/compte-rendu', { schema: { params: SlugId } }, async (req, reply) => {
    const actor = authorizeReview(req);
    const s = await strategyOr404(ctx, req.params.slug);
    const v = (await Q.reviewsOf(ctx.db, s.id)).find((x) => x.id === req.params.id);
    if (!v) throw new AppError('INTROUVABLE', `revue ${req.params.id}`, 'Cette revue n’existe pas (ou plus).');
    const f = parseForm(MinutesForm, req.body);
    const text = f.compte_rendu ?? null;
    await ctx.db.transaction(async (tx) => {
      await Q.setReviewMinutes(tx, v.id, text);
      await audit(
        tx,
        actor,
        'modification',
        { type: 'strategie_revue', id: v.id },
        { compte_rendu: v.compte_rendu },
        { compte_rendu: text },
      );
    });
    return reply.redirect(`/strategie/${s.slug}/revues/${v.id}?ok=1`, 303);
  });
}
