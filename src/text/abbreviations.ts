/**
 * The one table of French street abbreviations, shared by address search (`addresses/normalize.ts`) and the
 * matching of operators' building files to addresses (`eligibility/street.ts`).
 *
 * Source: ARCEP's normalisation tables (github.com/ARCEP-dev/adresse, MIT, commit afbc189, 2019-01-21), coded here
 * in folded form (lowercase, no accents) so that nothing is read at run time:
 * - type_voie_normalise.csv + type_voie_perso.csv → `ARCEP_TYPE_VOIE` (street types);
 * - nom_voie.csv → `ARCEP_NOM_VOIE` (words inside a name);
 * - nom_voie_specifique.csv → `NOM_VOIE_SPECIFIQUE` (heavily abbreviated names).
 * Where this project reads an abbreviation differently from ARCEP it is on purpose, listed in `VARIANTS` with the
 * reason; the tables used by the code (`STREET_TYPE_ABBREVIATIONS`, `WORD_ABBREVIATIONS`) are derived from ARCEP's
 * plus these variants and the spellings people type (`TYPED_TYPES`, `TYPED_WORDS`), never written twice.
 */

/** type_voie_normalise.csv (92 rows), then type_voie_perso.csv (87 rows), folded, as ARCEP publishes them. */
export const ARCEP_TYPE_VOIE: Readonly<Record<string, string>> = {
  ach: 'ancien chemin',
  arc: 'arcade',
  art: 'ancienne route',
  aut: 'autoroute',
  av: 'avenue',
  bch: 'bas chemin',
  bcle: 'boucle',
  bd: 'boulevard',
  ber: 'berge',
  bvd: 'boulevard',
  car: 'carrefour',
  carr: 'carre',
  cau: 'carreau',
  cav: 'cavee',
  che: 'chemin',
  chem: 'cheminement',
  chi: 'charmille',
  chs: 'chaussee',
  chv: 'chemin vicinal',
  cote: 'coteau',
  crs: 'cours',
  ctre: 'centre',
  deg: 'degre',
  dig: 'digue',
  dom: 'domaine',
  dsc: 'descente',
  esc: 'escalier',
  esp: 'esplanade',
  espa: 'espace',
  fbg: 'faubourg',
  fg: 'faubourg',
  form: 'forum',
  fos: 'fosse',
  gbd: 'grand boulevard',
  gden: 'grands ensembles',
  gr: 'grande rue',
  grim: 'grimpette',
  hch: 'haut chemin',
  hle: 'halle',
  imp: 'impasse',
  jard: 'jardin',
  jte: 'jetee',
  leve: 'levee',
  lot: 'lotissement',
  mar: 'marche',
  mte: 'montee',
  nte: 'nouvelle route',
  pae: 'petite avenue',
  pas: 'passage',
  pass: 'passe',
  pch: 'petit chemin',
  pdeg: 'petit degre',
  peri: 'peripherique',
  pim: 'petite impasse',
  pl: 'place',
  plci: 'placis',
  pot: 'poterne',
  pour: 'pourtour',
  prom: 'promenade',
  prt: 'petite route',
  prv: 'parvis',
  psty: 'peristyle',
  pta: 'petite allee',
  ptr: 'petite rue',
  ptte: 'placette',
  qrt: 'quartier',
  qu: 'quai',
  qua: 'quartier',
  r: 'rue',
  rac: 'raccourci',
  raid: 'raidillon',
  rem: 'rempart',
  res: 'residence',
  rle: 'ruelle',
  roc: 'rocade',
  roqt: 'roquet',
  rpe: 'rampe',
  rpt: 'rond point',
  rtd: 'rotonde',
  rte: 'route',
  rtte: 'ruette',
  sen: 'sentier',
  sq: 'square',
  tpl: 'terre plein',
  tra: 'traverse',
  trt: 'tertre',
  tsse: 'terrasse',
  vc: 'voie communale',
  vche: 'vieux chemin',
  ven: 'venelle',
  voi: 'voie',
  vte: 'vieille route',
  // type_voie_perso.csv
  a: 'avenue',
  aerd: 'aerodrome',
  aerg: 'aerogare',
  all: 'allee',
  ave: 'avenue',
  balc: 'balcon',
  barr: 'barriere',
  bass: 'bassin',
  bld: 'boulevard',
  brd: 'boulevard',
  brg: 'barrage',
  butt: 'butte',
  cas: 'caserne',
  ccal: 'centre commercial',
  cd: 'chemin departemental',
  ch: 'chemin',
  chal: 'chalet',
  chat: 'chateau',
  chau: 'chaussee',
  chp: 'champ',
  clim: 'climat',
  clr: 'clairiere',
  cont: 'contour',
  cott: 'cottage',
  cr: 'cour',
  ecl: 'ecluse',
  etg: 'etang',
  fb: 'faubourg',
  ferm: 'ferme',
  font: 'fontaine',
  foss: 'fosse',
  frt: 'foret',
  gal: 'galerie',
  gdav: 'grande avenue',
  gdpl: 'grande place',
  gdr: 'grande rue',
  grge: 'grange',
  ham: 'hameau',
  hipp: 'hippodrome',
  imm: 'immeuble',
  ld: 'lieu dit',
  ldt: 'lieu dit',
  mais: 'maison',
  marc: 'marche',
  mch: 'marche',
  metr: 'metro',
  mnt: 'montee',
  pal: 'palais',
  parv: 'parvis',
  pav: 'pavillon',
  pce: 'place',
  pel: 'pelouse',
  piec: 'piece',
  pk: 'point kilometrique',
  pkg: 'parking',
  plai: 'plaine',
  pnte: 'pointe',
  port: 'port',
  prai: 'prairie',
  pro: 'promenade',
  prte: 'porte',
  quar: 'quartier',
  rce: 'residence',
  rd: 'route departementale',
  'rd pt': 'rond point',
  rdpt: 'rond point',
  rn: 'route nationale',
  ruel: 'ruelle',
  ruet: 'ruette',
  sent: 'sentier',
  sente: 'sentier',
  snte: 'sentier',
  sqr: 'square',
  squ: 'square',
  st: 'station',
  terr: 'terrasse',
  tr: 'tour',
  trav: 'traverse',
  val: 'val',
  vall: 'vallee',
  vge: 'village',
  vla: 'villa',
  'voie com': 'voie communale',
  'z a': 'zone artisanale',
  za: 'zone artisanale',
  zac: 'zone d amenagement concerte',
  zi: 'zone industrielle',
};

