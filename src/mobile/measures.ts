import crypto from 'node:crypto';
import { z } from 'zod';
import type { Db, Queryable } from '../db/db.ts';
import { type NiveauObs, resolveScope } from '../observatory/service.ts';
import type { CommuneLocator } from './locate.ts';
import * as Q from './measures-queries.ts';
import { OPERATEURS, type Operateur } from './vocab.ts';

export const TECHNOS = ['2G', '3G', '4G', '5G'] as const;
type Techno = (typeof TECHNOS)[number];
export const APPAREILS = ['smartphone', 'tablette', 'modem', 'autre'] as const;

/** Highest plausible speeds per technology (Mbit/s), above what any commercial network delivers in France. */
export const MAX_MBPS: Record<Techno, { down: number; up: number }> = {
  '2G': { down: 1, up: 0.5 },
  '3G': { down: 50, up: 15 },
  '4G': { down: 1500, up: 300 },
  '5G': { down: 5000, up: 1000 },
};

/** Metropolitan France with Corsica, and the five overseas départements (WGS84 boxes with a margin). */
const FRANCE_BOXES: [number, number, number, number][] = [
  [-5.8, 41.2, 9.9, 51.2],
  [-61.9, 15.8, -60.9, 16.6], // Guadeloupe
  [-61.3, 14.3, -60.7, 14.95], // Martinique
  [-54.7, 2.0, -51.5, 5.9], // Guyane
  [55.1, -21.5, 55.9, -20.8], // La Réunion
  [44.9, -13.1, 45.4, -12.5], // Mayotte
];
const inFrance = (lon: number, lat: number) =>
  FRANCE_BOXES.some(([x0, y0, x1, y1]) => lon >= x0 && lon <= x1 && lat >= y0 && lat <= y1);

/** Allowed clock skew of a device: a time up to 5 minutes ahead is taken as now, later is refused. */
const SKEW_MS = 5 * 60_000;
const MAX_AGE_MS = 366 * 24 * 3600_000;

const mbps = (field: string) =>
  z
    .number({ error: `${field} : nombre attendu (Mbit/s)` })
    .min(0, `${field} : un débit ne peut pas être négatif`)
    .max(10_000, `${field} : débit impossible (plus de 10 000 Mbit/s)`);

/** The JSON body of POST /api/v1/mobile/mesures; every message names its field. */
export const MeasureSchema = z
  .object({
    lon: z
      .number({ error: 'lon : longitude attendue (nombre, degrés WGS84)' })
      .min(-180, 'lon : entre -180 et 180')
      .max(180, 'lon : entre -180 et 180'),
    lat: z
      .number({ error: 'lat : latitude attendue (nombre, degrés WGS84)' })
      .min(-90, 'lat : entre -90 et 90')
      .max(90, 'lat : entre -90 et 90'),
    operateur: z.enum(OPERATEURS, { error: 'operateur : attendu orange, sfr, bouygues ou free' }),
    techno: z.enum(TECHNOS, { error: 'techno : attendu 2G, 3G, 4G ou 5G' }),
    debit_descendant_mbps: mbps('debit_descendant_mbps'),
    debit_montant_mbps: mbps('debit_montant_mbps'),
    latence_ms: z
      .number({ error: 'latence_ms : nombre attendu (millisecondes)' })
      .gt(0, 'latence_ms : doit être positive')
      .max(20_000, 'latence_ms : plus de 20 secondes, mesure inexploitable'),
    horodatage: z.iso.datetime({ offset: true, error: 'horodatage : date et heure ISO 8601 attendues' }),
    signal_dbm: z
      .number({ error: 'signal_dbm : nombre attendu (dBm)' })
      .min(-150, 'signal_dbm : entre -150 et -20 dBm')
      .max(-20, 'signal_dbm : entre -150 et -20 dBm')
      .optional(),
    appareil: z.enum(APPAREILS, { error: 'appareil : attendu smartphone, tablette, modem ou autre' }).optional(),
    interieur: z.boolean({ error: 'interieur : vrai ou faux attendu' }).optional(),
  })
  .strict()
  .superRefine((m, c) => {
    const max = MAX_MBPS[m.techno];
    if (m.debit_descendant_mbps > max.down)
      c.addIssue({
        code: 'custom',
        path: ['debit_descendant_mbps'],
        message: `debit_descendant_mbps : ${m.debit_descendant_mbps} Mbit/s est impossible en ${m.techno} (au plus ${max.down})`,
      });
    if (m.debit_montant_mbps > max.up)
      c.addIssue({
        code: 'custom',
        path: ['debit_montant_mbps'],
        message: `debit_montant_mbps : ${m.debit_montant_mbps} Mbit/s est impossible en ${m.techno} (au plus ${max.up})`,
      });
    if (!inFrance(m.lon, m.lat))
      c.addIssue({ code: 'custom', path: ['lon'], message: 'lon, lat : position hors de France' });
    const t = Date.parse(m.horodatage);
    if (t > Date.now() + SKEW_MS)
      c.addIssue({ code: 'custom', path: ['horodatage'], message: 'horodatage : date dans le futur' });
    else if (t < Date.now() - MAX_AGE_MS)
      c.addIssue({ code: 'custom', path: ['horodatage'], message: 'horodatage : mesure de plus d’un an' });
  });
