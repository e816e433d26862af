import { type Html, html, raw } from '../http/html.ts';
import type { Dataset } from './dataset.ts';
import { AGGREGATES, MAX_FILTERS, OPS, type ViewQuery, type ViewResult } from './explore.ts';
import { CRUMB } from './views.ts';

const num = (x: number | null) =>
  x === null ? '—' : x.toLocaleString('fr-FR', { maximumFractionDigits: 2 }).replace(/\u202f/g, '\u00a0');

const options = (list: [string, string][], selected: string | undefined) =>
  list.map(
    ([v, label]) => html`<option value="${v}"${v === (selected ?? '') ? raw(' selected') : ''}>${label}</option>`,
  );

/** The same view's address (what the page offers to share), from the query as given. */
function viewHref(d: Dataset, q: ViewQuery): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  return `/donnees/${d.id}/explorer${s ? `?${s}` : ''}`;
}

/** Server-rendered horizontal bar chart (SVG), its data repeated in the table that follows it. */
function barChart(title: string, rows: ViewResult['rows']): Html {
  const shown = rows.filter((r) => r.valeur !== null);
  if (!shown.length) return html``;
  const max = Math.max(...shown.map((r) => Math.abs(r.valeur!)), 1e-9);
  const label = 220;
  const bar = 340;
  const h = 22;
  const height = shown.length * h + 10;
  return html`<figure class="fr-my-3w"><svg role="img" aria-labelledby="graphe-titre" viewBox="0 0 ${label + bar + 110} ${height}" width="100%" style="max-width:${label + bar + 110}px" xmlns="http://www.w3.org/2000/svg">
  <title id="graphe-titre">${title}</title>
  ${shown.map((r, i) => {
    const w = Math.max(1, Math.round((Math.abs(r.valeur!) / max) * bar));
    const y = 5 + i * h;
    return html`<text x="${label - 6}" y="${y + 15}" text-anchor="end" font-size="13">${r.groupe.length > 30 ? `${r.groupe.slice(0, 30)}…` : r.groupe || '(vide)'}</text><rect x="${label}" y="${y + 3}" width="${w}" height="${h - 6}" fill="#000091"></rect><text x="${label + w + 6}" y="${y + 15}" font-size="13">${num(r.valeur)}</text>`;
  })}
  </svg><figcaption class="fr-text--sm">Le graphique reprend le tableau ci-dessous.</figcaption></figure>`;
}

