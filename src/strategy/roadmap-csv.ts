import { z } from 'zod';
import type { Db } from '../db/db.ts';
import { csvDocument } from '../http/csv.ts';
import { IsoDate } from '../http/schemas.ts';
import { readCsv, readHeader } from '../imports/csv.ts';
import { defineJob } from '../imports/job.ts';
import { readLimits } from '../imports/read.ts';
import { checkColumns, refuseBadRows } from './csv-checks.ts';
import * as Q from './queries.ts';
import { STATUTS_ACTION } from './schema.ts';
import { flatten, strategyTree } from './service.ts';

/**
 * The roadmap as CSV (UTF-8 with BOM, `;`): one row per node. `statut`, `avancement`, `debut`, `fin`
 * are what a re-import changes (empty = rolled up from the children / no date); the other columns
 * identify the row (`strategie`, `id`, `code` must match) or inform (title, owner, budget totals).
 */
const COLUMNS = [
  'strategie',
  'id',
  'code',
  'niveau',
  'titre',
  'porteur',
  'statut',
  'avancement',
  'debut',
  'fin',
  'budget_prevu',
  'budget_engage',
  'budget_realise',
] as const;

export async function roadmapCsv(db: Db, s: Q.StrategyRow): Promise<string> {
  const rows = flatten(await strategyTree(db, s.id)).map((n) => [
    s.slug,
    n.id,
    n.code,
    n.niveau,
    n.titre,
    n.porteur,
    n.statut,
    n.avancement,
    n.debut,
    n.fin,
    n.budget_total.prevu,
    n.budget_total.engage,
    n.budget_total.realise,
  ]);
  return csvDocument(COLUMNS, rows);
}

const Row = z
  .object({
    statut: z.union([
      z.literal('').transform(() => null),
      z.enum(STATUTS_ACTION, { error: `statut attendu parmi ${STATUTS_ACTION.join(', ')} (ou vide)` }),
    ]),
    avancement: z.union([
      z.literal('').transform(() => null),
      z
        .string()
        .transform((s) => s.replace(',', '.'))
        .refine((s) => /^\d+(\.\d+)?$/.test(s), 'avancement : nombre attendu')
        .transform(Number)
        .refine((n) => n <= 100, 'avancement : de 0 à 100'),
    ]),
    debut: z.union([z.literal('').transform(() => null), IsoDate]),
    fin: z.union([z.literal('').transform(() => null), IsoDate]),
  })
  .refine((r) => !r.debut || !r.fin || r.fin >= r.debut, { message: 'la fin précède le début', path: ['fin'] });

export const strategieCsvJob = defineJob({
  name: 'strategie-csv',
  title: 'Feuille de route d’une stratégie (CSV exporté puis modifié)',
  accepts:
    'Le CSV téléchargé depuis /api/v1/strategies/{slug}/export.csv (UTF-8, « ; »), colonnes statut, avancement, debut, fin modifiées ; toute erreur refuse le fichier entier.',
  options: z.object({}).strict(),
  async run({ db, tally, config }, source) {
    const limits = readLimits(config);
    const { header } = await readHeader(source.path, limits);
    checkColumns(header, COLUMNS);
    const strategies = new Map<string, Q.StrategyRow | null>();
    const nodes = new Map<number, Q.NodeRow & { strategie_id: number }>();
    const changes: { s: Q.StrategyRow; n: Q.NodeRow; next: z.infer<typeof Row> }[] = [];
    const errors: string[] = [];
    for await (const { n: line, row, raw } of readCsv(source.path, tally, { limits, delimiter: ';' })) {
      tally.read++;
      const bad = (reason: string) => {
        tally.reject(line, reason, raw);
        errors.push(`ligne ${line} : ${reason}`);
      };
      const slug = row.strategie ?? '';
      if (!strategies.has(slug))
        strategies.set(slug, /^[a-z0-9-]{1,63}$/.test(slug) ? await Q.strategyBySlug(db, slug) : null);
      const s = strategies.get(slug);
      if (!s) {
        bad(`stratégie « ${slug} » inconnue`);
        continue;
      }
      const id = /^\d{1,15}$/.test(row.id ?? '') ? Number(row.id) : null;
      const node = id === null ? null : (nodes.get(id) ?? (await Q.nodeById(db, id)));
      if (!node || node.strategie_id !== s.id) {
        bad(`id « ${row.id ?? ''} » : aucun nœud de ce numéro dans ${slug}`);
        continue;
      }
      nodes.set(node.id, node);
      if (row.code !== node.code) {
        bad(`code changé (« ${row.code ?? ''} » au lieu de « ${node.code} ») : le code ne se modifie pas ici`);
        continue;
      }
      const p = Row.safeParse(row);
      if (!p.success) {
        bad(p.error.issues.map((i) => `${i.path.join('.')} : ${i.message}`).join(', '));
        continue;
      }
      tally.accepted++;
      const v = p.data;
      if (v.statut !== node.statut || v.avancement !== node.avancement || v.debut !== node.debut || v.fin !== node.fin)
        changes.push({ s, n: node, next: v });
    }
    if (errors.length) {
      tally.accepted = 0;
      throw refuseBadRows('Feuille de route refusée', errors);
    }
    await db.transaction(async (tx) => {
      for (const c of changes) {
        const prev = { statut: c.n.statut, avancement: c.n.avancement, debut: c.n.debut, fin: c.n.fin };
        await Q.updateNodeSteering(tx, c.n.id, c.next);
        await Q.insertHistory(tx, {
          strategie_id: c.s.id,
          noeud_id: c.n.id,
          indicateur_id: null,
          objet: `${c.n.niveau} ${c.n.code}`,
          operation: 'import',
          auteur: `import ${source.name}`,
          utilisateur_id: null,
          avant: prev,
          apres: c.next,
        });
      }
    });
    return `Feuille de route : ${tally.read} lignes lues, ${changes.length} nœud${changes.length > 1 ? 's' : ''} modifié${changes.length > 1 ? 's' : ''}.`;
  },
});
