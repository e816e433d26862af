import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../errors.ts';

/** A source an import job reads: a local file (downloads and uploads are first saved as one). */
export type Source = {
  /** What the user gave: a path or a URL, kept for the run record. */
  origin: string;
  /** Local path of the bytes (a file, or a directory for multi-file sources). */
  path: string;
  /** File name as the user sees it (for format detection by name). */
  name: string;
  sha256: string;
  size: number;
};

export async function sha256File(p: string): Promise<string> {
  const h = crypto.createHash('sha256');
  await pipeline(fs.createReadStream(p), h);
  return h.digest('hex');
}

/**
 * Resolves what the user named (path or http(s) URL) to a local file with its checksum.
 * Downloads stop at maxBytes, before the whole body is held anywhere.
 */
export async function resolveSource(spec: string, opts: { downloadDir: string; maxBytes: number }): Promise<Source> {
  if (/^https?:\/\//i.test(spec)) return download(spec, opts);
  const p = path.resolve(spec);
  let st: fs.Stats;
  try {
    st = await fsp.stat(p);
  } catch {
    throw new AppError('SOURCE_ILLISIBLE', `no such file: ${p}`, `Fichier introuvable : ${spec}`);
  }
  if (st.isDirectory()) {
    const files = (await fsp.readdir(p)).filter((f) => !f.startsWith('.')).sort();
    const h = crypto.createHash('sha256');
    let size = 0;
    for (const f of files) {
      const s = await fsp.stat(path.join(p, f));
      if (!s.isFile()) continue;
      h.update(f).update(await sha256File(path.join(p, f)));
      size += s.size;
    }
    return { origin: spec, path: p, name: path.basename(p), sha256: h.digest('hex'), size };
  }
  return { origin: spec, path: p, name: path.basename(p), sha256: await sha256File(p), size: st.size };
}

async function download(url: string, opts: { downloadDir: string; maxBytes: number }): Promise<Source> {
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(10 * 60_000) });
  } catch (e) {
    throw new AppError('SOURCE_ILLISIBLE', `fetch ${url}: ${(e as Error).message}`, `Téléchargement impossible : ${url}`);
  }
  if (!res.ok || !res.body) throw new AppError('SOURCE_ILLISIBLE', `fetch ${url}: HTTP ${res.status}`, `Le serveur a répondu ${res.status} pour ${url}`);
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > opts.maxBytes) throw new AppError('FICHIER_TROP_GROS', `${url}: ${declared} bytes`);
  await fsp.mkdir(opts.downloadDir, { recursive: true });
  const name = decodeURIComponent(new URL(url).pathname.split('/').pop() || 'telechargement');
  const dest = path.join(opts.downloadDir, `${Date.now()}-${name.replace(/[^\w.-]/g, '_')}`);
  const h = crypto.createHash('sha256');
  let size = 0;
  const out = fs.createWriteStream(dest);
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.length;
      if (size > opts.maxBytes) throw new AppError('FICHIER_TROP_GROS', `${url}: over ${opts.maxBytes} bytes`);
      h.update(chunk);
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
  } catch (e) {
    out.destroy();
    await fsp.rm(dest, { force: true });
    throw e;
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return { origin: url, path: dest, name, sha256: h.digest('hex'), size };
}
