/**
 * Synthetic national-scale address sets, deterministic by seed, calibrated on real data:
 *  - today's communes, arrondissements and postcodes (@etalab/decoupage-administratif, COG 2026);
 *  - addresses per commune in proportion to INSEE dwellings (RP 2021, `logements/` in the shared data;
 *    communes missing from the census file: population / 2.2);
 *  - street names drawn from the real address files (Paris BAN, Belfort BANO, the BAL fixture), kept
 *    as published or recombined (street type of one name + specific part of another);
 *  - about 12 addresses per street (the national BAN ratio), numbers 1…n with some bis/ter;
 *  - positions around the commune centroid (BFC and Normandie centroids from `boundaries/`), else
 *    around the département's centre.
 *
 * Library: `generateAddresses({ total, seed, sharedDir })` yields rows for AddressIndexBuilder.
 * CLI (writes a BAN-format CSV, loadable by the `adresses` import job):
 *   node --import tsx bench/generate-addresses.ts --count 2000000 --seed 42 --out /tmp/adresses-2M.csv.gz [--shared ../shared/data]
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { BAN_COLUMNS } from '../src/addresses/formats.ts';
import type { IndexInput } from '../src/addresses/index-search.ts';
import { readAddressFile } from '../src/addresses/read-file.ts';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_SHARED = path.resolve(process.env.SHARED_DATA_DIR ?? path.join(ROOT, '..', 'shared', 'data'));

/** mulberry32: small, fast, deterministic. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Commune = {
  code: string;
  nom: string;
  departement: string;
  codesPostaux: string[];
  population?: number;
  type: string;
  commune?: string;
};

const DROM_CENTRES: Record<string, [number, number]> = {
  '971': [-61.55, 16.25],
  '972': [-61.02, 14.65],
  '973': [-53.1, 3.95],
  '974': [55.53, -21.13],
  '976': [45.15, -12.82],
};

function readGz(p: string): string {
  return zlib.gunzipSync(fs.readFileSync(p)).toString('utf8');
}

export type Calibration = {
  communes: {
    code: string;
    nom: string;
    departement: string;
    postcodes: string[];
    weight: number;
    lon: number;
    lat: number;
    spread: number;
  }[];
  names: string[];
};

/** Reads the real inputs once (a few seconds). */
export async function loadCalibration(sharedDir = DEFAULT_SHARED): Promise<Calibration> {
  const require = createRequire(import.meta.url);
  const all = require('@etalab/decoupage-administratif/data/communes.json') as Commune[];
  const withArr = new Set(all.filter((c) => c.type === 'arrondissement-municipal').map((c) => c.commune!));
  const communes = all.filter(
    (c) => (c.type === 'commune-actuelle' && !withArr.has(c.code)) || c.type === 'arrondissement-municipal',
  );

  const dwellings = new Map<string, number>();
  for (const line of readGz(path.join(sharedDir, 'logements', 'insee-rp2021-logements-communes-geo2024.csv.gz'))
    .split('\n')
    .slice(1)) {
    const [code, log] = line.split(';');
    if (code && log) dwellings.set(code, Number(log));
  }
  const centroids = new Map<string, [number, number]>();
  for (const line of readGz(
    path.join(sharedDir, 'boundaries', 'ngeofr-2025', 'communes-centroides-bfc-normandie-2025.csv.gz'),
  )
    .split('\n')
    .slice(1)) {
    const f = line.split(',');
    if (f.length >= 4) centroids.set(f[0]!, [Number(f[f.length - 2]), Number(f[f.length - 1])]);
  }
  // Département centres and sizes from their outlines (bounding boxes).
  const deptBox = new Map<string, [number, number, number, number]>();
  const depts = JSON.parse(
    readGz(path.join(sharedDir, 'boundaries', 'ngeofr-2025', 'departements-fra-2025.geojson.gz')),
  ) as { features: { properties: { code: string }; geometry: { coordinates: unknown } }[] };
  for (const f of depts.features) {
    const b: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
    const walk = (c: unknown): void => {
      if (Array.isArray(c) && typeof c[0] === 'number') {
        b[0] = Math.min(b[0], c[0] as number);
        b[1] = Math.min(b[1], c[1] as number);
        b[2] = Math.max(b[2], c[0] as number);
        b[3] = Math.max(b[3], c[1] as number);
      } else if (Array.isArray(c)) c.forEach(walk);
    };
    walk(f.geometry.coordinates);
    deptBox.set(f.properties.code, b);
  }

  const names = new Set<string>();
  for (const f of [
    'ban-adresses-75-paris-2024-06.csv.gz',
    'bano-90-territoire-de-belfort-2015-03.csv.gz',
    'bal-54084-mont-bonvillers-fixture.csv.gz',
  ]) {
    for await (const a of readAddressFile(path.join(sharedDir, 'addresses', f))) names.add(a.voie);
  }

  const out: Calibration['communes'] = [];
  for (const c of communes) {
    const w = dwellings.get(c.code) ?? (c.population ? c.population / 2.2 : 0);
    if (!(w > 0)) continue;
    let lon: number;
    let lat: number;
    let spread: number;
    const cen = centroids.get(c.code);
    const box = deptBox.get(c.departement);
    const h = rng(Number.parseInt(c.code.replace(/\D/g, '0'), 10) * 7919 + 17);
    if (cen) [lon, lat, spread] = [cen[0], cen[1], 0.01];
    else if (box)
      [lon, lat, spread] = [
        box[0] + (box[2] - box[0]) * (0.15 + 0.7 * h()),
        box[1] + (box[3] - box[1]) * (0.15 + 0.7 * h()),
        0.01,
      ];
    else {
      const d = DROM_CENTRES[c.departement] ?? [0, 0];
      [lon, lat, spread] = [d[0] + (h() - 0.5) * 0.4, d[1] + (h() - 0.5) * 0.4, 0.01];
    }
    out.push({
      code: c.code,
      nom: c.nom,
      departement: c.departement,
      postcodes: c.codesPostaux.length ? c.codesPostaux : [],
      weight: w,
      lon,
      lat,
      spread,
    });
  }
  return { communes: out, names: [...names].sort() };
}

