/**
 * Articles, elided articles and prepositions that carry no meaning in a place or street name ("Rue de la Mairie"
 * is "Rue Mairie" for comparison: ARCEP's nom_voie_article.csv restores them, comparing without them is the same).
 */
export const STOPWORDS: ReadonlySet<string> = new Set([
  'de',
  'du',
  'des',
  'la',
  'le',
  'les',
  'l',
  'd',
  'au',
  'aux',
  'et',
  'a',
  'en',
  'un',
  'une',
]);

/**
 * Particles that building files often leave out ("CHE VIGNES" for "Chemin sur les Vignes"): dropped when matching
 * them to addresses, but kept by address search, where they tell streets apart ("Rue de Sous la Chaux" and
 * "Rue de la Chaux" in the same commune).
 */
export const MATCHING_PARTICLES: ReadonlySet<string> = new Set(['sur', 'sous']);
