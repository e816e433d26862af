import { fold } from '../text/normalize.ts';

/** Category slugs of the contract (issue 10); `tous` exists only in the indicators. */
export const CATEGORIES = {
  mediation: 'Médiation numérique',
  'france-services': 'France Services',
  'aidants-connect': 'Aidants Connect',
  'conseiller-numerique': 'Conseiller numérique',
  'tiers-lieu': 'Tiers-lieu',
} as const;
export type Categorie = keyof typeof CATEGORIES;
export const CATEGORY_SLUGS = Object.keys(CATEGORIES) as [Categorie, ...Categorie[]];

/**
 * Services of the LieuxDeMediationNumerique schema, all generations: the 2022 labels (CNFS cartography "v0",
 * data·inclusion 2022, still used by the 2024 files) and the 2023 labels of schema 1.x. Keys are folded.
 */
const SERVICE_LIST = [
  // 2022 labels
  'Prendre en main un smartphone ou une tablette',
  'Prendre en main un ordinateur',
  'Utiliser le numérique au quotidien',
  'Approfondir ma culture numérique',
  'Favoriser mon insertion professionnelle',
  'Accéder à une connexion internet',
  'Accéder à du matériel',
  'S’équiper en matériel informatique',
  'Créer et développer mon entreprise',
  'Devenir autonome dans les démarches administratives',
  'Réaliser des démarches administratives avec un accompagnement',
  'Promouvoir la citoyenneté numérique',
  'Soutenir la parentalité et l’éducation avec le numérique',
  'Créer avec le numérique',
  'Accompagner les démarches de santé',
  // schema 1.x (2023)
  'Aide aux démarches administratives',
  'Maîtrise des outils numériques du quotidien',
  'Insertion professionnelle via le numérique',
  'Utilisation sécurisée du numérique',
  'Parentalité et éducation avec le numérique',
  'Loisirs et créations numériques',
  'Compréhension du monde numérique',
  'Accès internet et matériel informatique',
  'Acquisition de matériel informatique à prix solidaire',
];
const SERVICES = new Map(SERVICE_LIST.map((s) => [fold(s), s]));

/** The published label of a service as a file writes it (case, accents, a final full stop aside); null when unknown. */
export function serviceOf(raw: string): string | null {
  return SERVICES.get(fold(raw.replace(/[.\s]+$/, ''))) ?? null;
}

export const JOURS = ['lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche'] as const;
const OSM_DAYS = ['Mo', 'Tu', 'We', 'Th', 'Fr', 'Sa', 'Su'];

/**
 * France Services hours of one day ("09:00 - 12:00 / 13:30 - 17:00") as OSM ranges ("09:00-12:00,13:30-17:00");
 * null when empty, undefined when unreadable.
 */
export function dayRanges(s: string | undefined): string | null | undefined {
  const v = (s ?? '').trim();
  if (!v) return null;
  const parts = v.split('/').map((p) => p.trim());
  const out: string[] = [];
  for (const p of parts) {
    const m = /^(\d{1,2})[:h](\d{2})\s*-\s*(\d{1,2})[:h](\d{2})$/.exec(p);
    if (!m) return undefined;
    out.push(`${m[1]!.padStart(2, '0')}:${m[2]}-${m[3]!.padStart(2, '0')}:${m[4]}`);
  }
  return out.join(',');
}

/** Per-day OSM ranges (Monday first) as one OSM `opening_hours` value; null when no day has hours. */
export function osmOfWeek(days: (string | null)[]): string | null {
  const rules = days.map((r, i) => (r ? `${OSM_DAYS[i]} ${r}` : null)).filter((x): x is string => !!x);
  return rules.length ? rules.join('; ') : null;
}

/**
 * The simple OSM forms the files use ("Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00") as hours per weekday,
 * Monday first; null when the value uses more of the syntax (then it is shown as written).
 */
export function weekOfOsm(v: string): (string | null)[] | null {
  const week: (string | null)[] = [null, null, null, null, null, null, null];
  for (const rule of v
    .split(';')
    .map((r) => r.trim())
    .filter(Boolean)) {
    const m =
      /^([A-Z][a-z](?:\s*[-,]\s*[A-Z][a-z])*)\s+((?:\d{2}:\d{2}-\d{2}:\d{2})(?:\s*,\s*\d{2}:\d{2}-\d{2}:\d{2})*|off)$/.exec(
        rule,
      );
    if (!m) return null;
    const days = new Set<number>();
    for (const part of m[1]!.split(',').map((p) => p.trim())) {
      const [a, b] = part.split('-').map((d) => OSM_DAYS.indexOf(d.trim()));
      if (a === undefined || a < 0 || (b !== undefined && b < 0)) return null;
      for (let d = a; d <= (b ?? a); d++) days.add(d);
    }
    for (const d of days) week[d] = m[2] === 'off' ? null : m[2]!.replace(/\s+/g, '').replaceAll(',', ', ');
  }
  return week;
}
