import crypto from 'node:crypto';
import dns from 'node:dns/promises';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import net from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../errors.ts';
import { type AllowList, EMPTY_ALLOWLIST, isAllowed } from './net-guard.ts';
import type { Source } from './source.ts';

export type DownloadOptions = {
  downloadDir: string;
  maxBytes: number;
  /** Hosts and ranges an administrator allowed (an intranet source); everything else internal is refused. */
  allow?: AllowList;
  /** No byte for this long (connecting, waiting for headers or reading the body) ends the download. */
  idleMs?: number;
  maxRedirects?: number;
  /** Cancels the download (an administrator cancelled the run). */
  signal?: AbortSignal;
  /** Bytes received so far, and the announced size when the server gave one. */
  onProgress?: (bytes: number, total: number | null) => void;
};

const DEFAULT_IDLE_MS = 60_000;
const MAX_REDIRECTS = 5;

/** The URL as it may appear in a message or a log: no user name or password. */
function displayUrl(u: URL | string): string {
  try {
    const x = new URL(String(u));
    x.username = '';
    x.password = '';
    return x.toString();
  } catch {
    return String(u).slice(0, 200);
  }
}

const fail = (detail: string, message: string) => new AppError('SOURCE_ILLISIBLE', detail, message);

/**
 * Resolves the host and checks every address it resolves to. The first allowed address is the one
 * the connection uses (see `pinned`), so a second DNS answer cannot switch it (DNS rebinding).
 */
async function resolveChecked(url: URL, allow: AllowList): Promise<{ address: string; family: 4 | 6 }> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: { address: string; family: number }[];
  if (net.isIP(host)) addresses = [{ address: host, family: net.isIP(host) }];
  else {
    try {
      addresses = await dns.lookup(host, { all: true, verbatim: true });
    } catch (e) {
      throw fail(`dns ${host}: ${(e as Error).message}`, `Nom d’hôte introuvable : ${host}. Vérifiez l’adresse (URL).`);
    }
  }
  const refused = addresses.find((a) => !isAllowed(host, a.address, allow));
  if (refused || !addresses.length) {
    throw fail(
      `blocked address ${refused?.address} for ${host}`,
      `Adresse refusée : ${host} désigne une adresse interne, locale ou réservée (${refused?.address ?? 'aucune adresse'}). ` +
        'Pour une source de l’intranet, ajoutez son nom ou sa plage à IMPORT_URL_ALLOWLIST.',
    );
  }
  return { address: addresses[0]!.address, family: addresses[0]!.family === 6 ? 6 : 4 };
}

/** A lookup that always answers the address checked beforehand. */
function pinned(address: string, family: 4 | 6): LookupFunction {
  return ((_host: string, opts: { all?: boolean }, cb: (...a: unknown[]) => void) => {
    if (opts?.all) cb(null, [{ address, family }]);
    else cb(null, address, family);
  }) as unknown as LookupFunction;
}

/** One GET to a checked, pinned address; resolves with the response once its headers arrived. */
function get(
  url: URL,
  to: { address: string; family: 4 | 6 },
  idleMs: number,
  signal?: AbortSignal,
): Promise<http.IncomingMessage> {
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(url, {
      method: 'GET',
      agent: false,
      lookup: pinned(to.address, to.family),
      headers: { 'user-agent': 'plateforme-amenagement-numerique (import)', 'accept-encoding': 'identity' },
      timeout: idleMs,
      ...(signal ? { signal } : {}),
    });
    req.on('timeout', () =>
      req.destroy(
        fail(
          `idle ${idleMs} ms before headers ${displayUrl(url)}`,
          `Téléchargement interrompu : le serveur n’a rien envoyé pendant ${Math.round(idleMs / 1000)} s (${url.host}).`,
        ),
      ),
    );
    req.on('error', (e) =>
      reject(
        e instanceof AppError
          ? e
          : signal?.aborted
            ? signal.reason
            : fail(
                `get ${displayUrl(url)}: ${e.message}`,
                `Téléchargement impossible : le serveur ${url.host} n’a pas pu être joint.`,
              ),
      ),
    );
    req.on('response', (res) => {
      // From here the body's own timer (in download) watches inactivity and says so in its message.
      req.setTimeout(0);
      resolve(res);
    });
    req.end();
  });
}