/** nom_voie.csv (14 rows), folded. */
export const ARCEP_NOM_VOIE: Readonly<Record<string, string>> = {
  card: 'cardinal',
  cdt: 'commandant',
  cmmdt: 'commandant',
  doct: 'docteur',
  gal: 'general',
  gen: 'general',
  mal: 'marechal',
  mar: 'marechal',
  pdt: 'president',
  pres: 'president',
  prof: 'professeur',
  res: 'residence',
  st: 'saint',
  ste: 'sainte',
};

/** nom_voie_specifique.csv (12 rows), folded; replaced wherever the word sequence occurs. */
export const NOM_VOIE_SPECIFIQUE: readonly [string, string][] = [
  ['rue n d des champs', 'rue notre dame des champs'],
  ['john f kennedy', 'kennedy'],
  ['j f kennedy', 'kennedy'],
  ['john kennedy', 'kennedy'],
  ['j b clement', 'jean baptiste clement'],
  ['p v couturier', 'paul vaillant couturier'],
  ['jj', 'jean jacques'],
  ['j j', 'jean jacques'],
  ['i et f', 'frederic et irene'],
  ['f et i', 'frederic et irene'],
  ['p et m', 'pierre et marie'],
];

/**
 * Deliberate departures from ARCEP's tables. `here: null` means the abbreviation is not expanded at all.
 * `where: 'type'` applies at the street-type position, `'word'` inside a name or a free-text query.
 */
