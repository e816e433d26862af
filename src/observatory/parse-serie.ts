/**
 * ARCEP FttH series in long format: one row per territory and quarter, as the "Départements" and
 * "Régions" sheets of the 2022 T2 workbook (`2022t2-obs-hd-thd-deploiement-vf.xlsx`) reshaped:
 *
 *   code_departement,nom_departement,meilleure_estimation_des_locaux_t2_2022,annee,trimestre,nombre_de_logements_raccordables
 *   code_region,nom_region,meilleure_estimation_des_locaux_t2_2022,annee,trimestre,nombre_de_logements_raccordables
 *
 * `nombre_de_logements_raccordables` is ARCEP's "locaux raccordables FttH" (premises, despite the
 * name); the "meilleure estimation des locaux" is ARCEP's denominator at the quarter its column
 * names (one value for every quarter of the file). Région codes may be empty: the name is then
 * matched to today's régions. Pure functions: no database here.
 */
import { norm, type RawSheet, type Reject } from './parse.ts';

type LongRecognised = {
  niveau: 'departement' | 'region';
  cols: Record<'code' | 'nom' | 'estimation' | 'annee' | 'trimestre' | 'raccordables', number>;
  estimationQuarter: string | null;
};
export type LongRow = {
  line: number;
  code: string;
  nom: string;
  periode: string;
  raccordables: number;
  estimation: number | null;
};
export type LongSeries = {
  niveau: 'departement' | 'region';
  sheet: string;
  rows: LongRow[];
  rejects: Reject[];
  read: number;
  estimationQuarter: string | null;
};

const key = (s: string) => norm(s).replace(/[\s-]+/g, '_');

export function recogniseLong(sheet: RawSheet): LongRecognised | undefined {
  const h = (sheet.rows[0] ?? []).map(key);
  const at = (re: RegExp) => h.findIndex((c) => re.test(c));
  const code = at(/^code_(departement|region)$/);
  if (code < 0) return undefined;
  const niveau = h[code] === 'code_region' ? 'region' : 'departement';
  const cols = {
    code,
    nom: at(/^nom_(departement|region)$/),
    estimation: at(/^meilleure_estimation_des_locaux/),
    annee: at(/^annee$/),
    trimestre: at(/^trimestre$/),
    raccordables: at(/^(nombre_de_)?(logements|locaux)_raccordables$/),
  };
  if (cols.annee < 0 || cols.trimestre < 0 || cols.raccordables < 0) return undefined;
  const m = /t([1-4])_(\d{4})$/.exec(cols.estimation >= 0 ? h[cols.estimation]! : '');
  return { niveau, cols, estimationQuarter: m ? `${m[2]}-T${m[1]}` : null };
}

const num = (s: string | undefined) => {
  const t = (s ?? '').trim();
  return t === '' ? null : Number(t);
};

export function parseLong(sheet: RawSheet, rec: LongRecognised): LongSeries {
  const out: LongSeries = {
    niveau: rec.niveau,
    sheet: sheet.name,
    rows: [],
    rejects: [],
    read: 0,
    estimationQuarter: rec.estimationQuarter,
  };
  const c = rec.cols;
  for (let i = 1; i < sheet.rows.length; i++) {
    const row = sheet.rows[i]!;
    if (row.every((x) => !x?.trim())) continue;
    out.read++;
    const line = i + 1;
    const raw = row.join(',');
    let code = (row[c.code] ?? '').trim().toUpperCase();
    if (/^\d$/.test(code)) code = `0${code}`;
    const nom = c.nom >= 0 ? (row[c.nom] ?? '').trim() : '';
    if (code && !(rec.niveau === 'departement' ? /^(\d{2,3}|2[AB])$/ : /^\d{2}$/).test(code)) {
      out.rejects.push({ line, reason: `code invalide « ${code} »`, raw });
      continue;
    }
    if (!code && !nom) {
      out.rejects.push({ line, reason: 'ni code ni nom de territoire', raw });
      continue;
    }
    const annee = (row[c.annee] ?? '').trim();
    const t = (row[c.trimestre] ?? '').trim();
    if (!/^20\d{2}$/.test(annee) || !/^[1-4]$/.test(t)) {
      out.rejects.push({
        line,
        reason: `trimestre invalide « ${annee} T${t} » (année AAAA et trimestre 1 à 4 attendus)`,
        raw,
      });
      continue;
    }
    const rac = num(row[c.raccordables]);
    if (rac === null || !Number.isFinite(rac) || rac < 0) {
      out.rejects.push({ line, reason: `locaux raccordables invalides « ${row[c.raccordables] ?? ''} »`, raw });
      continue;
    }
    const est = c.estimation >= 0 ? num(row[c.estimation]) : null;
    if (est !== null && (!Number.isFinite(est) || est <= 0)) {
      out.rejects.push({
        line,
        reason: `meilleure estimation des locaux invalide « ${row[c.estimation] ?? ''} »`,
        raw,
      });
      continue;
    }
    out.rows.push({ line, code, nom, periode: `${annee}-T${t}`, raccordables: Math.round(rac), estimation: est });
  }
  return out;
}
