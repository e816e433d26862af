import fs from 'node:fs';
import path from 'node:path';

/**
 * The embedded database may be opened by one process at a time. This lock file says which
 * process holds it, and, for a server, where to hand work to.
 */
export type LockInfo = { pid: number; role: 'server' | 'cli'; port?: number; token?: string; since: string };

const lockPath = (dataDir: string) => path.join(dataDir, 'pglite.lock');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live holder, if any; a lock left by a dead process is removed. */
export function readLock(dataDir: string): LockInfo | undefined {
  try {
    const info = JSON.parse(fs.readFileSync(lockPath(dataDir), 'utf8')) as LockInfo;
    if (info.pid !== process.pid && alive(info.pid)) return info;
    fs.rmSync(lockPath(dataDir), { force: true });
  } catch {
    // no lock, or a half-written one from a crash: treat as free
    if (fs.existsSync(lockPath(dataDir))) {
      const age = Date.now() - fs.statSync(lockPath(dataDir)).mtimeMs;
      if (age < 5000) return { pid: -1, role: 'cli', since: new Date().toISOString() };
      fs.rmSync(lockPath(dataDir), { force: true });
    }
  }
  return undefined;
}

export type Lock = { update(extra: Partial<LockInfo>): void; release(): void };

/** Takes the lock or returns the current holder. */
export function tryLock(dataDir: string, role: LockInfo['role']): Lock | LockInfo {
  fs.mkdirSync(dataDir, { recursive: true });
  const holder = readLock(dataDir);
  if (holder) return holder;
  let info: LockInfo = { pid: process.pid, role, since: new Date().toISOString() };
  try {
    fs.writeFileSync(lockPath(dataDir), JSON.stringify(info), { flag: 'wx', mode: 0o600 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return readLock(dataDir) ?? tryLock(dataDir, role);
    throw e;
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    try {
      const cur = JSON.parse(fs.readFileSync(lockPath(dataDir), 'utf8')) as LockInfo;
      if (cur.pid === process.pid) fs.rmSync(lockPath(dataDir), { force: true });
    } catch {
      /* already gone */
    }
  };
  process.once('exit', release);
  return {
    update(extra) {
      info = { ...info, ...extra };
      const tmp = `${lockPath(dataDir)}.${process.pid}`;
      fs.writeFileSync(tmp, JSON.stringify(info), { mode: 0o600 });
      fs.renameSync(tmp, lockPath(dataDir));
    },
    release,
  };
}

export const isLock = (x: Lock | LockInfo): x is Lock => 'release' in x;

/** Waits until the lock is free, telling the user why every few seconds. */
export async function waitForLock(
  dataDir: string,
  role: LockInfo['role'],
  say: (holder: LockInfo) => void,
  timeoutMs = 60 * 60_000,
): Promise<Lock> {
  const t0 = Date.now();
  let lastSaid = 0;
  for (;;) {
    const r = tryLock(dataDir, role);
    if (isLock(r)) return r;
    if (Date.now() - lastSaid > 5000) {
      say(r);
      lastSaid = Date.now();
    }
    if (Date.now() - t0 > timeoutMs)
      throw new Error(
        `La base embarquée est toujours occupée par le processus ${r.pid} après ${Math.round(timeoutMs / 60000)} min.`,
      );
    await new Promise((res) => setTimeout(res, 500));
  }
}
