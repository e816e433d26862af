import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { audit } from '../accounts/audit.ts';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { formatDate, type Html, html } from '../http/html.ts';
import { allowed, authorize, signedIn } from '../http/policy.ts';
import { issuesText } from '../http/schemas.ts';
import { can } from './policy.ts';
import * as Q from './queries.ts';
import { TraitementForm, TraitementParams } from './schema.ts';
import { CRUMB } from './views.ts';

/** The register of processing activities (GDPR article 30): public page, administrators edit. */

const LABELS: Record<(typeof Q.REGISTRE_CHAMPS)[number], string> = {
  nom: 'Traitement',
  finalite: 'Finalité',
  base_legale: 'Base légale',
  categories_donnees: 'Catégories de données',
  categories_personnes: 'Catégories de personnes concernées',
  duree_conservation: 'Durée de conservation',
  destinataires: 'Destinataires',
  transferts: 'Transferts hors de l’Union européenne',
  mesures_securite: 'Mesures de sécurité',
};
const REGISTRE_CRUMB = { label: 'Registre des traitements', href: '/donnees/registre' };
const notFound = (code: string) =>
  new AppError('INTROUVABLE', `traitement ${code}`, 'Ce traitement n’est pas dans le registre.');

function traitementTable(t: Q.TraitementRow, edit: boolean): Html {
  return html`<section class="fr-mb-4w" id="${t.code}"><h2>${t.nom}</h2>
  <div class="fr-table"><table><caption>Fiche du traitement « ${t.nom} » (mise à jour le ${formatDate(t.modifie_le)})</caption><tbody>
  ${Q.REGISTRE_CHAMPS.filter((k) => k !== 'nom').map((k) => html`<tr><th scope="row">${LABELS[k]}</th><td>${t[k]}</td></tr>`)}
  </tbody></table></div>
  ${edit ? html`<p><a class="fr-btn fr-btn--secondary fr-btn--sm" href="/donnees/registre/${t.code}/modifier">Modifier ce traitement</a></p>` : ''}</section>`;
}

export function registerRegistreRoutes(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/donnees/registre', async (req, reply) => {
    const list = await Q.listTraitements(ctx.db);
    const edit = allowed(req, can, 'modifier-registre', null);
    return ctx.render(req, reply, {
      title: 'Registre des traitements de données personnelles',
      breadcrumb: [CRUMB, { label: 'Registre des traitements' }],
      main: html`<h1 class="fr-mt-2w">Registre des traitements de données personnelles</h1>
      <p class="fr-text--lead">Les traitements de données personnelles que réalise la plateforme (article 30 du RGPD) : finalité, base légale, données, personnes, conservation, destinataires, transferts et sécurité.</p>
      <p>Les données personnelles ne sont jamais publiées en données ouvertes : chaque jeu du <a href="/donnees">catalogue</a> déclare ses colonnes publiques et ses valeurs sont contrôlées à chaque publication. Titulaire d’un compte : <a href="/compte/donnees.json">téléchargez vos données</a> (JSON). Le registre est aussi publié comme jeu de données : <a href="/donnees/registre-traitements">registre-traitements</a>.</p>
      <nav class="fr-summary fr-mb-4w" aria-labelledby="sommaire-registre"><p class="fr-summary__title" id="sommaire-registre">Traitements</p><ol>${list.map((t) => html`<li><a class="fr-summary__link" href="#${t.code}">${t.nom}</a></li>`)}</ol></nav>
      ${list.map((t) => traitementTable(t, edit))}`,
    });
  });

  r.get('/donnees/registre/:code/modifier', { schema: { params: TraitementParams } }, async (req, reply) => {
    signedIn(req);
    const t = await Q.traitementByCode(ctx.db, req.params.code);
    if (!t) throw notFound(req.params.code);
    authorize(req, can, 'modifier-registre', null);
    return ctx.render(req, reply, {
      title: `Modifier « ${t.nom} »`,
      breadcrumb: [CRUMB, REGISTRE_CRUMB, { label: t.nom }],
      main: html`<h1 class="fr-mt-2w">Modifier « ${t.nom} »</h1>
      <form method="post" action="/donnees/registre/${t.code}"><input type="hidden" name="_csrf" value="${req.csrfToken ?? ''}">
      ${Q.REGISTRE_CHAMPS.map(
        (k) =>
          html`<div class="fr-input-group"><label class="fr-label" for="f-${k}">${LABELS[k]}</label>${
            k === 'nom'
              ? html`<input class="fr-input" id="f-${k}" name="${k}" value="${t[k]}" required maxlength="200">`
              : html`<textarea class="fr-input" id="f-${k}" name="${k}" rows="3" required maxlength="2000">${t[k]}</textarea>`
          }</div>`,
      )}
      <button class="fr-btn" type="submit">Enregistrer</button> <a class="fr-link fr-ml-2w" href="/donnees/registre#${t.code}">Annuler</a></form>`,
    });
  });

  /** Signed in, then the entry exists, then the policy, then the form: 401, 404, 403, 400 in that order. */
  r.post('/donnees/registre/:code', { schema: { params: TraitementParams } }, async (req, reply) => {
    signedIn(req);
    const before = await Q.traitementByCode(ctx.db, req.params.code);
    if (!before) throw notFound(req.params.code);
    const actor = authorize(req, can, 'modifier-registre', null);
    const p = TraitementForm.safeParse(req.body);
    if (!p.success)
      throw new AppError(
        'REQUETE_INVALIDE',
        p.error.message,
        `Formulaire invalide : ${issuesText(p.error)}. Rien n’a été enregistré.`,
      );
    const { _csrf: _c, ...input } = p.data;
    await ctx.db.transaction(async (tx) => {
      await Q.updateTraitement(tx, before.code, input);
      const { modifie_le: _m, ...b } = before;
      await audit(tx, actor, 'modification', { type: 'registre_traitement', id: before.code }, b, input);
    });
    return reply.redirect(`/donnees/registre#${before.code}`, 303);
  });
}
