import type { AppContext } from '../context.ts';
import type { Queryable } from '../db/db.ts';
import { untilNextImport } from '../imports/until-next-import.ts';

/**
 * Example addresses for the search field's hint, taken from the addresses loaded for the instance's
 * région: first in its largest communes, otherwise anywhere in its départements.
 */
type ExampleRow = { numero: number; suffixe: string | null; voie: string; commune: string; code_insee: string };

async function numberedAddressesIn(q: Queryable, communes: string[]) {
  return (
    await q.query<ExampleRow>(
      `SELECT DISTINCT ON (code_insee) numero, suffixe, voie, commune, code_insee FROM adresse
     WHERE code_insee = ANY($1) AND numero BETWEEN 1 AND 99 ORDER BY code_insee, voie, numero`,
      [communes],
    )
  ).rows;
}

async function numberedAddressesInDepartements(q: Queryable, departements: string[]) {
  return (
    await q.query<ExampleRow>(
      'SELECT numero, suffixe, voie, commune, code_insee FROM adresse WHERE departement = ANY($1) AND numero BETWEEN 1 AND 99 LIMIT 2',
      [departements],
    )
  ).rows;
}

const label = (r: ExampleRow) => `${r.numero}${r.suffixe ? ` ${r.suffixe}` : ''} ${r.voie} ${r.commune}`;

const cached = untilNextImport<string[]>();

/** Up to two labels ("12 Rue de la Paix Caen"); none when no address of the région is loaded. */
export function addressExamples(
  ctx: AppContext,
  region: { departements: string[]; communes: { code: string }[] },
): Promise<string[]> {
  return cached(ctx, async () => {
    const order = region.communes.map((c) => c.code);
    const inLargest = (await numberedAddressesIn(ctx.db, order)).sort(
      (a, b) => order.indexOf(a.code_insee) - order.indexOf(b.code_insee),
    );
    const rows =
      inLargest.length >= 2
        ? inLargest
        : [...inLargest, ...(await numberedAddressesInDepartements(ctx.db, region.departements))];
    return [...new Set(rows.map(label))].slice(0, 2);
  });
}

/** The hint under an address field: the expected form, with real addresses of the région. */
export function addressHintOf(examples: string[]): string {
  const base = 'Numéro, voie et commune ou code postal';
  return examples.length ? `${base}. Ex. : ${examples.join(', ')}` : `${base}.`;
}
