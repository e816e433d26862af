import { fold } from '../text/normalize.ts';

/**
 * Street-name normalisation for matching operators' building files to the address base, after
 * ARCEP's own tables (github.com/ARCEP-dev/adresse, MIT, commit afbc189, 2019-01-21), coded here
 * in folded form (lowercase, no accents):
 * - type_voie_normalise.csv + type_voie_perso.csv: street-type abbreviations, applied to the
 *   leading word(s) of the name only (where the type stands);
 * - nom_voie.csv: abbreviations inside the name (cdt → commandant, st → saint…);
 * - nom_voie_specifique.csv: heavily abbreviated names (j j → jean jacques…).
 * ARCEP's nom_voie_accent.csv and nom_voie_article.csv restore accents and articles before
 * geocoding; for comparing two names the same effect is reached by folding accents away and
 * dropping articles on both sides, which is what `streetKey` does.
 */

/** type_voie_normalise.csv (92 rows), then type_voie_perso.csv (87 rows), folded. */
export const TYPE_VOIE: Readonly<Record<string, string>> = {
  ach: 'ancien chemin', arc: 'arcade', art: 'ancienne route', aut: 'autoroute', av: 'avenue', bch: 'bas chemin', bcle: 'boucle',
  bd: 'boulevard', ber: 'berge', bvd: 'boulevard', car: 'carrefour', carr: 'carre', cau: 'carreau', cav: 'cavee', che: 'chemin',
  chem: 'cheminement', chi: 'charmille', chs: 'chaussee', chv: 'chemin vicinal', cote: 'coteau', crs: 'cours', ctre: 'centre',
  deg: 'degre', dig: 'digue', dom: 'domaine', dsc: 'descente', esc: 'escalier', esp: 'esplanade', espa: 'espace', fbg: 'faubourg',
  fg: 'faubourg', form: 'forum', fos: 'fosse', gbd: 'grand boulevard', gden: 'grands ensembles', gr: 'grande rue', grim: 'grimpette',
  hch: 'haut chemin', hle: 'halle', imp: 'impasse', jard: 'jardin', jte: 'jetee', leve: 'levee', lot: 'lotissement', mar: 'marche',
  mte: 'montee', nte: 'nouvelle route', pae: 'petite avenue', pas: 'passage', pass: 'passe', pch: 'petit chemin', pdeg: 'petit degre',
  peri: 'peripherique', pim: 'petite impasse', pl: 'place', plci: 'placis', pot: 'poterne', pour: 'pourtour', prom: 'promenade',
  prt: 'petite route', prv: 'parvis', psty: 'peristyle', pta: 'petite allee', ptr: 'petite rue', ptte: 'placette', qrt: 'quartier',
  qu: 'quai', qua: 'quartier', r: 'rue', rac: 'raccourci', raid: 'raidillon', rem: 'rempart', res: 'residence', rle: 'ruelle',
  roc: 'rocade', roqt: 'roquet', rpe: 'rampe', rpt: 'rond point', rtd: 'rotonde', rte: 'route', rtte: 'ruette', sen: 'sentier',
  sq: 'square', tpl: 'terre plein', tra: 'traverse', trt: 'tertre', tsse: 'terrasse', vc: 'voie communale', vche: 'vieux chemin',
  ven: 'venelle', voi: 'voie', vte: 'vieille route',
  // type_voie_perso.csv
  a: 'avenue', aerd: 'aerodrome', aerg: 'aerogare', all: 'allee', ave: 'avenue', balc: 'balcon', barr: 'barriere', bass: 'bassin',
  bld: 'boulevard', brd: 'boulevard', brg: 'barrage', butt: 'butte', cas: 'caserne', ccal: 'centre commercial', cd: 'chemin departemental',
  ch: 'chemin', chal: 'chalet', chat: 'chateau', chau: 'chaussee', chp: 'champ', clim: 'climat', clr: 'clairiere', cont: 'contour',
  cott: 'cottage', cr: 'cour', ecl: 'ecluse', etg: 'etang', fb: 'faubourg', ferm: 'ferme', font: 'fontaine', foss: 'fosse', frt: 'foret',
  gal: 'galerie', gdav: 'grande avenue', gdpl: 'grande place', gdr: 'grande rue', grge: 'grange', ham: 'hameau', hipp: 'hippodrome',
  imm: 'immeuble', ld: 'lieu dit', ldt: 'lieu dit', mais: 'maison', marc: 'marche', mch: 'marche', metr: 'metro', mnt: 'montee',
  pal: 'palais', parv: 'parvis', pav: 'pavillon', pce: 'place', pel: 'pelouse', piec: 'piece', pk: 'point kilometrique', pkg: 'parking',
  plai: 'plaine', pnte: 'pointe', port: 'port', prai: 'prairie', pro: 'promenade', prte: 'porte', quar: 'quartier', rce: 'residence',
  rd: 'route departementale', 'rd pt': 'rond point', rdpt: 'rond point', rn: 'route nationale', ruel: 'ruelle', ruet: 'ruette',
  sent: 'sentier', sente: 'sentier', snte: 'sentier', sqr: 'square', squ: 'square',
  // ARCEP's perso table reads a leading "st" as "station"; in address bases a leading "St" is far more
  // often "Saint" (St-Martin…), so "st" is left to nom_voie.csv below.
  terr: 'terrasse', tr: 'tour', trav: 'traverse', val: 'val', vall: 'vallee', vge: 'village', vla: 'villa',
  'voie com': 'voie communale', 'z a': 'zone artisanale', za: 'zone artisanale', zac: 'zone d amenagement concerte', zi: 'zone industrielle',
};

