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

/** Full-resolution outlines of every commune that has one (point-in-polygon placement, e.g. mobile sites). */
export async function communeOutlines(q: Queryable): Promise<{ code: string; geometrie: MultiPolygon; bbox: BBox }[]> {
  return (
    await q.query<{ code: string; geometrie: MultiPolygon; bbox: BBox }>(
      `SELECT code, geometrie, bbox FROM territoire_geometrie WHERE niveau = 'commune' ORDER BY code`,
    )
  ).rows;
}
