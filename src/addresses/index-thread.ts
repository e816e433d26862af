import KDBush from 'kdbush';
import { startWorker } from '../threads/start.ts';
import { AddressIndex, AddressIndexBuilder, type IndexData, type IndexInput } from './index-search.ts';
import type { FromWorker, ToWorker } from './index-worker.ts';

/** Below this many rows the index is built on the main thread: a worker's start-up would cost more. */
const THREAD_ROWS = 20_000;
/** Rows per message to the worker, and batches in flight at most (the rest waits here, not in a queue). */
const BATCH = 4_000;
const IN_FLIGHT = 2;

/** What the service needs of a builder: AddressIndexBuilder, or one that builds in a worker thread. */
export interface IndexBuild {
  readonly size: number;
  addAll(rows: Iterable<IndexInput>): Promise<void>;
  finishAsync(): Promise<AddressIndex>;
  /** Drops a build that will not be finished (its worker, if any, is stopped). */
  abandon(): void;
}

/**
 * An index build that moves to a worker thread once it holds THREAD_ROWS rows: the street tables,
 * postings and typo table of a large index (seconds of CPU for a département) are then computed off
 * the main thread, which only batches rows and wraps the arrays it gets back.
 */
export function newIndexBuild(opts: { threadRows?: number } = {}): IndexBuild {
  const threadRows = opts.threadRows ?? THREAD_ROWS;
  let held: IndexInput[] | null = [];
  let remote: RemoteBuild | null = null;
  const send = async (rows: IndexInput[]) => {
    remote ??= new RemoteBuild();
    for (let i = 0; i < rows.length; i += BATCH) await remote.add(rows.slice(i, i + BATCH));
  };
  let size = 0;
  return {
    get size() {
      return size;
    },
    async addAll(rows) {
      let batch: IndexInput[] = [];
      for (const r of rows) {
        size++;
        batch.push(r);
        if (held) {
          if (held.length + batch.length < threadRows) continue;
          batch = held.concat(batch);
          held = null;
        }
        if (batch.length >= BATCH) {
          await send(batch);
          batch = [];
        }
      }
      if (held) held.push(...batch);
      else if (batch.length) await send(batch);
    },
    async finishAsync() {
      if (remote) return remote.finish();
      const b = new AddressIndexBuilder();
      await b.addAll(held ?? []);
      return b.finishAsync();
    },
    abandon() {
      held = null;
      void remote?.stop();
    },
  };
}

/** An index filled by `fill`; the build is dropped if filling fails (a database error mid-way). */
export async function buildIndex(fill: (b: IndexBuild) => Promise<unknown>): Promise<AddressIndex> {
  const b = newIndexBuild();
  try {
    await fill(b);
  } catch (e) {
    b.abandon();
    throw e;
  }
  return b.finishAsync();
}

class RemoteBuild {
  private readonly worker = startWorker(new URL('./index-worker.ts', import.meta.url), null);
  private readonly waiting: { resolve: (m: FromWorker) => void; reject: (e: Error) => void }[] = [];
  private inFlight: Promise<unknown>[] = [];
  private failed: Error | null = null;

  constructor() {
    this.worker.on('message', (m: FromWorker) => {
      const w = this.waiting.shift();
      if (m.op === 'error') w?.reject(new Error(m.message));
      else w?.resolve(m);
    });
    const fail = (e: Error) => {
      this.failed ??= e;
      for (const w of this.waiting.splice(0)) w.reject(this.failed);
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`construction de l’index arrêtée (code ${code})`)));
  }

  private send(m: ToWorker): Promise<FromWorker> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.worker.postMessage(m);
    });
  }

  async add(rows: IndexInput[]): Promise<void> {
    const sent = this.send({ op: 'add', rows });
    // An abandoned build stops the worker with batches still in flight: their failure is not an error.
    sent.catch(() => undefined);
    this.inFlight.push(sent);
    if (this.inFlight.length >= IN_FLIGHT) await this.inFlight.shift();
  }

  async finish(): Promise<AddressIndex> {
    try {
      await Promise.all(this.inFlight);
      const m = await this.send({ op: 'finish' });
      if (m.op !== 'done') throw new Error('réponse inattendue du constructeur d’index');
      return fromTransfer(m.data);
    } finally {
      await this.stop();
    }
  }

  stop(): Promise<number> {
    return this.worker.terminate();
  }
}

/** The arrays as they arrive: a Buffer comes as a Uint8Array, the k-d tree as its ArrayBuffer. */
function fromTransfer(data: Record<string, unknown>): AddressIndex {
  const ids = data.ids as Uint8Array;
  return new AddressIndex({
    ...(data as unknown as IndexData),
    ids: Buffer.from(ids.buffer, ids.byteOffset, ids.byteLength),
    kd: KDBush.from(data.kd as ArrayBuffer),
  });
}
