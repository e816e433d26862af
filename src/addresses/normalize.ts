/**
 * French address normalisation shared by the index (street and commune names) and the queries: case, accents,
 * apostrophes and hyphens, elided and plain articles, street-type and title abbreviations (the project's one
 * table, `src/text/abbreviations.ts`), "st"/"saint", ordinals, and where the house number stands in a query.
 */

import { WORD_ABBREVIATIONS } from '../text/abbreviations.ts';
import { fold, unaccentLower } from '../text/normalize.ts';
import { repetitionKey, repetitionWord } from '../text/repetition.ts';
import { STOPWORDS } from '../text/stopwords.ts';

/** Lowercase, no accents, every run of non-alphanumerics as one space. */
export const foldText = fold;

/** Abbreviation → full word, read anywhere in a name or a query. */
const ABBREVIATIONS = WORD_ABBREVIATIONS;

/** Street-type words: they weigh less in a query than the specific words of a name. */
export const STREET_TYPES = new Set([
  'rue',
  'avenue',
  'boulevard',
  'place',
  'chemin',
  'impasse',
  'allee',
  'route',
  'quai',
  'square',
  'cours',
  'passage',
  'faubourg',
  'sentier',
  'villa',
  'cite',
  'residence',
  'lotissement',
  'hameau',
  'lieu',
  'dit',
  'ruelle',
  'traverse',
  'montee',
  'promenade',
  'esplanade',
  'parvis',
  'rond',
  'point',
  'voie',
  'cour',
  'clos',
  'domaine',
  'zone',
  'grande',
  'petite',
  'ancien',
  'vieux',
  'vieille',
  'saint',
  'sainte',
  'arrondissement',
]);

/** Two repetition indices name the same address ("b" and "bis"). */
export function sameRepetition(a: string, b: string): boolean {
  return repetitionKey(a) === repetitionKey(b);
}

const ORDINAL = /^(\d+)(?:er|ere|eme|em|e|nd|nde)$/;

/** One folded word → its normalised tokens (an abbreviation can become two words). */
function normWord(w: string): string[] {
  const o = ORDINAL.exec(w);
  if (o) return [String(Number(o[1]))];
  const a = ABBREVIATIONS[w];
  if (a) return a.split(' ');
  if (/^\d+$/.test(w)) return [String(Number(w))];
  return [w];
}

/** Tokens of a name (street, commune): folded, abbreviations expanded, articles dropped. */
export function nameTokens(s: string): string[] {
  const out: string[] = [];
  for (const w of foldText(s).split(' ')) {
    if (!w || STOPWORDS.has(w)) continue;
    for (const t of normWord(w)) if (!STOPWORDS.has(t)) out.push(t);
  }
  return out;
}

/**
 * Words a name joins with a hyphen or an apostrophe, written as one ("Saint-Bernard" → "saintbernard",
 * "d'Oslo" → "doslo"), with the name tokens they stand for: people type them glued together.
 */
