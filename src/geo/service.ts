/** What other modules may read of the geo module: outlines of territories, never its tables. */
export { communeShapesOf, shapeOf } from './queries.ts';
