import { z } from 'zod';
import { insertJson, type Queryable } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { defineJob } from '../imports/job.ts';
import { type JsonDocument, jsonElements } from '../imports/json.ts';
import { readLimits } from '../imports/read.ts';
import { communeCodes } from '../territories/codes.ts';
import { type Niveau, NiveauSchema } from '../territories/schema.ts';
import {
  bboxOf,
  GeometryError,
  type MultiPolygon,
  mergeMulti,
  SIMPLIFY_TOLERANCE,
  simplifyMulti,
  toMultiPolygon,
} from './geometry.ts';

/** Current communes of the départements a commune file covered that still have no contour. */
async function communesWithoutContour(db: Queryable, codes: string[]) {
  return (
    await db.query<{ code: string; nom: string }>(
      `SELECT c.code, c.nom FROM commune c
     WHERE c.type = 'commune-actuelle' AND c.departement IN (SELECT DISTINCT departement FROM commune WHERE code = ANY($1::text[]))
       AND NOT EXISTS (SELECT 1 FROM territoire_geometrie g WHERE g.niveau = 'commune' AND g.code = c.code)
     ORDER BY c.code`,
      [codes],
    )
  ).rows;
}

const CODE_KEYS = [
  'code',
  'code_insee',
  'insee',
  'INSEE_COM',
  'INSEE_DEP',
  'INSEE_REG',
  'insee_com',
  'siren',
  'SIREN_EPCI',
  'CODE_SIREN',
  'codgeo',
  'CODGEO',
];

/** The level named in the file name (france-geojson and ngeofr name their files so). */
function niveauFromName(name: string): Niveau | undefined {
  const n = name.toLowerCase();
  if (/commune/.test(n)) return 'commune';
  if (/epci/.test(n)) return 'epci';
  if (/departement|dep-/.test(n)) return 'departement';
  if (/region|reg-/.test(n)) return 'region';
  return undefined;
}

function featureCode(props: Record<string, unknown> | null | undefined): string | undefined {
  for (const k of CODE_KEYS) {
    const v = props?.[k];
    if (typeof v === 'string' && v.trim()) return v.trim().toUpperCase();
    if (typeof v === 'number') return String(v);
  }
  return undefined;
}

/**
 * Boundaries from official GeoJSON (IGN Admin Express derivatives): a FeatureCollection or a
 * single Feature, WGS84. Commune features under an older code are attached to today's commune;
 * several old communes merged into one become one MultiPolygon.
 */
export const contoursJob = defineJob({
  name: 'contours',
  title: 'Contours administratifs (GeoJSON)',
  accepts:
    "Fichier GeoJSON (éventuellement .gz) en WGS84 : FeatureCollection ou Feature de communes, EPCI, départements ou régions, avec une propriété « code » (code INSEE ou SIREN). Le niveau est lu dans le nom du fichier ou donné par l'option niveau.",
  options: z.object({ niveau: NiveauSchema.optional() }).strict(),
  async run({ db, tally, config }, source, options) {
    const niveau = options.niveau ?? niveauFromName(source.name);
    if (!niveau)
      throw new AppError(
        'IMPORT_ECHEC',
        `cannot tell level of ${source.name}`,
        `Niveau inconnu pour ${source.name} : précisez l'option niveau (commune, epci, departement, region).`,
      );
    const table = { region: 'region', departement: 'departement', epci: 'epci', commune: 'commune' }[niveau];
    const known = new Set((await db.query<{ code: string }>(`SELECT code FROM ${table}`)).rows.map((r) => r.code));
    const codes = niveau === 'commune' ? await communeCodes(db) : null;

    const byCode = new Map<string, MultiPolygon[]>();
    const add = (f: unknown, i: number) => {
      tally.read++;
      const feat = f as { properties?: Record<string, unknown>; geometry?: unknown };
      const raw = featureCode(feat?.properties);
      if (!raw) return tally.reject(i + 1, 'propriété code absente', JSON.stringify(feat?.properties ?? null));
      const code = known.has(raw) ? raw : codes?.current(raw);
      if (!code)
        return tally.reject(i + 1, `code ${raw} inconnu au niveau ${niveau} dans le découpage en vigueur`, raw);
      try {
        const g = toMultiPolygon(feat.geometry);
        byCode.set(code, [...(byCode.get(code) ?? []), g]);
      } catch (e) {
        if (e instanceof GeometryError) return tally.reject(i + 1, `${raw} : ${e.message}`, raw);
        throw e;
      }
    };
    // Features are read one at a time: a national file is never held whole in memory.
    let doc: JsonDocument | undefined;
    let i = 0;
    for await (const f of jsonElements(source.path, readLimits(config), {
      member: 'features',
      done: (d) => {
        doc = d;
      },
    }))
      add(f, i++);
    const d = doc?.rest as { type?: string; features?: unknown } | null | undefined;
    if (d?.type === 'Feature') add(d, 0);
    else if (d?.type !== 'FeatureCollection' || !Array.isArray(d.features)) {
      throw new AppError(
        'IMPORT_ECHEC',
        'not a FeatureCollection/Feature',
        'Le fichier doit être une FeatureCollection ou une Feature GeoJSON.',
      );
    }
    if (!byCode.size)
      throw new AppError(
        'IMPORT_ECHEC',
        'no usable feature',
        `Aucun contour utilisable dans ${source.name} (${tally.rejected} rejetés).`,
      );

    const rows = [...byCode].map(([code, parts]) => {
      const g = mergeMulti(parts);
      return {
        niveau,
        code,
        geometrie: g,
        geometrie_simplifiee: simplifyMulti(g, SIMPLIFY_TOLERANCE[niveau]),
        bbox: bboxOf(g),
        source: source.name,
      };
    });
    await db.transaction(async (tx) => {
      await insertJson(
        tx,
        'territoire_geometrie',
        {
          niveau: 'text',
          code: 'text',
          geometrie: 'jsonb',
          geometrie_simplifiee: 'jsonb',
          bbox: 'double precision[]',
          source: 'text',
        },
        rows,
        {
          chunk: 500,
          onConflict:
            'ON CONFLICT (niveau, code) DO UPDATE SET geometrie = EXCLUDED.geometrie, geometrie_simplifiee = EXCLUDED.geometrie_simplifiee, bbox = EXCLUDED.bbox, source = EXCLUDED.source',
        },
      );
    });
    tally.accepted = tally.read - tally.rejected;
    const missing = niveau === 'commune' ? await communesWithoutContour(db, [...byCode.keys()]) : [];
    const list = missing
      .slice(0, 200)
      .map((m) => `${m.code} ${m.nom}`)
      .join(', ');
    return `${rows.length} contours de niveau ${niveau} enregistrés.${
      missing.length
        ? ` ${missing.length} commune${missing.length > 1 ? 's' : ''} actuelle${missing.length > 1 ? 's' : ''} des départements du fichier sans contour (carte incomplète) : ${list}${missing.length > 200 ? ', …' : ''}.`
        : niveau === 'commune'
          ? ' Toutes les communes actuelles des départements du fichier ont un contour.'
          : ''
    }`;
  },
});
