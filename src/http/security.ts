import crypto from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SessionUser } from '../accounts/queries.ts';
import { sessionFromToken } from '../accounts/service.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/db.ts';
import { AppError } from '../errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    viewer: SessionUser | null;
    csrfToken: string;
  }
}

export const SESSION_COOKIE = 'pan_session';
const CSRF_COOKIE = 'pan_csrf';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/**
 * An Origin header, when sent, must name this host. `null` (sandboxed frames, data: documents, some
 * cross-site redirects) and anything that does not parse as a URL are refused.
 */
function sameOrigin(origin: string | string[], host: string | undefined): boolean {
  if (typeof origin !== 'string' || origin === 'null' || !host) return false;
  try {
    const o = new URL(origin);
    // Host may carry the scheme's default port (localhost:80) where Origin omits it.
    return o.host === new URL(`${o.protocol}//${host}`).host;
  } catch {
    return false;
  }
}

/**
 * Sessions and CSRF. Signed-in users carry the token stored with their session; visitors
 * (the login form) get a random token in an HttpOnly, SameSite cookie (double submit).
 * Unsafe methods must echo it in `_csrf` (form field or query) or `x-csrf-token`.
 */
export function registerSecurity(app: FastifyInstance, deps: { db: Db; config: Config }) {
  app.decorateRequest('viewer', null);
  app.decorateRequest('csrfToken', '');

  // Behind an undeclared proxy every visitor shares the proxy's address, and so its login and search limits.
  let warnedProxy = deps.config.trustProxy !== false;
  app.addHook('onRequest', async (req, reply) => {
    if (!warnedProxy && req.headers['x-forwarded-for'] !== undefined) {
      warnedProxy = true;
      req.log.warn(
        'En-tête X-Forwarded-For reçu alors que TRUST_PROXY n’est pas défini : il est ignoré. Derrière un proxy, indiquez TRUST_PROXY (voir README, « Derrière un proxy »).',
      );
    }
    if (req.url.startsWith('/static/')) return;
    const token = req.cookies[SESSION_COOKIE];
    if (token && token.length < 100) {
      req.viewer = (await sessionFromToken(deps.db, token)) ?? null;
      if (!req.viewer) reply.clearCookie(SESSION_COOKIE, { path: '/' });
    }
    if (req.viewer) {
      req.csrfToken = req.viewer.csrf_token;
    } else if (req.url.startsWith('/api/')) {
      // the API takes no form: no token to mint (random bytes on every search keystroke otherwise)
    } else {
      const existing = req.cookies[CSRF_COOKIE];
      req.csrfToken =
        existing && /^[\w-]{32}$/.test(existing) ? existing : crypto.randomBytes(24).toString('base64url');
      if (existing !== req.csrfToken && !req.url.startsWith('/api/')) {
        reply.setCookie(CSRF_COOKIE, req.csrfToken, {
          path: '/',
          httpOnly: true,
          sameSite: 'strict',
          secure: deps.config.cookieSecure,
        });
      }
    }
  });

  // Before validation, so a forged request is refused as such whatever its body.
  app.addHook('preValidation', async (req) => {
    if (!UNSAFE.has(req.method) || req.url.startsWith('/api/') || req.url.startsWith('/interne/')) return;
    const body = req.body as Record<string, unknown> | undefined;
    const query = req.query as Record<string, unknown> | undefined;
    const sent =
      (typeof body?._csrf === 'string' && body._csrf) ||
      (typeof query?._csrf === 'string' && query._csrf) ||
      req.headers['x-csrf-token'];
    if (typeof sent !== 'string' || !req.csrfToken || !safeEqual(sent, req.csrfToken)) {
      throw new AppError('CSRF_INVALIDE', `csrf mismatch on ${req.method} ${req.url}`);
    }
    const origin = req.headers.origin;
    // req.host is X-Forwarded-Host only behind a proxy trusted by TRUST_PROXY, else the Host header.
    if (origin !== undefined && !sameOrigin(origin, req.host)) {
      throw new AppError('CSRF_INVALIDE', `cross-origin ${String(origin).slice(0, 200)} on ${req.url}`);
    }
  });
}

export function setSessionCookie(reply: FastifyReply, config: Config, token: string, expires: Date) {
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: config.cookieSecure,
    expires,
  });
}
