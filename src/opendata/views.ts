import type { AppContext } from '../context.ts';
import { fmtInt, fmtPct, formatDate, type Html, html, raw } from '../http/html.ts';
import { LICENCES } from '../http/licences.ts';
import { sourcesBlock } from '../http/sources.ts';
import { downloadPath, type Files, licenceOf, publisherOf, type Stamp, spatialOf } from './catalog.ts';
import { type CollectivitesAnswer, SEUIL_HABITANTS } from './collectivites.ts';
import type { Dataset, FieldType } from './dataset.ts';
import { FORMATS, formatsOf } from './formats.ts';

export const CRUMB = { label: 'Données ouvertes', href: '/donnees' };

const MODULE_LABEL: Record<string, string> = {
  territoires: 'Territoires',
  observatoire: 'Observatoire',
  eligibilite: 'Éligibilité',
  strategie: 'Stratégie',
  ressources: 'Ressources',
  donnees: 'Données ouvertes',
};

const FREQUENCY_LABEL: Record<string, string> = {
  trimestrielle: 'trimestrielle',
  annuelle: 'annuelle',
  mensuelle: 'mensuelle',
  continue: 'en continu (à chaque saisie)',
  ponctuelle: 'ponctuelle',
  irreguliere: 'irrégulière (à chaque import)',
};

const TYPE_LABEL: Record<FieldType, string> = {
  string: 'texte',
  integer: 'entier',
  number: 'nombre',
  boolean: 'booléen',
  date: 'date (AAAA-MM-JJ)',
  datetime: 'date et heure (ISO 8601)',
};

const select = (name: string, label: string, options: [string, string][], current: string | undefined) =>
  html`<div class="fr-select-group"><label class="fr-label" for="f-${name}">${label}</label>
  <select class="fr-select" id="f-${name}" name="${name}"><option value="">— tous —</option>${options.map(([v, l]) => html`<option value="${v}"${current === v ? raw(' selected') : ''}>${l}</option>`)}</select></div>`;

const licenceLink = (d: Dataset) => {
  const id = licenceOf(d);
  return html`<a href="/licences#${id}">${LICENCES[id].court}</a>`;
};

const downloads = (d: Dataset) =>
  html`${formatsOf(d).map((f, i) => html`${i ? ' · ' : ''}<a href="${downloadPath(d, f)}" download>${f.toUpperCase()}</a>`)}`;

export function catalogPage(
  ctx: AppContext,
  items: { d: Dataset; stamp: Stamp }[],
  all: Dataset[],
  f: { theme?: string | undefined; module?: string | undefined },
): Html {
  const themes = [...new Set(all.flatMap((d) => d.themes))].sort((a, b) => a.localeCompare(b, 'fr'));
  const modules = [...new Set(all.map((d) => d.module ?? ''))].filter(Boolean);
  return html`<h1 class="fr-mt-2w">Données ouvertes</h1>
  <p class="fr-text--lead">Les jeux de données que produit la plateforme, régénérés à chaque import : téléchargement en CSV, JSON et GeoJSON, sous licence ouverte.</p>
  <p>Moissonnage : catalogue <a href="/donnees/catalogue.jsonld">DCAT-AP (JSON-LD)</a> et flux <a href="/donnees/data.json">data.json</a>, lisibles par data.gouv.fr. Chaque fichier a une adresse stable, de la forme <code>/donnees/{jeu}.{format}</code>.</p>
  <p>Voir aussi : <a href="/donnees/collectivites">l’ouverture des données des collectivités de la région</a> (taux par département, collectivités obligées).</p>
  <form method="get" action="/donnees" class="fr-mb-4w"><fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Filtrer le catalogue</legend>
  <div class="fr-grid-row fr-grid-row--gutters">
    <div class="fr-col-12 fr-col-md-6">${select(
      'theme',
      'Thème',
      themes.map((t) => [t, t]),
      f.theme,
    )}</div>
    <div class="fr-col-12 fr-col-md-6">${select(
      'module',
      'Module producteur',
      modules.map((m) => [m, MODULE_LABEL[m] ?? m]),
      f.module,
    )}</div>
  </div>
  <button class="fr-btn fr-mt-2w" type="submit">Filtrer</button> <a class="fr-link fr-ml-2w" href="/donnees">Effacer les filtres</a></fieldset></form>
  ${
    items.length
      ? html`<div class="fr-table" id="jeux"><table><caption>Jeux de données (${items.length} sur ${all.length})</caption>
  <thead><tr><th scope="col">Jeu de données</th><th scope="col">Module</th><th scope="col">Thèmes</th><th scope="col">Mis à jour le</th><th scope="col">Licence</th><th scope="col">Télécharger</th></tr></thead>
  <tbody>${items.map(
    ({ d, stamp }) =>
      html`<tr><td><a href="/donnees/${d.id}">${d.title}</a><br><span class="fr-text--xs">${d.description}</span></td><td>${MODULE_LABEL[d.module ?? ''] ?? d.module}</td><td>${d.themes.join(', ')}</td><td>${formatDate(stamp.modified)}</td><td>${licenceLink(d)}</td><td>${downloads(d)}</td></tr>`,
  )}</tbody></table></div>`
      : html`<p>Aucun jeu de données ne correspond à ces critères.</p>`
  }
  <p class="fr-text--sm">Publié par ${ctx.site().name}. Chaque jeu dit ses sources et leur licence ; les données personnelles n’y figurent jamais (chaque colonne est déclarée publique et les valeurs sont contrôlées à chaque publication).</p>`;
}

