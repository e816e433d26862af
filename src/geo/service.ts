/** What other modules may read of the geo module: outlines of territories, never its tables. */
export { communeOutlines, communeShapesOf, shapeOf } from './queries.ts';
