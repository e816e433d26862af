/**
 * Builds one address index in a worker thread (index-thread.ts): rows arrive in batches, and the
 * finished index's arrays go back to the main thread by transfer, not by copy.
 */
import { parentPort } from 'node:worker_threads';
import { AddressIndexBuilder, type IndexInput } from './index-search.ts';

export type ToWorker = { op: 'add'; rows: IndexInput[] } | { op: 'finish' };
export type FromWorker =
  | { op: 'added' }
  | { op: 'done'; data: Record<string, unknown> }
  | { op: 'error'; message: string };

const port = parentPort;
if (!port) throw new Error('index-worker must run in a worker thread');
const b = new AddressIndexBuilder();

port.on('message', (m: ToWorker) => {
  try {
    if (m.op === 'add') {
      for (const r of m.rows) b.add(r);
      port.postMessage({ op: 'added' } satisfies FromWorker);
      return;
    }
    const data: Record<string, unknown> = { ...b.finish().data };
    const transfer = new Set<ArrayBuffer>();
    const take = (v: unknown) => {
      if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer) transfer.add(v.buffer);
    };
    for (const [k, v] of Object.entries(data)) {
      if (k === 'kd') {
        const kd = (v as { data: ArrayBuffer }).data;
        data.kd = kd;
        transfer.add(kd);
      } else if (v && typeof v === 'object' && 'start' in v && 'data' in v) {
        take(v.start);
        take(v.data);
      } else take(v);
    }
    port.postMessage({ op: 'done', data } satisfies FromWorker, [...transfer]);
  } catch (e) {
    port.postMessage({ op: 'error', message: e instanceof Error ? e.message : String(e) } satisfies FromWorker);
  }
});
