import { ZodError } from 'zod';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { AppError, errorBody, type ErrorCode } from '../errors.ts';
import { html } from './html.ts';
import { issuesText } from './schemas.ts';

function toAppError(err: FastifyError | AppError | Error): AppError {
  if (err instanceof AppError) return err;
  // A schema parsed inside a handler: the input was wrong, not the server.
  if (err instanceof ZodError) return new AppError('REQUETE_INVALIDE', err.message, `Paramètres invalides — ${issuesText(err)}`);
  const fe = err as FastifyError & { validation?: { message?: string; instancePath?: string; params?: unknown }[] };
  if (fe.validation) {
    const detail = fe.validation.map((v) => `${v.instancePath ? `${v.instancePath.replace(/^\//, '')} : ` : ''}${v.message ?? ''}`).join(' ; ');
    return new AppError('REQUETE_INVALIDE', `${fe.message}`, `Paramètres invalides — ${detail || fe.message}`);
  }
  const status = fe.statusCode ?? 500;
  const byStatus: Partial<Record<number, ErrorCode>> = { 400: 'REQUETE_INVALIDE', 404: 'INTROUVABLE', 413: 'FICHIER_TROP_GROS', 415: 'REQUETE_INVALIDE', 429: 'TROP_DE_REQUETES' };
  const code = byStatus[status];
  return code ? new AppError(code, `${fe.code ?? ''} ${fe.message}`) : new AppError('ERREUR_INTERNE', err.stack ?? err.message);
}

export function registerErrorHandling(app: FastifyInstance, ctx: AppContext) {
  const respond = (req: FastifyRequest, reply: FastifyReply, e: AppError) => {
    const wantsJson = req.url.startsWith('/api/') || req.url.startsWith('/interne/') || (req.headers.accept ?? '').startsWith('application/json');
    if (wantsJson) return reply.code(e.status).type('application/json; charset=utf-8').send(errorBody(e.code, e.userMessage));
    const title = e.status === 404 ? 'Page non trouvée' : e.status >= 500 ? 'Erreur inattendue' : 'Requête refusée';
    return ctx.render(req, reply, {
      status: e.status,
      title,
      main: html`<div class="fr-my-7w fr-mt-md-12w fr-mb-md-10w">
        <h1>${title}</h1>
        <p class="fr-text--sm fr-mb-3w">Erreur ${e.status} — code ${e.code}</p>
        <p class="fr-text--lead fr-mb-3w">${e.userMessage}</p>
        ${e.status === 404 ? html`<p>Si vous avez saisi l’adresse dans le navigateur, vérifiez qu’elle est correcte. La page n’est peut-être plus disponible.</p>` : ''}
        <ul class="fr-btns-group fr-btns-group--inline-md"><li><a class="fr-btn" href="/">Page d’accueil</a></li><li><a class="fr-btn fr-btn--secondary" href="/plan-du-site">Plan du site</a></li></ul>
      </div>`,
    });
  };

  app.setErrorHandler((err, req, reply) => {
    const e = toAppError(err as FastifyError);
    if (e.status >= 500) req.log.error({ err, code: e.code }, 'request failed');
    else req.log.info({ code: e.code, detail: e.detail, url: req.url }, 'request refused');
    return respond(req, reply, e);
  });

  app.setNotFoundHandler((req, reply) => respond(req, reply, new AppError('INTROUVABLE', `${req.method} ${req.url}`)));
}

