import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { html } from '../http/html.ts';
import { signedIn } from '../http/policy.ts';
import { CsrfField } from '../http/schemas.ts';
import { SESSION_COOKIE } from '../http/security.ts';
import { changePassword } from './credentials.ts';
import { MIN_PASSWORD_LENGTH } from './password-policy.ts';

const ChangeSchema = z.object({
  ...CsrfField,
  actuel: z.string().max(200),
  nouveau: z.string().max(200),
  confirmation: z.string().max(200),
});

function changeForm(csrf: string, o: { error?: string; done?: boolean } = {}) {
  return html`<div class="fr-grid-row"><div class="fr-col-12 fr-col-md-8 fr-col-lg-6">
  <h1 class="fr-mt-2w">Changer mon mot de passe</h1>
  ${o.done ? html`<div class="fr-alert fr-alert--success fr-mb-3w" role="status"><h2 class="fr-alert__title">Mot de passe changé</h2><p>Vos autres sessions ont été fermées.</p></div>` : ''}
  ${o.error ? html`<div class="fr-alert fr-alert--error fr-mb-3w" role="alert"><h2 class="fr-alert__title">Changement impossible</h2><p>${o.error}</p></div>` : ''}
  <form method="post" action="/compte/mot-de-passe"><input type="hidden" name="_csrf" value="${csrf}">
    <fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Mot de passe</legend>
      <div class="fr-fieldset__element"><div class="fr-input-group"><label class="fr-label" for="mdp-actuel">Mot de passe actuel</label>
        <input class="fr-input" id="mdp-actuel" name="actuel" type="password" autocomplete="current-password" required></div></div>
      <div class="fr-fieldset__element"><div class="fr-input-group"><label class="fr-label" for="mdp-nouveau">Nouveau mot de passe <span class="fr-hint-text">${MIN_PASSWORD_LENGTH} caractères au moins, difficile à deviner : une phrase de plusieurs mots convient bien.</span></label>
        <input class="fr-input" id="mdp-nouveau" name="nouveau" type="password" autocomplete="new-password" minlength="${MIN_PASSWORD_LENGTH}" required></div></div>
      <div class="fr-fieldset__element"><div class="fr-input-group"><label class="fr-label" for="mdp-confirmation">Confirmation du nouveau mot de passe</label>
        <input class="fr-input" id="mdp-confirmation" name="confirmation" type="password" autocomplete="new-password" required></div></div>
    </fieldset>
    <button class="fr-btn" type="submit">Changer le mot de passe</button>
  </form></div></div>`;
}

/** Password change, for every signed-in user (administrators and editors alike). */
export function registerPasswordRoutes(app: FastifyInstance, ctx: AppContext) {
  const crumbs = [{ label: 'Administration', href: '/admin' }, { label: 'Mot de passe' }];

  app.get('/compte/mot-de-passe', async (req, reply) => {
    signedIn(req);
    const done = (req.query as { change?: string }).change === 'ok';
    return ctx.render(req, reply, {
      title: 'Changer mon mot de passe',
      breadcrumb: crumbs,
      main: changeForm(req.csrfToken, { done }),
    });
  });

  // Limited like the login form: a borrowed session must not become a way to guess the password.
  app.post(
    '/compte/mot-de-passe',
    { config: { rateLimit: { max: 10, timeWindow: '15 minutes' } } },
    async (req, reply) => {
      const actor = signedIn(req);
      const p = ChangeSchema.safeParse(req.body ?? {});
      const show = (error: string, status = 400) =>
        ctx.render(req, reply, {
          status,
          title: 'Changer mon mot de passe',
          breadcrumb: crumbs,
          main: changeForm(req.csrfToken, { error }),
        });
      if (!p.success) return show('Formulaire incomplet.');
      if (p.data.nouveau !== p.data.confirmation)
        return show('La confirmation ne correspond pas au nouveau mot de passe.');
      try {
        await changePassword(ctx.db, actor.id, req.cookies[SESSION_COOKIE] ?? '', p.data.actuel, p.data.nouveau);
      } catch (e) {
        if (e instanceof AppError && (e.code === 'IDENTIFIANTS_INVALIDES' || e.code === 'MOT_DE_PASSE_FAIBLE'))
          return show(e.userMessage);
        throw e;
      }
      return reply.redirect('/compte/mot-de-passe?change=ok', 303);
    },
  );
}
