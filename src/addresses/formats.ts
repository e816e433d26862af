/**
 * The three address file formats, recognised from their first line, and one parser per format
 * turning a line into a uniform record (or a French reason for rejecting it).
 *  - BAN département files (`adresses-XX.csv`): `;`, header, 23 columns (id;id_fantoir;numero;rep;nom_voie;…).
 *  - BAL 1.3 / 1.4 (Base Adresse Locale): `;`, header with cle_interop, voie_nom, numero, suffixe, long, lat…
 *  - BANO (legacy OpenStreetMap France): no header, `,`, `id,numero,voie,cp,ville,source,lat,lon`.
 */

import { splitRecord } from '../imports/csv.ts';
import { COMMUNE_CODE } from '../territories/codes.ts';
import type { AddressRow } from './queries.ts';

export type AddressFormat = 'ban' | 'bal' | 'bano';

/** An address as read from a file, before the import adds its département, source and run. */
export type ParsedAddress = Omit<AddressRow, 'departement' | 'source' | 'import_run'>;

type LineResult = { ok: true; value: ParsedAddress } | { ok: false; reason: string };

/** Splits one CSV line with the shared reader's rules; null when quotes are unbalanced or broken. */
export function splitCsvLine(line: string, sep: string): string[] | null {
  const r = splitRecord(line, sep);
  return Array.isArray(r) ? r : null;
}

export type Detected = { format: AddressFormat; sep: string; columns: Map<string, number> | null; hasHeader: boolean };

export const BAN_COLUMNS = [
  'id',
  'id_fantoir',
  'numero',
  'rep',
  'nom_voie',
  'code_postal',
  'code_insee',
  'nom_commune',
  'code_insee_ancienne_commune',
  'nom_ancienne_commune',
  'x',
  'y',
  'lon',
  'lat',
  'type_position',
  'alias',
  'nom_ld',
  'libelle_acheminement',
  'nom_afnor',
  'source_position',
  'source_nom_voie',
  'certification_commune',
  'cad_parcelles',
] as const;

/** Recognises the format from the first line; null when it is none of the three. */
export function detectFormat(firstLine: string): Detected | null {
  const line = firstLine.replace(/^\uFEFF/, '').trim();
  if (line.includes(';')) {
    const cols = line.split(';').map((c) => c.trim().replace(/^"|"$/g, '').toLowerCase());
    const map = new Map(cols.map((c, i) => [c, i]));
    if (
      map.has('cle_interop') &&
      map.has('voie_nom') &&
      map.has('numero') &&
      (map.has('long') || map.has('lon')) &&
      map.has('lat')
    ) {
      return { format: 'bal', sep: ';', columns: map, hasHeader: true };
    }
    if (
      map.has('id') &&
      map.has('nom_voie') &&
      map.has('code_insee') &&
      map.has('numero') &&
      map.has('lon') &&
      map.has('lat')
    ) {
      return { format: 'ban', sep: ';', columns: map, hasHeader: true };
    }
    return null;
  }
  const f = splitCsvLine(line, ',');
  if (
    f &&
    f.length === 8 &&
    /^(\d{5}|2[AB]\d{3})\w*-\w+/i.test(f[0]!) &&
    Number.isFinite(Number(f[6])) &&
    Number.isFinite(Number(f[7]))
  ) {
    return { format: 'bano', sep: ',', columns: null, hasHeader: false };
  }
  return null;
}

const INSEE = COMMUNE_CODE;
const POSTCODE = /^\d{5}$/;

function num(s: string | undefined): number {
  if (s === undefined) return NaN;
  const t = s.trim();
  return t === '' ? NaN : Number(t);
}

function coords(lonS: string | undefined, latS: string | undefined): { lon: number; lat: number } | string {
  const lon = num(lonS);
  const lat = num(latS);
  if (!Number.isFinite(lon) || !Number.isFinite(lat)) return 'coordonnées absentes ou non numériques';
  if (lon < -180 || lon > 180 || lat < -90 || lat > 90) return `coordonnées hors limites (lon ${lon}, lat ${lat})`;
  if (lon === 0 && lat === 0) return 'coordonnées nulles (0, 0)';
  return { lon, lat };
}

/** House number: integer 0–99 998; 99 999 and empty mean "no number" (BAL toponyms). */
function housenumber(s: string | undefined): number | null | string {
  const t = (s ?? '').trim();
  if (t === '') return null;
  if (!/^\d{1,5}$/.test(t)) return `numéro invalide « ${t.slice(0, 20)} »`;
  const n = Number(t);
  return n >= 99999 ? null : n;
}

function cleanSuffix(s: string | undefined): string | null {
  const t = (s ?? '').trim().toLowerCase();
  return t === '' ? null : t;
}

