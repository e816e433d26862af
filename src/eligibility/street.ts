import { ARCEP_NOM_VOIE, NOM_VOIE_SPECIFIQUE, STREET_TYPE_ABBREVIATIONS, TYPED_WORDS } from '../text/abbreviations.ts';
import { fold } from '../text/normalize.ts';
import { repetitionKey } from '../text/repetition.ts';
import { MATCHING_PARTICLES, STOPWORDS } from '../text/stopwords.ts';

/**
 * Street-name normalisation for matching operators' building files to the address base, after ARCEP's own
 * method (github.com/ARCEP-dev/adresse): street-type abbreviations are applied to the leading word(s) of the
 * name only (where the type stands), name abbreviations inside it, and heavily abbreviated names as a whole.
 * The tables are the project's one table (`src/text/abbreviations.ts`, with its documented variants).
 * ARCEP's nom_voie_accent.csv and nom_voie_article.csv restore accents and articles before geocoding; for
 * comparing two names the same effect is reached by folding accents away and dropping articles on both sides,
 * which is what `streetKey` does.
 */

/** Street types at the head of a name (ARCEP's type_voie tables with the project's variants). */
export const TYPE_VOIE = STREET_TYPE_ABBREVIATIONS;

/** Abbreviations inside a name: ARCEP's nom_voie.csv plus titles people type. */
const NOM_VOIE: Readonly<Record<string, string>> = { ...ARCEP_NOM_VOIE, ...TYPED_WORDS };

/** Full street name with ARCEP's expansions applied (folded, readable). */
export function normalizeStreet(typeVoie: string | null | undefined, nomVoie: string | null | undefined): string {
  let s = ` ${fold(`${typeVoie ?? ''} ${nomVoie ?? ''}`)} `;
  if (!s.trim()) return '';
  for (const [from, to] of NOM_VOIE_SPECIFIQUE) s = s.split(` ${from} `).join(` ${to} `);
  const words = s.trim().split(' ');
  const out: string[] = [];
  let i = 0;
  // Street type: the first one or two words.
  const two = words.length > 2 ? `${words[0]} ${words[1]}` : '';
  if (two && TYPE_VOIE[two]) {
    out.push(TYPE_VOIE[two]!);
    i = 2;
  } else if (words.length > 1 && TYPE_VOIE[words[0]!]) {
    out.push(TYPE_VOIE[words[0]!]!);
    i = 1;
  }
  for (; i < words.length; i++) out.push(NOM_VOIE[words[i]!] ?? words[i]!);
  return out.join(' ');
}

const keyCache = new Map<string, string>();

/** Comparison key: normalised name without articles and particles (memoised: names repeat a lot). */
export function streetKey(typeVoie: string | null | undefined, nomVoie: string | null | undefined): string {
  const raw = `${typeVoie ?? ''}\u0000${nomVoie ?? ''}`;
  const hit = keyCache.get(raw);
  if (hit !== undefined) return hit;
  const k = normalizeStreet(typeVoie, nomVoie)
    .split(' ')
    .filter((w) => w && !STOPWORDS.has(w) && !MATCHING_PARTICLES.has(w))
    .join(' ');
  if (keyCache.size >= 200_000) keyCache.clear();
  keyCache.set(raw, k);
  return k;
}

/** Repetition index (bis, ter, b, t…) in one form; '' when none. */
export const repKey = repetitionKey;
