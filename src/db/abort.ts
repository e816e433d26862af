import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * An ambient AbortSignal for database work: the import runner runs a job inside `withAbort`, and
 * both Db implementations check it before each statement and before COMMIT. A cancelled import
 * thus stops at its next query and its transaction rolls back, without every job having to thread
 * the signal through its own code. Once a transaction has committed, the data is changed: later
 * statements (e.g. a VACUUM) are no longer stopped, and the run is not reported as cancelled.
 */
export type AbortState = { readonly signal: AbortSignal; committed: boolean };

const current = new AsyncLocalStorage<AbortState>();

export function withAbort<T>(state: AbortState, fn: () => Promise<T>): Promise<T> {
  return current.run(state, fn);
}

export function throwIfAborted(): void {
  const s = current.getStore();
  if (s && !s.committed) s.signal.throwIfAborted();
}

/** Called by the Db implementations right after a COMMIT. */
export function noteCommitted(): void {
  const s = current.getStore();
  if (s) s.committed = true;
}