export function joinedTokens(s: string): { joined: string; parts: (string | null)[] }[] {
  const f = unaccentLower(s).replace(/[’`]/g, "'");
  const out: { joined: string; parts: (string | null)[] }[] = [];
  for (const seg of f.split(/[^a-z0-9'-]+/)) {
    const w = seg.split(/['-]+/).filter(Boolean);
    for (let i = 0; i + 1 < w.length; i++) {
      const joined = w[i]! + w[i + 1]!;
      if (joined.length < 5) continue;
      const part = (x: string) => {
        const n = normWord(x)[0]!;
        return STOPWORDS.has(n) ? null : n;
      };
      out.push({ joined, parts: [part(w[i]!), part(w[i + 1]!)] });
    }
  }
  return out;
}

export type QueryToken = {
  text: string;
  /** as typed, before abbreviation expansion */
  raw: string;
  last: boolean;
  /** the word being typed (last, no trailing space): `text` is what was typed, `full` its abbreviation expansion if any */
  typing?: boolean;
  full?: string;
  /**
   * A number that is not at the head of the query ("Belfort 3 fbg de france", "rue oberkampf 12"): a word of the
   * street name when the name has it (rue du 8 mai 1945), the house number otherwise.
   */
  house?: { num: number; suffix: string | null };
  /** the end of a range ("12-14"): a word when the name has it, ignored otherwise */
  optional?: boolean;
};
export type ParsedQuery = {
  housenumber: number | null;
  suffix: string | null;
  postcode: string | null;
  words: QueryToken[];
  /** true when the query ends while a word is being typed (no trailing space): prefix match it. */
  typing: boolean;
};

/** A folded word of the query and how it was joined to the previous one. */
type RawWord = { w: string; rangeEnd: boolean };

/** A number and a glued repetition index: "12", "12b", "12bis", "6bv" (BAN indices go up to three letters). */
const NUM_WITH_SUFFIX = /^(\d{1,5})(bis|ter|quater|quinquies|[a-z]{1,3})?$/;
const NUMBER_SIGNS = new Set(['n', 'no', 'num', 'numero']);
const LIEU_DIT = new Set(['lieudit', 'ld', 'ldt']);
const RANGE_SEP = /^\s*[-/\u2013]\s*$/;
const DIGITS = /^\d+$/;

/**
 * The query's folded words, with the second number of a range ("12-14", "12/14") marked: an address on a
 * corner is written with both numbers, the first one is the address.
 */
function queryWords(q: string): RawWord[] {
  const s = unaccentLower(q);
  const out: RawWord[] = [];
  const re = /[a-z0-9]+/g;
  let prevEnd = -1;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const w = m[0];
    const prev = out.length ? out[out.length - 1]! : null;
    // only a number right after a number can end a range: test the separator for those alone
    const rangeEnd =
      prev !== null &&
      DIGITS.test(w) &&
      /^\d{1,4}[a-z]*$/.test(prev.w) &&
      RANGE_SEP.test(s.slice(prevEnd, m.index)) &&
      Number(w) > parseInt(prev.w, 10);
    out.push({ w, rangeEnd });
    prevEnd = m.index + w.length;
  }
  return out;
}

/** "3 bu", "214 p": a repetition index written as its own word after a number at the head of the query. */
function suffixWordAfterHead(next: string | undefined, more: boolean): string | null {
  if (!next || !more) return null;
  const long = repetitionWord(next);
  if (long) return long;
  // BAN repetition indices go beyond bis/ter: "3 bu", "214 p", "51 w" ("r" after a number is rue).
  // A lone letter is an index even when it is also a stopword ("14 a rue…"), except the elided article l'.
  if (/^[a-z]$/.test(next) && next !== 'l' && !ABBREVIATIONS[next]) return next;
  if (/^[a-z]{1,2}\d?$/.test(next) && !ABBREVIATIONS[next] && !STOPWORDS.has(next)) return next;
  return null;
}

/**
 * Splits a free-text query into house number (+ suffix), postcode and words. A 5-digit number is a postcode;
 * the first number before any word ("12 rue…", "75011 12 rue…", "n°12 rue…") is the house number; a number
 * after a word ("Belfort 3 fbg de france", "rue oberkampf 12") is kept as a `house` word, decided against each
 * street (a word of its name, or its house number); ordinals and the end of a range are never house numbers.
 * "lieu-dit" is dropped: a lieu-dit is searched by its name.
 */
export function parseQuery(q: string): ParsedQuery {
  const typing = !/[\s,;]$/.test(q);
  const raw = queryWords(q);
  let housenumber: number | null = null;
  let suffix: string | null = null;
  let postcode: string | null = null;
  const words: QueryToken[] = [];
  const isNumber = (i: number) => /^\d/.test(raw[i]?.w ?? '');
  for (let i = 0; i < raw.length; i++) {
    const { w, rangeEnd } = raw[i]!;
    if (/^\d{5}$/.test(w) && postcode === null) {
      postcode = w;
      continue;
    }
    if (NUMBER_SIGNS.has(w) && isNumber(i + 1)) continue;
    if (LIEU_DIT.has(w) && raw.length > i + 1) continue;
    if (w === 'lieu' && raw[i + 1]?.w === 'dit') {
      i++;
      continue;
    }
    // "1er", "2e", "3eme" are ordinals (rue du 1er mai), not a number with an index, except "12e" at the head
    const ordinal: boolean = ORDINAL.test(w) && !(/^\d+e$/.test(w) && housenumber === null && words.length === 0);
    const m: RegExpExecArray | null = ordinal ? null : NUM_WITH_SUFFIX.exec(w);
    if (m && rangeEnd) {
      words.push({ text: String(Number(w)), raw: w, last: false, optional: true });
      continue;
    }
    if (m && housenumber === null && words.length === 0) {
      housenumber = Number(m[1]);
      if (m[2]) suffix = repetitionWord(m[2]) ?? m[2];
      else {
        const sw = suffixWordAfterHead(raw[i + 1]?.w, raw.length > i + 2);
        if (sw) {
          suffix = sw;
          i++;
        }
      }
      continue;
    }
    if (m && m[1]!.length <= 4) {
      let sfx = m[2] ? (repetitionWord(m[2]) ?? m[2]) : null;
      const next = raw[i + 1]?.w;
      // "rue oberkampf 12 bis", "Paris 87 m quai d'orsay": a long index, or a lone letter that is not "rue" or "l'"
      if (!sfx && next && (repetitionWord(next) || (/^[a-z]$/.test(next) && next !== 'l' && !ABBREVIATIONS[next]))) {
        sfx = repetitionWord(next) ?? next;
        i++;
      } else if (!sfx) {
        sfx = suffixWordAfterHead(next, raw.length > i + 2);
        if (sfx) i++;
      }
      words.push({ text: String(Number(m[1])), raw: w, last: false, house: { num: Number(m[1]), suffix: sfx } });
      continue;
    }
    if (typing && i === raw.length - 1 && !/^\d+$/.test(w)) {
      // Being typed: a prefix of anything, "ch" may become "charpentier" as well as "chemin".
      const n = normWord(w).filter((t) => !STOPWORDS.has(t));
      const full = n.length === 1 && n[0] !== w ? n[0] : undefined;
      if (STOPWORDS.has(w) && words.length) continue;
      words.push({ text: w, raw: w, last: false, typing: true, ...(full ? { full } : {}) });
      continue;
    }
    if (STOPWORDS.has(w)) continue;
    for (const t of normWord(w)) if (!STOPWORDS.has(t)) words.push({ text: t, raw: w, last: false });
  }
  if (words.length) words[words.length - 1]!.last = true;
  return { housenumber, suffix, postcode, words, typing };
}

/** Optimal string alignment distance, stopping early above `max`. */
export function editDistance(a: string, b: string, max = 2): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = a.length;
  const m = b.length;
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let cur = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= m; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1))
        v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[m]!;
}
