import type { Cell, DataRow, Dataset, DatasetContext, Field } from './dataset.ts';

/**
 * Datalab exploration of a tabular dataset, on the server: filters, one group-by column, one aggregate,
 * sort and limit, read from the URL (so a view is shared by its address and works without JavaScript).
 * Only columns the dataset's schema declares public are accepted, by exact name; filter values are typed
 * by their column and compared as values, never interpreted. The rows are read page by page and only the
 * groups are kept; a view that would read more than `maxRows` rows or make more than `MAX_GROUPS` groups is
 * refused with a French message.
 */

export const OPS = { eq: '=', ne: '≠', lt: '<', le: '≤', gt: '>', ge: '≥', contient: 'contient' } as const;
type Op = keyof typeof OPS;
export const AGGREGATES = {
  count: 'nombre de lignes',
  sum: 'somme',
  avg: 'moyenne',
  min: 'minimum',
  max: 'maximum',
} as const;
export type Aggregate = keyof typeof AGGREGATES;
const MAX_GROUPS = 2000;
export const MAX_FILTERS = 3;

/** The view as the URL gives it (strings, unchecked against the dataset). */
export type ViewQuery = {
  groupe?: string;
  agregat?: Aggregate;
  mesure?: string;
  tri?: 'valeur' | 'groupe';
  ordre?: 'asc' | 'desc';
  limite?: number;
} & Partial<Record<`c${1 | 2 | 3}` | `o${1 | 2 | 3}` | `v${1 | 2 | 3}`, string>>;

type Filter = { field: Field; op: Op; value: string | number | boolean };
type View = {
  filters: Filter[];
  group: Field | null;
  aggregate: Aggregate;
  measure: Field | null;
  sort: 'valeur' | 'groupe';
  order: 'asc' | 'desc';
  limit: number;
};
export type ViewResult = {
  rows: { groupe: string; valeur: number | null }[];
  scanned: number;
  matched: number;
  groups: number;
};

export class ViewError extends Error {}

const numeric = (f: Field) => f.type === 'integer' || f.type === 'number';

/** Checks the URL's view against the dataset's declared public columns; throws ViewError with a French message. */
export function parseView(d: Dataset, q: ViewQuery): View {
  const fields = new Map(d.schema.fields.filter((f) => f.public).map((f) => [f.name, f]));
  const column = (name: string, what: string): Field => {
    const f = fields.get(name);
    if (!f)
      throw new ViewError(
        `Colonne inconnue pour ${what} : « ${name.slice(0, 60)} ». Colonnes de ce jeu : ${[...fields.keys()].join(', ')}.`,
      );
    return f;
  };
  const filters: Filter[] = [];
  for (const i of [1, 2, 3] as const) {
    const c = q[`c${i}`];
    if (!c) continue;
    const field = column(c, `le filtre ${i}`);
    const op = (q[`o${i}`] ?? 'eq') as Op;
    if (!Object.hasOwn(OPS, op)) throw new ViewError(`Opérateur inconnu pour le filtre ${i}.`);
    const raw = (q[`v${i}`] ?? '').trim();
    let value: string | number | boolean = raw;
    if (numeric(field) && op !== 'contient') {
      value = Number(raw.replace(',', '.'));
      if (raw === '' || !Number.isFinite(value))
        throw new ViewError(`Le filtre ${i} sur « ${field.name} » attend un nombre (reçu « ${raw.slice(0, 40)} »).`);
    } else if (field.type === 'boolean' && op !== 'contient') {
      if (!['true', 'false', 'oui', 'non'].includes(raw))
        throw new ViewError(`Le filtre ${i} sur « ${field.name} » attend oui ou non.`);
      value = raw === 'true' || raw === 'oui';
    }
    filters.push({ field, op, value });
  }
  const aggregate = q.agregat ?? 'count';
  const measure = q.mesure ? column(q.mesure, 'la mesure') : null;
  if (aggregate !== 'count') {
    if (!measure) throw new ViewError(`L’agrégat « ${AGGREGATES[aggregate]} » demande une colonne à mesurer.`);
    if (!numeric(measure))
      throw new ViewError(`« ${measure.name} » n’est pas une colonne numérique : choisissez « nombre de lignes ».`);
  }
  return {
    filters,
    group: q.groupe ? column(q.groupe, 'le regroupement') : null,
    aggregate,
    measure: aggregate === 'count' ? null : measure,
    sort: q.tri ?? 'valeur',
    order: q.ordre ?? 'desc',
    limit: q.limite ?? 20,
  };
}

