/**
 * Where to go back after signing in: only a path of this site. Anything that a browser could read
 * as another origin (`//evil`, `/\evil`, `https://…`, control characters that some browsers strip)
 * falls back to `fallback`, so the login page can never be used as an open redirect.
 */
const BASE = 'http://plateforme.invalid';
const NO_RETURN = new Set(['/connexion', '/deconnexion']);

function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

export function safeReturnPath(input: unknown, fallback = '/admin'): string {
  if (typeof input !== 'string' || input.length === 0 || input.length > 500) return fallback;
  if (!input.startsWith('/') || input.startsWith('//') || input.includes('\\') || hasControlCharacter(input))
    return fallback;
  let u: URL;
  try {
    u = new URL(input, BASE);
  } catch {
    return fallback;
  }
  if (u.origin !== BASE || NO_RETURN.has(u.pathname)) return fallback;
  return `${u.pathname}${u.search}${u.hash}`;
}

/** The login page's URL that returns to `path` afterwards. */
export function loginHref(path: string | null | undefined): string {
  const back = safeReturnPath(path, '');
  return back && back !== '/' ? `/connexion?next=${encodeURIComponent(back)}` : '/connexion';
}
