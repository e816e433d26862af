import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AppContext } from '../context.ts';
import type { Stamp } from './catalog.ts';
import type { Dataset } from './dataset.ts';
import { type Format, openResource } from './formats.ts';

/**
 * Each distribution (dataset × format) is generated once and kept under `DATA_DIR/donnees/` until its
 * stamp changes, that is until an import run of a job it derives from (or an edit of the data it
 * reads) gives it a new ETag. The file is written to a temporary name while its SHA-256 and size are
 * computed on the way, then renamed; its checksum file (`.sha256`, written last) marks it complete. A
 * download streams the file, the catalogue lists its checksum and size. Nothing is held whole in memory.
 */

export type Distribution = { file: string; sha256: string; bytes: number };

const dirOf = (ctx: AppContext) => path.join(ctx.config.dataDir, 'donnees');
/** The file of a distribution for a stamp: the ETag (base64url) names the version. */
const fileOf = (ctx: AppContext, d: Dataset, format: Format, s: Stamp) =>
  path.join(dirOf(ctx), `${d.id}--${s.etag.replace(/"/g, '')}.${format}`);

/** Generations under way in this process, by file, so that concurrent requests share one. */
const pending = new Map<string, Promise<Distribution>>();

async function readDone(file: string): Promise<Distribution | null> {
  try {
    const [sha256, bytes] = (await fs.promises.readFile(`${file}.sha256`, 'utf8')).trim().split(/\s+/);
    const st = await fs.promises.stat(file);
    if (!sha256 || Number(bytes) !== st.size) return null;
    return { file, sha256, bytes: st.size };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

async function generate(ctx: AppContext, d: Dataset, format: Format, file: string): Promise<Distribution> {
  // Throws PublicationError before anything is written when the check refuses the first page.
  const body = await openResource(d, format, { db: ctx.db, config: ctx.config });
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}-${crypto.randomBytes(6).toString('hex')}.tmp`;
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  try {
    await pipeline(
      Readable.from(
        (async function* () {
          for await (const s of body) yield typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
        })(),
      ),
      tap,
      fs.createWriteStream(tmp),
    );
    const sha256 = hash.digest('hex');
    await fs.promises.rename(tmp, file);
    await fs.promises.writeFile(`${tmp}.sha256`, `${sha256} ${bytes}\n`);
    await fs.promises.rename(`${tmp}.sha256`, `${file}.sha256`);
    await removeOlder(file, d, format);
    return { file, sha256, bytes };
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    await fs.promises.rm(`${tmp}.sha256`, { force: true });
    throw err;
  }
}

/** Earlier versions of the same distribution (a reader still streaming one keeps its open file). */
async function removeOlder(file: string, d: Dataset, format: Format) {
  const dir = path.dirname(file);
  const keep = path.basename(file);
  for (const name of await fs.promises.readdir(dir)) {
    if (!name.startsWith(`${d.id}--`) || name.startsWith(keep)) continue;
    if (name.endsWith(`.${format}`) || name.endsWith(`.${format}.sha256`))
      await fs.promises.rm(path.join(dir, name), { force: true });
  }
}

/** The distribution for the dataset's current stamp, generated now if it is not cached yet. */
export async function distribution(ctx: AppContext, d: Dataset, format: Format, s: Stamp): Promise<Distribution> {
  const file = fileOf(ctx, d, format, s);
  const done = await readDone(file);
  if (done) return done;
  let p = pending.get(file);
  if (!p) {
    p = generate(ctx, d, format, file).finally(() => pending.delete(file));
    pending.set(file, p);
  }
  return p;
}

/** The file's bytes as a stream (the download's body). */
export const streamOf = (x: Distribution) => fs.createReadStream(x.file);
