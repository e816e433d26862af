import { Worker } from 'node:worker_threads';

/**
 * Starts the worker module at `tsUrl` (the .ts file, resolved beside the caller). Once built, this
 * file is .js and so is the worker. Under tsx (`npm start`, tests) a worker thread does not inherit
 * the parent's `--import tsx`: it registers tsx itself.
 */
export function startWorker(tsUrl: URL, workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL(tsUrl.href.replace(/\.ts$/, '.js')), { workerData });
  const boot = `import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(tsUrl.href)}); })`;
  return new Worker(boot, { eval: true, workerData });
}
