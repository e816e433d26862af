/**
 * Articles, elided articles and prepositions that carry no meaning in a place or street name ("Rue de la Mairie"
 * is "Rue Mairie" for comparison: ARCEP's nom_voie_article.csv restores them, comparing without them is the same).
 */
export const STOPWORDS: ReadonlySet<string> = new Set([
  'de', 'du', 'des', 'la', 'le', 'les', 'l', 'd', 'au', 'aux', 'et', 'a', 'en', 'un', 'une', 'sur', 'sous',
]);
