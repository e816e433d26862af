/**
 * Large JSON files read piecewise: the elements of the top-level array, or of one array member
 * of the top-level object (GeoJSON `features`), are parsed one at a time, so a file is never
 * held whole in memory; each element, and what remains of the document, is capped.
 */
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { AppError } from '../errors.ts';
import { safeJsonText } from '../text/safe.ts';
import { type ReadLimits, readChunks } from './read.ts';

/** One GeoJSON feature or COG record; a region drawn at full resolution stays well below. */
const MAX_JSON_ELEMENT_BYTES = 256 << 20;

export type JsonDocument = {
  /** The rest of the document (the streamed array left empty), or null for a top-level array. */
  rest: unknown;
  /** Elements streamed. */
  count: number;
};

/**
 * Streams the elements (objects or arrays) of the top-level array, or of the array under the
 * top-level key `member`; `done` receives the rest of the document at the end. A document cut
 * short, an element that is not valid JSON or too large, fails with a French reason.
 */
export async function* jsonElements(
  file: string,
  limits: ReadLimits,
  opts: { member?: string; done?: (doc: JsonDocument) => void },
): AsyncGenerator<unknown> {
  const name = path.basename(file);
  const invalid = (detail: string, where: string) =>
    new AppError(
      'IMPORT_ECHEC',
      `${file}: ${detail}`,
      `${name} n'est pas un JSON lisible (fichier tronqué ou endommagé) : ${where}.`,
    );
  const dec = new StringDecoder('utf8');
  let mode: 'start' | 'array' | 'object' = 'start';
  let depth = 0;
  let inStr = false;
  let esc = false;
  let elemDepth = -1;
  let count = 0;
  // Element being captured, and the rest of the document being recorded, as chunk slices.
  let capturing = false;
  let capStart = 0;
  let cap: string[] = [];
  let capLen = 0;
  let recording = false;
  let recStart = 0;
  const rest: string[] = [];
  let restLen = 0;
  // Top-level keys: the last string read at depth 1, and whether a ':' followed it.
  let key = '';
  let inKey = false;
  let afterColon = false;
  const tooBig = () =>
    new AppError(
      'IMPORT_ECHEC',
      `${file}: element over ${MAX_JSON_ELEMENT_BYTES}`,
      `${name} : un élément dépasse ${MAX_JSON_ELEMENT_BYTES >> 20} Mo ; ce n'est pas un fichier de l'import attendu.`,
    );
  const parse = (text: string) => {
    try {
      return JSON.parse(safeJsonText(text));
    } catch (e) {
      throw invalid((e as Error).message, `élément n° ${count + 1}`);
    }
  };
  for await (const bytes of readChunks(file, limits)) {
    const s = dec.write(bytes);
    capStart = 0;
    recStart = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (inStr) {
        if (esc) esc = false;
        else if (c === 0x5c) esc = true;
        else if (c === 0x22) inStr = false;
        if (inKey) {
          if (inStr) key = key.length < 200 ? key + s[i] : key;
          else inKey = false;
        }
        continue;
      }
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
      if (mode === 'start') {
        if (c === 0x5b) {
          mode = 'array';
          elemDepth = 1;
        } else if (c === 0x7b) {
          mode = 'object';
          recording = true;
          recStart = i;
        } else throw invalid(`starts with ${s[i]}`, 'le document ne commence ni par [ ni par {');
        depth = 1;
        continue;
      }
      if (depth === elemDepth && !capturing && c !== 0x2c && c !== 0x5d) {
        if (c !== 0x7b && c !== 0x5b)
          throw invalid(`primitive element`, `élément n° ${count + 1} : un objet est attendu`);
        capturing = true;
        capStart = i;
      }
      if (c === 0x22) {
        inStr = true;
        if (depth === 1 && mode === 'object') {
          inKey = true;
          key = '';
        }
      } else if (c === 0x7b || c === 0x5b) {
        if (mode === 'object' && depth === 1 && c === 0x5b && afterColon && key === opts.member && elemDepth < 0) {
          rest.push(s.slice(recStart, i + 1));
          recording = false;
          elemDepth = 2;
        }
        depth++;
      } else if (c === 0x7d || c === 0x5d) {
        depth--;
        if (depth < 0) throw invalid('unbalanced', 'crochet ou accolade fermante en trop');
        if (capturing && depth === elemDepth) {
          cap.push(s.slice(capStart, i + 1));
          const text = cap.join('');
          cap = [];
          capLen = 0;
          capturing = false;
          yield parse(text);
          count++;
        } else if (mode === 'object' && elemDepth === 2 && depth === 1 && c === 0x5d && !recording) {
          recording = true;
          recStart = i;
          elemDepth = -2; // the member was read; another one of the same name is kept whole
        }
      } else if (depth === 1 && mode === 'object') {
        if (c === 0x3a) afterColon = true;
        else if (c === 0x2c) afterColon = false;
      }
    }
    if (capturing) {
      cap.push(s.slice(capStart));
      capLen += s.length - capStart;
      if (capLen > MAX_JSON_ELEMENT_BYTES) throw tooBig();
    }
    if (recording) {
      rest.push(s.slice(recStart));
      restLen += s.length - recStart;
      if (restLen > MAX_JSON_ELEMENT_BYTES) throw tooBig();
    }
  }
  if (mode === 'start') throw invalid('empty', 'fichier vide');
  if (depth !== 0 || inStr) throw invalid('cut', 'le document s’arrête avant sa fin');
  let doc: unknown = null;
  if (mode === 'object') {
    const text = rest.join('');
    try {
      doc = JSON.parse(safeJsonText(text));
    } catch (e) {
      throw invalid((e as Error).message, 'en dehors des éléments');
    }
  }
  opts.done?.({ rest: doc, count });
}
