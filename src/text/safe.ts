/**
 * Text bound for the database: PostgreSQL refuses NUL bytes in text and in jsonb, and lone UTF-16
 * surrogates in jsonb. Whatever a file or an error message holds, what is stored is valid UTF-8.
 */
const UNSAFE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function safeText(s: string): string {
  return s.replace(UNSAFE, '\uFFFD');
}

/** `safeText` with a length cap, for messages and samples that quote a file. */
export function safeSnippet(s: string, max: number): string {
  // Cut first, clean after: a cut may split a surrogate pair, which cleaning then replaces.
  return safeText(s.length > max ? `${s.slice(0, max - 1)}…` : s);
}

const UNSAFE_ESCAPES =
  /\\u0000|\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}/g;

/**
 * JSON text whose \u0000 and lone-surrogate escapes are replaced by \ufffd, so that the strings
 * it parses to are safe to store. (A literal backslash before "u0000" is read the same way: a
 * harmless change of a meaningless text.)
 */
export function safeJsonText(s: string): string {
  return s.replace(UNSAFE_ESCAPES, '\\ufffd');
}
