import { type Html, html } from '../http/html.ts';
import { OSM_ATTRIBUTION } from '../http/licences.ts';
import type { AddressHit } from './index-search.ts';

/** Where a chosen address leads; `{id}` is replaced by the address id (URL-encoded). */
const DEFAULT_ADDRESS_HREF = '/eligibilite/adresse/{id}';

const addressHref = (id: string, template = DEFAULT_ADDRESS_HREF) => template.replace('{id}', encodeURIComponent(id));

/** Assets the autocomplete needs: pass them to `ctx.render` (`scripts`, `head`). */
export const addressSearchAssets = {
  scripts: ['/static/autocomplete.js'],
  head: html`<link rel="stylesheet" href="/static/autocomplete.css">`,
};

/**
 * An address search field: a plain GET form (works without JavaScript: the action page lists the
 * matching addresses as links), turned into an accessible combobox by /static/autocomplete.js
 * (WAI-ARIA combobox pattern: arrows, Enter, Escape, status read by screen readers).
 */
export function addressSearchField(
  o: {
    action?: string;
    name?: string;
    value?: string;
    id?: string;
    label?: string;
    hint?: string;
    hrefTemplate?: string;
  } = {},
): Html {
  const id = o.id ?? 'recherche-adresse';
  const name = o.name ?? 'q';
  return html`<form role="search" action="${o.action ?? '/adresses/recherche'}" method="get" class="fr-mb-4w pan-ac" data-pan-autocomplete data-href-template="${o.hrefTemplate ?? DEFAULT_ADDRESS_HREF}" data-api="/api/v1/adresses/recherche">
  <div class="fr-input-group">
    <label class="fr-label" for="${id}-input">${o.label ?? 'Adresse'}
      <span class="fr-hint-text" id="${id}-hint">${o.hint ?? 'Numéro, voie et commune ou code postal.'}</span>
    </label>
    <div class="fr-search-bar fr-search-bar--lg pan-ac__bar">
      <input class="fr-input" type="search" id="${id}-input" name="${name}" value="${o.value ?? ''}" autocomplete="off" spellcheck="false"
        minlength="2" maxlength="200" required aria-describedby="${id}-hint" data-listbox="${id}-liste" data-status="${id}-statut">
      <button class="fr-btn" type="submit" title="Rechercher l’adresse">Rechercher</button>
    </div>
    <ul class="pan-ac__liste" id="${id}-liste" role="listbox" aria-label="Adresses proposées" hidden></ul>
    <p class="fr-sr-only" id="${id}-statut" role="status" aria-live="polite" aria-atomic="true"></p>
  </div>
</form>`;
}

/** Results of a search as a list of links (the no-JavaScript path of the autocomplete). */
export function addressResults(
  q: string,
  hits: AddressHit[],
  hrefTemplate = DEFAULT_ADDRESS_HREF,
  bano: ReadonlySet<string> = new Set(),
): Html {
  if (!hits.length) {
    return html`<h2 class="fr-h4" aria-live="polite">Aucune adresse ne correspond à « ${q} »</h2>
    <p>Vérifiez l’orthographe, ajoutez la commune ou le code postal, ou essayez sans le numéro. Seules les adresses des départements importés sont connues.</p>`;
  }
  return html`<h2 class="fr-h4" aria-live="polite">${hits.length} adresse${hits.length > 1 ? 's' : ''} pour « ${q} »</h2>
  <ol class="fr-mb-4w pan-ac__resultats">${hits.map(
    (h) => html`<li><a href="${addressHref(h.id, hrefTemplate)}">${h.label}</a>
    <span class="fr-text--xs">— ${h.city} (${h.citycode})${h.type === 'street' ? ', voie sans numéro' : ''}${bano.has(h.citycode) ? ', BANO' : ''}</span></li>`,
  )}</ol>
  ${hits.some((h) => bano.has(h.citycode)) ? html`<p class="fr-text--xs">Adresses BANO : ${OSM_ATTRIBUTION}, sous <a href="/licences#odbl-1.0">licence ODbL</a>. Autres adresses : Base Adresse Nationale, Licence Ouverte 2.0.</p>` : ''}`;
}
