import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../errors.ts';
import { type DownloadOptions, download } from './download.ts';

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

async function sha256File(p: string): Promise<string> {
  const h = crypto.createHash('sha256');
  await pipeline(fs.createReadStream(p), h);
  return h.digest('hex');
}

/**
 * Resolves what the user named (path or http(s) URL) to a local file with its checksum.
 * Downloads stop at maxBytes, before the whole body is held anywhere.
 */
export async function resolveSource(spec: string, opts: DownloadOptions): Promise<Source> {
  if (/^https?:\/\//i.test(spec)) return download(spec, opts);
  // Any other scheme (file:, x:../../etc/passwd…) is refused rather than read as a local path.
  if (/^[a-z][a-z0-9+.-]*:/i.test(spec))
    throw new AppError(
      'SOURCE_ILLISIBLE',
      `scheme in ${spec.slice(0, 200)}`,
      'Seules les adresses http:// ou https:// sont acceptées.',
    );
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
