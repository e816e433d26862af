import KDBush from 'kdbush';
import { distanceM } from './coords.ts';
import { repKey, streetKey } from './street.ts';

/**
 * Building → address matching, in the order ARCEP describes for its building base:
 * 1. `cle_interop`: the building's addr_code is the BAN interoperability key of an address;
 * 2. `code_immeuble`: (Cartefibre) the IPE building code is the imb_code of an MCI building already
 *    matched to an address by its key or by name;
 * 3. `voie_numero`: same commune, same number (and repetition index when both have one), same
 *    street name once normalised with ARCEP's tables, within `voieNumeroM` metres;
 * 4. `proximite`: nearest address of the same commune within `proximiteM` metres;
 * 5. `commune_plus_proche`: nearest address of the same commune within `communeMaxM` metres;
 * otherwise `aucun`.
 */
export type Method = 'cle_interop' | 'code_immeuble' | 'voie_numero' | 'proximite' | 'commune_plus_proche' | 'aucun';
export const METHODS: readonly Method[] = [
  'cle_interop',
  'code_immeuble',
  'voie_numero',
  'proximite',
  'commune_plus_proche',
  'aucun',
];
export const METHOD_LABEL: Record<Method, string> = {
  cle_interop: 'clé d’interopérabilité BAN',
  code_immeuble: 'code immeuble (via la base immeubles MCI)',
  voie_numero: 'numéro et nom de voie normalisé',
  proximite: 'adresse la plus proche (≤ 50 m)',
  commune_plus_proche: 'adresse la plus proche dans la commune (≤ 1 km)',
  aucun: 'non rapproché',
};
const MATCH_THRESHOLDS = { voieNumeroM: 150, proximiteM: 50, communeMaxM: 1000 } as const;

export type AddressPoint = {
  id: string;
  numero: number | null;
  suffixe: string | null;
  voie: string;
  lieu_dit: string | null;
  code_insee: string;
  lon: number;
  lat: number;
};
export type BuildingIn = {
  imb_id: string;
  code_insee: string;
  lon: number;
  lat: number;
  addr_code?: string | null;
  imb_code?: string | null;
  numero: number | null;
  rep: string | null;
  type_voie?: string | null;
  nom_voie: string | null;
  lieu_dit?: string | null;
};
export type Match = { adresse_id: string | null; appariement: Method; distance_m: number | null };

const M_PER_DEG_LAT = 110574;

export class AddressMatcher {
  private readonly byId = new Map<string, AddressPoint>();
  private readonly byKey = new Map<string, AddressPoint[]>();
  private readonly index: KDBush | null;
  private readonly kx: number;

  /** `viaImbCode`: IPE building code → address id, from MCI buildings matched by key or name. */
  constructor(
    private readonly addresses: readonly AddressPoint[],
    private readonly viaImbCode: ReadonlyMap<string, string> = new Map(),
  ) {
    const lat0 = addresses.length ? addresses.reduce((s, a) => s + a.lat, 0) / addresses.length : 46.5;
    this.kx = Math.cos((lat0 * Math.PI) / 180) * 111320;
    for (const a of addresses) {
      this.byId.set(a.id.toLowerCase(), a);
      if (a.numero === null) continue;
      for (const name of [a.voie, a.lieu_dit]) {
        const k = name ? streetKey(null, name) : '';
        if (!k) continue;
        const key = `${a.code_insee}|${k}|${a.numero}`;
        const list = this.byKey.get(key);
        if (list) list.push(a);
        else this.byKey.set(key, [a]);
      }
    }
    if (addresses.length) {
      this.index = new KDBush(addresses.length);
      for (const a of addresses) this.index.add(a.lon * this.kx, a.lat * M_PER_DEG_LAT);
      this.index.finish();
    } else this.index = null;
  }

  byAddressId(id: string): AddressPoint | undefined {
    return this.byId.get(id.toLowerCase());
  }

