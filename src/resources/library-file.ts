import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../errors.ts';

/**
 * What the library accepts, told by the file's first bytes and checked against its extension: a file
 * whose content is not what its name says is refused. Served back with the content type found here.
 */
type Kind = { mime: string; ext: string[]; is: (head: Buffer) => boolean };
const starts = (head: Buffer, bytes: number[] | string, at = 0) => {
  const b = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes);
  return head.length >= at + b.length && head.subarray(at, at + b.length).equals(b);
};
const zip = (head: Buffer) => starts(head, [0x50, 0x4b, 0x03, 0x04]);
const headText = (head: Buffer) => head.toString('latin1');
const ooxml = (folder: string) => (head: Buffer) =>
  zip(head) && headText(head).includes('[Content_Types].xml') && headText(head).includes(folder);
// ODF puts an uncompressed `mimetype` entry first: its content sits right after the 38-byte header + name.
const odf = (mime: string) => (head: Buffer) => zip(head) && starts(head, `mimetype${mime}`, 30);

const KINDS: Kind[] = [
  { mime: 'application/pdf', ext: ['pdf'], is: (h) => starts(h, '%PDF-') },
  { mime: 'image/png', ext: ['png'], is: (h) => starts(h, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  { mime: 'image/jpeg', ext: ['jpg', 'jpeg'], is: (h) => starts(h, [0xff, 0xd8, 0xff]) },
  { mime: 'image/webp', ext: ['webp'], is: (h) => starts(h, 'RIFF') && starts(h, 'WEBP', 8) },
  {
    mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    ext: ['docx'],
    is: ooxml('word/'),
  },
  { mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', ext: ['xlsx'], is: ooxml('xl/') },
  {
    mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    ext: ['pptx'],
    is: ooxml('ppt/'),
  },
  {
    mime: 'application/vnd.oasis.opendocument.text',
    ext: ['odt'],
    is: odf('application/vnd.oasis.opendocument.text'),
  },
  {
    mime: 'application/vnd.oasis.opendocument.spreadsheet',
    ext: ['ods'],
    is: odf('application/vnd.oasis.opendocument.spreadsheet'),
  },
  {
    mime: 'application/vnd.oasis.opendocument.presentation',
    ext: ['odp'],
    is: odf('application/vnd.oasis.opendocument.presentation'),
  },
  { mime: 'text/csv; charset=utf-8', ext: ['csv'], is: isUtf8Text },
];
export const ACCEPTED_EXTENSIONS = KINDS.flatMap((k) => k.ext);

/** UTF-8 text without NUL (a character cut at the end of the head is allowed). */
function isUtf8Text(head: Buffer): boolean {
  if (!head.length || head.includes(0)) return false;
  let end = head.length;
  // Step back over a trailing partial sequence (at most 3 continuation bytes and its lead byte).
  for (let i = 1; i <= 4 && i <= head.length; i++) {
    const b = head[head.length - i]!;
    if ((b & 0xc0) === 0x80) continue;
    if (b >= 0xc0) end = head.length - i;
    break;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}

const HEAD = 64 * 1024;
const extensionOf = (name: string) => path.extname(name).slice(1).toLowerCase();

export type StoredFile = { sha256: string; taille: number; type_contenu: string; nom_fichier: string };

/**
 * Streams an upload into the library folder: hashed and size-capped on the way, its type read from its
 * first bytes and checked against its extension, then renamed to its SHA-256 (the same file uploaded
 * twice is stored once). Nothing is left behind on refusal.
 */
export async function storeLibraryFile(
  file: NodeJS.ReadableStream & { truncated?: boolean },
  filename: string,
  dir: string,
  maxBytes: number,
): Promise<StoredFile> {
  const ext = extensionOf(filename);
  const kind = KINDS.find((k) => k.ext.includes(ext));
  if (!kind) {
    (file as NodeJS.ReadableStream).resume();
    throw new AppError(
      'REQUETE_INVALIDE',
      `library ext ${ext}`,
      `Type de fichier refusé (.${ext || '?'}) : formats acceptés ${ACCEPTED_EXTENSIONS.map((e) => `.${e}`).join(', ')}.`,
    );
  }
  await fsp.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.envoi-${crypto.randomBytes(8).toString('hex')}`);
  const hash = crypto.createHash('sha256');
  const chunks: Buffer[] = [];
  let head = 0;
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > maxBytes) return done(new AppError('FICHIER_TROP_GROS', `library upload over ${maxBytes}`));
      hash.update(chunk);
      if (head < HEAD) {
        chunks.push(chunk.subarray(0, HEAD - head));
        head += Math.min(chunk.length, HEAD - head);
      }
      done(null, chunk);
    },
  });
  // Opened before the copy starts, so that a failed copy always finds a file to remove.
  const out = await fsp.open(tmp, 'wx');
  try {
    await pipeline(file, tap, out.createWriteStream());
    if (file.truncated) throw new AppError('FICHIER_TROP_GROS', `library upload truncated at ${size}`);
    if (!size) throw new AppError('REQUETE_INVALIDE', 'empty library upload', 'Le fichier est vide.');
    if (!kind.is(Buffer.concat(chunks)))
      throw new AppError(
        'REQUETE_INVALIDE',
        `library content is not ${ext}`,
        `Le contenu du fichier ne correspond pas à son extension .${ext} : fichier refusé.`,
      );
    const sha256 = hash.digest('hex');
    await fsp.rename(tmp, path.join(dir, sha256));
    return { sha256, taille: size, type_contenu: kind.mime, nom_fichier: path.basename(filename).slice(-200) };
  } catch (e) {
    await out.close().catch(() => {});
    await fsp.rm(tmp, { force: true });
    throw e;
  }
}

export const libraryFilePath = (dir: string, sha256: string) => path.join(dir, sha256);
