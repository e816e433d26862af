import fs from 'node:fs';
import path from 'node:path';
import type { Queryable } from '../db/db.ts';
import { AppError } from '../errors.ts';
import type { Source } from '../imports/source.ts';
import { communeCodes, padCommuneCode } from '../territories/codes.ts';
import { normalizeName } from '../text/normalize.ts';

/** Today's commune for a published code (see territories/codes.ts), or for a postcode and a name. */
type CommuneResolver = {
  resolve(code: string | undefined | null): string | null;
  byPostcodeAndName(cp: string, nom: string): string | null;
};

export async function communeResolver(q: Queryable): Promise<CommuneResolver> {
  const codes = await communeCodes(q);
  let byCp: Map<string, { code: string; nom_norm: string }[]> | null = null;
  const loadCp = async () => {
    const m = new Map<string, { code: string; nom_norm: string }[]>();
    for (const r of (
      await q.query<{ code: string; nom_norm: string; codes_postaux: string[] }>(
        `SELECT code, nom_norm, codes_postaux FROM commune WHERE type = 'commune-actuelle'`,
      )
    ).rows) {
      for (const cp of r.codes_postaux) {
        const l = m.get(cp);
        if (l) l.push(r);
        else m.set(cp, [r]);
      }
    }
    return m;
  };
  byCp = await loadCp();
  return {
    resolve(code) {
      return code ? codes.current(padCommuneCode(code)) : null;
    },
    byPostcodeAndName(cp, nom) {
      const list = byCp!.get(cp.trim().padStart(5, '0')) ?? [];
      if (list.length === 1) return list[0]!.code;
      const n = normalizeName(nom);
      const hit = list.filter((c) => c.nom_norm === n);
      return hit.length === 1 ? hit[0]!.code : null;
    },
  };
}

/** Files of a source: the file itself, or the files of a folder whose names match `pattern`. */
export function sourceFiles(source: Source, pattern: RegExp, what: string): string[] {
  const st = fs.statSync(source.path);
  if (!st.isDirectory()) return [source.path];
  const files = fs
    .readdirSync(source.path)
    .filter((f) => pattern.test(f))
    .sort()
    .map((f) => path.join(source.path, f));
  if (!files.length)
    throw new AppError(
      'SOURCE_ILLISIBLE',
      `no ${pattern} in ${source.path}`,
      `Aucun fichier ${what} dans le dossier ${source.origin}.`,
    );
  return files;
}

export function intOrNull(s: string | undefined): number | null | 'invalide' {
  const t = (s ?? '').trim();
  if (!t) return null;
  if (!/^-?\d+([.,]0+)?$/.test(t)) return 'invalide';
  return Number.parseInt(t, 10);
}

export function textOrNull(s: string | undefined, max = 200): string | null {
  const t = (s ?? '').trim();
  return t ? t.slice(0, max) : null;
}

/** ISO date (YYYY-MM-DD, possibly with a time) or French DD/MM/YYYY; null when empty, 'invalide' otherwise. */
export function dateOrNull(s: string | undefined): string | null | 'invalide' {
  const t = (s ?? '').trim();
  if (!t) return null;
  let m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$/.exec(t);
  let iso: string | null = m ? `${m[1]}-${m[2]}-${m[3]}` : null;
  if (!iso) {
    m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(t);
    if (m) iso = `${m[3]}-${m[2]}-${m[1]}`;
  }
  if (!iso) {
    m = /^(\d{4})(\d{2})(\d{2})$/.exec(t);
    if (m) iso = `${m[1]}-${m[2]}-${m[3]}`;
  }
  if (!iso) return 'invalide';
  const d = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== iso ? 'invalide' : iso;
}

export function boolOf(s: string | undefined): boolean | null {
  const t = (s ?? '').trim().toLowerCase();
  if (['1', 'true', 't', 'oui', 'o', 'vrai', 'yes', 'y'].includes(t)) return true;
  if (['', '0', 'false', 'f', 'non', 'n', 'faux', 'no'].includes(t)) return false;
  return null;
}

/** First non-empty value among several possible column names (files change names between vintages). */
export function pick(row: Record<string, string>, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = row[n];
    if (v !== undefined && v.trim() !== '') return v;
  }
  return undefined;
}

export function hasAny(header: string[], ...names: string[]): boolean {
  return names.some((n) => header.includes(n));
}

/**
 * Position of a record across the files of a folder source: staging tables keep one number
 * (file index × FILE_STRIDE + line) so that "first occurrence" follows reading order; rejects
 * show the line within its file, prefixed by the file name when there are several.
 */
export const FILE_STRIDE = 1_000_000_000;
export function positionOf(files: string[], n: number): { line: number; prefix: string } {
  const i = Math.floor(n / FILE_STRIDE);
  return { line: n % FILE_STRIDE, prefix: files.length > 1 ? `${path.basename(files[i] ?? '')} : ` : '' };
}
