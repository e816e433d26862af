import type { Queryable } from '../db/db.ts';

/**
 * Registry of personal-data providers (GDPR articles 15 and 17). Each module that stores something about an
 * account holder declares a provider in `AppModule.personalData`, as it declares its datasets: `export()`
 * gives what it holds for the JSON download, `erase()` deletes or anonymises it. The download and the
 * erasure run every provider, so a new module's data is covered as soon as it registers one.
 */

/** The account holder as stored before erasure: what the providers look for. */
export type Person = { id: number; email: string; nom: string };

export type PersonalDataProvider = {
  /** Key of the provider's part in the download (`compte`, `alertes`…). */
  name: string;
  /** What it covers, in French, for the download's explanation and the erasure page. */
  title: string;
  export(q: Queryable, p: Person): Promise<unknown>;
  /**
   * Deletes what is only the person's (sessions, saved searches) and keeps contributions with the person
   * replaced by `anon`; returns how many rows changed. Runs inside the erasure's transaction.
   */
  erase(q: Queryable, p: Person, anon: string): Promise<number>;
};

export function definePersonalData(p: PersonalDataProvider): PersonalDataProvider {
  return p;
}

/** The label that replaces the person in what is kept (journal, authorship). */
export const anonymousLabel = (id: number) => `compte effacé n° ${id}`;

/**
 * Replaces the person in a text column of contributions that are kept (authorship, moderation): the e-mail
 * wherever it appears, the name where it is the whole value (a short name inside other words is left alone).
 * `table` and `column` are constants of the calling module, never input; values are parameters.
 */
export async function anonymiseText(
  q: Queryable,
  table: string,
  column: string,
  p: Person,
  anon: string,
): Promise<number> {
  const r = await q.query(
    `UPDATE ${table} SET ${column} = CASE WHEN ${column} = $2 THEN $3 ELSE replace(${column}, $1, $3) END
     WHERE strpos(${column}, $1) > 0 OR ${column} = $2`,
    [p.email, p.nom, anon],
  );
  return r.rowCount;
}

/** The same in a jsonb column (before/after values of a journal): the e-mail anywhere, the name as a whole string. */
export async function anonymiseJson(
  q: Queryable,
  table: string,
  column: string,
  p: Person,
  anon: string,
): Promise<number> {
  const r = await q.query(
    `UPDATE ${table} SET ${column} = replace(replace(${column}::text, $1, $3), $2, $4)::jsonb
     WHERE strpos(${column}::text, $1) > 0 OR strpos(${column}::text, $2) > 0`,
    [
      JSON.stringify(p.email).slice(1, -1),
      JSON.stringify(p.nom),
      JSON.stringify(anon).slice(1, -1),
      JSON.stringify(anon),
    ],
  );
  return r.rowCount;
}

/** A text (or jsonb) column of kept contributions that may name the person. */
export type Mention = { table: string; column: string; json?: boolean; label: string };

/** How many rows of each mentioned column name the person (the download lists the counts). */
export async function countMentions(q: Queryable, mentions: Mention[], p: Person): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of mentions) {
    const r = await q.query<{ n: number }>(
      m.json
        ? `SELECT count(*)::int AS n FROM ${m.table} WHERE strpos(${m.column}::text, $1) > 0 OR strpos(${m.column}::text, $2) > 0`
        : `SELECT count(*)::int AS n FROM ${m.table} WHERE strpos(${m.column}, $1) > 0 OR ${m.column} = $2`,
      m.json ? [JSON.stringify(p.email).slice(1, -1), JSON.stringify(p.nom)] : [p.email, p.nom],
    );
    out[m.label] = (out[m.label] ?? 0) + r.rows[0]!.n;
  }
  return out;
}

/** A provider for contributions kept without the person: counted in the download, anonymised at erasure. */
export function contributions(name: string, title: string, mentions: Mention[]): PersonalDataProvider {
  return {
    name,
    title,
    export: (q, p) => countMentions(q, mentions, p),
    async erase(q, p, anon) {
      let n = 0;
      for (const m of mentions) n += await (m.json ? anonymiseJson : anonymiseText)(q, m.table, m.column, p, anon);
      return n;
    },
  };
}