/**
 * Downloads an http(s) URL to a local file, refusing internal addresses after DNS resolution and on
 * every redirect (followed by hand, at most five). Stops at maxBytes and after idleMs without a byte;
 * a partial file is removed. Messages never quote what the remote server sent.
 */
export async function download(spec: string, opts: DownloadOptions): Promise<Source> {
  const allow = opts.allow ?? EMPTY_ALLOWLIST;
  const idleMs = opts.idleMs ?? DEFAULT_IDLE_MS;
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw fail(`bad url ${spec.slice(0, 200)}`, 'Adresse (URL) invalide.');
  }
  let res: http.IncomingMessage | undefined;
  for (let hop = 0; ; hop++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw fail(`scheme ${url.protocol}`, 'Seules les adresses http:// ou https:// sont acceptées.');
    }
    opts.signal?.throwIfAborted();
    const to = await resolveChecked(url, allow);
    res = await get(url, to, idleMs, opts.signal);
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      if (hop >= (opts.maxRedirects ?? MAX_REDIRECTS))
        throw fail(`too many redirects from ${displayUrl(spec)}`, `Trop de redirections depuis ${displayUrl(spec)}.`);
      try {
        url = new URL(res.headers.location, url);
      } catch {
        throw fail('bad redirect location', `Redirection invalide depuis ${url.host}.`);
      }
      continue;
    }
    if (status < 200 || status >= 300) {
      res.resume();
      throw fail(`HTTP ${status} for ${displayUrl(url)}`, `Le serveur a répondu ${status} pour ${displayUrl(url)}.`);
    }
    break;
  }

  const declared = Number(res.headers['content-length'] ?? 0);
  if (declared > opts.maxBytes) {
    res.destroy();
    throw new AppError('FICHIER_TROP_GROS', `${displayUrl(url)}: ${declared} bytes`);
  }
  await fsp.mkdir(opts.downloadDir, { recursive: true });
  const segment = url.pathname.split('/').pop() ?? '';
  let last = segment;
  try {
    last = decodeURIComponent(segment);
  } catch {
    /* a malformed %-sequence: keep the name as written */
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  const name = last.replace(/[\u0000-\u001f\u007f]/g, '') || 'telechargement';
  const dest = path.join(
    opts.downloadDir,
    `${Date.now()}-${crypto.randomBytes(3).toString('hex')}-${name.replace(/[^\w.-]/g, '_').slice(-120)}`,
  );
  const h = crypto.createHash('sha256');
  let size = 0;
  const body = res;
  let idle: NodeJS.Timeout | undefined;
  // Destroying the response surfaces as a bare "aborted" error: remember why it was destroyed.
  let timedOut: AppError | undefined;
  const arm = () => {
    clearTimeout(idle);
    idle = setTimeout(() => {
      timedOut = fail(
        `idle ${idleMs} ms in body of ${displayUrl(url)}`,
        `Téléchargement interrompu : aucune donnée reçue pendant ${Math.round(idleMs / 1000)} s (${url.host}, ${size} octets reçus).`,
      );
      body.destroy(timedOut);
    }, idleMs);
  };
  const onAbort = () => body.destroy(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    arm();
    await pipeline(
      body,
      async function* (src: AsyncIterable<Buffer>) {
        for await (const chunk of src) {
          arm();
          size += chunk.length;
          if (size > opts.maxBytes)
            throw new AppError('FICHIER_TROP_GROS', `${displayUrl(url)}: over ${opts.maxBytes} bytes`);
          h.update(chunk);
          opts.onProgress?.(size, declared || null);
          yield chunk;
        }
      },
      fs.createWriteStream(dest),
    );
  } catch (e) {
    await fsp.rm(dest, { force: true });
    if (timedOut) throw timedOut;
    if (opts.signal?.aborted) throw opts.signal.reason;
    if (e instanceof AppError) throw e;
    throw fail(
      `body ${displayUrl(url)}: ${(e as Error).message}`,
      `Téléchargement interrompu : la connexion avec ${url.host} a été coupée.`,
    );
  } finally {
    clearTimeout(idle);
    opts.signal?.removeEventListener('abort', onAbort);
  }
  return { origin: displayUrl(spec), path: dest, name, sha256: h.digest('hex'), size };
}