  match(b: BuildingIn): Match {
    const d = (a: AddressPoint) => distanceM(b.lon, b.lat, a.lon, a.lat);
    if (b.addr_code) {
      const a = this.byId.get(b.addr_code.toLowerCase());
      if (a) return { adresse_id: a.id, appariement: 'cle_interop', distance_m: d(a) };
    }
    if (b.imb_code) {
      const id = this.viaImbCode.get(b.imb_code);
      const a = id ? this.byId.get(id.toLowerCase()) : undefined;
      if (a) return { adresse_id: a.id, appariement: 'code_immeuble', distance_m: d(a) };
    }
    if (b.numero !== null) {
      const rep = repKey(b.rep);
      let best: { a: AddressPoint; score: number; dist: number } | null = null;
      for (const name of [
        [b.type_voie, b.nom_voie],
        [null, b.lieu_dit],
      ] as const) {
        const k = name[1] ? streetKey(name[0], name[1]) : '';
        if (!k) continue;
        for (const a of this.byKey.get(`${b.code_insee}|${k}|${b.numero}`) ?? []) {
          const dist = d(a);
          if (dist > MATCH_THRESHOLDS.voieNumeroM) continue;
          // Same repetition index first, then the plain number, then any other index; nearest breaks ties.
          const ar = repKey(a.suffixe);
          const score = ar === rep ? 0 : ar === '' || rep === '' ? 1 : 2;
          if (!best || score < best.score || (score === best.score && dist < best.dist)) best = { a, score, dist };
        }
      }
      if (best) return { adresse_id: best.a.id, appariement: 'voie_numero', distance_m: best.dist };
    }
    const near = this.nearest(b, MATCH_THRESHOLDS.communeMaxM);
    if (near) {
      return {
        adresse_id: near.a.id,
        appariement: near.dist <= MATCH_THRESHOLDS.proximiteM ? 'proximite' : 'commune_plus_proche',
        distance_m: near.dist,
      };
    }
    return { adresse_id: null, appariement: 'aucun', distance_m: null };
  }

  /** Nearest address of the building's commune within maxM metres. */
  private nearest(b: BuildingIn, maxM: number): { a: AddressPoint; dist: number } | null {
    if (!this.index) return null;
    let best: { a: AddressPoint; dist: number } | null = null;
    // Widen the search gradually: most buildings have an address within a few dozen metres.
    for (const r of [60, 250, maxM]) {
      for (const i of this.index.within(b.lon * this.kx, b.lat * M_PER_DEG_LAT, r * 1.02)) {
        const a = this.addresses[i]!;
        if (a.code_insee !== b.code_insee) continue;
        const dist = distanceM(b.lon, b.lat, a.lon, a.lat);
        if (dist <= maxM && (!best || dist < best.dist)) best = { a, dist };
      }
      if (best && best.dist <= r) return best;
    }
    return best;
  }
}

export type MatchSummary = { total: number; apparies: number; taux: number; parMethode: Record<Method, number> };

export function summarize(methods: Iterable<Method>): MatchSummary {
  const parMethode = Object.fromEntries(METHODS.map((m) => [m, 0])) as Record<Method, number>;
  let total = 0;
  for (const m of methods) {
    parMethode[m]++;
    total++;
  }
  const apparies = total - parMethode.aucun;
  return { total, apparies, taux: total ? apparies / total : 0, parMethode };
}

export function summaryText(s: MatchSummary): string {
  if (!s.total) return 'aucun immeuble à rapprocher';
  const pct = (n: number) => `${((100 * n) / s.total).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} %`;
  const parts = METHODS.filter((m) => m !== 'aucun' && s.parMethode[m]).map(
    (m) => `${METHOD_LABEL[m]} ${s.parMethode[m]}`,
  );
  return `rapprochement aux adresses : ${s.apparies}/${s.total} immeubles (${pct(s.apparies)})${parts.length ? ` — ${parts.join(', ')}` : ''}${s.parMethode.aucun ? ` ; ${s.parMethode.aucun} sans adresse` : ''}`;
}