export function datasetPage(
  ctx: AppContext,
  d: Dataset,
  stamp: Stamp,
  base: string,
  preview: string[][] | null,
  files: Files,
): Html {
  const row = (label: string, v: Html | string) => html`<tr><th scope="row">${label}</th><td>${v}</td></tr>`;
  const lic = LICENCES[licenceOf(d)];
  return html`<h1 class="fr-mt-2w">${d.title}</h1>
  <p class="fr-text--lead">${d.description}</p>
  <div class="fr-table"><table><caption>Fiche du jeu de données</caption><tbody>
  ${row('Identifiant', html`<code>${d.id}</code>`)}
  ${row('Producteur', publisherOf(ctx, d))}
  ${row('Module', MODULE_LABEL[d.module ?? ''] ?? d.module ?? '—')}
  ${row('Licence', licenceLink(d))}
  ${row('Thèmes', d.themes.join(', '))}
  ${row('Couverture géographique', spatialOf(ctx, d))}
  ${row('Couverture temporelle', d.temporal ?? 'données les plus récentes importées')}
  ${row('Fréquence de mise à jour', FREQUENCY_LABEL[d.frequency] ?? d.frequency)}
  ${row('Dernière mise à jour', formatDate(stamp.modified, 'jour-heure'))}
  </tbody></table></div>
  <h2>Télécharger</h2>
  <div class="fr-table"><table><caption>Fichiers (générés à la demande à partir des dernières données importées)</caption>
  <thead><tr><th scope="col">Format</th><th scope="col">Adresse stable</th><th scope="col">Type de média</th><th scope="col">Taille</th><th scope="col">Empreinte SHA-256</th></tr></thead>
  <tbody>${formatsOf(d).map((f) => {
    const x = files.get(f);
    return html`<tr><td>${FORMATS[f].label}</td><td><a href="${downloadPath(d, f)}" download>${base}${downloadPath(d, f)}</a></td><td><code>${FORMATS[f].mediaType}</code></td><td>${x ? `${fmtInt(x.bytes)} octets` : '—'}</td><td>${x ? html`<code>${x.sha256}</code>` : 'fichier refusé par le contrôle de publication'}</td></tr>`;
  })}</tbody></table></div>
  <p>L’empreinte permet de vérifier un fichier téléchargé : <code>sha256sum ${d.id}.csv</code>.</p>
  <p><a class="fr-link" href="/donnees/${d.id}/explorer">Explorer ce jeu</a> (filtrer, regrouper, agréger, sur le serveur).</p>
  <h2>Aperçu</h2>
  ${
    preview === null
      ? html`<p>Aperçu indisponible : le contrôle de publication refuse ce jeu.</p>`
      : preview.length
        ? html`<div class="fr-table" id="apercu"><table tabindex="0"><caption>Premières lignes de « ${d.title} » (${preview.length})</caption>
  <thead><tr>${d.schema.fields.map((f) => html`<th scope="col"><code>${f.name}</code></th>`)}</tr></thead>
  <tbody>${preview.map((r) => html`<tr>${r.map((c) => html`<td>${c.length > 80 ? `${c.slice(0, 80)}…` : c}</td>`)}</tr>`)}</tbody></table></div>`
        : html`<p>Ce jeu est vide pour l’instant (rien n’a encore été importé ou saisi).</p>`
  }
  <h2>Schéma des données</h2>
  <p>Schéma au format <a href="https://specs.frictionlessdata.io/table-schema/" rel="noopener external">Table Schema</a> : <a href="/donnees/${d.id}/schema.json">${`/donnees/${d.id}/schema.json`}</a>. Toutes les colonnes publiées sont déclarées publiques ; chaque fichier est contrôlé contre ce schéma à sa publication.</p>
  <div class="fr-table"><table><caption>Colonnes de « ${d.title} »</caption>
  <thead><tr><th scope="col">Colonne</th><th scope="col">Libellé</th><th scope="col">Type</th><th scope="col">Obligatoire</th><th scope="col">Description</th></tr></thead>
  <tbody>${d.schema.fields.map((f) => html`<tr><td><code>${f.name}</code></td><td>${f.title}</td><td>${TYPE_LABEL[f.type]}</td><td>${f.required ? 'oui' : 'non'}</td><td>${f.description ?? ''}</td></tr>`)}</tbody></table></div>
  <h2>Sources</h2>
  ${sourcesBlock(
    d.sources.map((s) => ({
      producteur: s.producteur,
      jeu: s.jeu,
      licence: s.licence,
      ...(s.job ? { note: `Importé par le traitement « ${s.job} ».` } : {}),
    })),
    { titre: 'Ce jeu est dérivé de' },
  )}
  <p>Ce jeu est publié sous ${lic.nom} (<a href="${lic.url}" rel="noopener external">texte de la licence</a>)${d.licence === 'odbl-1.0' ? ' : toute réutilisation doit citer la source et partager les bases dérivées à l’identique' : ' : réutilisation libre, y compris commerciale, en citant la source'}.</p>
  <h2>Exemples d’accès</h2>
  <pre class="pan-code"><code>curl -O ${base}${downloadPath(d, 'csv')}
curl ${base}${downloadPath(d, 'json')}
curl -H 'If-None-Match: ${stamp.etag}' -I ${base}${downloadPath(d, 'csv')}   # 304 tant que le jeu n’a pas changé</code></pre>
  <p>Le catalogue complet : <a href="/donnees/catalogue.jsonld">catalogue.jsonld</a> (DCAT-AP) et <a href="/donnees/data.json">data.json</a>.</p>`;
}