const TYPE_RE =
  /^((?:Grande |Petite |Ancienne |Vieille |Vieux )?(?:Rue|Avenue|Boulevard|Place|Chemin|Impasse|Allée|Route|Quai|Square|Cours|Passage|Villa|Cité|Sentier|Ruelle|Faubourg|Cour|Rond-Point|Esplanade|Promenade|Voie|Hameau|Lotissement|Résidence|Traverse|Montée|Port|Pont|Parvis|Galerie|Hameau))\b\s*(.*)$/;

export type SyntheticAddress = IndexInput & { x?: number };

/**
 * Yields `total` addresses (exactly), commune by commune. Same seed and inputs → same output.
 */
export function* generateAddresses(cal: Calibration, total: number, seed = 42): Generator<SyntheticAddress> {
  const r = rng(seed);
  const sumW = cal.communes.reduce((s, c) => s + c.weight, 0);
  // Largest-remainder allocation of `total` over communes.
  const exact = cal.communes.map((c) => (c.weight / sumW) * total);
  const alloc = exact.map((x) => Math.floor(x));
  let rest = total - alloc.reduce((s, x) => s + x, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; rest > 0; k = (k + 1) % order.length, rest--) alloc[order[k]![1]]!++;

  const types: string[] = [];
  const specifics: string[] = [];
  for (const n of cal.names) {
    const m = TYPE_RE.exec(n);
    if (m?.[2]) {
      types.push(m[1]!);
      specifics.push(m[2]);
    }
  }
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)]!;
  const drawName = () => (r() < 0.7 || !types.length ? pick(cal.names) : `${pick(types)} ${pick(specifics)}`);

  for (let ci = 0; ci < cal.communes.length; ci++) {
    const c = cal.communes[ci]!;
    let n = alloc[ci]!;
    if (n <= 0) continue;
    const streets = Math.max(1, Math.round(n / (8 + r() * 8)));
    const used = new Set<string>();
    for (let s = 0; s < streets && n > 0; s++) {
      let name = drawName();
      for (let tries = 0; used.has(name) && tries < 20; tries++) name = drawName();
      if (used.has(name)) name = `${name} ${s}`;
      used.add(name);
      const k = s === streets - 1 ? n : Math.min(n, Math.max(1, Math.round((n / (streets - s)) * (0.3 + r() * 1.4))));
      n -= k;
      const pc = c.postcodes.length ? c.postcodes[Math.floor(r() * c.postcodes.length)]! : null;
      const sid = s.toString(36).padStart(4, '0');
      const baseLon = c.lon + (r() - 0.5) * c.spread * 2;
      const baseLat = c.lat + (r() - 0.5) * c.spread * 2;
      const dirLon = (r() - 0.5) * 0.0004;
      const dirLat = (r() - 0.5) * 0.0004;
      const noNumber = k === 1 && r() < 0.3;
      let num = 0;
      let reps = 0;
      for (let j = 0; j < k; j++) {
        let suffixe: string | null = null;
        if (j > 0 && reps < 3 && r() < 0.05) suffixe = ['bis', 'ter', 'quater'][reps++]!;
        else {
          num++;
          reps = 0;
        }
        yield {
          id: `${c.code}_${sid}_${String(num).padStart(5, '0')}${suffixe ? `_${suffixe}` : ''}`,
          numero: noNumber ? null : num,
          suffixe,
          voie: name,
          code_postal: pc,
          code_insee: c.code,
          commune: c.nom,
          departement: c.departement,
          lon: Math.round((baseLon + dirLon * num) * 1e6) / 1e6,
          lat: Math.round((baseLat + dirLat * num) * 1e6) / 1e6,
        };
      }
    }
  }
}

