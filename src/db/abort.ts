import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * An ambient AbortSignal for database work: the import runner runs a job inside `withAbort`, and
 * both Db implementations check it before each statement and before COMMIT. A cancelled import
 * thus stops at its next query and its transaction rolls back, without every job having to thread
 * the signal through its own code.
 */
const current = new AsyncLocalStorage<AbortSignal>();

export function withAbort<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  return current.run(signal, fn);
}

export function throwIfAborted(): void {
  current.getStore()?.throwIfAborted();
}