type Measure = z.infer<typeof MeasureSchema>;

/** ~100 m: 0.001° is 111 m of latitude and 76 m of longitude at 47° N. */
const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Records a measurement, or returns the id of the same one received less than a minute ago
 * (`doublon`). The commune comes from the exact point; only the rounded one is stored.
 */
export async function submitMeasure(
  db: Db,
  locator: CommuneLocator,
  m: Measure,
  origine: 'api' | 'formulaire',
): Promise<{ id: number; doublon: boolean }> {
  const row = {
    horodatage: new Date(Math.min(Date.parse(m.horodatage), Date.now())).toISOString(),
    lon: round3(m.lon),
    lat: round3(m.lat),
    commune: locator.locate(m.lon, m.lat),
    operateur: m.operateur,
    techno: m.techno,
    debit_descendant_mbps: m.debit_descendant_mbps,
    debit_montant_mbps: m.debit_montant_mbps,
    latence_ms: m.latence_ms,
    signal_dbm: m.signal_dbm ?? null,
    appareil: m.appareil ?? null,
    interieur: m.interieur ?? null,
    origine,
  };
  const { origine: _o, ...published } = row;
  const empreinte = crypto.createHash('sha256').update(JSON.stringify(published)).digest('hex');
  return db.transaction(async (tx) => {
    await Q.lockFingerprint(tx, empreinte);
    const dup = await Q.recentWithFingerprint(tx, empreinte);
    if (dup !== null) return { id: dup, doublon: true };
    return { id: await Q.insertMeasure(tx, { ...row, empreinte }), doublon: false };
  });
}

/** Below this many measurements, an operator's figures are not published (only the count). */
export const MIN_PUBLISHED = 5;

type OperatorAggregate = {
  mesures: number;
  debit_descendant_median_mbps: number | null;
  debit_montant_median_mbps: number | null;
  latence_mediane_ms: number | null;
  part_sous_8_mbps: number | null;
};

/** Count, medians and share below 8 Mbit/s per operator in a territory; figures only from MIN_PUBLISHED measurements. */
export async function measureAggregates(q: Queryable, niveau: NiveauObs, code: string) {
  const scope = await resolveScope(q, niveau, code);
  const rows = niveau === 'france' ? await Q.aggregatesAll(q) : await Q.aggregatesOf(q, niveau, scope.code);
  const operateurs: Partial<Record<Operateur, OperatorAggregate>> = {};
  let total = 0;
  for (const r of rows) {
    total += r.mesures;
    const shown = r.mesures >= MIN_PUBLISHED;
    operateurs[r.operateur as Operateur] = {
      mesures: r.mesures,
      debit_descendant_median_mbps: shown ? r.down : null,
      debit_montant_median_mbps: shown ? r.up : null,
      latence_mediane_ms: shown ? r.latence : null,
      part_sous_8_mbps: shown ? r.sous_8 : null,
    };
  }
  return { scope, total, operateurs, seuil: MIN_PUBLISHED };
}

export const publishedMeasures = (q: Queryable) => Q.publishedMeasures(q);
export const measuresToModerate = (q: Queryable) => Q.toModerate(q);
export const measureExists = (q: Queryable, id: number) => Q.measureExists(q, id);
export const setMeasureHidden = (q: Queryable, id: number, hidden: boolean, by: string) =>
  Q.setHidden(q, id, hidden, by);
