import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { z } from 'zod';
import { getAddressIndex } from '../addresses/service.ts';
import type { Db } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { communeShapesOf } from '../geo/service.ts';
import { defineJob } from '../imports/job.ts';
import { readChunks } from '../imports/read.ts';
import { communeOfArrondissement } from '../territories/codes.ts';
import { allCurrentCommunes } from '../territories/service.ts';
import { type CommuneDemand, computeAccessibility, INDICATOR_CATEGORIES, type Methode } from './accessibility.ts';
import { pointInside } from './geometry.ts';
import * as Q from './queries.ts';

/** The parameters shipped with the module (used when no file is given). */
const DEFAULT_PARAMETERS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'accessibilite.json');

const ParametersSchema = z
  .object({
    description: z.string().max(2000).optional(),
    categories: z
      .array(z.enum(INDICATOR_CATEGORIES, { error: `catégorie attendue : ${INDICATOR_CATEGORIES.join(', ')}` }))
      .min(1, 'au moins une catégorie')
      .max(INDICATOR_CATEGORIES.length),
  })
  .strict();

/** The parameters file: one small JSON object (gzip accepted, like every source). */
async function readParameters(file: string, name: string) {
  const parts: Buffer[] = [];
  for await (const chunk of readChunks(file, { maxBytes: 65_536 })) parts.push(chunk);
  const text = Buffer.concat(parts).toString('utf8');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new AppError(
      'IMPORT_ECHEC',
      `bad json ${file}`,
      `${name} n’est pas un fichier de paramètres JSON lisible (attendu : { "categories": ["tous", "mediation", …] }).`,
    );
  }
  const p = ParametersSchema.safeParse(doc);
  if (!p.success)
    throw new AppError(
      'IMPORT_ECHEC',
      p.error.message,
      `Paramètres invalides dans ${name} : ${p.error.issues.map((i) => `${i.path.join('.') || 'document'} ${i.message}`).join(' ; ')}.`,
    );
  return p.data;
}

/**
 * Where the inhabitants of each commune live: its address points (population spread evenly over them) when its
 * addresses are imported, else one point inside its outline; neither: not computed (listed, never dropped).
 */
async function demandOf(db: Db, log: Logger, region: string): Promise<CommuneDemand[]> {
  const all = await allCurrentCommunes(db);
  const epcis = new Set(all.filter((c) => c.region === region && c.epci).map((c) => c.epci!));
  const scope = all.filter((c) => c.region === region || (c.epci && epcis.has(c.epci)));
  // Address points per commune, from the address index.
  const byCommune = new Map<string, number[]>();
  const d = (await getAddressIndex({ db, log })).data;
  for (let k = 0; k < d.lon.length; k++) {
    const raw = d.communeCode[d.streetCommune[d.addrStreet[k]!]!]!;
    const code = communeOfArrondissement(raw) ?? raw;
    let l = byCommune.get(code);
    if (!l) byCommune.set(code, (l = []));
    l.push(d.lon[k]! / 1e6, d.lat[k]! / 1e6);
  }
  // One point inside each outline: the région's communes, and those of EPCIs that cross its border.
  const shapes = new Map((await communeShapesOf(db, 'region', region)).map((s) => [s.code, s.geometrie]));
  for (const e of epcis)
    if (scope.some((c) => c.epci === e && c.region !== region))
      for (const s of await communeShapesOf(db, 'epci', e)) shapes.set(s.code, s.geometrie);
  return scope.map((c) => {
    const addr = byCommune.get(c.code);
    const g = shapes.get(c.code);
    const inside = g ? pointInside(g) : null;
    let methode: Methode = 'non-calcule';
    let points = new Float64Array(0);
    let reference = inside;
    if (addr?.length) {
      methode = 'adresses';
      points = Float64Array.from(addr);
      if (!reference) {
        let x = 0;
        let y = 0;
        for (let i = 0; i < addr.length; i += 2) {
          x += addr[i]!;
          y += addr[i + 1]!;
        }
        reference = { lon: x / (addr.length / 2), lat: y / (addr.length / 2) };
      }
    } else if (inside) {
      methode = 'point-contour';
      points = Float64Array.of(inside.lon, inside.lat);
    }
    return {
      code: c.code,
      population: c.population ?? 0,
      epci: c.epci,
      departement: c.departement,
      region: c.region,
      horsRegion: c.region !== region,
      methode,
      points,
      reference,
    };
  });
}

export const accessibiliteJob = defineJob({
  name: 'accessibilite',
  title: 'Indicateurs d’accessibilité des lieux d’inclusion numérique (calcul)',
  accepts:
    'Calcul, sans fichier de données : pour chaque commune, EPCI, département de la région de l’instance et pour la région, par catégorie, le nombre de lieux, les lieux pour 10 000 habitants, la distance à vol d’oiseau (moyenne et médiane pondérées par la population) au lieu le plus proche, où qu’il soit, et la part de la population à plus de 5, 10 et 20 km. Les habitants d’une commune sont placés sur ses adresses quand elles sont importées (population répartie également), sinon en un point intérieur à son contour ; sans l’un ni l’autre, la commune est « non calculée ». Relancé après chaque import de lieux, d’adresses, de contours ou de territoires. Source facultative : un fichier JSON de paramètres ({ "categories": [...] }).',
  options: z.object({}).strict(),
  defaultSource: () => DEFAULT_PARAMETERS,
  async run({ db, tally, config, runId, log }, source) {
    const params = await readParameters(source.path, path.basename(source.name));
    const t0 = performance.now();
    const communes = await demandOf(db, log, config.region);
    if (!communes.length)
      throw new AppError(
        'IMPORT_ECHEC',
        `no commune in region ${config.region}`,
        `Aucune commune de la région ${config.region} : importez d’abord les territoires (import « territoires »).`,
      );
    const places = await Q.allPlacePoints(db);
    const res = computeAccessibility(communes, places, params.categories);
    const seconds = (performance.now() - t0) / 1000;
    tally.read = communes.length;
    tally.accepted = communes.filter((c) => c.methode !== 'non-calcule').length;
    const calcule_le = new Date().toISOString();
    await db.transaction((tx) =>
      Q.replaceAccessibility(
        tx,
        res.territories.map(({ indicateurs: _, ...t }) => ({ ...t, calcule_le, run_id: runId })),
        res.territories.flatMap((t) =>
          Object.entries(t.indicateurs).map(([categorie, v]) => ({ niveau: t.niveau, code: t.code, categorie, ...v! })),
        ),
        res.nearest,
      ),
    );
    const n = (m: Methode) => communes.filter((c) => !c.horsRegion && c.methode === m).length;
    return `Indicateurs calculés pour ${res.territories.length} territoires (${places.length} lieux, ${res.territories.find((t) => t.niveau === 'region')?.points ?? 0} points d’habitation, ${seconds.toFixed(1)} s) : ${n('adresses')} commune(s) par leurs adresses, ${n('point-contour')} par un point de leur contour, ${n('non-calcule')} non calculée(s) (ni adresses ni contour).`;
  },
});
