import type { Matrix } from './types.ts';

/** Role matrix of the mobile observatory (issue 12): no write route needs an account yet. */
export const matrix: Matrix = {};

/** Write routes open to visitors on purpose. */
export const publicRoutes: Record<string, string> = {
  'POST /api/v1/mobile/mesures':
    'crowdsourced measurement API: anyone may contribute; zod-validated, rate-limited per client (platform limiter), duplicates within a minute dropped, no IP stored',
  'POST /observatoire/mobile/mesures':
    'the public measurement form (no JavaScript): CSRF by double-submit cookie as the login form, same validation and rate limit as the API',
};
