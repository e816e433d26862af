/**
 * In-process address search index (geocoding with autocomplete, and reverse geocoding).
 *
 * Exported API (plain functions and classes, no HTTP):
 *  - `AddressIndexBuilder`: `add(row)` for each address (or `await addAll(rows)`, in batches that yield to the
 *    event loop), then `finish()` → `AddressIndex`, or `await finishAsync()` for the same index built in short
 *    steps with a turn of the event loop between them (what a running server uses).
 *  - `AddressIndex.search(q, opts)` → `AddressHit[]` best first, `score` in 0–1. Options: `limit`,
 *    `citycode`, `postcode`, `departement` (filters), `lon`/`lat` (location bias).
 *  - `AddressIndex.reverse(lon, lat, limit)` → `AddressHit[]` nearest first, with `distance` (m).
 *  - `AddressIndex.hit(i)`, `AddressIndex.size`, `AddressIndex.memoryBytes()`.
 *  - In an app, use `getAddressIndex(ctx)` / `searchAddresses(ctx, q, opts)` / `reverseAddresses(ctx, …)`
 *    from `./service.ts`, and `addressById(db, id)` from `./queries.ts`.
 *
 * Layout: everything lives in typed arrays indexed by integer ids. Addresses are grouped by
 * street (one street = one name in one commune with one postcode) and sorted by number, so a
 * street is a range of addresses. Distinct street names are tokenised once; postings go
 * token → names → streets and token → communes → streets. A query picks its most selective part
 * (a word, the postcode, a filter) to enumerate candidate streets, scores each candidate against
 * every query word (exact, prefix on the word being typed, one typo via a symmetric-deletion
 * hash table), keeps the best, then resolves the house number inside the street — the number the query
 * starts with, or a number typed elsewhere that the street's name does not contain (`scoreStreet`).
 * The pure building blocks (growable arrays, CSR rows, typo table, best-k, number lookup) are in
 * `index-parts.ts`; query parsing in `normalize.ts`.
 */
import { randomBytes } from 'node:crypto';
import KDBush from 'kdbush';
import { addressLabel } from '../text/label.ts';
import {
  type Csr,
  csrFrom,
  deletions,
  firstNumbered,
  hash32,
  houseNumberIn,
  i32,
  invertCsr,
  streetPoints,
  TopK,
  typoTable,
  u16,
  u32,
} from './index-parts.ts';
import {
  editDistance,
  joinedTokens,
  nameTokens,
  type ParsedQuery,
  parseQuery,
  type QueryToken,
  STREET_TYPES,
} from './normalize.ts';
import type { AddressRow } from './queries.ts';

/** What the index keeps of an address row. */
export type IndexInput = Pick<
  AddressRow,
  'id' | 'numero' | 'suffixe' | 'voie' | 'code_postal' | 'code_insee' | 'commune' | 'departement' | 'lon' | 'lat'
>;

export type SearchOptions = {
  limit?: number;
  citycode?: string | undefined;
  postcode?: string | undefined;
  departement?: string | undefined;
  lon?: number | undefined;
  lat?: number | undefined;
};

export type AddressHit = {
  /** position of the address in the index */
  index: number;
  id: string;
  label: string;
  score: number;
  type: 'housenumber' | 'street';
  housenumber: string | null;
  numero: number | null;
  suffixe: string | null;
  street: string;
  postcode: string | null;
  citycode: string;
  city: string;
  departement: string;
  lon: number;
  lat: number;
  /** metres, reverse geocoding only */
  distance?: number;
};

const E6 = 1e6;
/** No token (a glued word's part that is a stopword). */
const NONE = 0xffffffff;

function popcount(x: number): number {
  let n = 0;
  for (let v = x >>> 0; v; v &= v - 1) n++;
  return n;
}

/** Rows added between two turns of the event loop (`addAll`). */
const ADD_BATCH = 4_000;
/** Addresses, and streets, handled per step of `finishAsync()` (each step a few tens of ms). */
const STEP_ROWS = 50_000;
const STEP_STREETS = 20_000;
/** Street names tokenised per step. */
const STEP_NAMES = 1_000;
const yieldLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Minimum token length for typo tolerance (edit distance 1). */
const TYPO_MIN = 4;

export class AddressIndexBuilder {
  private ids = Buffer.allocUnsafe(1 << 20);
  private idLen = 0;
  private idEnd = u32(1 << 16);
  private street = u32(1 << 16);
  private numero = i32(1 << 16);
  private suffix = u16(1 << 16);
  private lon = i32(1 << 16);
  private lat = i32(1 << 16);
  private names = new Map<string, number>();
  private nameStr: string[] = [];
  private communes = new Map<string, number>();
  private communeCode: string[] = [];
  private communeName: string[] = [];
  private communeDept: string[] = [];
  private postcodes = new Map<string, number>([['', 0]]);
  private pcStr: string[] = [''];
  private suffixes = new Map<string, number>([['', 0]]);
  private suffixStr: string[] = [''];
  private streets = new Map<number, number>();
  private streetName = u32(1 << 12);
  private streetCommune = u32(1 << 12);
  private streetPc = u32(1 << 12);

  get size(): number {
    return this.idEnd.n;
  }