/** A line parser for a detected format; `fields` is the split line. */
export function parseFields(d: Detected, fields: string[]): LineResult {
  if (d.format === 'bano') return parseBano(fields);
  const c = d.columns!;
  const get = (name: string) => {
    const i = c.get(name);
    return i === undefined ? undefined : fields[i];
  };
  if (fields.length < c.size) return { ok: false, reason: `${fields.length} colonnes au lieu de ${c.size}` };
  if (d.format === 'ban') {
    const id = (get('id') ?? '').trim();
    if (!id) return { ok: false, reason: 'identifiant (id) vide' };
    const voie = (get('nom_voie') ?? '').trim() || (get('nom_ld') ?? '').trim();
    if (!voie) return { ok: false, reason: 'nom de voie vide' };
    const code = (get('code_insee') ?? '').trim().toUpperCase();
    if (!INSEE.test(code)) return { ok: false, reason: `code INSEE invalide « ${code.slice(0, 12)} »` };
    const n = housenumber(get('numero'));
    if (typeof n === 'string') return { ok: false, reason: n };
    const xy = coords(get('lon'), get('lat'));
    if (typeof xy === 'string') return { ok: false, reason: xy };
    const cp = (get('code_postal') ?? '').trim();
    if (cp && !POSTCODE.test(cp)) return { ok: false, reason: `code postal invalide « ${cp.slice(0, 12)} »` };
    return {
      ok: true,
      value: {
        id,
        numero: n,
        suffixe: cleanSuffix(get('rep')),
        voie,
        lieu_dit: (get('nom_ld') ?? '').trim() || null,
        code_postal: cp || null,
        code_insee: code,
        commune: (get('nom_commune') ?? '').trim(),
        lon: xy.lon,
        lat: xy.lat,
      },
    };
  }
  // BAL
  const id = (get('cle_interop') ?? '').trim();
  if (!id) return { ok: false, reason: 'clé d’interopérabilité (cle_interop) vide' };
  const voie = (get('voie_nom') ?? '').trim() || (get('lieudit_complement_nom') ?? '').trim();
  if (!voie) return { ok: false, reason: 'nom de voie (voie_nom) vide' };
  let code = (get('commune_insee') ?? '').trim().toUpperCase();
  if (!code) code = id.split('_')[0]!.toUpperCase();
  if (!INSEE.test(code)) return { ok: false, reason: `code INSEE invalide « ${code.slice(0, 12)} »` };
  const n = housenumber(get('numero'));
  if (typeof n === 'string') return { ok: false, reason: n };
  const xy = coords(get('long') ?? get('lon'), get('lat'));
  if (typeof xy === 'string') return { ok: false, reason: xy };
  return {
    ok: true,
    value: {
      id,
      numero: n,
      suffixe: cleanSuffix(get('suffixe')),
      voie,
      lieu_dit: (get('lieudit_complement_nom') ?? '').trim() || null,
      code_postal: null,
      code_insee: code,
      commune: (get('commune_nom') ?? '').trim(),
      lon: xy.lon,
      lat: xy.lat,
    },
  };
}

function parseBano(f: string[]): LineResult {
  if (f.length !== 8)
    return { ok: false, reason: `${f.length} champs au lieu de 8 (id,numero,voie,cp,ville,source,lat,lon)` };
  const [idRaw, numero, voieRaw, cpRaw, ville, , lat, lon] = f as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const id = idRaw.trim();
  const code = id.slice(0, 5).toUpperCase();
  if (!INSEE.test(code)) return { ok: false, reason: `identifiant BANO invalide « ${id.slice(0, 20)} »` };
  const voie = voieRaw.trim();
  if (!voie) return { ok: false, reason: 'nom de voie vide' };
  // BANO numbers carry their suffix: "1BIS", "2A", "12 TER".
  const m = /^(\d{1,5})\s*([A-Za-z]{0,10})$/.exec(numero.trim());
  if (!m) return { ok: false, reason: `numéro invalide « ${numero.slice(0, 20)} »` };
  const xy = coords(lon, lat);
  if (typeof xy === 'string') return { ok: false, reason: xy };
  const cp = cpRaw.trim();
  if (cp && !POSTCODE.test(cp)) return { ok: false, reason: `code postal invalide « ${cp.slice(0, 12)} »` };
  return {
    ok: true,
    value: {
      id,
      numero: Number(m[1]),
      suffixe: cleanSuffix(m[2]),
      voie,
      lieu_dit: null,
      code_postal: cp || null,
      code_insee: code,
      commune: ville.trim(),
      lon: xy.lon,
      lat: xy.lat,
    },
  };
}
