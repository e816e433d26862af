import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { defineJob } from '../imports/job.ts';
import { readChunks, readLimits } from '../imports/read.ts';
import * as Q from './queries.ts';
import type { Operateur } from './vocab.ts';

const NAMES: Record<string, Operateur> = {
  Orange: 'orange',
  SFR: 'sfr',
  Bouygues_Telecom: 'bouygues',
  Free_Mobile: 'free',
};

type Tree = { [k: string]: unknown };
const at = (o: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>((x, k) => (x && typeof x === 'object' ? (x as Tree)[k] : undefined), o);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * National aggregates of Mon réseau mobile (ARCEP's `data-graph.js` object as JSON): for metropolitan France,
 * per operator, the 4G coverage of population and territory (own network), the national mean download and
 * upload speeds, and the 5G sites per band. Replaces the previous reference.
 */
export const mobileStatsJob = defineJob({
  name: 'mobile-stats',
  title: 'Mon réseau mobile : statistiques nationales (référence)',
  accepts:
    "Fichier JSON des statistiques nationales de Mon réseau mobile (clés metropole, guadeloupe… → couverture, sites, debitsDl, debitsUl). L'option millesime (par exemple 2022) date la référence ; sinon l'année du nom du fichier.",
  options: z
    .object({
      millesime: z
        .string()
        .trim()
        .regex(/^\d{4}(-\d{2}(-\d{2})?)?$/, 'année ou date attendue')
        .optional(),
    })
    .strict(),
  async run({ db, tally, config }, source, options) {
    const fichier = path.basename(source.name);
    const millesime = options.millesime ?? /(20\d\d)/.exec(fichier)?.[1];
    if (!millesime)
      throw new AppError(
        'IMPORT_ECHEC',
        'no vintage',
        `L'année des statistiques ne se lit pas dans ${fichier} : précisez l'option millesime=AAAA.`,
      );
    const parts: Buffer[] = [];
    for await (const c of readChunks(source.path, readLimits(config))) parts.push(c);
    let doc: unknown;
    try {
      doc = JSON.parse(Buffer.concat(parts).toString('utf8'));
    } catch {
      throw new AppError('IMPORT_ECHEC', 'invalid JSON', `${fichier} n'est pas un JSON lisible. Rien n'a été modifié.`);
    }
    const m = at(doc, 'metropole');
    const cov = at(m, 'couverture', '4G');
    if (!cov)
      throw new AppError(
        'IMPORT_ECHEC',
        'no metropole.couverture.4G',
        `${fichier} n'a pas de couverture 4G pour la métropole (clé metropole.couverture.4G) : ce n'est pas le fichier des statistiques de Mon réseau mobile.`,
      );
    const rows: Q.ReferenceRow[] = [];
    for (const [name, op] of Object.entries(NAMES)) {
      tally.read++;
      const dl = num(at(m, 'debitsDl', 'national', 'tous', name));
      const ul = num(at(m, 'debitsUl', 'national', 'tous', name));
      const row = {
        operateur: op,
        millesime,
        fichier,
        couv_4g_population: num(at(cov, 'Couverture_en_population', 'ReseauPropre', name)),
        couv_4g_territoire: num(at(cov, 'Couverture_en_territoire', 'ReseauPropre', name)),
        // Published in kbit/s.
        debit_descendant_mbps: dl === null ? null : dl / 1000,
        debit_montant_mbps: ul === null ? null : ul / 1000,
        sites_5g_700: num(at(m, 'sites', '5G', 'SitesTous5G', 'Sites700', name)),
        sites_5g_2100: num(at(m, 'sites', '5G', 'SitesTous5G', 'Sites2100', name)),
        sites_5g_3500: num(at(m, 'sites', '5G', 'SitesTous5G', 'Sites3500', name)),
      };
      if (row.couv_4g_population === null && row.debit_descendant_mbps === null) {
        tally.reject(null, `opérateur ${name} absent des statistiques de la métropole`);
        continue;
      }
      rows.push(row);
    }
    if (!rows.length)
      throw new AppError('IMPORT_ECHEC', 'no operator', `Aucun opérateur dans ${fichier}. Rien n'a été modifié.`);
    await db.transaction((tx) => Q.replaceReference(tx, rows));
    tally.accepted = rows.length;
    return `Référence nationale ${millesime} (métropole) enregistrée pour ${rows.length} opérateurs depuis ${fichier}.`;
  },
});
