import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppModule } from '../context.ts';
import { AppError } from '../errors.ts';
import { html } from '../http/html.ts';
import { safeReturnPath } from '../http/return-path.ts';
import { SESSION_COOKIE, setSessionCookie } from '../http/security.ts';
import { audit } from './audit.ts';
import { checkCredentialsLimited } from './login-guard.ts';
import { registerPasswordRoutes } from './password-routes.ts';
import { accountPersonalData } from './personal-data.ts';
import { closeSession, LoginSchema, openSession, sessionFromToken } from './service.ts';

/** Where to go after signing in: a path of this site only (see safeReturnPath), else the administration. */
const NextSchema = z
  .string()
  .max(2000)
  .optional()
  .catch(undefined)
  .transform((v) => safeReturnPath(v));
/** Where to go after signing in: the query of the login page, then the hidden field of its form. */
const NextField = z.object({ next: NextSchema });

function loginForm(csrf: string, next: string, error?: string, email = '') {
  return html`<div class="fr-grid-row fr-grid-row--center fr-mt-4w"><div class="fr-col-12 fr-col-md-8 fr-col-lg-6">
  <h1>Connexion des partenaires</h1>
  <p>Réservée aux administrateurs et éditeurs des organisations partenaires. La consultation de la plateforme ne demande pas de compte.</p>
  ${error ? html`<div class="fr-alert fr-alert--error fr-mb-3w" role="alert"><h2 class="fr-alert__title">Connexion impossible</h2><p>${error}</p></div>` : ''}
  <form method="post" action="/connexion">
    <input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="next" value="${next}">
    <fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Identifiants</legend>
      <div class="fr-fieldset__element"><div class="fr-input-group"><label class="fr-label" for="email">Adresse électronique <span class="fr-hint-text">Format attendu : nom@domaine.fr</span></label>
        <input class="fr-input" id="email" name="email" type="email" autocomplete="username" required value="${email}"></div></div>
      <div class="fr-fieldset__element"><div class="fr-input-group"><label class="fr-label" for="motDePasse">Mot de passe</label>
        <input class="fr-input" id="motDePasse" name="motDePasse" type="password" autocomplete="current-password" required></div></div>
    </fieldset>
    <button class="fr-btn" type="submit">Se connecter</button>
  </form></div></div>`;
}

export const accountsModule: AppModule = {
  name: 'comptes',
  personalData: [accountPersonalData],
  register(fastify, ctx) {
    registerPasswordRoutes(fastify, ctx);
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    app.get('/connexion', { schema: { querystring: NextField } }, async (req, reply) => {
      const { next } = req.query;
      if (req.viewer) return reply.redirect(next, 303);
      return ctx.render(req, reply, {
        title: 'Connexion',
        breadcrumb: [{ label: 'Connexion' }],
        main: loginForm(req.csrfToken, next),
      });
    });

    app.post('/connexion', { config: { rateLimit: { max: 10, timeWindow: '15 minutes' } } }, async (req, reply) => {
      const { next } = NextField.parse(req.body ?? {});
      // A malformed form is answered like wrong credentials: the login page says nothing more.
      const input = LoginSchema.safeParse(req.body);
      try {
        if (!input.success) throw new AppError('IDENTIFIANTS_INVALIDES', 'malformed login form');
        const user = await checkCredentialsLimited(ctx.db, input.data.email, input.data.motDePasse, req.ip);
        const s = await openSession(ctx.db, user);
        await audit(ctx.db, { id: user.id, label: user.email }, 'connexion', { type: 'session' }, null, null);
        setSessionCookie(reply, ctx.config, s.token, s.expires);
        return reply.redirect(next, 303);
      } catch (e) {
        if (!(e instanceof AppError) || (e.code !== 'IDENTIFIANTS_INVALIDES' && e.code !== 'TROP_DE_REQUETES')) throw e;
        req.log.info({ detail: e.detail }, 'login refused');
        return ctx.render(req, reply, {
          status: e.status,
          title: 'Connexion',
          breadcrumb: [{ label: 'Connexion' }],
          main: loginForm(req.csrfToken, next, e.userMessage, input.success ? input.data.email : ''),
        });
      }
    });

    app.post('/deconnexion', async (req, reply) => {
      const token = req.cookies[SESSION_COOKIE];
      const who = token ? await sessionFromToken(ctx.db, token) : undefined;
      if (token) await closeSession(ctx.db, token);
      if (who) await audit(ctx.db, { id: who.id, label: who.email }, 'deconnexion', { type: 'session' }, null, null);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.redirect('/', 303);
    });
  },
};
