import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { z } from 'zod';
import { insertJson, type Queryable } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { defineJob } from '../imports/job.ts';
import { type JsonDocument, jsonElements } from '../imports/json.ts';
import { type ReadLimits, readLimits } from '../imports/read.ts';
import { normalizeName } from '../text/normalize.ts';

const CommuneSchema = z.object({
  code: z.string().regex(/^[0-9][0-9AB][0-9]{3}$/),
  nom: z.string().min(1),
  type: z.enum(['commune-actuelle', 'commune-deleguee', 'commune-associee', 'arrondissement-municipal']),
  departement: z.string().optional(),
  region: z.string().optional(),
  arrondissement: z.string().optional(),
  siren: z.string().optional(),
  codesPostaux: z.array(z.string()).optional(),
  population: z.number().int().nonnegative().optional(),
  chefLieu: z.string().optional(),
  commune: z.string().optional(),
  anciensCodes: z.array(z.string()).optional(),
  zone: z.string().optional(),
});
const EpciSchema = z.object({
  code: z.string().regex(/^\d{9}$/),
  nom: z.string().min(1),
  type: z.string(),
  modeFinancement: z.string().optional(),
  populationMunicipale: z.number().int().optional(),
  membres: z.array(z.object({ code: z.string() })),
});
const DepartementSchema = z.object({
  code: z.string(),
  nom: z.string(),
  region: z.string(),
  chefLieu: z.string().optional(),
  zone: z.string(),
});
const RegionSchema = z.object({ code: z.string(), nom: z.string(), chefLieu: z.string().optional(), zone: z.string() });

function packageDataDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('@etalab/decoupage-administratif/package.json')), 'data');
}

/** The records of one COG file (a JSON array), parsed one at a time, checked by the caller. */
async function readArray(dir: string, file: string, limits: ReadLimits): Promise<unknown[]> {
  const candidates = [file, `${file}.gz`];
  const found = candidates.map((f) => path.join(dir, f)).find((p) => fs.existsSync(p));
  if (!found)
    throw new AppError('SOURCE_ILLISIBLE', `${file} missing in ${dir}`, `Fichier ${file} absent du dossier ${dir}.`);
  const out: unknown[] = [];
  let doc: JsonDocument | undefined;
  for await (const r of jsonElements(found, limits, {
    done: (d) => {
      doc = d;
    },
  }))
    out.push(r);
  if (doc?.rest !== null)
    throw new AppError('SOURCE_ILLISIBLE', `${found}: not an array`, `${file} doit contenir une liste.`);
  return out;
}

/**
 * Loads the official geography (COG) from the files of `@etalab/decoupage-administratif`
 * (communes.json, epci.json, departements.json, regions.json), from the package itself by
 * default or from a folder holding a newer version.
 */
