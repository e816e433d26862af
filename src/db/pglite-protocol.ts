/** Messages between the main thread and the embedded database's thread (pglite-worker.ts). */
export type Request =
  | { id: number; op: 'query'; sql: string; params: unknown[] | undefined; tx: number | null }
  | { id: number; op: 'exec'; sql: string; tx: number | null }
  | { id: number; op: 'begin' | 'commit' | 'rollback'; tx: number }
  | { id: number; op: 'close'; tx: null };

export type Response = {
  id: number;
  rows?: Record<string, unknown>[];
  rowCount?: number;
  error?: { message: string; fields: Record<string, string | number> };
};
