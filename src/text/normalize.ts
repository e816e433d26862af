/**
 * French-aware text folding shared by every search: lowercase, no accents, apostrophes and
 * hyphens as spaces, "st"/"ste" read as "saint"/"sainte".
 */
const COMBINING = /[\u0300-\u036f]/g;

/** Lowercase without accents, ligatures spelt out; punctuation kept. */
export function unaccentLower(s: string): string {
  return s.normalize('NFD').replace(COMBINING, '').toLowerCase().replace(/œ/g, 'oe').replace(/æ/g, 'ae');
}

export function fold(s: string): string {
  return unaccentLower(s)
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

const SAINTS: Record<string, string> = { st: 'saint', ste: 'sainte', sts: 'saints', stes: 'saintes' };

/** Folded form used to store and compare place names. */
export function normalizeName(s: string): string {
  return fold(s)
    .split(' ')
    .map((w) => SAINTS[w] ?? w)
    .join(' ');
}
