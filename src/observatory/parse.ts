/**
 * Parsing of ARCEP's quarterly observatory sheets ("Le marché du haut et très haut débit fixe —
 * déploiements"), whether they come from the XLSX workbook or from its per-sheet CSV exports:
 * a few title lines, a header, then one row per territory (and per "Champ" for deployment sheets).
 * Pure functions: no database here.
 */

import { COMMUNE_CODE, padCommuneCode } from '../territories/codes.ts';

export type Niveau = 'commune' | 'epci' | 'departement' | 'region' | 'arrondissement';
type SheetKind = 'deploiement' | 'informations';
export type RawSheet = { name: string; rows: string[][] };

/** A run failure with a precise French reason (the job turns it into an AppError). */
export class SheetError extends Error {}

export const NIVEAU_SHEET_LABEL: Record<Niveau, string> = {
  commune: 'communes',
  epci: 'EPCI',
  departement: 'départements',
  region: 'régions',
  arrondissement: 'arrondissements (Paris, Lyon, Marseille)',
};

const CODE_HEADERS: Record<string, Niveau> = {
  'code commune': 'commune',
  'siren epci': 'epci',
  'code departement': 'departement',
  'code region': 'region',
  'code arrondissement': 'arrondissement',
};

export function norm(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\u00a0\u202f]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/** Excel column letter of a 0-based index (A, B, …, AA). */
function colLetter(i: number): string {
  let s = '';
  let n = i + 1;
  while (n > 0) {
    const m = (n - 1) % 26;
    s = String.fromCharCode(65 + m) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/** 'T3 2017' → '2017-T3'; anything else → undefined. */
export function quarterLabel(s: string): string | undefined {
  const m = /^T\s*([1-4])\s+(\d{4})$/i.exec(s.replace(/[\u00a0\u202f]/g, ' ').trim());
  return m ? `${m[2]}-T${m[1]}` : undefined;
}

/** '2018-T1' → '2018-03-31' (last day of the quarter). */
export function quarterEnd(p: string): string {
  const m = /^(\d{4})-T([1-4])$/.exec(p);
  if (!m) return p;
  const ends = ['03-31', '06-30', '09-30', '12-31'];
  return `${m[1]}-${ends[Number(m[2]) - 1]}`;
}

/** A quarter named in a file name ('…-2018t1-…', 'T1_2018'), if any. */
export function quarterFromName(name: string): string | undefined {
  const a = /(20\d{2})[\s_-]?t([1-4])(?![0-9])/i.exec(name);
  if (a) return `${a[1]}-T${a[2]}`;
  const b = /t([1-4])[\s_-]?(20\d{2})/i.exec(name);
  return b ? `${b[2]}-T${b[1]}` : undefined;
}

type NumberParse = { ok: true; value: number | null } | { ok: false };

/** ARCEP numbers: spaces (also non-breaking) as thousands separators, '-' for zero, empty for none. */
export function parseCount(raw: string | undefined): NumberParse {
  const s = (raw ?? '').replace(/[\s\u00a0\u202f]/g, '');
  if (s === '') return { ok: true, value: null };
  if (s === '-' || s === '–') return { ok: true, value: 0 };
  if (/^-?\d+$/.test(s)) return { ok: true, value: Number(s) };
  if (/^-?\d+[.,]0+$/.test(s)) return { ok: true, value: Number(s.replace(',', '.')) };
  return { ok: false };
}

/** '99%' → 0.99, '0,5' → 0.5 (already a share when the cell held one). */
export function parseShare(raw: string | undefined): NumberParse {
  const s = (raw ?? '').replace(/[\s\u00a0\u202f]/g, '');
  if (s === '') return { ok: true, value: null };
  if (s === '-') return { ok: true, value: 0 };
  const pct = /^(\d+(?:[.,]\d+)?)%$/.exec(s);
  if (pct) return { ok: true, value: Number(pct[1]!.replace(',', '.')) / 100 };
  if (/^\d+(?:[.,]\d+)?$/.test(s)) {
    const v = Number(s.replace(',', '.'));
    return { ok: true, value: v > 1 ? v / 100 : v };
  }
  return { ok: false };
}

/** Flags of the informations sheet: '1' yes, '-' / '0' / empty no. */
function parseFlag(raw: string | undefined): boolean | null | 'invalid' {
  const s = norm(raw ?? '');
  if (s === 'oui' || s === 'x' || /^[1-9]\d*$/.test(s)) return true;
  if (s === '' || s === '-' || s === '0' || s === 'non') return false;
  return 'invalid';
}

/** Codes from Excel may have lost their leading zero (1001 for 01001). */
function padCode(niveau: Niveau, raw: string): string {
  const s = raw.trim().toUpperCase();
  if (niveau === 'commune' || niveau === 'arrondissement') return padCommuneCode(s);
  if (niveau === 'departement' && /^\d$/.test(s)) return `0${s}`;
  if (niveau === 'region' && /^\d$/.test(s)) return `0${s}`;
  return s;
}

const CODE_RE: Record<Niveau, RegExp> = {
  commune: COMMUNE_CODE,
  arrondissement: /^\d{5}$/,
  epci: /^\d{9}$/,
  departement: /^(\d{2,3}|2[AB])$/,
  region: /^\d{2}$/,
};

type Recognised = { kind: SheetKind; niveau: Niveau; headerIndex: number; header: string[] };

/** Which observatory sheet this is, read from its header (the sheet or file name is not trusted). */
export function recognise(sheet: RawSheet): Recognised | undefined {
  const max = Math.min(sheet.rows.length, 20);
  for (let i = 0; i < max; i++) {
    const row = sheet.rows[i]!;
    const first = norm(row[0] ?? '');
    const niveau = CODE_HEADERS[first];
    if (!niveau) continue;
    const header = trimTrailing(row.map((c) => (c ?? '').trim()));
    const kind: SheetKind = norm(row[1] ?? '') === 'champ' ? 'deploiement' : 'informations';
    return { kind, niveau, headerIndex: i, header };
  }
  return undefined;
}

function trimTrailing(a: string[]): string[] {
  let n = a.length;
  while (n > 0 && !a[n - 1]) n--;
  return a.slice(0, n);
}

export type Reject = { line: number; reason: string; raw: string };

export type DeploymentRow = { code: string; line: number; champ: Champ; values: (number | null)[] };
type Champ =
  | 'locaux_raccordables'
  | 'categorie'
  | 'mutualisation_1'
  | 'mutualisation_2'
  | 'mutualisation_3'
  | 'mutualisation_4';
export type DeploymentSheet = {
  niveau: Niveau;
  sheet: string;
  periodes: string[];
  rows: DeploymentRow[];
  rejects: Reject[];
  read: number;
};

function champOf(s: string): Champ | undefined {
  const n = norm(s);
  if (n === 'locaux raccordables') return 'locaux_raccordables';
  if (n === 'categorie') return 'categorie';
  const m = /^au moins (un|deux|trois|quatre) operateurs? au pm/.exec(n);
  if (m) return `mutualisation_${({ un: 1, deux: 2, trois: 3, quatre: 4 } as const)[m[1] as 'un']}` as Champ;
  return undefined;
}

const lineOf = (idx: number) => idx + 1;
const rawOf = (row: string[]) => row.join(',');

export function parseDeployment(sheet: RawSheet, rec: Recognised): DeploymentSheet {
  const periodes: string[] = [];
  rec.header.slice(2).forEach((h, j) => {
    const p = quarterLabel(h);
    if (!p) {
      throw new SheetError(
        `Feuille « ${sheet.name} » (déploiement par ${NIVEAU_SHEET_LABEL[rec.niveau]}), ligne ${lineOf(rec.headerIndex)}, colonne ${colLetter(j + 2)} : libellé de trimestre inconnu « ${h} » (attendu par exemple « T1 2018 »).`,
      );
    }
    if (periodes.includes(p))
      throw new SheetError(
        `Feuille « ${sheet.name} », ligne ${lineOf(rec.headerIndex)} : le trimestre « ${h} » apparaît deux fois.`,
      );
    periodes.push(p);
  });
  if (!periodes.length)
    throw new SheetError(
      `Feuille « ${sheet.name} », ligne ${lineOf(rec.headerIndex)} : aucune colonne de trimestre après « Champ ».`,
    );
  const out: DeploymentSheet = { niveau: rec.niveau, sheet: sheet.name, periodes, rows: [], rejects: [], read: 0 };
  for (let i = rec.headerIndex + 1; i < sheet.rows.length; i++) {
    const row = sheet.rows[i]!;
    if (row.every((c) => !c?.trim())) continue;
    out.read++;
    const code = padCode(rec.niveau, row[0] ?? '');
    if (!CODE_RE[rec.niveau].test(code)) {
      out.rejects.push({
        line: lineOf(i),
        reason: `Code ${rec.niveau === 'epci' ? 'SIREN' : 'INSEE'} invalide « ${row[0] ?? ''} » en colonne A`,
        raw: rawOf(row),
      });
      continue;
    }
    const champ = champOf(row[1] ?? '');
    if (!champ) {
      out.rejects.push({
        line: lineOf(i),
        reason: `Champ inconnu « ${row[1] ?? ''} » en colonne B (attendu « Locaux Raccordables » ou « Catégorie »)`,
        raw: rawOf(row),
      });
      continue;
    }
    const values: (number | null)[] = [];
    let bad: string | undefined;
    periodes.forEach((_p, j) => {
      if (bad) return;
      const cell = row[j + 2];
      const v = champ.startsWith('mutualisation') ? parseShare(cell) : parseCount(cell);
      if (!v.ok)
        bad = `Valeur non numérique « ${(cell ?? '').trim()} » pour ${rec.header[j + 2]} (colonne ${colLetter(j + 2)})`;
      else values.push(v.value);
    });
    if (bad) {
      out.rejects.push({ line: lineOf(i), reason: bad, raw: rawOf(row) });
      continue;
    }
    out.rows.push({ code, line: lineOf(i), champ, values });
  }
  return out;
}

export type InfoRow = {
  code: string;
  line: number;
  nom: string | null;
  departement: string | null;
  region: string | null;
  epci: string | null;
  commune: string | null;
  logements: number | null;
  etablissements: number | null;
  meilleure_estimation_locaux: number | null;
  zone_tres_dense: boolean | null;
  engagement_l3313: string | null;
  intention_privee: boolean | null;
  commune_rurale: boolean | null;
  commune_montagne: boolean | null;
  operateurs: string | null;
};
export type InfoSheet = {
  niveau: Niveau;
  sheet: string;
  millesime: string | undefined;
  rows: InfoRow[];
  rejects: Reject[];
  read: number;
  ignored: string[];
};

type InfoField = keyof Omit<InfoRow, 'code' | 'line'>;
const INFO_COLUMNS: Record<string, InfoField> = {
  'nom commune': 'nom',
  'nom epci': 'nom',
  'nom departement': 'nom',
  'nom region': 'nom',
  'nom arrondissement': 'nom',
  'code region': 'region',
  'code departement': 'departement',
  'siren epci': 'epci',
  'code commune': 'commune',
  logements: 'logements',
  etablissements: 'etablissements',
  'meilleure estimation des locaux a date': 'meilleure_estimation_locaux',
  'zones tres denses': 'zone_tres_dense',
  'zone tres dense': 'zone_tres_dense',
  'engagements l. 33-13': 'engagement_l3313',
  'engagements l.33-13': 'engagement_l3313',
  'intentions privees hors engagement l. 33-13': 'intention_privee',
  'intentions privees hors engagement l.33-13': 'intention_privee',
  'commune rurale': 'commune_rurale',
  'commune de montagne': 'commune_montagne',
};
const COUNT_FIELDS = new Set<InfoField>(['logements', 'etablissements', 'meilleure_estimation_locaux']);
const FLAG_FIELDS = new Set<InfoField>(['zone_tres_dense', 'intention_privee', 'commune_rurale', 'commune_montagne']);

export function parseInformations(sheet: RawSheet, rec: Recognised): InfoSheet {
  const cols: { idx: number; field: InfoField }[] = [];
  let millesime: string | undefined;
  const seen = new Set<InfoField>();
  rec.header.forEach((h, j) => {
    if (j === 0) return;
    const n = norm(h);
    const oi = /^oi (\d{4}) t([1-4])$/.exec(n);
    if (oi) {
      millesime = `${oi[1]}-T${oi[2]}`;
      cols.push({ idx: j, field: 'operateurs' });
      return;
    }
    const field = INFO_COLUMNS[n];
    if (!field) {
      throw new SheetError(
        `Feuille « ${sheet.name} » (informations sur les ${NIVEAU_SHEET_LABEL[rec.niveau]}), ligne ${lineOf(rec.headerIndex)}, colonne ${colLetter(j)} : colonne inconnue « ${h} ». Colonnes attendues : ${expectedInfoColumns(rec.niveau)}.`,
      );
    }
    if (seen.has(field) && field !== 'nom')
      throw new SheetError(
        `Feuille « ${sheet.name} », ligne ${lineOf(rec.headerIndex)} : la colonne « ${h} » apparaît deux fois.`,
      );
    seen.add(field);
    cols.push({ idx: j, field });
  });
  for (const req of ['logements', 'etablissements'] as const) {
    if (!seen.has(req)) {
      throw new SheetError(
        `Feuille « ${sheet.name} » (informations sur les ${NIVEAU_SHEET_LABEL[rec.niveau]}), ligne ${lineOf(rec.headerIndex)} : colonne « ${req === 'logements' ? 'Logements' : 'Établissements'} » absente (colonne renommée ?). En-tête lu : ${rec.header.join(' | ')}.`,
      );
    }
  }
  const out: InfoSheet = {
    niveau: rec.niveau,
    sheet: sheet.name,
    millesime,
    rows: [],
    rejects: [],
    read: 0,
    ignored: [],
  };
  for (let i = rec.headerIndex + 1; i < sheet.rows.length; i++) {
    const row = sheet.rows[i]!;
    if (row.every((c) => !c?.trim())) continue;
    out.read++;
    const code = padCode(rec.niveau, row[0] ?? '');
    if (!CODE_RE[rec.niveau].test(code)) {
      out.rejects.push({
        line: lineOf(i),
        reason: `Code ${rec.niveau === 'epci' ? 'SIREN' : 'INSEE'} invalide « ${row[0] ?? ''} » en colonne A`,
        raw: rawOf(row),
      });
      continue;
    }
    const r: InfoRow = {
      code,
      line: lineOf(i),
      nom: null,
      departement: null,
      region: null,
      epci: null,
      commune: null,
      logements: null,
      etablissements: null,
      meilleure_estimation_locaux: null,
      zone_tres_dense: null,
      engagement_l3313: null,
      intention_privee: null,
      commune_rurale: null,
      commune_montagne: null,
      operateurs: null,
    };
    let bad: string | undefined;
    for (const c of cols) {
      const cell = (row[c.idx] ?? '').trim();
      if (COUNT_FIELDS.has(c.field)) {
        const v = parseCount(cell);
        if (!v.ok) {
          bad = `Valeur non numérique « ${cell} » pour ${rec.header[c.idx]} (colonne ${colLetter(c.idx)})`;
          break;
        }
        (r as Record<string, unknown>)[c.field] = v.value;
      } else if (FLAG_FIELDS.has(c.field)) {
        const v = parseFlag(cell);
        if (v === 'invalid') {
          bad = `Valeur « ${cell} » inattendue pour ${rec.header[c.idx]} (colonne ${colLetter(c.idx)}) : 1 ou - attendu`;
          break;
        }
        (r as Record<string, unknown>)[c.field] = v;
      } else if (c.field === 'engagement_l3313' || c.field === 'operateurs') {
        (r as Record<string, unknown>)[c.field] = cell && cell !== '-' ? cell : null;
      } else if (c.field === 'departement') {
        r.departement = cell ? padCode('departement', cell) : null;
      } else {
        (r as Record<string, unknown>)[c.field] = cell || null;
      }
    }
    if (bad) {
      out.rejects.push({ line: lineOf(i), reason: bad, raw: rawOf(row) });
      continue;
    }
    out.rows.push(r);
  }
  return out;
}

function expectedInfoColumns(niveau: Niveau): string {
  switch (niveau) {
    case 'commune':
      return 'Code commune, Nom commune, Code région, Code département, Siren EPCI, Logements, Établissements, Zones très denses, Engagements L. 33-13, Intentions privées hors engagement L. 33-13, Commune rurale, Commune de montagne, OI <trimestre>';
    case 'epci':
      return 'Siren EPCI, Nom EPCI, Logements, Établissements';
    case 'departement':
      return 'Code département, Nom département, Code région, Logements, Établissements';
    case 'region':
      return 'Code région, Nom région, Logements, Établissements';
    case 'arrondissement':
      return 'Code arrondissement, Nom arrondissement, Code région, Code département, Siren EPCI, Code commune, Logements, Établissements, Zones très denses, OI <trimestre>';
  }
}

/** Ma connexion internet, commune_debit*.csv. */
export const MCI_FIELDS = [
  'nbr',
  'inel_hd',
  'elig_hd05',
  'elig_hd3',
  'elig_bhd8',
  'elig_thd30',
  'elig_thd100',
  'elig_thd1g',
] as const;
export type MciField = (typeof MCI_FIELDS)[number];
export type MciCounts = Record<MciField, number | null>;

/**
 * MCI counts are cumulative in the published commune files (elig_x = premises with at least
 * class x; elig_hd05 + inel_hd = nbr) although the dictionary describes exclusive classes.
 * Returns which reading fits the row: both can fit (e.g. all premises in one class).
 */
export function mciReading(c: MciCounts): { cumulative: boolean; exclusive: boolean } {
  const seq = [c.elig_hd05, c.elig_hd3, c.elig_bhd8, c.elig_thd30, c.elig_thd100, c.elig_thd1g].filter(
    (v): v is number => v !== null,
  );
  const nbr = c.nbr ?? 0;
  let mono = c.inel_hd !== null && c.elig_hd05 !== null && c.inel_hd + c.elig_hd05 === nbr;
  for (let i = 1; i < seq.length && mono; i++) if (seq[i]! > seq[i - 1]!) mono = false;
  const sum = (c.inel_hd ?? 0) + seq.reduce((a, b) => a + b, 0);
  return { cumulative: mono, exclusive: sum === nbr };
}

/** Exclusive class counts → cumulative ones. */
export function toCumulative(c: MciCounts): MciCounts {
  const order: MciField[] = ['elig_thd1g', 'elig_thd100', 'elig_thd30', 'elig_bhd8', 'elig_hd3', 'elig_hd05'];
  const out = { ...c };
  let acc = 0;
  for (const f of order) {
    if (c[f] === null) continue;
    acc += c[f]!;
    out[f] = acc;
  }
  return out;
}