export function explorePage(
  d: Dataset,
  q: ViewQuery,
  o: { result: ViewResult | null; error: string | null; maxRows: number },
): Html {
  const fields = d.schema.fields.filter((f) => f.public);
  const cols: [string, string][] = fields.map((f) => [f.name, `${f.title} (${f.name})`]);
  const numericCols: [string, string][] = fields
    .filter((f) => f.type === 'integer' || f.type === 'number')
    .map((f) => [f.name, `${f.title} (${f.name})`]);
  const agg = q.agregat ?? 'count';
  const title = `${AGGREGATES[agg]}${agg !== 'count' && q.mesure ? ` de ${q.mesure}` : ''}${q.groupe ? ` par ${q.groupe}` : ''}`;
  const filterRow = (i: 1 | 2 | 3) => html`<div class="fr-grid-row fr-grid-row--gutters">
    <div class="fr-col-12 fr-col-md-4"><div class="fr-select-group"><label class="fr-label" for="c${i}">Filtre ${i} : colonne</label>
      <select class="fr-select" id="c${i}" name="c${i}"><option value="">—</option>${options(cols, q[`c${i}`])}</select></div></div>
    <div class="fr-col-12 fr-col-md-3"><div class="fr-select-group"><label class="fr-label" for="o${i}">Opérateur ${i}</label>
      <select class="fr-select" id="o${i}" name="o${i}">${options(Object.entries(OPS), q[`o${i}`] ?? 'eq')}</select></div></div>
    <div class="fr-col-12 fr-col-md-5"><div class="fr-input-group"><label class="fr-label" for="v${i}">Valeur ${i}</label>
      <input class="fr-input" id="v${i}" name="v${i}" value="${q[`v${i}`] ?? ''}" maxlength="200"></div></div></div>`;
  const r = o.result;
  return html`<h1 class="fr-mt-2w">Explorer « ${d.title} »</h1>
  <p>Filtrez, regroupez et agrégez le jeu sur le serveur : seul le résultat vous est envoyé. L’adresse de cette page décrit la vue : copiez-la pour la partager. Une vue qui parcourrait plus de ${o.maxRows.toLocaleString('fr-FR').replace(/\u202f/g, '\u00a0')} lignes est refusée ; le <a href="/donnees/${d.id}.csv">fichier CSV</a> reste téléchargeable.</p>
  <form method="get" action="/donnees/${d.id}/explorer" class="fr-mb-3w">
  <fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Filtres (${MAX_FILTERS} au plus, tous appliqués)</legend>
  <div class="fr-fieldset__element">${filterRow(1)}${filterRow(2)}${filterRow(3)}</div></fieldset>
  <fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Regroupement et agrégat</legend>
  <div class="fr-fieldset__element"><div class="fr-grid-row fr-grid-row--gutters">
    <div class="fr-col-12 fr-col-md-4"><div class="fr-select-group"><label class="fr-label" for="groupe">Regrouper par</label>
      <select class="fr-select" id="groupe" name="groupe"><option value="">(aucun regroupement)</option>${options(cols, q.groupe)}</select></div></div>
    <div class="fr-col-12 fr-col-md-4"><div class="fr-select-group"><label class="fr-label" for="agregat">Agrégat</label>
      <select class="fr-select" id="agregat" name="agregat">${options(Object.entries(AGGREGATES), agg)}</select></div></div>
    <div class="fr-col-12 fr-col-md-4"><div class="fr-select-group"><label class="fr-label" for="mesure">Colonne mesurée <span class="fr-hint-text">numérique, sauf pour le nombre de lignes</span></label>
      <select class="fr-select" id="mesure" name="mesure"><option value="">—</option>${options(numericCols, q.mesure)}</select></div></div>
    <div class="fr-col-12 fr-col-md-4"><div class="fr-select-group"><label class="fr-label" for="tri">Trier par</label>
      <select class="fr-select" id="tri" name="tri">${options(
        [
          ['valeur', 'valeur'],
          ['groupe', 'groupe'],
        ],
        q.tri ?? 'valeur',
      )}</select></div></div>
    <div class="fr-col-12 fr-col-md-4"><div class="fr-select-group"><label class="fr-label" for="ordre">Ordre</label>
      <select class="fr-select" id="ordre" name="ordre">${options(
        [
          ['desc', 'décroissant'],
          ['asc', 'croissant'],
        ],
        q.ordre ?? 'desc',
      )}</select></div></div>
    <div class="fr-col-12 fr-col-md-4"><div class="fr-input-group"><label class="fr-label" for="limite">Nombre de groupes affichés <span class="fr-hint-text">de 1 à 100</span></label>
      <input class="fr-input" id="limite" name="limite" type="number" min="1" max="100" value="${String(q.limite ?? 20)}"></div></div>
  </div></div></fieldset>
  <button class="fr-btn" type="submit">Afficher la vue</button>
  </form>
  ${o.error ? html`<div class="fr-alert fr-alert--error fr-mb-3w" role="alert"><h2 class="fr-alert__title">Vue refusée</h2><p>${o.error}</p></div>` : ''}
  ${
    r
      ? html`<h2>Résultat</h2>
  <p>${num(r.scanned)} ligne(s) lue(s), ${num(r.matched)} retenue(s) par les filtres, ${num(r.groups)} groupe(s)${r.groups > r.rows.length ? `, ${r.rows.length} affiché(s)` : ''}. Adresse de la vue : <a href="${viewHref(d, q)}">${viewHref(d, q)}</a></p>
  ${barChart(`${d.title} : ${title}`, r.rows)}
  <div class="fr-table" id="resultat"><table tabindex="0"><caption>${title}</caption>
  <thead><tr><th scope="col">${q.groupe ?? 'Groupe'}</th><th scope="col">${AGGREGATES[agg]}${agg !== 'count' && q.mesure ? ` de ${q.mesure}` : ''}</th></tr></thead>
  <tbody>${r.rows.map((x) => html`<tr><th scope="row">${x.groupe || '(vide)'}</th><td class="pan-num" data-valeur="${x.valeur === null ? '' : String(x.valeur)}">${num(x.valeur)}</td></tr>`)}</tbody></table></div>`
      : ''
  }
  <p><a href="/donnees/${d.id}">Retour à la fiche du jeu</a> · ${CRUMB.label} : <a href="/donnees">catalogue</a></p>`;
}