  add(r: IndexInput): void {
    let nameId = this.names.get(r.voie);
    if (nameId === undefined) {
      nameId = this.nameStr.length;
      this.names.set(r.voie, nameId);
      this.nameStr.push(r.voie);
    }
    let c = this.communes.get(r.code_insee);
    if (c === undefined) {
      c = this.communeCode.length;
      this.communes.set(r.code_insee, c);
      this.communeCode.push(r.code_insee);
      this.communeName.push(r.commune);
      this.communeDept.push(r.departement);
    }
    const pcKey = r.code_postal ?? '';
    let pc = this.postcodes.get(pcKey);
    if (pc === undefined) {
      pc = this.pcStr.length;
      this.postcodes.set(pcKey, pc);
      this.pcStr.push(pcKey);
    }
    const key = (nameId * 65536 + c) * 16384 + pc;
    let s = this.streets.get(key);
    if (s === undefined) {
      s = this.streetName.n;
      this.streets.set(key, s);
      this.streetName.push(nameId);
      this.streetCommune.push(c);
      this.streetPc.push(pc);
    }
    const sufKey = r.suffixe ?? '';
    let suf = this.suffixes.get(sufKey);
    if (suf === undefined) {
      suf = this.suffixStr.length;
      this.suffixes.set(sufKey, suf);
      this.suffixStr.push(sufKey);
    }
    if (this.idLen + r.id.length * 3 > this.ids.length) {
      const b = Buffer.allocUnsafe(this.ids.length * 2);
      this.ids.copy(b, 0, 0, this.idLen);
      this.ids = b;
    }
    this.idLen += this.ids.write(r.id, this.idLen, 'utf8');
    this.idEnd.push(this.idLen);
    this.street.push(s);
    this.numero.push(r.numero ?? -1);
    this.suffix.push(suf);
    this.lon.push(Math.round(r.lon * E6));
    this.lat.push(Math.round(r.lat * E6));
  }

