import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';

/** Folders of DATA_DIR that hold source files: uploads and downloads, one sub-folder per job. */
const SOURCE_DIRS = ['televersements', 'telechargements'] as const;

/** Files younger than this are never removed, whatever their rank: a queued import may still need them. */
const GRACE_MS = 24 * 3600_000;

type RetentionRule = { days: number; perJob: number };

/**
 * Removes source files the run records no longer need (each run keeps the source's name, size and
 * SHA-256): files older than `days`, and beyond the `perJob` newest of each job's folder. Files of
 * the last 24 hours stay. Missing folders are fine; a file that cannot be removed is skipped and logged.
 */
export async function cleanSourceFiles(
  dataDir: string,
  rule: RetentionRule,
  log?: Logger,
  now = Date.now(),
  otherRoots: string[] = [],
): Promise<{ removed: number; bytes: number }> {
  let removed = 0;
  let bytes = 0;
  const groups: string[] = [];
  // otherRoots: an UPLOAD_DIR outside DATA_DIR (shared by several instances).
  for (const root of [...SOURCE_DIRS.map((d) => path.join(dataDir, d)), ...otherRoots]) {
    const entries = await fsp.readdir(root, { withFileTypes: true }).catch(() => []);
    groups.push(root, ...entries.filter((e) => e.isDirectory()).map((e) => path.join(root, e.name)));
  }
  for (const dir of groups) {
    const entries = await fsp.readdir(dir, { withFileTypes: true }).catch(() => []);
    const files = [];
    for (const e of entries) {
      if (!e.isFile()) continue;
      const p = path.join(dir, e.name);
      const st = await fsp.stat(p).catch(() => undefined);
      if (st) files.push({ p, mtime: st.mtimeMs, size: st.size });
    }
    files.sort((a, b) => b.mtime - a.mtime);
    for (const [rank, f] of files.entries()) {
      const age = now - f.mtime;
      if (age < GRACE_MS) continue;
      if (age <= rule.days * 86_400_000 && rank < rule.perJob) continue;
      try {
        await fsp.rm(f.p);
        removed++;
        bytes += f.size;
      } catch (e) {
        log?.warn({ err: e, file: f.p }, 'source file not removed');
      }
    }
  }
  if (removed) log?.info({ removed, bytes }, 'old source files removed (retention)');
  return { removed, bytes };
}

/** Runs the clean-up now and then once a day; the timer does not keep the process alive. */
export function scheduleSourceCleanup(
  dataDir: string,
  rule: RetentionRule,
  log: Logger,
  otherRoots: string[] = [],
): NodeJS.Timeout {
  const run = () =>
    void cleanSourceFiles(dataDir, rule, log, Date.now(), otherRoots).catch((e) =>
      log.error({ err: e }, 'retention clean-up failed'),
    );
  run();
  const t = setInterval(run, 86_400_000);
  t.unref();
  return t;
}

/** Sub-folder of a job's source files (job names are [a-z0-9-]; anything else goes to the folder itself). */
export const jobFolder = (root: string, job: string | undefined) =>
  job && /^[a-z0-9-]{1,60}$/.test(job) ? path.join(root, job) : root;