/** nom_voie.csv (14 rows), folded. */
export const NOM_VOIE: Readonly<Record<string, string>> = {
  card: 'cardinal', cdt: 'commandant', cmmdt: 'commandant', doct: 'docteur', gal: 'general', gen: 'general', mal: 'marechal',
  mar: 'marechal', pdt: 'president', pres: 'president', prof: 'professeur', res: 'residence', st: 'saint', ste: 'sainte',
  // Plural forms used in the address base itself.
  sts: 'saints', stes: 'saintes',
};

/** nom_voie_specifique.csv (12 rows), folded; replaced wherever the word sequence occurs. */
export const NOM_VOIE_SPECIFIQUE: readonly [string, string][] = [
  ['rue n d des champs', 'rue notre dame des champs'], ['john f kennedy', 'kennedy'], ['j f kennedy', 'kennedy'], ['john kennedy', 'kennedy'],
  ['j b clement', 'jean baptiste clement'], ['p v couturier', 'paul vaillant couturier'], ['jj', 'jean jacques'], ['j j', 'jean jacques'],
  ['i et f', 'frederic et irene'], ['f et i', 'frederic et irene'], ['p et m', 'pierre et marie'],
];

/** Articles and particles ignored when comparing names (what nom_voie_article.csv restores). */
const STOP = new Set(['de', 'du', 'des', 'la', 'le', 'les', 'l', 'd', 'au', 'aux', 'et', 'a', 'en', 'sur', 'sous']);

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
  if (two && TYPE_VOIE[two]) { out.push(TYPE_VOIE[two]!); i = 2; }
  else if (words.length > 1 && TYPE_VOIE[words[0]!]) { out.push(TYPE_VOIE[words[0]!]!); i = 1; }
  for (; i < words.length; i++) out.push(NOM_VOIE[words[i]!] ?? words[i]!);
  return out.join(' ');
}

const keyCache = new Map<string, string>();

/** Comparison key: normalised name without articles and particles (memoised: names repeat a lot). */
export function streetKey(typeVoie: string | null | undefined, nomVoie: string | null | undefined): string {
  const raw = `${typeVoie ?? ''}\u0000${nomVoie ?? ''}`;
  const hit = keyCache.get(raw);
  if (hit !== undefined) return hit;
  const k = normalizeStreet(typeVoie, nomVoie).split(' ').filter((w) => w && !STOP.has(w)).join(' ');
  if (keyCache.size >= 200_000) keyCache.clear();
  keyCache.set(raw, k);
  return k;
}

const REP: Record<string, string> = { b: 'bis', bis: 'bis', t: 'ter', ter: 'ter', q: 'quater', quater: 'quater' };

/** Repetition index (bis, ter, b, t…) in one form; '' when none. */
export function repKey(rep: string | null | undefined): string {
  const f = fold(rep ?? '').replace(/ /g, '');
  return REP[f] ?? f;
}
