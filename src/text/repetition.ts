import { fold } from './normalize.ts';

/**
 * Repetition indices ("indice de répétition") after a house number: 12 bis, 12 ter, 12 B… The BAN writes them
 * long (bis, ter) or as a letter (a, b, c…); "b" and "bis" name the same address in most files, so the long
 * and short forms of the first four compare equal.
 */
const REPETITION_WORDS: Readonly<Record<string, string>> = {
  bis: 'bis',
  ter: 'ter',
  quater: 'quater',
  qua: 'quater',
  quinquies: 'quinquies',
  quin: 'quinquies',
  sexies: 'sexies',
};
const SHORT: Readonly<Record<string, string>> = { b: 'bis', t: 'ter', q: 'quater' };

/** As stored: folded, no spaces ("B", " Bis " → "b", "bis"); null when none. */
export function normRepetition(s: string | null | undefined): string | null {
  const f = fold(s ?? '').replace(/ /g, '');
  return f ? (REPETITION_WORDS[f] ?? f) : null;
}

/** Comparison key: the short and long forms of bis, ter, quater as one ("b" → "bis"); '' when none. */
export function repetitionKey(s: string | null | undefined): string {
  const f = normRepetition(s) ?? '';
  return SHORT[f] ?? f;
}

/** A folded word that is a repetition index written out (bis, ter, qua, quater…), or null. */
export function repetitionWord(w: string): string | null {
  return REPETITION_WORDS[w] ?? null;
}
