/**
 * The small, pure building blocks of the address index (`index-search.ts`): growable typed arrays, compressed
 * sparse rows, the hash and deletions of the one-typo table, a bounded best-k list, and finding a house number
 * inside a street's sorted range. Each is unit-tested on its own (`index-parts.test.ts`).
 */
import { sameRepetition } from './normalize.ts';

/** A typed array that doubles when full; `done()` is a view of what was pushed. */
class Grow<T extends Uint32Array | Int32Array | Uint16Array> {
  n = 0;
  constructor(
    public a: T,
    private readonly make: (n: number) => T,
  ) {}
  push(v: number) {
    if (this.n === this.a.length) {
      const b = this.make(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
  done(): T {
    return this.a.subarray(0, this.n) as T;
  }
}
export const u32 = (n: number) => new Grow(new Uint32Array(n), (m) => new Uint32Array(m));
export const i32 = (n: number) => new Grow(new Int32Array(n), (m) => new Int32Array(m));
export const u16 = (n: number) => new Grow(new Uint16Array(n), (m) => new Uint16Array(m));

/** 32-bit FNV-1a. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Every string with one character removed (symmetric deletion: two words one edit apart share one). */
export function deletions(t: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < t.length; i++) out.push(t.slice(0, i) + t.slice(i + 1));
  return out;
}

/** Compressed sparse rows: items of row r are data[start[r] .. start[r+1]). */
export type Csr = { start: Uint32Array; data: Uint32Array };

/** Rows from (row, value) pairs, each row optionally sorted by `order`. */
export function csrFrom(
  rows: number,
  pairsRow: Uint32Array,
  pairsVal: Uint32Array,
  order?: (a: number, b: number) => number,
): Csr {
  const start = new Uint32Array(rows + 1);
  for (let i = 0; i < pairsRow.length; i++) start[pairsRow[i]! + 1]!++;
  for (let r = 0; r < rows; r++) start[r + 1]! += start[r]!;
  const fill = start.slice(0, rows);
  const data = new Uint32Array(pairsRow.length);
  for (let i = 0; i < pairsRow.length; i++) data[fill[pairsRow[i]!]!++] = pairsVal[i]!;
  if (order)
    for (let r = 0; r < rows; r++)
      if (start[r + 1]! - start[r]! > 1) data.subarray(start[r]!, start[r + 1]!).sort(order);
  return { start, data };
}

/** The k items of highest `key` offered so far (unordered); k is small, a linear scan beats a heap here. */
export class TopK<T extends { key: number }> {
  readonly items: T[] = [];
  private minKey = -Infinity;
  constructor(private readonly k: number) {}
  get size(): number {
    return this.items.length;
  }
  offer(item: T): void {
    if (this.items.length < this.k) {
      this.items.push(item);
      if (this.items.length === this.k) this.minKey = Math.min(...this.items.map((x) => x.key));
      return;
    }
    if (item.key <= this.minKey) return;
    let mi = 0;
    for (let i = 1; i < this.items.length; i++) if (this.items[i]!.key < this.items[mi]!.key) mi = i;
    this.items[mi] = item;
    this.minKey = Infinity;
    for (const t of this.items) if (t.key < this.minKey) this.minKey = t.key;
  }
}

/** First numbered address of a street range [s0, s1) (numbers sorted, -1 = none first), or s0. */
export function firstNumbered(num: Int32Array, s0: number, s1: number): number {
  let i = s0;
  while (i < s1 - 1 && num[i]! < 0) i++;
  return i;
}

/**
 * House number h (with repetition `suffix`) inside a street range [s0, s1) sorted by number then suffix.
 * Score 1: exact; 0.97: the same repetition written another way (b / bis); 0.9: the number without the
 * suffix asked (or with one not asked); 0.3: the closest existing number.
 */
export function houseNumberIn(
  num: Int32Array,
  suf: Uint16Array,
  suffixStr: readonly string[],
  s0: number,
  s1: number,
  h: number,
  suffix: string | null,
): { i: number; numScore: number } {
  let lo = s0;
  let hi = s1;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (num[m]! < h) lo = m + 1;
    else hi = m;
  }
  if (lo < s1 && num[lo] === h) {
    let i = lo;
    let numScore = 0.9;
    for (let j = lo; j < s1 && num[j] === h; j++) {
      const sx = suffixStr[suf[j]!]!;
      if (suffix === null ? sx === '' : sx === suffix) return { i: j, numScore: 1 };
      if (suffix !== null && numScore < 0.97 && sx !== '' && sameRepetition(sx, suffix)) {
        i = j;
        numScore = 0.97;
      }
    }
    return { i, numScore };
  }
  let below = lo - 1 >= s0 && num[lo - 1]! >= 0 ? lo - 1 : -1;
  // the plain number rather than its last repetition (4, not 4 ter)
  while (below > s0 && num[below - 1] === num[below]) below--;
  const above = lo < s1 ? lo : -1;
  const i =
    below < 0 ? (above < 0 ? s0 : above) : above < 0 ? below : h - num[below]! <= num[above]! - h ? below : above;
  return { i, numScore: 0.3 };
}

/** The transpose of a CSR (rows × values in [0, cols)) as values → rows. */
export function invertCsr(csr: Csr, rows: number, cols: number): Csr {
  const r = new Uint32Array(csr.data.length);
  const v = new Uint32Array(csr.data.length);
  let k = 0;
  for (let row = 0; row < rows; row++)
    for (let j = csr.start[row]!; j < csr.start[row + 1]!; j++) {
      r[k] = csr.data[j]!;
      v[k++] = row;
    }
  return csrFrom(cols, r, v);
}

/**
 * Symmetric-deletion table for one-typo matching: hash(token or one of its deletions) → token id, sorted by
 * hash (tokens shorter than `minLen` and numbers take no typo).
 */
export function typoTable(tokens: readonly string[], minLen: number): { delHash: Uint32Array; delTok: Uint32Array } {
  const typoable = (t: string) => t.length >= minLen && !/^\d+$/.test(t);
  let nPairs = 0;
  for (const t of tokens) if (typoable(t)) nPairs += t.length + 1;
  const packed = new BigUint64Array(nPairs);
  let p = 0;
  tokens.forEach((tok, t) => {
    if (!typoable(tok)) return;
    packed[p++] = (BigInt(hash32(tok)) << 32n) | BigInt(t);
    for (const d of deletions(tok)) packed[p++] = (BigInt(hash32(d)) << 32n) | BigInt(t);
  });
  packed.sort();
  const delHash = new Uint32Array(nPairs);
  const delTok = new Uint32Array(nPairs);
  for (let i = 0; i < nPairs; i++) {
    delHash[i] = Number(packed[i]! >> 32n);
    delTok[i] = Number(packed[i]! & 0xffffffffn);
  }
  return { delHash, delTok };
}

/** A street's reference point (its middle address), for the location bias. */
export function streetPoints(
  streetStart: Uint32Array,
  lon: Int32Array,
  lat: Int32Array,
): { streetLon: Int32Array; streetLat: Int32Array } {
  const S = streetStart.length - 1;
  const streetLon = new Int32Array(S);
  const streetLat = new Int32Array(S);
  for (let s = 0; s < S; s++) {
    const m = (streetStart[s]! + streetStart[s + 1]! - 1) >>> 1;
    streetLon[s] = lon[m]!;
    streetLat[s] = lat[m]!;
  }
  return { streetLon, streetLat };
}
