import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { audit } from '../accounts/audit.ts';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { fmtDay, type Html, html } from '../http/html.ts';
import { alert as notice } from '../http/layout.ts';
import { authorize, signedIn } from '../http/policy.ts';
import { IdParams, issuesText } from '../http/schemas.ts';
import * as A from './alerts-queries.ts';
import { canAlert } from './policy.ts';
import { AlertFormSchema } from './schema.ts';
import { territoryAndParents } from './service.ts';
import { BENEFICIAIRES, TYPES_AIDE } from './vocab.ts';

const MAX_ALERTS = 20;
const COURRIEL: Record<A.DigestRow['courriel'], string> = {
  envoye: 'envoyé par courriel',
  non_configure: 'visible ici seulement (envoi de courriels non configuré sur cette plateforme)',
  echec: 'échec de l’envoi du courriel',
};

const describe = (f: A.AlertFilters) =>
  [
    f.beneficiaire && `bénéficiaire : ${BENEFICIAIRES[f.beneficiaire as keyof typeof BENEFICIAIRES] ?? f.beneficiaire}`,
    f.type && `type : ${TYPES_AIDE[f.type as keyof typeof TYPES_AIDE] ?? f.type}`,
    f.theme && `thème : ${f.theme}`,
    f.niveau && `ouvertes à ${f.niveau} ${f.code}`,
  ]
    .filter(Boolean)
    .join(', ') || 'toutes les aides';

/** « Receive an alert for this search », under the aids list, for signed-in visitors. */
export function alertForm(req: FastifyRequest, q: A.AlertFilters): Html {
  if (!req.viewer) return html``;
  const hidden = (k: keyof A.AlertFilters) => (q[k] ? html`<input type="hidden" name="${k}" value="${q[k]}">` : '');
  return html`<form method="post" action="/ressources/aides/alertes" class="fr-mb-4w"><input type="hidden" name="_csrf" value="${req.csrfToken}">
    ${hidden('beneficiaire')}${hidden('niveau')}${hidden('code')}${hidden('theme')}${hidden('type')}
    <fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Être prévenu des nouvelles aides de cette recherche (${describe(q)}) et de leurs dates limites</legend>
    <div class="fr-fieldset__element"><div class="fr-input-group"><label class="fr-label" for="alerte-nom">Nom de l’alerte</label><input class="fr-input" id="alerte-nom" name="nom" required maxlength="200"></div></div>
    <div class="fr-fieldset__element"><button class="fr-btn fr-btn--secondary" type="submit">Créer l’alerte</button></div></fieldset></form>`;
}

export function registerAlertsRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.post('/ressources/aides/alertes', async (req, reply) => {
    const actor = signedIn(req);
    const p = AlertFormSchema.safeParse(req.body ?? {});
    if (!p.success)
      throw new AppError(
        'REQUETE_INVALIDE',
        p.error.message,
        `Alerte invalide : ${issuesText(p.error)}. Rien n’a été enregistré.`,
      );
    const { _csrf: _c, nom, ...filtres } = p.data;
    if (filtres.niveau && filtres.code) {
      try {
        await territoryAndParents(ctx.db, filtres.niveau, filtres.code);
      } catch (e) {
        if (e instanceof AppError && e.code === 'TERRITOIRE_INCONNU')
          throw new AppError('REQUETE_INVALIDE', e.detail, `${e.userMessage} Rien n’a été enregistré.`);
        throw e;
      }
    }
    const id = await ctx.db.transaction(async (tx) => {
      if ((await A.alertsOf(tx, actor.id)).length >= MAX_ALERTS)
        throw new AppError(
          'REQUETE_INVALIDE',
          'too many alerts',
          `${MAX_ALERTS} alertes au plus par compte : supprimez-en une d’abord.`,
        );
      const id = await A.insertAlert(tx, actor.id, nom, filtres);
      await audit(tx, actor, 'creation', { type: 'alerte_aides', id }, null, { nom, filtres });
      return id;
    });
    return reply.redirect(`/compte/alertes?cree=${id}`, 303);
  });

  app.get('/compte/alertes', async (req, reply) => {
    const actor = signedIn(req);
    const [alerts, digests] = await Promise.all([A.alertsOf(ctx.db, actor.id), A.digestsOf(ctx.db, actor.id, 20)]);
    const names = new Map(alerts.map((a) => [a.id, a.nom]));
    return ctx.render(req, reply, {
      title: 'Mes alertes',
      breadcrumb: [{ label: 'Mes alertes' }],
      main: html`<h1 class="fr-mt-2w">Mes alertes sur les aides financières</h1>
      ${(req.query as { cree?: string }).cree ? notice('success', 'Alerte créée : vous serez prévenu après chaque mise à jour des aides.') : ''}
      <p>Après chaque import des aides, la plateforme prépare pour chaque alerte la liste des aides nouvelles et des dates limites des ${14} prochains jours, une seule fois par aide. Créez une alerte depuis la <a href="/ressources/aides">liste des aides</a> filtrée.</p>
      ${
        alerts.length
          ? html`<div class="fr-table"><table><caption>Mes alertes (${alerts.length})</caption>
      <thead><tr><th scope="col">Alerte</th><th scope="col">Recherche</th><th scope="col">Créée le</th><th scope="col">Action</th></tr></thead>
      <tbody>${alerts.map((a) => html`<tr><td>${a.nom}</td><td>${describe(a.filtres)}</td><td>${fmtDay(a.cree_le)}</td><td><form method="post" action="/compte/alertes/${a.id}/suppression"><input type="hidden" name="_csrf" value="${req.csrfToken}"><button class="fr-btn fr-btn--tertiary fr-btn--sm" type="submit" title="Supprimer l’alerte « ${a.nom} »">Supprimer</button></form></td></tr>`)}</tbody></table></div>`
          : html`<p>Aucune alerte.</p>`
      }
      <h2>Derniers envois</h2>
      ${
        digests.length
          ? digests.map(
              (d) => html`<section class="fr-mb-3w"><h3 class="fr-h6">${fmtDay(d.cree_le)} — ${d.sujet}</h3>
      <p class="fr-text--sm">${names.get(d.alerte_id) ?? ''} · ${COURRIEL[d.courriel]}</p><pre class="pan-courriel">${d.texte}</pre></section>`,
            )
          : html`<p>Rien n’a encore été envoyé.</p>`
      }`,
    });
  });

  app.post('/compte/alertes/:id/suppression', { schema: { params: IdParams } }, async (req, reply) => {
    signedIn(req);
    const a = await A.alertById(ctx.db, req.params.id);
    if (!a) throw new AppError('INTROUVABLE', `alerte ${req.params.id}`, 'Cette alerte n’existe pas (ou plus).');
    const actor = authorize(req, canAlert, 'supprimer', { utilisateurId: a.utilisateur_id });
    await ctx.db.transaction(async (tx) => {
      await A.deleteAlert(tx, a.id);
      await audit(
        tx,
        actor,
        'suppression',
        { type: 'alerte_aides', id: a.id },
        { nom: a.nom, filtres: a.filtres },
        null,
      );
    });
    return reply.redirect('/compte/alertes', 303);
  });
}
