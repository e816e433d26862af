import type { Queryable } from '../db/db.ts';

/**
 * The commune's figures from the observatory, read through this one file so that the eligibility
 * module does not depend on how the observatory stores them. The observatory (migrations 01xx)
 * materialises `obs_serie` per territory and period:
 * - jeu 'mci-communes': ARCEP Ma connexion internet commune_debit (nbr, elig_bhd8 … elig_thd1g,
 *   cumulative counts of premises), perimetre toutes | terrestre | filaire | dsl;
 * - jeu 'arcep-deploiements', perimetre 'ftth': premises connectable to FttH and premises count.
 * These are never the address's own answer: pages present them as the commune's distribution.
 */
export type CommuneDistribution = {
  source: string;
  date: string | null;
  perimetre: string;
  code_insee: string;
  locaux: number;
  paliers: { champ: string; libelle: string; locaux: number; part: number }[];
  fibre: { periode: string; locaux_raccordables: number; locaux: number; part: number } | null;
};

const PALIERS: [string, string][] = [
  ['elig_bhd8', 'au moins 8 Mbit/s (bon haut débit)'],
  ['elig_thd30', 'au moins 30 Mbit/s (très haut débit)'],
  ['elig_thd100', 'au moins 100 Mbit/s'],
  ['elig_thd1g', 'au moins 1 Gbit/s'],
];
const PERIMETRE_LABEL: Record<string, string> = {
  filaire: 'technologies filaires (fibre, câble, DSL)',
  terrestre: 'technologies terrestres (filaires, THD radio, 4G fixe)',
  toutes: 'toutes technologies, satellite compris',
  dsl: 'DSL seul',
};

async function hasObservatory(q: Queryable): Promise<boolean> {
  const r = await q.query<{ t: string | null }>(`SELECT to_regclass('obs_serie')::text AS t`);
  return !!r.rows[0]?.t;
}

export async function communeDistribution(q: Queryable, codes: string[]): Promise<CommuneDistribution | null> {
  if (!(await hasObservatory(q))) return null;
  for (const code of codes) {
    // Wired perimeter first (what "fibre/THD at home" means), then all technologies.
    const r = (
      await q.query<{
        periode: string;
        date_fin: string;
        perimetre: string;
        nbr: number;
        elig_bhd8: number;
        elig_thd30: number;
        elig_thd100: number | null;
        elig_thd1g: number | null;
      }>(
        `SELECT periode, to_char(date_fin, 'YYYY-MM-DD') AS date_fin, perimetre, nbr::float8 AS nbr, elig_bhd8::float8 AS elig_bhd8, elig_thd30::float8 AS elig_thd30,
              elig_thd100::float8 AS elig_thd100, elig_thd1g::float8 AS elig_thd1g
       FROM obs_serie WHERE niveau = 'commune' AND code = $1 AND jeu = 'mci-communes' AND perimetre IN ('filaire', 'toutes') AND nbr > 0
       ORDER BY date_fin DESC, CASE perimetre WHEN 'filaire' THEN 0 ELSE 1 END LIMIT 1`,
        [code],
      )
    ).rows[0];
    const f = (
      await q.query<{ periode: string; locaux_raccordables: number; locaux: number }>(
        `SELECT periode, locaux_raccordables::float8 AS locaux_raccordables, locaux::float8 AS locaux FROM obs_serie
       WHERE niveau = 'commune' AND code = $1 AND jeu = 'arcep-deploiements' AND perimetre = 'ftth' AND locaux > 0 AND locaux_raccordables IS NOT NULL
       ORDER BY date_fin DESC LIMIT 1`,
        [code],
      )
    ).rows[0];
    if (!r && !f) continue;
    const row = r as Record<string, unknown> | undefined;
    return {
      source: r
        ? `ARCEP, Ma connexion internet — éligibilité par commune et classe de débit (${PERIMETRE_LABEL[r.perimetre] ?? r.perimetre})`
        : 'ARCEP, observatoire des déploiements FttH',
      date: r?.date_fin ?? null,
      perimetre: r?.perimetre ?? 'ftth',
      code_insee: code,
      locaux: r?.nbr ?? f!.locaux,
      paliers: r
        ? PALIERS.filter(([c]) => row![c] !== null && row![c] !== undefined).map(([c, libelle]) => ({
            champ: c,
            libelle,
            locaux: Number(row![c]),
            part: Number(row![c]) / r.nbr,
          }))
        : [],
      fibre: f
        ? {
            periode: f.periode,
            locaux_raccordables: f.locaux_raccordables,
            locaux: f.locaux,
            part: Math.min(1, f.locaux_raccordables / f.locaux),
          }
        : null,
    };
  }
  return null;
}
