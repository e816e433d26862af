/**
 * The one database interface the platform uses. Two implementations speak the same
 * PostgreSQL dialect: PGlite (embedded, file-backed) and a PostgreSQL server (`pg`).
 */
export type Row = Record<string, unknown>;

export interface Queryable {
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<{ rows: T[]; rowCount: number }>;
  /** Runs a script of several statements, without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs fn in one transaction: committed if fn resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs fn on one connection held for its whole duration (session-level advisory locks need it;
   * on PGlite there is only one connection anyway).
   */
  session<T>(fn: (c: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Inserts many rows with one statement per chunk: rows travel as one JSON parameter and are
 * expanded server-side, which is much faster than one INSERT per row on both backends.
 */
export async function insertJson(
  q: Queryable,
  table: string,
  columns: Record<string, string>,
  rows: readonly Row[],
  opts: {
    chunk?: number /** appended after the FROM clause: ON CONFLICT …, or a WHERE filter */;
    onConflict?: string;
  } = {},
): Promise<number> {
  const names = Object.keys(columns);
  const defs = names.map((n) => `${n} ${columns[n]}`).join(', ');
  const sql = `INSERT INTO ${table} (${names.join(', ')})
    SELECT ${names.join(', ')} FROM json_to_recordset($1::json) AS r(${defs}) ${opts.onConflict ?? ''}`;
  const chunk = opts.chunk ?? 5000;
  let n = 0;
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    await q.query(sql, [JSON.stringify(part)]);
    n += part.length;
  }
  return n;
}

/** One turn of the event loop: timers and incoming requests run before the caller goes on. */
export const yieldTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
