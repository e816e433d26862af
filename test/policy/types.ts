import type { Db } from '../../src/db/db.ts';

/** Who the role matrix sends each write request as. */
export type Who = 'anonyme' | 'editeurAutre' | 'editeurProprietaire' | 'admin';
export const WHO: Who[] = ['anonyme', 'editeurAutre', 'editeurProprietaire', 'admin'];
/** `ok` means the route did its work and redirected (303). */
export type Outcome = 'ok' | 401 | 403;
export type Req = {
  url: string;
  form?: Record<string, string>;
  multipart?: { fields: Record<string, string>; file: { name: string; path: string } };
};
/**
 * What a request builder gets: the database, the organisation that owns the resources it creates (`orgA`,
 * whose editor is `editeurProprietaire`), another organisation (`orgB`, `editeurAutre`'s) and a counter
 * for unique names.
 */
export type Env = { db: Db; orgA: number; orgB: number; seq: () => number };

/** One write route: what each kind of user gets, and a fresh request (and resource) per call. */
export type MatrixEntry = { expect: Record<Who, Outcome>; request(env: Env): Promise<Req> };
export type Matrix = Record<string, MatrixEntry>;

export const ADMIN_ONLY: Record<Who, Outcome> = {
  anonyme: 401,
  editeurAutre: 403,
  editeurProprietaire: 403,
  admin: 'ok',
};
export const OWNED: Record<Who, Outcome> = { anonyme: 401, editeurAutre: 403, editeurProprietaire: 'ok', admin: 'ok' };
// Creation: any editor creates for their own organisation, so the "other organisation" editor succeeds too.
export const CREATE: Record<Who, Outcome> = {
  anonyme: 401,
  editeurAutre: 'ok',
  editeurProprietaire: 'ok',
  admin: 'ok',
};