const asText = (v: Cell): string =>
  v === null || v === undefined ? '' : v instanceof Date ? v.toISOString().slice(0, 10) : String(v);

function keep(r: DataRow, f: Filter): boolean {
  const v = r[f.field.name];
  if (f.op === 'contient') return asText(v).toLowerCase().includes(String(f.value).toLowerCase());
  if (v === null || v === undefined || v === '') return f.op === 'ne';
  if (typeof f.value === 'number') {
    const x = Number(v);
    if (!Number.isFinite(x)) return false;
    return cmp(x, f.value, f.op);
  }
  if (typeof f.value === 'boolean') return cmp(Number(v === true || v === 'true'), Number(f.value), f.op);
  return cmp(asText(v).localeCompare(String(f.value), 'fr'), 0, f.op);
}

function cmp(a: number, b: number, op: Op): boolean {
  switch (op) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
    case 'gt':
      return a > b;
    default:
      return a >= b;
  }
}

type Acc = { n: number; sum: number; min: number; max: number; values: number };

/** Runs the view over the dataset's pages, keeping only one accumulator per group. */
export async function runView(d: Dataset, ctx: DatasetContext, v: View, maxRows: number): Promise<ViewResult> {
  const groups = new Map<string, Acc>();
  let scanned = 0;
  let matched = 0;
  for await (const page of d.pages(ctx)) {
    scanned += page.length;
    if (scanned > maxRows)
      throw new ViewError(
        `Cette vue parcourrait plus de ${maxRows.toLocaleString('fr-FR')} lignes : elle est refusée pour ne pas surcharger la plateforme. Téléchargez le fichier CSV pour l’analyser chez vous.`,
      );
    for (const r of page) {
      if (!v.filters.every((f) => keep(r, f))) continue;
      matched++;
      const key = v.group ? asText(r[v.group.name]) : 'Toutes les lignes';
      let a = groups.get(key);
      if (!a) {
        if (groups.size >= MAX_GROUPS)
          throw new ViewError(
            `Ce regroupement donnerait plus de ${MAX_GROUPS} groupes : choisissez une colonne moins détaillée ou ajoutez un filtre.`,
          );
        a = { n: 0, sum: 0, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY, values: 0 };
        groups.set(key, a);
      }
      a.n++;
      if (v.measure) {
        const raw = r[v.measure.name];
        const x = raw === null || raw === undefined || raw === '' ? Number.NaN : Number(raw);
        if (Number.isFinite(x)) {
          a.values++;
          a.sum += x;
          a.min = Math.min(a.min, x);
          a.max = Math.max(a.max, x);
        }
      }
    }
  }
  const value = (a: Acc): number | null => {
    switch (v.aggregate) {
      case 'count':
        return a.n;
      case 'sum':
        return a.sum;
      case 'avg':
        return a.values ? a.sum / a.values : null;
      case 'min':
        return a.values ? a.min : null;
      default:
        return a.values ? a.max : null;
    }
  };
  const rows = [...groups.entries()].map(([groupe, a]) => ({ groupe, valeur: value(a) }));
  const dir = v.order === 'asc' ? 1 : -1;
  rows.sort((a, b) =>
    v.sort === 'groupe'
      ? dir * a.groupe.localeCompare(b.groupe, 'fr', { numeric: true })
      : dir * ((a.valeur ?? Number.NEGATIVE_INFINITY) - (b.valeur ?? Number.NEGATIVE_INFINITY)) ||
        a.groupe.localeCompare(b.groupe, 'fr', { numeric: true }),
  );
  return { rows: rows.slice(0, v.limit), scanned, matched, groups: rows.length };
}
