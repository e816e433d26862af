/**
 * A small strict XML reader, independent of the code that writes the feeds: it checks well-formedness
 * (one root, nested tags that close, quoted unique attributes, only the five predefined entities and
 * character references, no raw `<` or `&` in text) and returns the element tree. No DTD, CDATA or comments:
 * our feeds have none, and the reader throws on them.
 */
export type XmlElement = { name: string; attrs: Record<string, string>; children: XmlElement[]; text: string };

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const NAME = /^[A-Za-z_][\w.:-]*/;

function decode(s: string, where: number): string {
  if (/[<]/.test(s)) throw new Error(`XML: « < » brut à ${where}`);
  return s.replace(/&([^;]*);?/g, (m, e: string) => {
    if (!m.endsWith(';')) throw new Error(`XML: « & » non échappé à ${where}`);
    if (e in ENTITIES) return ENTITIES[e]!;
    const n = /^#x([0-9a-fA-F]+)$/.exec(e) ?? /^#(\d+)$/.exec(e);
    if (!n) throw new Error(`XML: entité inconnue &${e}; à ${where}`);
    return String.fromCodePoint(Number.parseInt(n[1]!, e[1] === 'x' ? 16 : 10));
  });
}

export function parseXml(src: string): XmlElement {
  let i = 0;
  if (src.startsWith('<?xml')) {
    const end = src.indexOf('?>');
    if (end < 0) throw new Error('XML: déclaration non fermée');
    i = end + 2;
  }
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  while (i < src.length) {
    const lt = src.indexOf('<', i);
    const text = src.slice(i, lt < 0 ? src.length : lt);
    if (stack.length) stack.at(-1)!.text += decode(text, i);
    else if (text.trim()) throw new Error(`XML: texte hors de l’élément racine à ${i}`);
    if (lt < 0) break;
    if (src.startsWith('<!', lt) || src.startsWith('<?', lt)) throw new Error(`XML: construction non gérée à ${lt}`);
    const gt = src.indexOf('>', lt);
    if (gt < 0) throw new Error(`XML: balise non fermée à ${lt}`);
    const tag = src.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      const open = stack.pop();
      if (!open || open.name !== name) throw new Error(`XML: </${name}> ferme <${open?.name}> à ${lt}`);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const name = NAME.exec(body)?.[0];
    if (!name) throw new Error(`XML: nom de balise invalide à ${lt}`);
    const el: XmlElement = { name, attrs: {}, children: [], text: '' };
    let rest = body.slice(name.length);
    while (rest.trim()) {
      const a = /^\s+([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(rest);
      if (!a) throw new Error(`XML: attribut invalide dans <${name}> à ${lt}`);
      if (a[1]! in el.attrs) throw new Error(`XML: attribut ${a[1]} répété à ${lt}`);
      el.attrs[a[1]!] = decode(a[2] ?? a[3] ?? '', lt);
      rest = rest.slice(a[0].length);
    }
    if (stack.length) stack.at(-1)!.children.push(el);
    else if (root) throw new Error(`XML: deuxième élément racine à ${lt}`);
    else root = el;
    if (!selfClosing) stack.push(el);
  }
  if (stack.length) throw new Error(`XML: <${stack.at(-1)!.name}> jamais fermé`);
  if (!root) throw new Error('XML: aucun élément');
  return root;
}

/** The children of an element with a name, and the text of the first one. */
export const childrenOf = (el: XmlElement, name: string) => el.children.filter((c) => c.name === name);
export const textOf = (el: XmlElement, name: string) => childrenOf(el, name)[0]?.text;
