import { formatDate, type Html, html } from './html.ts';
import { LICENCES, type LicenceId } from './licences.ts';

/**
 * One source cited under a figure: who produced it, which file, the date of the data, when it was
 * imported and its licence. Licence names that match the catalogue link to its entry on /licences.
 */
export type Citation = {
  producteur: string;
  jeu?: string;
  fichier?: string | null;
  /** Date the data describes (a calendar day `YYYY-MM-DD`, or a period label such as « 2025 T2 »). */
  donneesAu?: string | null;
  importeLe?: string | Date | null;
  licence: LicenceId | string;
  mention?: string | null;
  note?: string | null;
};

const licenceOf = (l: string) => {
  if (l in LICENCES) return { id: l, ...LICENCES[l as LicenceId] };
  const hit = Object.entries(LICENCES).find(([, v]) => v.nom === l || v.court === l || l.startsWith(v.court));
  return hit ? { id: hit[0], ...hit[1] } : null;
};

const dataDate = (d: string) => (/^\d{4}-\d{2}-\d{2}$/.test(d) ? formatDate(d) : d);

function citation(c: Citation): Html {
  const lic = licenceOf(c.licence);
  return html`<li><strong>${c.producteur}</strong>${c.jeu ? html` — ${c.jeu}` : ''}${c.fichier ? html`, fichier <span class="pan-fichier">${c.fichier}</span>` : ''}${c.donneesAu ? html`, données au ${dataDate(c.donneesAu)}` : ''}${c.importeLe ? html`, importé le ${formatDate(c.importeLe)}` : ''}${html`, `}${lic ? html`<a href="/licences#${lic.id}">${lic.court}</a>` : c.licence}${c.mention ? html` (${c.mention})` : ''}.${c.note ? html` ${c.note}` : ''}</li>`;
}

/**
 * The sources of the figures just above it, and only those: put one block under each figure or
 * table rather than one list for the page. Identical citations are shown once.
 */
export function sourcesBlock(cites: readonly Citation[], o: { titre?: string } = {}): Html {
  const seen = new Set<string>();
  const list = cites.filter((c) => {
    const k = [c.producteur, c.jeu, c.fichier, c.donneesAu].join('|');
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  if (!list.length) return html``;
  return html`<div class="pan-sources fr-text--xs fr-mt-1w fr-mb-3w"><p class="fr-text--xs fr-mb-1v">${o.titre ?? (list.length > 1 ? 'Sources' : 'Source')} :</p><ul class="pan-sources__liste">${list.map(citation)}</ul></div>`;
}
