/**
 * Commune and département codes, in one place for every module: their shapes, the département
 * of a commune code (2A/2B in Corsica, three characters overseas), arrondissements municipaux
 * (Paris, Lyon, Marseille) and today's code of an older one (merged, delegated or associated
 * communes), read from the COG the `territoires` import loaded.
 */
import type { Queryable } from '../db/db.ts';
import { allCommuneCodes, allHistoricCodes } from './queries.ts';

/** A commune code as the INSEE writes it: five digits, or 2A/2B and three digits in Corsica. */
export const COMMUNE_CODE = /^(\d{5}|2[AB]\d{3})$/;
/** A département code: 01–95 (2A/2B, not 20), overseas départements and collectivités 971–989. */
export const DEPARTEMENT_CODE = /^(0[1-9]|1\d|2[1-9AB]|[3-8]\d|9[0-5]|9[78]\d)$/;

/** The code as published, cleaned: trimmed, upper case, the leading zero a spreadsheet dropped put back. */
export function padCommuneCode(raw: string): string {
  const c = raw.trim().toUpperCase();
  return /^\d{4}$/.test(c) ? `0${c}` : c;
}

/** Département of a commune code: its first two characters, or three overseas (97x, 98x). */
export function departementOfCommune(code: string): string {
  return code.startsWith('97') || code.startsWith('98') ? code.slice(0, 3) : code.slice(0, 2);
}

/** The three cities divided into arrondissements municipaux: code ranges and the city's own code. */
const ARRONDISSEMENTS: readonly { from: number; to: number; commune: string }[] = [
  { from: 75101, to: 75120, commune: '75056' }, // Paris
  { from: 69381, to: 69389, commune: '69123' }, // Lyon
  { from: 13201, to: 13216, commune: '13055' }, // Marseille
];

/** The city (Paris, Lyon, Marseille) of an arrondissement municipal code; null for any other code. */
export function communeOfArrondissement(code: string): string | null {
  if (!/^\d{5}$/.test(code)) return null;
  const n = Number(code);
  return ARRONDISSEMENTS.find((a) => n >= a.from && n <= a.to)?.commune ?? null;
}

type CommuneCodes = {
  /** Today's code: current communes and arrondissements as they are, older codes through the COG history; null when unknown. */
  current(code: string): string | null;
  /** Whether the code is one of today's communes or arrondissements. */
  isCurrent(code: string): boolean;
};

/** Today's codes, loaded once for an import that maps thousands of published codes. */
export async function communeCodes(q: Queryable): Promise<CommuneCodes> {
  const current = new Set(await allCommuneCodes(q));
  const old = new Map((await allHistoricCodes(q)).map((r) => [r.code_ancien, r.code_actuel]));
  return {
    current: (code) => (current.has(code) ? code : (old.get(code) ?? null)),
    isCurrent: (code) => current.has(code),
  };
}
