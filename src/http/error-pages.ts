import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import type { AppContext } from '../context.ts';
import { AppError, type ErrorCode, errorBody } from '../errors.ts';
import { html } from './html.ts';
import { loginHref } from './return-path.ts';
import { issuesText } from './schemas.ts';

function toAppError(err: FastifyError | AppError | Error): AppError {
  if (err instanceof AppError) return err;
  // A schema parsed inside a handler: the input was wrong, not the server.
  if (err instanceof ZodError)
    return new AppError('REQUETE_INVALIDE', err.message, `Paramètres invalides — ${issuesText(err)}`);
  const fe = err as FastifyError & { validation?: { message?: string; instancePath?: string; params?: unknown }[] };
  if (fe.validation) {
    const detail = fe.validation
      .map((v) => `${v.instancePath ? `${v.instancePath.replace(/^\//, '')} : ` : ''}${v.message ?? ''}`)
      .join(' ; ');
    return new AppError('REQUETE_INVALIDE', `${fe.message}`, `Paramètres invalides — ${detail || fe.message}`);
  }
  const status = fe.statusCode ?? (err as { status?: number }).status ?? 500;
  // 403 from the framework is @fastify/send refusing a path (../, dot files): "not found" says less.
  const byStatus: Partial<Record<number, ErrorCode>> = {
    400: 'REQUETE_INVALIDE',
    403: 'INTROUVABLE',
    404: 'INTROUVABLE',
    408: 'DELAI_DEPASSE',
    413: 'FICHIER_TROP_GROS',
    414: 'URI_TROP_LONGUE',
    415: 'TYPE_NON_PRIS_EN_CHARGE',
    429: 'TROP_DE_REQUETES',
    431: 'ENTETES_TROP_GRANDS',
  };
  const code =
    fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
      ? 'REQUETE_TROP_GROSSE'
      : (byStatus[status] ?? (status >= 400 && status < 500 ? 'REQUETE_INVALIDE' : undefined));
  return code
    ? new AppError(code, `${fe.code ?? ''} ${fe.message}`)
    : new AppError('ERREUR_INTERNE', err.stack ?? err.message);
}

function sameSiteReferer(req: FastifyRequest): string | null {
  const ref = req.headers.referer;
  if (!ref) return null;
  try {
    const u = new URL(ref);
    return u.host === req.headers.host ? `${u.pathname}${u.search}` : null;
  } catch {
    return null;
  }
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  414: 'URI Too Long',
  431: 'Request Header Fields Too Large',
};

/**
 * What Node's HTTP parser refuses before Fastify sees a request (malformed request line, headers
 * over the size limit, a request that never ends): answered in French, JSON for /api.
 */
export function clientErrorHandler(
  err: Error & { code?: string; rawPacket?: unknown },
  socket: import('node:net').Socket,
) {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const code: ErrorCode =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? 'ENTETES_TROP_GRANDS'
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 'DELAI_DEPASSE'
        : 'REQUETE_INVALIDE';
  const e = new AppError(code);
  const raw = Buffer.isBuffer(err.rawPacket) ? err.rawPacket.subarray(0, 64).toString('latin1') : '';
  const api = /^[A-Z]+ \/(api|interne)\//.test(raw);
  const body = api
    ? JSON.stringify(errorBody(code))
    : html`<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Requête refusée</title><link rel="stylesheet" href="/static/dsfr/dsfr.min.css"></head>
<body><main class="fr-container fr-my-7w"><h1>Requête refusée</h1><p>Erreur ${e.status} — code ${code}</p><p>${e.userMessage}</p><p><a href="/">Page d’accueil</a></p></main></body></html>`
        .value;
  socket.end(
    `HTTP/1.1 ${e.status} ${REASONS[e.status] ?? 'Bad Request'}\r\nContent-Type: ${api ? 'application/json' : 'text/html'}; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Longest URL served; longer ones get 414 (Node's own header limit, 16 KB, answers 431 beyond). */
const MAX_URL_LENGTH = 8192;

export function registerErrorHandling(app: FastifyInstance, ctx: AppContext) {
  const respond = (req: FastifyRequest, reply: FastifyReply, e: AppError) => {
    const wantsJson =
      req.url.startsWith('/api/') ||
      req.url.startsWith('/interne/') ||
      (req.headers.accept ?? '').startsWith('application/json');
    if (wantsJson)
      return reply.code(e.status).type('application/json; charset=utf-8').send(errorBody(e.code, e.userMessage));
    const title =
      e.status === 404
        ? 'Page non trouvée'
        : e.status >= 500
          ? 'Erreur inattendue'
          : e.status === 401
            ? 'Connexion requise'
            : 'Requête refusée';
    // After signing in, come back to the page asked for (a form sent without a session: the page it was on).
    const back = req.method === 'GET' ? req.url : sameSiteReferer(req);
    return ctx.render(req, reply, {
      status: e.status,
      title,
      main: html`<div class="fr-my-7w fr-mt-md-12w fr-mb-md-10w">
        <h1>${title}</h1>
        <p class="fr-text--sm fr-mb-3w">Erreur ${e.status} — code ${e.code}</p>
        <p class="fr-text--lead fr-mb-3w">${e.userMessage}</p>
        ${e.status === 404 ? html`<p>Si vous avez saisi l’adresse dans le navigateur, vérifiez qu’elle est correcte. La page n’est peut-être plus disponible.</p>` : ''}
        ${e.status === 401 ? html`<p>Cette page est réservée aux partenaires connectés. Après la connexion, vous reviendrez à la page demandée.</p>` : ''}
        <ul class="fr-btns-group fr-btns-group--inline-md">${e.status === 401 ? html`<li><a class="fr-btn" href="${loginHref(back)}">Se connecter</a></li><li><a class="fr-btn fr-btn--secondary" href="/">Page d’accueil</a></li>` : html`<li><a class="fr-btn" href="/">Page d’accueil</a></li><li><a class="fr-btn fr-btn--secondary" href="/plan-du-site">Plan du site</a></li>`}</ul>
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

  app.addHook('onRequest', async (req) => {
    if (req.url.length > MAX_URL_LENGTH) throw new AppError('URI_TROP_LONGUE', `${req.url.length} characters`);
  });

  // For Fastify's `frameworkErrors` (a URL that cannot be decoded, before any route or hook).
  return (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const e = toAppError(err);
    req.log.info({ code: e.code, detail: e.detail }, 'request refused');
    return respond(req, reply, e);
  };
}