  /** The index, built in one go (blocks the event loop for the whole build: tools and tests). */
  finish(): AddressIndex {
    const steps = this.steps();
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
    }
  }

  /**
   * The same index as `finish()`, built in steps of a few tens of milliseconds with a turn of the
   * event loop between them, so that a server keeps answering while a large index is built.
   */
  async finishAsync(): Promise<AddressIndex> {
    const steps = this.steps();
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
      await yieldLoop();
    }
  }

  /** Adds rows in batches, with a turn of the event loop after each batch. */
  async addAll(rows: Iterable<IndexInput>, batch = ADD_BATCH): Promise<void> {
    let n = 0;
    for (const r of rows) {
      this.add(r);
      if (++n % batch === 0) await yieldLoop();
    }
  }

  /** The build as a sequence of steps: each `yield` is a point where the caller may let other work run. */
  private *steps(): Generator<void, AddressIndex> {
    const addr = yield* this.addressArrays();
    const streetName = this.streetName.done().slice();
    const streetCommune = this.streetCommune.done().slice();
    const streetPc = this.streetPc.done().slice();
    yield;
    const toks = yield* this.tokenTables();
    const post = yield* this.postings(addr.streetStart, streetName, streetCommune, streetPc, toks);
    yield;
    const { delHash, delTok } = typoTable(toks.tokens, TYPO_MIN);
    yield;
    const { streetLon, streetLat } = streetPoints(addr.streetStart, addr.lon, addr.lat);
    const kd = new KDBush(addr.lon.length, 64, Int32Array);
    for (let k = 0; k < addr.lon.length; k++) {
      kd.add(addr.lon[k]!, addr.lat[k]!);
      if (k % STEP_ROWS === STEP_ROWS - 1) yield;
    }
    yield;
    kd.finish();
    return new AddressIndex({
      ...addr,
      streetName,
      streetCommune,
      streetPc,
      streetLon,
      streetLat,
      nameStr: this.nameStr,
      communeCode: this.communeCode,
      communeName: this.communeName,
      communeDept: this.communeDept,
      pcStr: this.pcStr,
      ...toks,
      ...post,
      delHash,
      delTok,
      kd,
    });
  }

  /** Addresses grouped by street (counting sort), then by number and suffix inside a street. */
  private *addressArrays() {
    const A = this.idEnd.n;
    const S = this.streetName.n;
    const street = this.street.done();
    const numero = this.numero.done();
    // Suffix ids in alphabetical order so that "12" < "12 a" < "12 b" < "12 bis".
    const sufOrder = this.suffixStr
      .map((s, i) => [s, i] as const)
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const sufRemap = new Uint16Array(this.suffixStr.length);
    sufOrder.forEach(([, old], i) => {
      sufRemap[old] = i;
    });
    const suffixStr = sufOrder.map(([s]) => s);
    const suffixOld = this.suffix.done();

    const streetStart = new Uint32Array(S + 1);
    for (let i = 0; i < A; i++) streetStart[street[i]! + 1]!++;
    for (let s = 0; s < S; s++) streetStart[s + 1]! += streetStart[s]!;
    const fill = streetStart.slice(0, S);
    const order = new Uint32Array(A);
    for (let i = 0; i < A; i++) order[fill[street[i]!]!++] = i;
    const cmp = (x: number, y: number) =>
      numero[x]! - numero[y]! || sufRemap[suffixOld[x]!]! - sufRemap[suffixOld[y]!]!;
    for (let s = 0; s < S; s++) {
      if (streetStart[s + 1]! - streetStart[s]! > 1) order.subarray(streetStart[s]!, streetStart[s + 1]!).sort(cmp);
      if (s % STEP_STREETS === STEP_STREETS - 1) yield;
    }
    yield;

    const oldEnd = this.idEnd.done();
    const ids = Buffer.allocUnsafe(this.idLen);
    const idEnd = new Uint32Array(A);
    const num = new Int32Array(A);
    const suf = new Uint16Array(A);
    const lon = new Int32Array(A);
    const lat = new Int32Array(A);
    const lonOld = this.lon.done();
    const latOld = this.lat.done();
    const addrStreet = new Uint32Array(A);
    let pos = 0;
    for (let k = 0; k < A; k++) {
      const i = order[k]!;
      const a = i === 0 ? 0 : oldEnd[i - 1]!;
      const b = oldEnd[i]!;
      this.ids.copy(ids, pos, a, b);
      pos += b - a;
      idEnd[k] = pos;
      num[k] = numero[i]!;
      suf[k] = sufRemap[suffixOld[i]!]!;
      lon[k] = lonOld[i]!;
      lat[k] = latOld[i]!;
      addrStreet[k] = street[i]!;
      if (k % STEP_ROWS === STEP_ROWS - 1) yield;
    }
    return { ids, idEnd, num, suf, lon, lat, addrStreet, suffixStr, streetStart };
  }

  /** Token dictionary over street and commune names, sorted for prefix search; names and communes as token rows. */
  private *tokenTables() {
    const N = this.nameStr.length;
    const tokMap = new Map<string, number>();
    const tokList: string[] = [];
    const tokIdOf = (t: string) => {
      let id = tokMap.get(t);
      if (id === undefined) {
        id = tokList.length;
        tokMap.set(t, id);
        tokList.push(t);
      }
      return id;
    };
    const nameRealLen = new Uint8Array(N);
    const joinRows: { tok: number; a: number; b: number }[][] = [];
    const nameTokRows: number[][] = [];
    for (let i = 0; i < N; i++) {
      const n = this.nameStr[i]!;
      const real = [...new Set(nameTokens(n))].slice(0, 24);
      nameRealLen[i] = real.length;
      const ids = real.map(tokIdOf);
      const joins = joinedTokens(n)
        .slice(0, 6)
        .map((j) => ({
          tok: tokIdOf(j.joined),
          a: j.parts[0] ? tokIdOf(j.parts[0]) : NONE,
          b: j.parts[1] ? tokIdOf(j.parts[1]) : NONE,
        }));
      joinRows.push(joins);
      nameTokRows.push(ids.concat(joins.map((j) => j.tok)));
      if (i % STEP_NAMES === STEP_NAMES - 1) yield;
    }
    yield;
    const communeTokRows: number[][] = this.communeName.map((n) =>
      [...new Set(nameTokens(n))].slice(0, 16).map(tokIdOf),
    );
    const sortedTok = tokList.map((t, i) => [t, i] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const tokRemap = new Uint32Array(tokList.length);
    sortedTok.forEach(([, old], i) => {
      tokRemap[old] = i;
    });
    const tokens = sortedTok.map(([t]) => t);
    const rowsToCsr = (rows: number[][]): Csr => {
      const start = new Uint32Array(rows.length + 1);
      rows.forEach((r, i) => {
        start[i + 1] = start[i]! + r.length;
      });
      const data = new Uint32Array(start[rows.length]!);
      rows.forEach((r, i) => {
        r.forEach((t, j) => {
          data[start[i]! + j] = tokRemap[t]!;
        });
      });
      return { start, data };
    };
    const joinStart = new Uint32Array(N + 1);
    joinRows.forEach((r, i) => {
      joinStart[i + 1] = joinStart[i]! + r.length;
    });
    const joinParts = new Uint32Array(2 * joinStart[N]!);
    joinRows.forEach((r, i) => {
      r.forEach((j, k) => {
        joinParts[2 * (joinStart[i]! + k)] = j.a === NONE ? NONE : tokRemap[j.a]!;
        joinParts[2 * (joinStart[i]! + k) + 1] = j.b === NONE ? NONE : tokRemap[j.b]!;
      });
    });
    return {
      tokens,
      nameTok: rowsToCsr(nameTokRows),
      nameRealLen,
      joinStart,
      joinParts,
      communeTok: rowsToCsr(communeTokRows),
    };
  }

  /** Postings token → names/communes → streets, and the street counts that rank streets and price query words. */
  private *postings(
    streetStart: Uint32Array,
    streetName: Uint32Array,
    streetCommune: Uint32Array,
    streetPc: Uint32Array,
    toks: { tokens: string[]; nameTok: Csr; communeTok: Csr },
  ) {
    const S = streetName.length;
    const T = toks.tokens.length;
    const streetSize = new Uint32Array(S);
    for (let s = 0; s < S; s++) streetSize[s] = streetStart[s + 1]! - streetStart[s]!;
    const bySizeDesc = (x: number, y: number) => streetSize[y]! - streetSize[x]! || x - y;
    const seq = Uint32Array.from({ length: S }, (_, i) => i);
    const nameStreets = csrFrom(this.nameStr.length, streetName, seq, bySizeDesc);
    yield;
    const communeStreets = csrFrom(this.communeCode.length, streetCommune, seq, bySizeDesc);
    yield;
    const pcStreets = csrFrom(this.pcStr.length, streetPc, seq, bySizeDesc);
    yield;
    const tokNames = invertCsr(toks.nameTok, this.nameStr.length, T);
    const tokCommunes = invertCsr(toks.communeTok, this.communeCode.length, T);
    yield;
    const rowLen = (csr: Csr, r: number) => csr.start[r + 1]! - csr.start[r]!;
    const tokStreetCount = new Float64Array(T);
    for (let t = 0; t < T; t++) {
      let n = 0;
      for (let j = tokNames.start[t]!; j < tokNames.start[t + 1]!; j++) n += rowLen(nameStreets, tokNames.data[j]!);
      for (let j = tokCommunes.start[t]!; j < tokCommunes.start[t + 1]!; j++)
        n += rowLen(communeStreets, tokCommunes.data[j]!);
      tokStreetCount[t] = n;
    }
    const tokWeight = Float32Array.from(toks.tokens, (t) => (STREET_TYPES.has(t) ? 0.5 : 1));
    return { streetSize, nameStreets, communeStreets, pcStreets, tokNames, tokCommunes, tokStreetCount, tokWeight };
  }
}

