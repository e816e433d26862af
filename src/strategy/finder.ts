import { fold } from '../text/normalize.ts';
import type { ActionFilter } from './schema.ts';
import type { TreeNode } from './service.ts';

type Found = { n: TreeNode; path: TreeNode[] };

/** Every node with its ancestors, so a filter on principles or territories sees what a node inherits. */
function withPaths(nodes: TreeNode[], path: TreeNode[] = []): Found[] {
  return nodes.flatMap((n) => [{ n, path }, ...withPaths(n.enfants, [...path, n])]);
}

const territoryKey = (t: { niveau: string; code: string }) => `${t.niveau}:${t.code}`;

/**
 * The nodes matching every given filter. Principles and territories set on a node apply to what it
 * contains; the text is searched, accents and case folded, in code, title, description and owner.
 */
export function findNodes(tree: TreeNode[], f: ActionFilter): Found[] {
  const words = f.q ? fold(f.q).split(' ').filter(Boolean) : [];
  return withPaths(tree).filter(({ n, path }) => {
    const line = [n, ...path];
    if (f.niveau && n.niveau !== f.niveau) return false;
    if (f.statut && n.statut_calcule !== f.statut) return false;
    if (f.porteur && n.porteur_id !== f.porteur) return false;
    if (f.principe && !line.some((x) => x.principes.includes(f.principe!))) return false;
    if (f.territoire && !line.some((x) => x.territoires.some((t) => territoryKey(t) === f.territoire))) return false;
    if (words.length) {
      const hay = fold([n.code, n.titre, n.description ?? '', n.porteur ?? ''].join(' '));
      if (!words.every((w) => hay.includes(w))) return false;
    }
    return true;
  });
}

/** The choices the filter form offers: only owners and territories that occur in the strategy. */
export function filterChoices(tree: TreeNode[]) {
  const all = withPaths(tree).map((x) => x.n);
  const owners = new Map<number, string>();
  const territories = new Set<string>();
  for (const n of all) {
    if (n.porteur_id !== null && n.porteur) owners.set(n.porteur_id, n.porteur);
    for (const t of n.territoires) territories.add(territoryKey(t));
  }
  return {
    owners: [...owners].sort((a, b) => a[1].localeCompare(b[1], 'fr')),
    territories: [...territories].sort(),
  };
}