export const VARIANTS: readonly {
  abbr: string;
  where: 'type' | 'word';
  arcep: string | null;
  here: string | null;
  why: string;
}[] = [
  {
    abbr: 'chem',
    where: 'type',
    arcep: 'cheminement',
    here: 'chemin',
    why: 'people and operators write CHEM for chemin; cheminement is rare in the BAN',
  },
  {
    abbr: 'st',
    where: 'type',
    arcep: 'station',
    here: 'saint',
    why: 'a leading "St" is far more often Saint (St-Martin…) than a station',
  },
  {
    abbr: 'pass',
    where: 'type',
    arcep: 'passe',
    here: 'passage',
    why: 'people type "pass" for passage; a "passe" is rare',
  },
  {
    abbr: 'a',
    where: 'word',
    arcep: 'avenue',
    here: null,
    why: 'inside a name or a query "a" is the folded preposition "à" (a stopword)',
  },
  {
    abbr: 'mar',
    where: 'word',
    arcep: 'marechal',
    here: null,
    why: 'in a query "mar" is as often mars, marne or marcel; "mal" stays maréchal',
  },
  {
    abbr: 'qua',
    where: 'word',
    arcep: 'quartier',
    here: null,
    why: 'after a number "qua" is the repetition index quater (repetition.ts)',
  },
];

/** Street types people type that ARCEP's tables do not list. */
const TYPED_TYPES: Readonly<Record<string, string>> = {
  ale: 'allee',
  avn: 'avenue',
  aven: 'avenue',
  blvd: 'boulevard',
  boul: 'boulevard',
  bl: 'boulevard',
  chm: 'chemin',
  espl: 'esplanade',
  ipa: 'impasse',
  lt: 'lotissement',
  psg: 'passage',
  plc: 'place',
  rt: 'route',
};

/** Titles and words inside names that people type and nom_voie.csv does not list. */
export const TYPED_WORDS: Readonly<Record<string, string>> = {
  gl: 'general',
  gnl: 'general',
  marech: 'marechal',
  cmdt: 'commandant',
  dr: 'docteur',
  cne: 'capitaine',
  ltn: 'lieutenant',
  sgt: 'sergent',
  adj: 'adjudant',
  col: 'colonel',
  mgr: 'monseigneur',
  abb: 'abbe',
  nd: 'notre dame',
  jj: 'jean jacques',
  sts: 'saints',
  stes: 'saintes',
  premier: '1',
  premiere: '1',
};

/**
 * Street-type abbreviations that are ordinary words, or another abbreviation, anywhere but at the head of a name
 * ("Rue de la Cote", "Port", "Val", "Gal" = général): read as a street type only where the type stands.
 */
export const TYPE_POSITION_ONLY: ReadonlySet<string> = new Set([
  'a',
  'arc',
  'art',
  'aut',
  'ber',
  'cas',
  'cav',
  'cd',
  'chal',
  'chat',
  'chp',
  'clim',
  'cont',
  'cote',
  'cott',
  'deg',
  'dig',
  'ferm',
  'font',
  'form',
  'fos',
  'foss',
  'gal',
  'leve',
  'lot',
  'mais',
  'mar',
  'marc',
  'metr',
  'pal',
  'pas',
  'pav',
  'pel',
  'piec',
  'pk',
  'port',
  'pot',
  'pour',
  'qua',
  'rd',
  'rem',
  'rn',
  'roc',
  'tr',
  'val',
  'balc',
  'barr',
  'bass',
  'butt',
  'imm',
  'ven',
  'carr',
  'rd pt',
  'voie com',
  'z a',
]);

const variant = (where: 'type' | 'word') =>
  Object.fromEntries(VARIANTS.filter((v) => v.where === where).map((v) => [v.abbr, v.here]));

function withVariants(base: Record<string, string>, where: 'type' | 'word'): Record<string, string> {
  const out = { ...base };
  for (const [abbr, here] of Object.entries(variant(where))) {
    if (here === null) delete out[abbr];
    else out[abbr] = here;
  }
  return out;
}

/** Street types at the head of a name: ARCEP's types, typed spellings that are types, and the variants. */
export const STREET_TYPE_ABBREVIATIONS: Readonly<Record<string, string>> = withVariants(
  { ...ARCEP_TYPE_VOIE, ...TYPED_TYPES },
  'type',
);

/** Words inside a name or a query: ARCEP's name words, the types that are not ordinary words, typed spellings, variants. */
export const WORD_ABBREVIATIONS: Readonly<Record<string, string>> = withVariants(
  {
    ...Object.fromEntries(
      Object.entries(withVariants({ ...ARCEP_TYPE_VOIE }, 'type')).filter(
        ([k]) => !TYPE_POSITION_ONLY.has(k) && !k.includes(' '),
      ),
    ),
    ...TYPED_TYPES,
    ...ARCEP_NOM_VOIE,
    ...TYPED_WORDS,
  },
  'word',
);
