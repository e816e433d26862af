/**
 * French address normalisation shared by the index (street and commune names) and the queries:
 * case, accents, apostrophes and hyphens, elided and plain articles, street-type and title
 * abbreviations (after ARCEP's normalisation tables `type_voie_normalise`, `type_voie_perso` and
 * `nom_voie`, coded here so that nothing is read at run time), "st"/"saint", ordinals.
 */

import { fold, unaccentLower } from '../text/normalize.ts';

/** Lowercase, no accents, every run of non-alphanumerics as one space. */
export const foldText = fold;

/** Words dropped everywhere: articles, elided articles and prepositions that carry no meaning. */
export const STOPWORDS = new Set(['de', 'du', 'des', 'la', 'le', 'les', 'l', 'd', 'au', 'aux', 'et', 'a', 'en', 'un', 'une']);

/**
 * Abbreviation → full word. Street types from ARCEP's type_voie tables (plus common spellings
 * users type), titles from nom_voie. A few ARCEP entries are left out on purpose because they
 * clash with ordinary words or number suffixes: "a" (avenue), "st" (station: here "saint"),
 * "chem" (cheminement: users mean "chemin"), "mar" (marché/maréchal), "pass", "port", "val".
 */
export const ABBREVIATIONS: Readonly<Record<string, string>> = {
  // street types
  ach: 'ancien chemin', all: 'allee', ale: 'allee', av: 'avenue', ave: 'avenue', avn: 'avenue', aven: 'avenue',
  bd: 'boulevard', bld: 'boulevard', blvd: 'boulevard', bvd: 'boulevard', brd: 'boulevard', boul: 'boulevard', bl: 'boulevard',
  car: 'carrefour', carr: 'carrefour', ch: 'chemin', che: 'chemin', chem: 'chemin', chm: 'chemin', chs: 'chaussee', chau: 'chaussee',
  chv: 'chemin vicinal', cr: 'cour', crs: 'cours', ctre: 'centre', ccal: 'centre commercial',
  dom: 'domaine', esc: 'escalier', esp: 'esplanade', espl: 'esplanade',
  fbg: 'faubourg', fg: 'faubourg', fb: 'faubourg', gdr: 'grande rue', gr: 'grande rue', ham: 'hameau', hle: 'halle',
  imp: 'impasse', ipa: 'impasse', jard: 'jardin', ld: 'lieu dit', ldt: 'lieu dit', lt: 'lotissement',
  mte: 'montee', mnt: 'montee', psg: 'passage', pass: 'passage', pce: 'place', pl: 'place', plc: 'place', prom: 'promenade', pro: 'promenade', prv: 'parvis', parv: 'parvis',
  ptte: 'placette', qu: 'quai', qrt: 'quartier', quar: 'quartier',
  r: 'rue', res: 'residence', rce: 'residence', rle: 'ruelle', ruel: 'ruelle', rpt: 'rond point', rdpt: 'rond point', rpe: 'rampe',
  rte: 'route', rt: 'route', sen: 'sentier', sent: 'sentier', snte: 'sentier', sq: 'square', sqr: 'square', squ: 'square',
  tra: 'traverse', trav: 'traverse', tsse: 'terrasse', terr: 'terrasse', vla: 'villa', vte: 'vieille route', vche: 'vieux chemin',
  za: 'zone artisanale', zac: 'zone amenagement concerte', zi: 'zone industrielle', vc: 'voie communale', voi: 'voie',
  // titles and words inside street names
  st: 'saint', ste: 'sainte', sts: 'saints', stes: 'saintes',
  gen: 'general', gal: 'general', gl: 'general', gnl: 'general', mal: 'marechal', marech: 'marechal', pdt: 'president', pres: 'president',
  cdt: 'commandant', cmdt: 'commandant', cmmdt: 'commandant', doct: 'docteur', dr: 'docteur', prof: 'professeur', card: 'cardinal',
  cne: 'capitaine', ltn: 'lieutenant', sgt: 'sergent', adj: 'adjudant', col: 'colonel',
  mgr: 'monseigneur', abb: 'abbe', nd: 'notre dame', jj: 'jean jacques',
  // ordinals written out
  premier: '1', premiere: '1',
};

/** Street-type words: they weigh less in a query than the specific words of a name. */
export const STREET_TYPES = new Set([
  'rue', 'avenue', 'boulevard', 'place', 'chemin', 'impasse', 'allee', 'route', 'quai', 'square', 'cours', 'passage', 'faubourg',
  'sentier', 'villa', 'cite', 'residence', 'lotissement', 'hameau', 'lieu', 'dit', 'ruelle', 'traverse', 'montee', 'promenade',
  'esplanade', 'parvis', 'rond', 'point', 'voie', 'cour', 'clos', 'domaine', 'zone', 'grande', 'petite', 'ancien', 'vieux', 'vieille',
  'saint', 'sainte', 'arrondissement',
]);

/** Number suffixes ("indice de répétition"): canonical short form. */
export const SUFFIXES: Readonly<Record<string, string>> = {
  bis: 'bis', b: 'b', ter: 'ter', t: 't', quater: 'quater', qua: 'quater', q: 'q', quinquies: 'quinquies', c: 'c', a: 'a', d: 'd', e: 'e', f: 'f',
};
/** Short and long suffix forms that designate the same repetition. */
export const SUFFIX_EQUIV: Readonly<Record<string, string>> = { b: 'bis', bis: 'bis', t: 'ter', ter: 'ter', q: 'quater', quater: 'quater' };

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
};
export type ParsedQuery = {
  housenumber: number | null;
  suffix: string | null;
  postcode: string | null;
  words: QueryToken[];
  /** true when the query ends while a word is being typed (no trailing space): prefix match it. */
  typing: boolean;
};

const NUM_WITH_SUFFIX = /^(\d{1,5})(bis|ter|quater|[a-z])?$/;

/**
 * Splits a free-text query into house number (+ suffix), postcode and words. The house number is
 * a leading number ("12", "12bis", "12 b"); a 5-digit number is a postcode; other numbers are
 * words of the name (rue du 8 mai 1945).
 */
export function parseQuery(q: string): ParsedQuery {
  const typing = !/[\s,;]$/.test(q);
  const raw = foldText(q).split(' ').filter(Boolean);
  let housenumber: number | null = null;
  let suffix: string | null = null;
  let postcode: string | null = null;
  const words: QueryToken[] = [];
  for (let i = 0; i < raw.length; i++) {
    const w = raw[i]!;
    if (/^\d{5}$/.test(w) && postcode === null) {
      postcode = w;
      continue;
    }
    const m = NUM_WITH_SUFFIX.exec(w);
    if (m && i === 0 && housenumber === null && w.length <= 8) {
      housenumber = Number(m[1]);
      if (m[2]) suffix = m[2] === 'qua' ? 'quater' : m[2];
      else {
        // "12 bis rue…", "12 b rue…": a suffix word right after the number.
        // BAN repetition indices go beyond bis/ter: "3 bu", "214 p", "51 w".
        const next = raw[i + 1];
        if (next && raw.length > i + 2 && (SUFFIXES[next] || (/^[a-z]{1,2}\d?$/.test(next) && !ABBREVIATIONS[next] && !STOPWORDS.has(next)))) {
          suffix = SUFFIXES[next] ?? next;
          i++;
        }
      }
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

/** Normalised suffix as stored ("B", "bis", "Ter" → "b", "bis", "ter"). */
export function normSuffix(s: string | null | undefined): string | null {
  if (!s) return null;
  const f = foldText(s).replace(/ /g, '');
  return f || null;
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
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[m]!;
}
