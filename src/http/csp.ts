/**
 * The Content-Security-Policy of HTML pages. Every page gets `contentSecurityPolicy()`; a page may widen it
 * narrowly (the interactive maps add their base map's origins to `connect-src` and `img-src`; the embeddable
 * map lets any site frame it) by setting the header itself before it is sent.
 */
type CspOptions = { connect?: string[]; frameAncestors?: 'none' | '*' };

export function contentSecurityPolicy(o: CspOptions = {}): string {
  const extra = (o.connect ?? []).map((x) => ` ${x}`).join('');
  return [
    "default-src 'self'",
    `img-src 'self' data: blob:${extra}`,
    "style-src 'self' 'unsafe-inline'",
    "script-src 'self'",
    "worker-src 'self' blob:",
    `connect-src 'self'${extra}`,
    `frame-ancestors ${o.frameAncestors === '*' ? '*' : "'none'"}`,
    "form-action 'self'",
    "base-uri 'self'",
  ].join('; ');
}

/** True when the policy lets other sites frame the page (then X-Frame-Options must not forbid it). */
export const framable = (csp: string) => /frame-ancestors \*/.test(csp);
