import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.ts';

export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'migrations');

/**
 * Forward-only migrations: every `NNNN_name.sql` file not yet recorded is applied in name order,
 * each in its own transaction, and recorded with its checksum. An edited, already-applied
 * migration is an error: fixes go in a new file.
 */
export async function migrate(db: Db, dir = MIGRATIONS_DIR): Promise<string[]> {
  await db.query(`CREATE TABLE IF NOT EXISTS schema_migration (
    name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const files = fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort();
  const applied = new Map(
    (await db.query<{ name: string; checksum: string }>('SELECT name, checksum FROM schema_migration')).rows.map(
      (r) => [r.name, r.checksum],
    ),
  );
  const done: string[] = [];
  for (const f of files) {
    const sql = fs.readFileSync(path.join(dir, f), 'utf8');
    const sum = crypto.createHash('sha256').update(sql).digest('hex');
    const known = applied.get(f);
    if (known !== undefined) {
      if (known !== sum)
        throw new Error(
          `Migration ${f} a été modifiée après application (checksum ${known.slice(0, 12)} ≠ ${sum.slice(0, 12)})`,
        );
      continue;
    }
    await db.transaction(async (tx) => {
      // Serialises concurrent starters on a server; a no-op cost on PGlite.
      await tx.query('SELECT pg_advisory_xact_lock(7263001)');
      const again = await tx.query('SELECT 1 FROM schema_migration WHERE name = $1', [f]);
      if (again.rows.length) return;
      await tx.exec(sql);
      await tx.query('INSERT INTO schema_migration (name, checksum) VALUES ($1, $2)', [f, sum]);
      done.push(f);
    });
  }
  return done;
}

/** Migration files not yet recorded as applied (readiness: a started instance must have none). */
export async function pendingMigrations(db: Db, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = fs.readdirSync(dir).filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f));
  const applied = new Set(
    (await db.query<{ name: string }>('SELECT name FROM schema_migration')).rows.map((r) => r.name),
  );
  return files.filter((f) => !applied.has(f)).sort();
}