export const territoiresJob = defineJob({
  name: 'territoires',
  title: 'Découpage administratif (COG)',
  accepts:
    'Dossier contenant communes.json, epci.json, departements.json et regions.json au format @etalab/decoupage-administratif (par défaut : les fichiers du paquet npm installé).',
  options: z.object({}).strict(),
  defaultSource: packageDataDir,
  async run({ db, tally, config }, source) {
    const dir = source.path;
    const limits = readLimits(config);
    const parse = <T>(schema: z.ZodType<T>, rows: unknown[], file: string): T[] => {
      const out: T[] = [];
      rows.forEach((r, i) => {
        tally.read++;
        const p = schema.safeParse(r);
        if (p.success) out.push(p.data);
        else
          tally.reject(
            i + 1,
            `${file} : ${p.error.issues.map((x) => `${x.path.join('.')} ${x.message}`).join(', ')}`,
            JSON.stringify(r),
          );
      });
      return out;
    };
    const regions = parse(RegionSchema, await readArray(dir, 'regions.json', limits), 'regions.json');
    const departements = parse(
      DepartementSchema,
      await readArray(dir, 'departements.json', limits),
      'departements.json',
    );
    const epcis = parse(EpciSchema, await readArray(dir, 'epci.json', limits), 'epci.json');
    const communes = parse(CommuneSchema, await readArray(dir, 'communes.json', limits), 'communes.json');
    if (regions.length < 13 || departements.length < 96 || communes.length < 30000) {
      throw new AppError(
        'IMPORT_ECHEC',
        `too few rows: ${regions.length}/${departements.length}/${communes.length}`,
        'Le découpage semble incomplet (trop peu de régions, départements ou communes) : import refusé.',
      );
    }

    const epciOf = new Map<string, string>();
    for (const e of epcis) for (const m of e.membres) epciOf.set(m.code, e.code);
    const deptCodes = new Set(departements.map((d) => d.code));

    const current = communes.filter((c) => c.type === 'commune-actuelle' || c.type === 'arrondissement-municipal');
    const communeRows: Record<string, unknown>[] = [];
    for (const c of current) {
      if (!c.departement || !c.region || !deptCodes.has(c.departement)) {
        tally.reject(null, `commune ${c.code} sans département connu`, c.nom);
        continue;
      }
      communeRows.push({
        code: c.code,
        nom: c.nom,
        nom_norm: normalizeName(c.nom),
        type: c.type,
        departement: c.departement,
        region: c.region,
        arrondissement: c.arrondissement ?? null,
        epci: c.type === 'commune-actuelle' ? (epciOf.get(c.code) ?? null) : null,
        commune_parente: c.commune ?? null,
        siren: c.siren ?? null,
        codes_postaux: c.codesPostaux ?? [],
        population: c.population ?? null,
      });
    }
    const currentCodes = new Set(communeRows.map((c) => c.code as string));

    // Old codes: delegated/associated communes point to their chef-lieu; `anciensCodes` to the commune.
    const historique = new Map<
      string,
      { code_ancien: string; code_actuel: string; nom: string | null; type: string }
    >();
    for (const c of communes) {
      if (
        (c.type === 'commune-deleguee' || c.type === 'commune-associee') &&
        c.chefLieu &&
        c.code !== c.chefLieu &&
        !currentCodes.has(c.code) &&
        currentCodes.has(c.chefLieu)
      ) {
        historique.set(c.code, { code_ancien: c.code, code_actuel: c.chefLieu, nom: c.nom, type: c.type });
      }
    }
    for (const c of current) {
      for (const old of c.anciensCodes ?? []) {
        if (!currentCodes.has(old) && !historique.has(old))
          historique.set(old, { code_ancien: old, code_actuel: c.code, nom: null, type: 'ancien-code' });
      }
    }

    await db.transaction(async (tx) => {
      await upsert(
        tx,
        'region',
        { code: 'text', nom: 'text', nom_norm: 'text', chef_lieu: 'text', zone: 'text' },
        regions.map((r) => ({
          code: r.code,
          nom: r.nom,
          nom_norm: normalizeName(r.nom),
          chef_lieu: r.chefLieu ?? null,
          zone: r.zone,
        })),
      );
      await upsert(
        tx,
        'departement',
        { code: 'text', nom: 'text', nom_norm: 'text', region: 'text', chef_lieu: 'text', zone: 'text' },
        departements.map((d) => ({
          code: d.code,
          nom: d.nom,
          nom_norm: normalizeName(d.nom),
          region: d.region,
          chef_lieu: d.chefLieu ?? null,
          zone: d.zone,
        })),
      );
      await upsert(
        tx,
        'epci',
        { code: 'text', nom: 'text', nom_norm: 'text', type: 'text', mode_financement: 'text', population: 'integer' },
        epcis.map((e) => ({
          code: e.code,
          nom: e.nom,
          nom_norm: normalizeName(e.nom),
          type: e.type,
          mode_financement: e.modeFinancement ?? null,
          population: e.populationMunicipale ?? null,
        })),
      );
      await upsert(
        tx,
        'commune',
        {
          code: 'text',
          nom: 'text',
          nom_norm: 'text',
          type: 'text',
          departement: 'text',
          region: 'text',
          arrondissement: 'text',
          epci: 'text',
          commune_parente: 'text',
          siren: 'text',
          codes_postaux: 'text[]',
          population: 'integer',
        },
        communeRows,
      );
      await tx.query('DELETE FROM commune_code_historique');
      await insertJson(
        tx,
        'commune_code_historique',
        { code_ancien: 'text', code_actuel: 'text', nom: 'text', type: 'text' },
        [...historique.values()],
      );
      // Territories gone from the new vintage.
      await tx.query('DELETE FROM commune WHERE NOT (code = ANY($1::text[]))', [[...currentCodes]]);
      await tx.query('DELETE FROM epci WHERE NOT (code = ANY($1::text[]))', [epcis.map((e) => e.code)]);
      await tx.query('DELETE FROM departement WHERE NOT (code = ANY($1::text[]))', [departements.map((d) => d.code)]);
      await tx.query('DELETE FROM region WHERE NOT (code = ANY($1::text[]))', [regions.map((r) => r.code)]);
    });
    tally.accepted = regions.length + departements.length + epcis.length + communeRows.length;
    return `${regions.length} régions, ${departements.length} départements, ${epcis.length} EPCI, ${communeRows.length} communes et arrondissements, ${historique.size} anciens codes.`;
  },
});

async function upsert(tx: Queryable, table: string, columns: Record<string, string>, rows: Record<string, unknown>[]) {
  const set = Object.keys(columns)
    .filter((c) => c !== 'code')
    .map((c) => `${c} = EXCLUDED.${c}`)
    .join(', ');
  await insertJson(tx, table, columns, rows, { onConflict: `ON CONFLICT (code) DO UPDATE SET ${set}` });
}
