/**
 * Role matrix of the digital-maturity observatory (issue 13): its only write route is the anonymous
 * questionnaire, open to everyone on purpose.
 */
export const publicRoutes: Record<string, string> = {
  'POST /ressources/maturite':
    'anonymous self-diagnostic questionnaire, no account by design (CSRF by double-submit cookie, rate-limited per address)',
};
