import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { audit } from '../accounts/audit.ts';
import { passwordMatches } from '../accounts/credentials.ts';
import { contactOf } from '../accounts/service.ts';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { type Html, html } from '../http/html.ts';
import { authorize, signedIn } from '../http/policy.ts';
import { CsrfField, IdParams } from '../http/schemas.ts';
import { SESSION_COOKIE } from '../http/security.ts';
import { anonymousLabel, type Person } from './personal-data.ts';
import { canErase } from './policy.ts';

const EraseSchema = z.object({ ...CsrfField, mot_de_passe: z.string().max(200) });
const EraseQuery = z.object({ fait: z.literal('1').optional().catch(undefined) });
const CRUMBS = [{ label: 'Espace éditeur', href: '/admin' }, { label: 'Effacer mon compte' }];

/** What every provider holds on the person: the account's part at the top level, the others by name. */
async function exportAll(ctx: AppContext, p: Person) {
  const out: Record<string, unknown> = {};
  for (const provider of ctx.personalData) {
    const part = await provider.export(ctx.db, p);
    if (provider.name === 'compte') Object.assign(out, part);
    else out[provider.name] = part;
  }
  return out;
}

/**
 * Right to erasure (article 17), in one transaction: every provider deletes what is only the person's and
 * anonymises what is kept (the account's provider last), then the erasure itself is journalised under the
 * anonymous label, with the number of rows each provider changed.
 */
async function eraseAll(ctx: AppContext, p: Person): Promise<Record<string, number>> {
  const anon = anonymousLabel(p.id);
  return ctx.db.transaction(async (tx) => {
    const counts: Record<string, number> = {};
    for (const provider of ctx.personalData) counts[provider.name] = await provider.erase(tx, p, anon);
    await audit(tx, { id: p.id, label: anon }, 'effacement-compte', { type: 'utilisateur', id: p.id }, null, counts);
    return counts;
  });
}

function erasePage(ctx: AppContext, csrf: string, userId: number, error?: string): Html {
  return html`<div class="fr-grid-row"><div class="fr-col-12 fr-col-md-10 fr-col-lg-8">
  <h1 class="fr-mt-2w">Effacer mon compte</h1>
  ${error ? html`<div class="fr-alert fr-alert--error fr-mb-3w" role="alert"><h2 class="fr-alert__title">Effacement impossible</h2><p>${error}</p></div>` : ''}
  <p>Droit à l’effacement (article 17 du RGPD). L’effacement est <strong>définitif</strong> :</p>
  <ul>
    <li>votre adresse électronique, votre nom et l’empreinte de votre mot de passe sont supprimés, toutes vos sessions sont fermées, vos alertes sur les aides et vos échecs de connexion récents sont supprimés ;</li>
    <li>vos contributions (actions et mesures de la stratégie, fiches, documents, modérations, imports…) restent sur la plateforme, sans votre nom : elles sont attribuées à un « compte effacé » ;</li>
    <li>le journal des modifications garde ses entrées, l’auteur y devient ce compte effacé.</li>
  </ul>
  <p>Avant d’effacer, vous pouvez <a href="/compte/donnees.json">télécharger vos données</a> (JSON). Ce que couvre l’effacement : ${ctx.personalData.map((p) => p.title).join(' ; ')}.</p>
  <form method="post" action="/compte/${userId}/effacement"><input type="hidden" name="_csrf" value="${csrf}">
    <div class="fr-input-group"><label class="fr-label" for="effacement-mdp">Mot de passe actuel <span class="fr-hint-text">Pour confirmer que la demande vient de vous.</span></label>
      <input class="fr-input" id="effacement-mdp" name="mot_de_passe" type="password" autocomplete="current-password" required></div>
    <button class="fr-btn fr-btn--secondary" type="submit">Effacer définitivement mon compte</button>
  </form></div></div>`;
}

/**
 * Rights of the account holder: access (article 15, `GET /compte/donnees.json`, what every personal-data
 * provider holds) and erasure (article 17, `POST /compte/:id/effacement`, one's own account only).
 */
export function registerMyDataRoute(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/compte/donnees.json', async (req, reply) => {
    const actor = signedIn(req);
    const person = await contactOf(ctx.db, actor.id);
    if (!person) throw new AppError('INTROUVABLE', `utilisateur ${actor.id}`);
    const data = await exportAll(ctx, { id: actor.id, email: person.email, nom: person.nom });
    await audit(ctx.db, actor, 'export-donnees-personnelles', { type: 'utilisateur', id: actor.id }, null, null);
    return reply
      .type('application/json; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-disposition', 'attachment; filename="mes-donnees.json"')
      .send(
        JSON.stringify(
          {
            genere_le: new Date().toISOString(),
            plateforme: ctx.site().name,
            explication: `Les données que la plateforme conserve sur votre compte : compte, sessions ouvertes, actions enregistrées au journal des modifications (sans leur contenu), échecs de connexion récents sur votre adresse, puis par module (${ctx.personalData
              .filter((p) => p.name !== 'compte')
              .map((p) => `${p.name} : ${p.title}`)
              .join(
                ' ; ',
              )}). Le registre des traitements (/donnees/registre) en donne la finalité et la durée de conservation.`,
            ...data,
          },
          null,
          2,
        ),
      );
  });

  r.get('/compte/effacement', { schema: { querystring: EraseQuery } }, async (req, reply) => {
    if (req.query.fait)
      return ctx.render(req, reply, {
        title: 'Compte effacé',
        breadcrumb: [{ label: 'Compte effacé' }],
        main: html`<h1 class="fr-mt-2w">Compte effacé</h1>
        <div class="fr-alert fr-alert--success fr-mb-3w" role="status"><h2 class="fr-alert__title">Votre compte a été effacé</h2><p>Vos données personnelles ont été supprimées ; vos contributions restent sans votre nom.</p></div>
        <p><a href="/">Retour à l’accueil</a> · <a href="/donnees/registre">Registre des traitements</a></p>`,
      });
    const actor = signedIn(req);
    return ctx.render(req, reply, {
      title: 'Effacer mon compte',
      breadcrumb: CRUMBS,
      main: erasePage(ctx, req.csrfToken, actor.id),
    });
  });

  // Limited like the login form: the password confirmation must not become a way to guess it.
  r.post(
    '/compte/:id/effacement',
    { schema: { params: IdParams }, config: { rateLimit: { max: 10, timeWindow: '15 minutes' } } },
    async (req, reply) => {
      const actor = authorize(req, canErase, 'effacer-compte', { utilisateurId: req.params.id });
      const p = EraseSchema.safeParse(req.body ?? {});
      const show = (error: string) =>
        ctx.render(req, reply, {
          status: 400,
          title: 'Effacer mon compte',
          breadcrumb: CRUMBS,
          main: erasePage(ctx, req.csrfToken, actor.id, error),
        });
      if (!p.success) return show('Formulaire incomplet : indiquez votre mot de passe.');
      if (!(await passwordMatches(ctx.db, actor.id, p.data.mot_de_passe)))
        return show('Le mot de passe est incorrect.');
      const person = await contactOf(ctx.db, actor.id);
      if (!person) throw new AppError('INTROUVABLE', `utilisateur ${actor.id}`);
      const counts = await eraseAll(ctx, { id: actor.id, email: person.email, nom: person.nom });
      req.log.info({ utilisateur: actor.id, counts }, 'account erased');
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.redirect('/compte/effacement?fait=1', 303);
    },
  );
}
