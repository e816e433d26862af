import type { Queryable } from '../db/db.ts';
import type { Niveau } from '../territories/schema.ts';
import { communesOfSql } from '../territories/service.ts';
import type { BBox, MultiPolygon } from './geometry.ts';

type Shape = { code: string; nom: string; geometrie: MultiPolygon; bbox: BBox };

export async function shapeOf(q: Queryable, niveau: Niveau, code: string) {
  return (
    await q.query<{ geometrie: MultiPolygon; bbox: BBox; source: string }>(
      'SELECT geometrie_simplifiee AS geometrie, bbox, source FROM territoire_geometrie WHERE niveau = $1 AND code = $2',
      [niveau, code],
    )
  ).rows[0];
}

/** Simplified outlines of the current communes of a territory (those that have one). */
export async function communeShapesOf(q: Queryable, niveau: Niveau, code: string): Promise<Shape[]> {
  return (
    await q.query<Shape>(
      `SELECT c.code, c.nom, g.geometrie_simplifiee AS geometrie, g.bbox
     FROM commune c JOIN territoire_geometrie g ON g.niveau = 'commune' AND g.code = c.code
     WHERE ${communesOfSql(niveau, 'c')}
     ORDER BY c.code`,
      [code],
    )
  ).rows;
}