export type IndexData = {
  ids: Buffer;
  idEnd: Uint32Array;
  num: Int32Array;
  suf: Uint16Array;
  lon: Int32Array;
  lat: Int32Array;
  addrStreet: Uint32Array;
  suffixStr: string[];
  streetStart: Uint32Array;
  streetName: Uint32Array;
  streetCommune: Uint32Array;
  streetPc: Uint32Array;
  streetLon: Int32Array;
  streetLat: Int32Array;
  streetSize: Uint32Array;
  nameStr: string[];
  communeCode: string[];
  communeName: string[];
  communeDept: string[];
  pcStr: string[];
  tokens: string[];
  tokWeight: Float32Array;
  tokStreetCount: Float64Array;
  nameTok: Csr;
  nameRealLen: Uint8Array;
  joinStart: Uint32Array;
  joinParts: Uint32Array;
  communeTok: Csr;
  tokNames: Csr;
  tokCommunes: Csr;
  nameStreets: Csr;
  communeStreets: Csr;
  pcStreets: Csr;
  delHash: Uint32Array;
  delTok: Uint32Array;
  kd: KDBush;
};

type Expansion = { toks: number[]; scores: number[]; cost: number };
/** A street that matches the query, before its house number is resolved; `hn`: the house number it reads in the query. */
type Candidate = {
  s: number;
  text: number;
  coverage: number;
  matchedW: number;
  totalW: number;
  key: number;
  full: boolean;
  hn: { num: number; suffix: string | null } | null;
};
/** One query, resolved to ids: what scoring a street needs. */
type Query = {
  qid: number;
  pq: ParsedQuery;
  words: QueryToken[];
  kind: Uint8Array;
  wWeight: number[];
  pcId: number;
  pcCommune: number;
  fCommune: number;
  fPc: number;
  fDept: string | undefined;
  bias: { lon: number; lat: number; cos: number } | null;
};
/** Kinds of query words: a word, a number that may be the house number, the end of a range. */
const PLAIN = 0;
const HOUSE = 1;
const OPTIONAL = 2;
/** A source of candidate streets: `visit` calls f on each until f returns false. */
type Driver = { cost: number; budget: number; visit: (f: (s: number) => boolean) => void };

const MAX_WORDS = 10;
const MAX_PREFIX = 400;
/**
 * Streets scored per source of candidates, at most. Generic sources (a street type, a short prefix:
 * "5 rue de", "12 impasse ch") would otherwise score tens of thousands of equally vague streets;
 * a commune name keeps a larger budget so that "paris" or "marseille" see all their streets.
 */
const searchTuning = { budget: 8_000, genericBudget: 1_200 };

export class AddressIndex {
  private readonly d: IndexData;
  private readonly communeByCode: Map<string, number>;
  private readonly pcById: Map<string, number>;
  /** scratch: per query word, score of each token (reset after each query) */
  private readonly wordTok: Float32Array[];
  private readonly stamp: Uint32Array;
  private readonly prefixCache = new Map<string, number[]>();
  private qid = 0;
  /**
   * Random per index: an answer depends only on the index and the request's URL, so this is the search's ETag
   * (no hashing of each response), and it changes with every rebuild, in every process.
   */
  readonly id = randomBytes(6).toString('base64url');

  constructor(d: IndexData) {
    this.d = d;
    this.communeByCode = new Map(d.communeCode.map((c, i) => [c, i]));
    this.pcById = new Map(d.pcStr.map((p, i) => [p, i]));
    this.wordTok = Array.from({ length: MAX_WORDS }, () => new Float32Array(d.tokens.length));
    this.stamp = new Uint32Array(d.streetName.length);
  }

  get size(): number {
    return this.d.idEnd.length;
  }
  /** The raw arrays (for snapshots). */
  get data(): Readonly<IndexData> {
    return this.d;
  }
  get streetCount(): number {
    return this.d.streetName.length;
  }
  get tokenCount(): number {
    return this.d.tokens.length;
  }