function banLine(a: SyntheticAddress): string {
  const rec: Record<string, string> = {
    id: a.id,
    numero: a.numero === null ? '99999' : String(a.numero),
    rep: a.suffixe ?? '',
    nom_voie: a.voie,
    code_postal: a.code_postal ?? '',
    code_insee: a.code_insee,
    nom_commune: a.commune,
    lon: String(a.lon),
    lat: String(a.lat),
    type_position: 'entrée',
    source_position: 'synthetique',
    source_nom_voie: 'synthetique',
    certification_commune: '0',
  };
  return BAN_COLUMNS.map((c) => {
    const v = rec[c] ?? '';
    return /[;"\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
  }).join(';');
}

async function main() {
  const args = process.argv.slice(2);
  const arg = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const count = Number(arg('count') ?? 2_000_000);
  const seed = Number(arg('seed') ?? 42);
  const out = arg('out') ?? `/tmp/adresses-synthetiques-${count}.csv.gz`;
  const sharedDir = path.resolve(arg('shared') ?? DEFAULT_SHARED);
  if (!(count > 0 && count <= 30_000_000)) throw new Error('--count between 1 and 30 000 000');
  const t0 = Date.now();
  const cal = await loadCalibration(sharedDir);
  const file = fs.createWriteStream(out);
  const gz = out.endsWith('.gz') ? zlib.createGzip({ level: 4 }) : null;
  if (gz) gz.pipe(file);
  const sink: NodeJS.WritableStream = gz ?? file;
  const write = async (s: string) => {
    if (!sink.write(s)) await new Promise<void>((res) => sink.once('drain', () => res()));
  };
  await write(`${BAN_COLUMNS.join(';')}\n`);
  let n = 0;
  let buf = '';
  for (const a of generateAddresses(cal, count, seed)) {
    buf += `${banLine(a)}\n`;
    if (++n % 5000 === 0) {
      await write(buf);
      buf = '';
    }
  }
  await write(buf);
  await new Promise<void>((res) => {
    file.on('close', () => res());
    sink.end();
  });
  console.log(
    `${n} adresses synthétiques (graine ${seed}, ${cal.communes.length} communes, ${cal.names.length} noms de voies réels) écrites dans ${out} en ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
