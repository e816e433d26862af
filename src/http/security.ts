import crypto from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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
export const CSRF_COOKIE = 'pan_csrf';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/**
 * Sessions and CSRF. Signed-in users carry the token stored with their session; visitors
 * (the login form) get a random token in an HttpOnly, SameSite cookie (double submit).
 * Unsafe methods must echo it in `_csrf` (form field or query) or `x-csrf-token`.
 */
export function registerSecurity(app: FastifyInstance, deps: { db: Db; config: Config }) {
  app.decorateRequest('viewer', null);
  app.decorateRequest('csrfToken', '');

  app.addHook('onRequest', async (req, reply) => {
    if (req.url.startsWith('/static/')) return;
    const token = req.cookies[SESSION_COOKIE];
    if (token && token.length < 100) {
      req.viewer = (await sessionFromToken(deps.db, token)) ?? null;
      if (!req.viewer) reply.clearCookie(SESSION_COOKIE, { path: '/' });
    }
    if (req.viewer) {
      req.csrfToken = req.viewer.csrf_token;
    } else {
      const existing = req.cookies[CSRF_COOKIE];
      req.csrfToken = existing && /^[\w-]{32}$/.test(existing) ? existing : crypto.randomBytes(24).toString('base64url');
      if (existing !== req.csrfToken && !req.url.startsWith('/api/')) {
        reply.setCookie(CSRF_COOKIE, req.csrfToken, { path: '/', httpOnly: true, sameSite: 'strict', secure: deps.config.cookieSecure });
      }
    }
  });

  // Before validation, so a forged request is refused as such whatever its body.
  app.addHook('preValidation', async (req) => {
    if (!UNSAFE.has(req.method) || req.url.startsWith('/api/') || req.url.startsWith('/interne/')) return;
    const body = req.body as Record<string, unknown> | undefined;
    const query = req.query as Record<string, unknown> | undefined;
    const sent = (typeof body?._csrf === 'string' && body._csrf) || (typeof query?._csrf === 'string' && query._csrf) || req.headers['x-csrf-token'];
    if (typeof sent !== 'string' || !req.csrfToken || !safeEqual(sent, req.csrfToken)) {
      throw new AppError('CSRF_INVALIDE', `csrf mismatch on ${req.method} ${req.url}`);
    }
    const origin = req.headers.origin;
    if (origin && origin !== 'null' && new URL(origin).host !== req.headers.host) {
      throw new AppError('CSRF_INVALIDE', `cross-origin ${origin} on ${req.url}`);
    }
  });
}

export function setSessionCookie(reply: FastifyReply, config: Config, token: string, expires: Date) {
  reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure: config.cookieSecure, expires });
}
