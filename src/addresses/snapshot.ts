/**
 * Index snapshots: the typed arrays of an AddressIndex written to one binary file, so that a
 * restart with an unchanged `adresse` table loads the index instead of reading the table again
 * (minutes at national scale). The file carries a fingerprint of the table (row count and last
 * import run); a mismatch means "rebuild". Layout: magic, header length, JSON header (strings and
 * the place of each array), then the arrays, 8-byte aligned.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import KDBush from 'kdbush';
import { AddressIndex, type IndexData } from './index-search.ts';

const MAGIC = 'PANADR01';
type ArrayKind =
  | 'Buffer'
  | 'Uint8Array'
  | 'Uint16Array'
  | 'Uint32Array'
  | 'Int32Array'
  | 'Float32Array'
  | 'Float64Array';
type Block = {
  key: string;
  part?: 'start' | 'data';
  kind: ArrayKind | 'kdbush';
  offset: number;
  length: number;
  bytes: number;
};
const CTOR = {
  Buffer: Uint8Array,
  Uint8Array,
  Uint16Array,
  Uint32Array,
  Int32Array,
  Float32Array,
  Float64Array,
} as const;

function kindOf(v: ArrayBufferView): ArrayKind {
  if (Buffer.isBuffer(v)) return 'Buffer';
  return v.constructor.name as ArrayKind;
}

export async function writeSnapshot(index: AddressIndex, file: string, fingerprint: string): Promise<void> {
  const d = index.data as Record<string, unknown>;
  const strings: Record<string, string[]> = {};
  const views: { block: Omit<Block, 'offset'>; view: Uint8Array }[] = [];
  const asBytes = (v: ArrayBufferView) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  for (const [key, v] of Object.entries(d)) {
    if (Array.isArray(v)) strings[key] = v as string[];
    else if (v instanceof KDBush)
      views.push({
        block: { key, kind: 'kdbush', length: v.data.byteLength, bytes: v.data.byteLength },
        view: new Uint8Array(v.data as ArrayBuffer),
      });
    else if (ArrayBuffer.isView(v))
      views.push({
        block: { key, kind: kindOf(v), length: (v as Uint8Array).length, bytes: v.byteLength },
        view: asBytes(v),
      });
    else if (v && typeof v === 'object' && 'start' in v && 'data' in v) {
      for (const part of ['start', 'data'] as const) {
        const a = (v as Record<string, Uint32Array>)[part]!;
        views.push({
          block: { key, part, kind: 'Uint32Array', length: a.length, bytes: a.byteLength },
          view: asBytes(a),
        });
      }
    }
  }
  let offset = 0;
  const blocks: Block[] = views.map(({ block }) => {
    const b = { ...block, offset };
    offset += Math.ceil(block.bytes / 8) * 8;
    return b;
  });
  const header = Buffer.from(JSON.stringify({ fingerprint, size: index.size, strings, blocks }));
  const pre = Buffer.alloc(16);
  pre.write(MAGIC, 0, 'latin1');
  pre.writeUInt32LE(header.length, 8);
  const headPad = Math.ceil((16 + header.length) / 8) * 8 - (16 + header.length);
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fh = await fsp.open(tmp, 'w');
  try {
    await fh.write(pre);
    await fh.write(header);
    await fh.write(Buffer.alloc(headPad));
    for (const { view } of views) {
      await fh.write(view);
      const pad = Math.ceil(view.byteLength / 8) * 8 - view.byteLength;
      if (pad) await fh.write(Buffer.alloc(pad));
    }
  } finally {
    await fh.close();
  }
  await fsp.rename(tmp, file);
}

/** The index of a snapshot, or null when there is none or it was made for other data. */
export async function readSnapshot(file: string, fingerprint: string): Promise<AddressIndex | null> {
  if (!fs.existsSync(file)) return null;
  const fh = await fsp.open(file, 'r');
  let head: { fingerprint: string; size: number; strings: Record<string, string[]>; blocks: Block[] };
  let base: number;
  let total: number;
  try {
    const pre = Buffer.alloc(16);
    await fh.read(pre, 0, 16, 0);
    if (pre.toString('latin1', 0, 8) !== MAGIC) return null;
    const hl = pre.readUInt32LE(8);
    const hb = Buffer.alloc(hl);
    await fh.read(hb, 0, hl, 16);
    head = JSON.parse(hb.toString('utf8'));
    if (head.fingerprint !== fingerprint) return null;
    base = Math.ceil((16 + hl) / 8) * 8;
    total = (await fh.stat()).size - base;
  } finally {
    await fh.close();
  }
  // One aligned buffer for all arrays (views, no copies), read in chunks (files can exceed 2 GB).
  const body = new ArrayBuffer(total);
  const u8 = new Uint8Array(body);
  const rh = await fsp.open(file, 'r');
  try {
    for (let off = 0; off < total; ) {
      const { bytesRead } = await rh.read(u8, off, Math.min(1 << 30, total - off), base + off);
      if (!bytesRead) throw new Error('snapshot truncated');
      off += bytesRead;
    }
  } finally {
    await rh.close();
  }
  const d: Record<string, unknown> = { ...head.strings };
  for (const b of head.blocks) {
    if (b.kind === 'kdbush') d[b.key] = KDBush.from(body.slice(b.offset, b.offset + b.bytes));
    else {
      const view =
        b.kind === 'Buffer' ? Buffer.from(body, b.offset, b.length) : new CTOR[b.kind](body, b.offset, b.length);
      if (b.part) ((d[b.key] ??= {}) as Record<string, unknown>)[b.part] = view;
      else d[b.key] = view;
    }
  }
  return new AddressIndex(d as IndexData);
}
