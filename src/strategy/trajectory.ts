/**
 * An indicator against the straight trajectory from its baseline to its target (pure functions).
 * Baseline: the indicator's own initial value and date, or else its first measurement. The gap is
 * measured in share of the whole way from baseline to target, in the direction of the target.
 */

export const STATUTS_INDICATEUR = ['en_avance', 'conforme', 'a_risque', 'hors_trajectoire'] as const;
type StatutIndicateur = (typeof STATUTS_INDICATEUR)[number];
export const STATUT_INDICATEUR_LABEL: Record<StatutIndicateur, string> = {
  en_avance: 'En avance',
  conforme: 'Conforme à la trajectoire',
  a_risque: 'À risque',
  hors_trajectoire: 'Hors trajectoire',
};

type Point = { date: string; valeur: number };
type Target = { valeur: number | null; date: string | null };

/** Thresholds, in share of the way from baseline to target. */
const AHEAD = 0.05;
const AT_RISK = -0.05;
const OFF = -0.15;
const DAY = 86_400_000;

const t = (d: string) => Date.parse(`${d}T00:00:00Z`);
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Baseline of the trajectory: the declared one, else the first measurement. */
export function baselineOf(initial: Target, points: readonly Point[]): Point | null {
  if (initial.valeur !== null && initial.date !== null) return { date: initial.date, valeur: initial.valeur };
  const first = [...points].sort((a, b) => a.date.localeCompare(b.date))[0];
  return first ?? null;
}

/** Value the straight line from baseline to target expects on a day (the target itself after its date). */
export function expectedAt(base: Point, target: { valeur: number; date: string }, day: string): number {
  const span = t(target.date) - t(base.date);
  if (span <= 0) return target.valeur;
  const f = Math.min(1, Math.max(0, (t(day) - t(base.date)) / span));
  return base.valeur + f * (target.valeur - base.valeur);
}

type Evaluation = {
  statut: StatutIndicateur | null;
  /** Why there is no status, in French, when `statut` is null. */
  motif: string | null;
  attendu: number | null;
  ecart: number | null;
  date_projetee: string | null;
};

/**
 * Status of the last measurement against the trajectory. A target reached is `en_avance` before its
 * date and `conforme` after it; no target, no deadline or no measurement gives no status.
 */
export function evaluate(initial: Target, target: Target, points: readonly Point[]): Evaluation {
  const sorted = [...points].sort((a, b) => a.date.localeCompare(b.date));
  const last = sorted[sorted.length - 1];
  const none = (motif: string): Evaluation => ({
    statut: null,
    motif,
    attendu: null,
    ecart: null,
    date_projetee: null,
  });
  if (target.valeur === null) return none('pas de cible chiffrée');
  if (!last) return none('aucune mesure');
  const tv = target.valeur;
  const projected = projectDate(sorted, tv);
  if (target.date === null) return { ...none('pas d’échéance'), date_projetee: projected };
  const base = baselineOf(initial, sorted)!;
  const goal = { valeur: tv, date: target.date };
  const sign = tv >= base.valeur ? 1 : -1;
  const reached = sign * (last.valeur - tv) >= 0;
  if (reached) {
    return {
      statut: last.date < target.date ? 'en_avance' : 'conforme',
      motif: null,
      attendu: expectedAt(base, goal, last.date),
      ecart: null,
      date_projetee: last.date,
    };
  }
  const way = Math.abs(tv - base.valeur);
  const expected = expectedAt(base, goal, last.date);
  // A baseline already at the target leaves no way to measure: any shortfall is off the trajectory.
  const gap = way === 0 ? -1 : (sign * (last.valeur - expected)) / way;
  const statut: StatutIndicateur =
    last.date > target.date
      ? 'hors_trajectoire'
      : gap >= AHEAD
        ? 'en_avance'
        : gap >= AT_RISK
          ? 'conforme'
          : gap >= OFF
            ? 'a_risque'
            : 'hors_trajectoire';
  return { statut, motif: null, attendu: expected, ecart: gap, date_projetee: projected };
}

/**
 * Day the target would be reached at the pace of the last measurements (least squares over the last
 * four, at least two on different days); null when the pace does not lead there.
 */
export function projectDate(points: readonly Point[], target: number): string | null {
  const recent = [...points].sort((a, b) => a.date.localeCompare(b.date)).slice(-4);
  if (recent.length < 2) return null;
  const xs = recent.map((p) => t(p.date) / DAY);
  const ys = recent.map((p) => p.valeur);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < xs.length; i++) {
    sxx += (xs[i]! - mx) ** 2;
    sxy += (xs[i]! - mx) * (ys[i]! - my);
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  const last = recent[recent.length - 1]!;
  if (Math.sign(target - last.valeur) === 0) return last.date;
  if (slope === 0 || Math.sign(slope) !== Math.sign(target - last.valeur)) return null;
  const intercept = my - slope * mx;
  const day = (target - intercept) / slope;
  if (!Number.isFinite(day) || day > t('2200-01-01') / DAY) return null;
  return iso(Math.max(day, t(last.date) / DAY) * DAY);
}