export function notFoundPage(what: string): Html {
  return html`<h1 class="fr-mt-2w">Jeu de données introuvable</h1>
  <p>${what}</p>
  <p>Consultez le <a href="/donnees">catalogue des données ouvertes</a> (ou sa version <a href="/donnees/catalogue.jsonld">DCAT-AP</a>) pour la liste des jeux et de leurs formats.</p>`;
}

const TYPE_COLLECTIVITE: Record<string, string> = {
  region: 'Région',
  departement: 'Département',
  epci: 'EPCI',
  commune: 'Commune',
};

/** The open-data observatory of collectivités: the rate per département and the list of obliged collectivités. */
export function collectivitesPage(
  a: CollectivitesAnswer,
  rates: { code: string; nom: string; obligees: number; publient: number; taux: number | null }[],
  sources: { fichier: string; importe_le: Date }[],
  history: { date: string; obligees: number; publient: number; taux: number | null; fichier: string }[],
): Html {
  const cites = [
    ...sources.map((s) => ({
      producteur: 'OpenDataFrance — Observatoire open data des territoires',
      jeu: 'Organisations publiant des données ouvertes',
      fichier: s.fichier,
      importeLe: s.importe_le,
      licence: 'licence-ouverte-2.0',
    })),
    {
      producteur: 'Insee',
      jeu: 'Code officiel géographique et populations légales (via @etalab/decoupage-administratif)',
      licence: 'licence-ouverte-2.0',
    },
  ];
  const method = html`<p class="fr-text--sm">Méthode : sont obligées d’ouvrir leurs données (loi pour une République numérique, art. L. 312-1-1 du CRPA) les communes et EPCI à fiscalité propre de plus de ${fmtInt(SEUIL_HABITANTS)} habitants, les départements et la région. La condition d’effectif (50 agents ou plus) n’est pas connue ici : toutes les collectivités au-dessus du seuil sont comptées. Une collectivité « publie » quand son SIREN figure dans la dernière liste importée des organisations qui publient. Un EPCI à cheval sur deux départements compte dans chacun. Périmètre : ${a.nom}.</p>`;
  return html`<h1 class="fr-mt-2w">Ouverture des données des collectivités — ${a.nom}</h1>
  <p class="fr-text--lead">${fmtInt(a.publient)} collectivités obligées sur ${fmtInt(a.obligees)} publient des données ouvertes : ${fmtPct(a.taux)}.</p>
  ${
    sources.length
      ? ''
      : html`<div class="fr-alert fr-alert--warning fr-mb-3w"><p>Aucune liste d’organisations publiantes n’a encore été importée (traitement <code>opendata-collectivites</code>) : aucune collectivité n’est comptée comme publiante.</p></div>`
  }
  ${method}
  <div class="fr-table" id="taux"><table><caption>Taux d’ouverture par département (${a.nom})</caption>
  <thead><tr><th scope="col">Département</th><th scope="col">Collectivités obligées</th><th scope="col">Publient</th><th scope="col">Taux</th></tr></thead>
  <tbody>${rates.map((r) => html`<tr><td>${r.nom} (${r.code})</td><td>${fmtInt(r.obligees)}</td><td>${fmtInt(r.publient)}</td><td>${fmtPct(r.taux)}</td></tr>`)}
  <tr><th scope="row">${a.nom} (région entière)</th><td>${fmtInt(a.obligees)}</td><td>${fmtInt(a.publient)}</td><td>${fmtPct(a.taux)}</td></tr></tbody></table></div>
  ${sourcesBlock(cites)}
  ${
    history.length
      ? html`<div class="fr-table" id="evolution"><table><caption>Évolution du taux d’ouverture (${a.nom}, une ligne par liste importée, à la date qu’elle décrit)</caption>
  <thead><tr><th scope="col">Date de la liste</th><th scope="col">Collectivités obligées</th><th scope="col">Publient</th><th scope="col">Taux</th><th scope="col">Fichier</th></tr></thead>
  <tbody>${history.map((h) => html`<tr><td>${formatDate(h.date)}</td><td>${fmtInt(h.obligees)}</td><td>${fmtInt(h.publient)}</td><td>${fmtPct(h.taux)}</td><td>${h.fichier}</td></tr>`)}</tbody></table></div>
  <p class="fr-text--sm">Chaque ligne est figée au moment de l’import (collectivités obligées d’après les territoires chargés alors). Ce taux alimente l’indicateur de la stratégie régionale qui le suit.</p>`
      : ''
  }
  <div class="fr-table" id="collectivites"><table><caption>Collectivités obligées (${fmtInt(a.obligees)})</caption>
  <thead><tr><th scope="col">Collectivité</th><th scope="col">Type</th><th scope="col">SIREN</th><th scope="col">Population</th><th scope="col">Publie</th><th scope="col">Plateforme</th></tr></thead>
  <tbody>${a.items.map((i) => html`<tr><td>${i.nom}</td><td>${TYPE_COLLECTIVITE[i.type]}</td><td>${i.siren ?? '—'}</td><td>${fmtInt(i.population)}</td><td>${i.publie ? 'oui' : 'non'}</td><td>${i.url_plateforme ? html`<a href="${i.url_plateforme}" rel="noopener external">portail</a>` : '—'}</td></tr>`)}</tbody></table></div>
  ${sourcesBlock(cites)}
  <p>Les mêmes chiffres : <a href="/api/v1/donnees/collectivites/region/${a.code}"><code>GET /api/v1/donnees/collectivites/region/${a.code}</code></a> et le jeu <a href="/donnees/collectivites-opendata">collectivites-opendata</a>.</p>`;
}