  /** Bytes held in typed arrays (strings of names and tokens are not counted). */
  memoryBytes(): number {
    let n = 0;
    for (const v of Object.values(this.d)) {
      if (ArrayBuffer.isView(v)) n += v.byteLength;
      else if (v && typeof v === 'object' && 'start' in v && 'data' in v)
        n += (v as Csr).start.byteLength + (v as Csr).data.byteLength;
    }
    n += this.d.kd.data.byteLength + this.wordTok.length * this.d.tokens.length * 4 + this.stamp.byteLength;
    return n;
  }

  idAt(i: number): string {
    return this.d.ids.toString('utf8', i === 0 ? 0 : this.d.idEnd[i - 1]!, this.d.idEnd[i]!);
  }

  /** The full hit for address position i. */
  hit(i: number, score = 1): AddressHit {
    const d = this.d;
    const s = d.addrStreet[i]!;
    const c = d.streetCommune[s]!;
    const n = d.num[i]!;
    const suffixe = d.suffixStr[d.suf[i]!] || null;
    const street = d.nameStr[d.streetName[s]!]!;
    const postcode = d.pcStr[d.streetPc[s]!] || null;
    const city = d.communeName[c]!;
    const numero = n >= 0 ? n : null;
    const label = addressLabel({ numero, suffixe, voie: street, code_postal: postcode, commune: city });
    return {
      index: i,
      id: this.idAt(i),
      label,
      score: Math.round(Math.min(1, Math.max(0, score)) * 1e4) / 1e4,
      type: numero !== null ? 'housenumber' : 'street',
      housenumber: numero !== null ? `${numero}${suffixe ?? ''}` : null,
      numero,
      suffixe,
      street,
      postcode,
      citycode: d.communeCode[c]!,
      city,
      departement: d.communeDept[c]!,
      lon: d.lon[i]! / E6,
      lat: d.lat[i]! / E6,
    };
  }

  /** Stored rows, for rebuilding an index from this one (skipping what `skip` rejects). */
  *rows(skip?: (codeInsee: string, departement: string) => boolean): Generator<IndexInput> {
    const d = this.d;
    const S = d.streetName.length;
    for (let s = 0; s < S; s++) {
      const c = d.streetCommune[s]!;
      const code = d.communeCode[c]!;
      const dept = d.communeDept[c]!;
      if (skip?.(code, dept)) continue;
      const voie = d.nameStr[d.streetName[s]!]!;
      const pc = d.pcStr[d.streetPc[s]!] || null;
      const commune = d.communeName[c]!;
      for (let i = d.streetStart[s]!; i < d.streetStart[s + 1]!; i++) {
        const n = d.num[i]!;
        yield {
          id: this.idAt(i),
          numero: n >= 0 ? n : null,
          suffixe: d.suffixStr[d.suf[i]!] || null,
          voie,
          code_postal: pc,
          code_insee: code,
          commune,
          departement: dept,
          lon: d.lon[i]! / E6,
          lat: d.lat[i]! / E6,
        };
      }
    }
  }

  /** Index of the first token ≥ t. */
  private lowerBound(t: string): number {
    const a = this.d.tokens;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      if (a[m]! < t) lo = m + 1;
      else hi = m;
    }
    return lo;
  }

  private typoCandidates(w: string, add: (t: number, sc: number) => void): void {
    const d = this.d;
    const seen = new Set<number>();
    const probe = (h: number) => {
      let lo = 0;
      let hi = d.delHash.length;
      while (lo < hi) {
        const m = (lo + hi) >>> 1;
        if (d.delHash[m]! < h) lo = m + 1;
        else hi = m;
      }
      for (let i = lo; i < d.delHash.length && d.delHash[i] === h; i++) {
        const t = d.delTok[i]!;
        if (seen.has(t)) continue;
        seen.add(t);
        const tok = d.tokens[t]!;
        if (tok !== w && editDistance(w, tok, 1) <= 1) add(t, 0.75);
      }
    };
    probe(hash32(w));
    for (const x of deletions(w)) probe(hash32(x));
  }

  /** Fills the scratch score row of word slot `slot` and returns its expansions. */
  private expand(slot: number, w: string, prefix: boolean, full?: string): Expansion {
    const d = this.d;
    const row = this.wordTok[slot]!;
    const ex: Expansion = { toks: [], scores: [], cost: 0 };
    const add = (t: number, sc: number) => {
      if (row[t]! >= sc) return;
      if (row[t] === 0) {
        ex.toks.push(t);
        ex.scores.push(sc);
        ex.cost += d.tokStreetCount[t]!;
      } else ex.scores[ex.toks.indexOf(t)] = sc;
      row[t] = sc;
    };
    const lb = this.lowerBound(w);
    if (d.tokens[lb] === w) add(lb, 1);
    if (full) {
      const f = this.lowerBound(full);
      if (d.tokens[f] === full) add(f, 1);
    }
    const numeric = /^\d+$/.test(w);
    if (prefix && (w.length >= 2 || numeric)) {
      // Short prefixes come back with every keystroke: their (capped) completions are cached.
      let range = w.length <= 3 ? this.prefixCache.get(w) : undefined;
      if (!range) {
        let hi = lb;
        while (hi < d.tokens.length && d.tokens[hi]!.startsWith(w)) hi++;
        range = [];
        for (let t = lb; t < hi; t++) if (d.tokens[t] !== w) range.push(t);
        const cap = w.length <= 2 ? MAX_PREFIX / 4 : MAX_PREFIX;
        if (range.length > cap) range = range.sort((x, y) => d.tokStreetCount[y]! - d.tokStreetCount[x]!).slice(0, cap);
        if (w.length <= 3 && this.prefixCache.size < 20_000) this.prefixCache.set(w, range);
      }
      for (const t of range) add(t, 0.55 + 0.4 * (w.length / d.tokens[t]!.length));
    }
    if (!numeric && w.length >= TYPO_MIN) this.typoCandidates(w, add);
    return ex;
  }

  private clearWords(exps: Expansion[]): void {
    exps.forEach((e, i) => {
      const row = this.wordTok[i]!;
      for (const t of e.toks) row[t] = 0;
    });
  }

  /** The filters of a search as ids; null when a filter names nothing in the index (no result possible). */
  private filtersOf(opts: SearchOptions): Pick<Query, 'fCommune' | 'fPc' | 'fDept' | 'bias'> | null {
    const fCommune = opts.citycode !== undefined ? (this.communeByCode.get(opts.citycode) ?? -2) : -1;
    const fPc = opts.postcode !== undefined ? (this.pcById.get(opts.postcode) ?? -2) : -1;
    if (fCommune === -2 || fPc === -2) return null;
    const bias =
      opts.lon !== undefined && opts.lat !== undefined
        ? { lon: opts.lon, lat: opts.lat, cos: Math.cos((opts.lat * Math.PI) / 180) }
        : null;
    return { fCommune, fPc, fDept: opts.departement, bias };
  }

  /** Sources of candidate streets (a word, the postcode, a filter), cheapest first. */
  private driversOf(Q: Query, exps: Expansion[]): Driver[] {
    const d = this.d;
    const drivers: Driver[] = [];
    const streetsOf = (csr: Csr, row: number, f: (s: number) => boolean) => {
      for (let j = csr.start[row]!; j < csr.start[row + 1]!; j++) if (!f(csr.data[j]!)) return false;
      return true;
    };
    const all = (csr: Csr, row: number, budget: number): Driver => ({
      cost: csr.start[row + 1]! - csr.start[row]!,
      budget,
      visit: (f) => void streetsOf(csr, row, f),
    });
    exps.forEach((e, w) => {
      // a number that may be the house number says nothing about which street
      if (!e.toks.length || Q.kind[w] !== PLAIN) return;
      // a commune name (not a street type that happens to name a commune too, like Rue in the Somme)
      const communeWord = e.toks.some(
        (t, i) => e.scores[i] === 1 && d.tokWeight[t] === 1 && d.tokCommunes.start[t + 1]! > d.tokCommunes.start[t]!,
      );
      drivers.push({
        cost: e.cost,
        budget: communeWord ? searchTuning.budget : searchTuning.genericBudget,
        visit: (f) => {
          // exact and close tokens first
          const idx = e.toks.map((_, i) => i).sort((a, b) => e.scores[b]! - e.scores[a]!);
          for (const i of idx) {
            const t = e.toks[i]!;
            for (let j = d.tokNames.start[t]!; j < d.tokNames.start[t + 1]!; j++)
              if (!streetsOf(d.nameStreets, d.tokNames.data[j]!, f)) return;
            for (let j = d.tokCommunes.start[t]!; j < d.tokCommunes.start[t + 1]!; j++)
              if (!streetsOf(d.communeStreets, d.tokCommunes.data[j]!, f)) return;
          }
        },
      });
    });
    if (Q.pcId >= 0) drivers.push(all(d.pcStreets, Q.pcId, searchTuning.budget));
    if (Q.pcCommune >= 0) drivers.push(all(d.communeStreets, Q.pcCommune, searchTuning.budget));
    if (Q.fCommune >= 0) drivers.push(all(d.communeStreets, Q.fCommune, searchTuning.budget));
    if (Q.fPc >= 0) drivers.push(all(d.pcStreets, Q.fPc, searchTuning.budget));
    return drivers.sort((a, b) => a.cost - b.cost);
  }

  /** Whether street s passes the search's filters. */
  private passesFilters(s: number, Q: Query): boolean {
    const c = this.d.streetCommune[s]!;
    if (Q.fCommune >= 0 && c !== Q.fCommune) return false;
    if (Q.fPc >= 0 && this.d.streetPc[s] !== Q.fPc) return false;
    return Q.fDept === undefined || this.d.communeDept[c] === Q.fDept;
  }

  /** Position found by the last `bestToken` (-1: none); a field, not a returned pair: this runs per word per street. */
  private bestAt = -1;

  /** Best score of query word i among the tokens [t0, t1) of a CSR row; its position in `bestAt`. */
  private bestToken(i: number, data: Uint32Array, t0: number, t1: number): number {
    const row = this.wordTok[i]!;
    let best = 0;
    let at = -1;
    for (let j = t0; j < t1; j++) {
      const sc = row[data[j]!]!;
      if (sc > best) {
        best = sc;
        at = j - t0;
      }
    }
    this.bestAt = at;
    return best;
  }

  /** Bit mask of the real name tokens a glued word ("saintbernard", at token position `at`) stands for. */
  private gluedMask(nm: number, at: number): number {
    const d = this.d;
    const n0 = d.nameTok.start[nm]!;
    const nReal = d.nameRealLen[nm]!;
    const k = 2 * (d.joinStart[nm]! + at - nReal);
    let mask = 0;
    for (let p = k; p < k + 2; p++) {
      const part = d.joinParts[p]!;
      for (let j = n0; j < n0 + nReal; j++) if (d.nameTok.data[j] === part && j - n0 < 31) mask |= 1 << (j - n0);
    }
    return mask;
  }

  /** Share of the street name's (weighted) tokens that the query covered. */
  private nameCoverage(nm: number, mask: number): number {
    const d = this.d;
    const n0 = d.nameTok.start[nm]!;
    let all = 0;
    let hit = 0;
    for (let j = n0; j < n0 + d.nameRealLen[nm]!; j++) {
      const w = d.tokWeight[d.nameTok.data[j]!]!;
      all += w;
      if (mask & (1 << (j - n0))) hit += w;
    }
    return all > 0 ? hit / all : 0;
  }

  /**
   * Street s against every query word: a word matches the street name or its commune; a `house` word the name
   * does not have becomes the house number (the first one). Null when the street covers less than half the query.
   */
  private scoreStreet(s: number, Q: Query): Candidate | null {
    const d = this.d;
    const c = d.streetCommune[s]!;
    const nm = d.streetName[s]!;
    const n0 = d.nameTok.start[nm]!;
    const n1 = d.nameTok.start[nm + 1]!;
    const nReal = d.nameRealLen[nm]!;
    let matchedW = 0;
    let totalW = 0;
    let nameMask = 0;
    let viaName = 0;
    let unmatched = 0;
    let hnWord = -1;
    let communeMask = 0;
    // locals, and word kinds from a typed array: query tokens come in several object shapes
    const kind = Q.kind;
    const wWeight = Q.wWeight;
    const leadingNumber = Q.pq.housenumber !== null;
    for (let i = 0; i < kind.length; i++) {
      const k = kind[i]!;
      // name tokens: inlined, the innermost loop of a search
      const row = this.wordTok[i]!;
      let best = 0;
      let at = -1;
      for (let j = n0; j < n1; j++) {
        const sc = row[d.nameTok.data[j]!]!;
        if (sc > best) {
          best = sc;
          at = j - n0;
        }
      }
      if (k !== PLAIN) {
        if (best < 1 || at >= nReal) {
          if (k === HOUSE && !leadingNumber && hnWord < 0) {
            hnWord = i;
            continue;
          }
          if (k === OPTIONAL) continue;
        }
      }
      if (at >= nReal) {
        nameMask |= this.gluedMask(nm, at);
        at = -1;
      }
      const bestC =
        k === HOUSE ? 0 : this.bestToken(i, d.communeTok.data, d.communeTok.start[c]!, d.communeTok.start[c + 1]!);
      const atC = k === HOUSE ? -1 : this.bestAt;
      const w = wWeight[i]!;
      totalW += w;
      if (bestC > best) {
        matchedW += w * bestC;
        if (atC < 31) communeMask |= 1 << atC;
      } else if (best > 0) {
        matchedW += w * best;
        viaName++;
        if (at >= 0 && at < 31) nameMask |= 1 << at;
      } else unmatched++;
    }
    if (Q.pq.postcode) {
      totalW += 1;
      if ((Q.pcId >= 0 && d.streetPc[s] === Q.pcId) || (Q.pcCommune >= 0 && c === Q.pcCommune)) matchedW += 1;
      else {
        unmatched++;
        // same département: a wrong or outdated postcode still says roughly where
        if (d.communeDept[c] === Q.pq.postcode.slice(0, d.communeDept[c]!.length)) matchedW += 0.2;
      }
    }
    if (totalW === 0 || matchedW === 0) return null;
    const coverage = matchedW / totalW;
    if (coverage < 0.5) return null;
    // commune (or postcode) alone: every street of it fits
    const nameCov = viaName === 0 ? 0.9 : this.nameCoverage(nm, nameMask);
    let text = 0.8 * coverage + 0.2 * nameCov;
    if (Q.bias) text = 0.8 * text + 0.2 / (1 + this.kmFrom(s, Q.bias));
    // Ties ("Étueffont 6 rue de Rougemont" against "6 Rue d'Étueffont, Rougemont-le-Château"): the commune
    // whose whole name was typed first, then the longer street.
    const communeCov = communeMask ? popcount(communeMask) / (d.communeTok.start[c + 1]! - d.communeTok.start[c]!) : 0;
    const key = text + 1e-3 * communeCov + (1e-4 * Math.log2(1 + d.streetSize[s]!)) / 24;
    const hn = hnWord >= 0 ? Q.words[hnWord]!.house! : null;
    return { s, text, coverage, matchedW, totalW, key, full: unmatched === 0, hn };
  }

  /** Distance from a street's middle address to a point, in km (equirectangular: fine at city scale). */
  private kmFrom(s: number, p: { lon: number; lat: number; cos: number }): number {
    const dx = (this.d.streetLon[s]! / E6 - p.lon) * p.cos * 111.32;
    const dy = (this.d.streetLat[s]! / E6 - p.lat) * 111.32;
    return Math.sqrt(dx * dx + dy * dy);
  }

  /** The best candidate streets, visiting the cheapest sources first within the budgets. */
  private candidates(Q: Query, drivers: Driver[], limit: number): Candidate[] {
    const top = new TopK<Candidate>(Math.max(limit * 3, 30));
    let visits = 0;
    let visitEnd = 0;
    const visit = (s: number): boolean => {
      if (this.stamp[s] === Q.qid) return true;
      this.stamp[s] = Q.qid;
      if (++visits > visitEnd) return false;
      if (!this.passesFilters(s, Q)) return true;
      const cand = this.scoreStreet(s, Q);
      if (cand) top.offer(cand);
      return true;
    };
    for (let k = 0; k < drivers.length && k < 3; k++) {
      // Another source only when this one found nothing usable, or when it is cheap.
      if (k > 0 && top.size && drivers[k]!.cost > 5000) break;
      visitEnd = visits + drivers[k]!.budget;
      drivers[k]!.visit(visit);
      if (top.items.some((c) => c.full) || visits > searchTuning.budget) break;
    }
    return top.items;
  }

  /** The address of a candidate street the query points at, and the final score. */
  private resolveNumber(c: Candidate, Q: Query): { i: number; score: number; key: number } {
    const d = this.d;
    const s0 = d.streetStart[c.s]!;
    const s1 = d.streetStart[c.s + 1]!;
    const h = Q.pq.housenumber ?? c.hn?.num ?? null;
    if (h === null) return { i: firstNumbered(d.num, s0, s1), score: c.text, key: c.key };
    const suffix = Q.pq.housenumber !== null ? Q.pq.suffix : (c.hn?.suffix ?? null);
    const { i, numScore } = houseNumberIn(d.num, d.suf, d.suffixStr, s0, s1, h, suffix);
    const cov = (c.matchedW + numScore) / (c.totalW + 1);
    const score = c.text - 0.8 * c.coverage + 0.8 * cov;
    return { i, score, key: score + (c.key - c.text) };
  }

  /**
   * Free-text search, best first. Score: 0.8 × share of the query matched (words weighted, street
   * types half) + 0.2 × share of the street name covered; house number and postcode count as
   * query parts; a location bias blends in proximity.
   */
  search(q: string, opts: SearchOptions = {}): AddressHit[] {
    const limit = Math.max(1, Math.min(opts.limit ?? 10, 100));
    const pq = parseQuery(q);
    const words = pq.words.slice(0, MAX_WORDS);
    if (this.qid >= 0xfffffff0) {
      this.stamp.fill(0);
      this.qid = 0;
    }
    const qid = ++this.qid;
    const exps = words.map((w, i) => this.expand(i, w.text, !!w.typing, w.full));
    try {
      const filters = this.filtersOf(opts);
      if (!filters) return [];
      // Postcode: a postcode, or else a code INSEE.
      const pcId = pq.postcode ? (this.pcById.get(pq.postcode) ?? -1) : -1;
      const pcCommune = pq.postcode && pcId < 0 ? (this.communeByCode.get(pq.postcode) ?? -1) : -1;
      const wWeight = words.map((w) =>
        STREET_TYPES.has(w.text) || (w.full !== undefined && STREET_TYPES.has(w.full)) ? 0.5 : 1,
      );
      const kind = Uint8Array.from(words, (w) => (w.house ? HOUSE : w.optional ? OPTIONAL : PLAIN));
      const Q: Query = { qid, pq, words, kind, wWeight, pcId, pcCommune, ...filters };
      const drivers = this.driversOf(Q, exps);
      if (!drivers.length || (!kind.includes(PLAIN) && pcId < 0 && pcCommune < 0)) return [];
      const results = this.candidates(Q, drivers, limit).map((c) => this.resolveNumber(c, Q));
      results.sort((a, b) => b.key - a.key);
      const out: AddressHit[] = [];
      const seenAddr = new Set<number>();
      for (const r of results) {
        if (seenAddr.has(r.i)) continue;
        seenAddr.add(r.i);
        out.push(this.hit(r.i, r.score));
        if (out.length >= limit) break;
      }
      return out;
    } finally {
      this.clearWords(exps);
    }
  }

  /** Addresses nearest to a point, nearest first, with their distance in metres. */
  reverse(lon: number, lat: number, limit = 1): AddressHit[] {
    const d = this.d;
    if (!this.size) return [];
    const cos = Math.max(0.01, Math.cos((lat * Math.PI) / 180));
    const x = Math.round(lon * E6);
    const y = Math.round(lat * E6);
    const metres = (i: number) => {
      const dx = ((d.lon[i]! - x) / E6) * cos * 111_320;
      const dy = ((d.lat[i]! - y) / E6) * 111_320;
      return Math.sqrt(dx * dx + dy * dy);
    };
    let r = 0.0005;
    for (;;) {
      const ids = d.kd.range(
        x - Math.round((r / cos) * E6),
        y - Math.round(r * E6),
        x + Math.round((r / cos) * E6),
        y + Math.round(r * E6),
      );
      const radius = r * 111_320;
      const within = ids.map((i) => ({ i, m: metres(i) })).filter((o) => o.m <= radius);
      if (within.length >= limit || ids.length >= this.size || r > 2) {
        const all = (within.length >= limit ? within : ids.map((i) => ({ i, m: metres(i) })))
          .sort((a, b) => a.m - b.m)
          .slice(0, limit);
        return all.map((o) => ({ ...this.hit(o.i, 1 / (1 + o.m / 100)), distance: Math.round(o.m * 10) / 10 }));
      }
      r *= 4;
    }
  }
}
