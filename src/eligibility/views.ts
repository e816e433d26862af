import { fmtDay, fmtInt, fmtPct, type Html, html } from '../http/html.ts';
import { dataSource, LICENCES } from '../http/licences.ts';
import { type Citation, sourcesBlock } from '../http/sources.ts';
import { METHOD_LABEL, type Method } from './matching.ts';
import { CLASSE_LABEL, type ClasseDebit } from './reference.ts';
import type { Eligibility } from './service.ts';

const classeText = (c: string | null) => (c ? (CLASSE_LABEL[c as ClasseDebit]?.libelle ?? c) : '—');

function technologiesTable(e: Eligibility): Html {
  if (!e.technologies.length) {
    return e.precision === 'adresse'
      ? html`<p>Les immeubles rapprochés de cette adresse n’ont aucune ligne d’éligibilité importée (fichier <code>actuel.csv</code> de Ma connexion internet non importé pour cette commune ?).</p>`
      : html``;
  }
  return html`<div class="fr-table fr-table--no-caption"><table>
  <caption>Technologies disponibles à cette adresse</caption>
  <thead><tr><th scope="col">Technologie</th><th scope="col">Débit descendant maximal</th><th scope="col">Débit montant maximal</th><th scope="col">Opérateurs (débit descendant)</th></tr></thead>
  <tbody>${e.technologies.map(
    (t) => html`<tr>
    <th scope="row">${t.nom}<br><span class="fr-text--xs">${t.description}</span></th>
    <td>${t.debit_descendant?.libelle ?? '—'}</td><td>${t.debit_montant?.libelle ?? '—'}</td>
    <td><ul class="fr-my-0">${t.operateurs.map((o) => html`<li>${o.nom ?? o.code} : ${classeText(o.debit_descendant)}${o.saturation ? html` — <strong>temporairement non commercialisé (saturation)</strong>` : ''}${o.limitation_go !== null ? ` — limité à ${fmtInt(o.limitation_go)} Go par mois` : ''}</li>`)}</ul></td>
  </tr>`,
  )}</tbody></table></div>`;
}

function fibreBlock(e: Eligibility): Html {
  const f = e.fibre;
  if (!f) {
    return e.precision === 'adresse'
      ? html`<p>Aucun immeuble de la carte fibre de l’ARCEP n’est rapproché de cette adresse${e.technologies.some((t) => t.code === 'FO') ? ' ; la fibre figure toutefois parmi les technologies recensées ci-dessus' : ''}.</p>`
      : html`<p>Statut de la fibre inconnu pour cette adresse : aucune donnée de la carte fibre n’est rapprochée.</p>`;
  }
  return html`<div class="fr-callout ${f.statut === 'deploye' ? 'fr-callout--green-emeraude' : ''}">
    <h3 class="fr-callout__title">Fibre : ${f.statut_libelle}</h3>
    <p class="fr-callout__text">${f.explication[0]!.toUpperCase()}${f.explication.slice(1)}.</p>
  </div>
  <dl class="pan-dl">
    ${f.statut !== 'deploye' ? html`<dt>Date prévue</dt><dd>${f.date_prevue ? html`${fmtDay(f.date_prevue)} <span class="fr-text--xs">(date de complétude du déploiement de la zone du point de mutualisation)</span>` : 'non communiquée'}</dd>` : ''}
    ${f.date_mise_a_disposition_pm ? html`<dt>Mise à disposition du point de mutualisation</dt><dd>${fmtDay(f.date_mise_a_disposition_pm)}</dd>` : ''}
    <dt>Point de mutualisation</dt><dd>${f.pm_ref ?? '—'}${f.pm_etat ? ` (${f.pm_etat})` : ''}</dd>
    <dt>Opérateur d’immeuble (code ARCEP)</dt><dd>${f.operateur_immeuble ?? '—'}</dd>
    <dt>Locaux de l’immeuble</dt><dd>${f.nb_locaux !== null ? fmtInt(f.nb_locaux) : (f.categorie_locaux ?? '—')}</dd>
  </dl>`;
}

function fallbackBlock(e: Eligibility): Html {
  const o = e.offres_repli;
  if (o.applicable === false) return html`<p>${o.raison}</p>`;
  return html`<p>${o.raison}</p>
  ${o.absence ? html`<p>${o.absence}</p>` : ''}
  ${
    o.offres.length
      ? html`<div class="fr-table"><table>
    <caption>Offres partenaires du programme France Très Haut Débit dans le département ${o.departement}</caption>
    <thead><tr><th scope="col">Opérateur</th><th scope="col">Technologies</th><th scope="col">Aide de l’État</th><th scope="col">Site</th></tr></thead>
    <tbody>${o.offres.map((x) => html`<tr><td>${x.operateur}</td><td>${x.technologie}</td><td>${x.aide_etat ? 'Oui' : 'Non'}</td><td>${x.site ? html`<a href="${x.site}" rel="noopener external" target="_blank" title="${x.operateur} — nouvelle fenêtre">${new URL(x.site).host}</a>` : '—'}</td></tr>`)}</tbody>
  </table></div>
  <p class="fr-text--xs">Source : ANCT, opérateurs partenaires du programme France Très Haut Débit (satellite, 4G fixe, THD radio) par département. L’aide de l’État finance l’équipement et l’installation des foyers et entreprises sans accès filaire à bon débit.</p>`
      : o.absence
        ? ''
        : html`<p>Les offres de repli de ce département n’ont pas été importées.</p>`
  }`;
}

function communeBlock(e: Eligibility): Html {
  const s = e.commune.statistiques;
  const b = e.commune.immeubles_importes;
  const parts: Html[] = [];
  if (s) {
    // With satellite and 4G counted (perimeter "toutes"), nearly every premise reaches 30 Mbit/s:
    // 100 Mbit/s is then the telling figure (ARCEP's own reading for wired very-high-speed coverage).
    const headline = s.perimetre === 'toutes' ? 'elig_thd100' : 'elig_thd30';
    const thd = s.paliers.find((p) => p.champ === headline) ?? s.paliers.find((p) => p.champ === 'elig_thd30');
    // The FttH share is shown when it is not older than the speed-class figures (two dates side by side mislead).
    const quarterEnd = (p: string) => {
      const m = /^(\d{4})-T([1-4])$/.exec(p);
      return m ? `${m[1]}-${['03-31', '06-30', '09-30', '12-31'][Number(m[2]) - 1]}` : p;
    };
    const showFibre = s.fibre && (!s.date || !s.paliers.length || quarterEnd(s.fibre.periode) >= s.date);
    parts.push(html`${s.fibre && showFibre ? html`<p class="fr-text--lg">Dans votre commune, <strong>${fmtPct(s.fibre.part)}</strong> des locaux sont raccordables à la fibre (${s.fibre.periode}).</p>` : ''}
    ${thd ? html`<p class="fr-text--lg">Dans votre commune, <strong>${fmtPct(thd.part)}</strong> des locaux sont éligibles à un débit ${thd.libelle.replace(/ \(.*\)$/, '')} (${s.perimetre === 'filaire' ? 'technologies filaires' : 'toutes technologies, satellite compris'}).</p>` : ''}
    ${
      s.paliers.length
        ? html`<div class="fr-table"><table><caption>Répartition des ${fmtInt(s.locaux)} locaux de ${e.commune.nom} par débit disponible</caption>
      <thead><tr><th scope="col">Débit disponible</th><th scope="col" class="pan-num">Locaux</th><th scope="col" class="pan-num">Part</th></tr></thead>
      <tbody>${s.paliers.map((p) => html`<tr><td>${p.libelle}</td><td class="pan-num">${fmtInt(p.locaux)}</td><td class="pan-num">${fmtPct(p.part)}</td></tr>`)}</tbody></table></div>`
        : ''
    }
    <p class="fr-text--xs">Source : ${s.source}${s.date ? `, données au ${fmtDay(s.date)}` : ''}. Ce sont des chiffres de la commune, pas de votre adresse.</p>`);
  }
  if (b) {
    parts.push(
      html`<p>Sur les ${fmtInt(b.immeubles)} immeubles importés de la base Ma connexion internet pour cette commune (${fmtInt(b.locaux)} locaux), ${fmtPct(b.part_fibre)} des locaux sont éligibles à la fibre et ${fmtPct(b.part_thd_filaire)} à un accès filaire d’au moins 30 Mbit/s.</p>`,
    );
  }
  if (!parts.length)
    return html`<p>Aucune statistique communale n’est disponible pour ${e.commune.nom} : les statistiques de l’observatoire n’ont pas été importées pour cette commune.</p>`;
  return html`${parts}`;
}

function ripBlock(e: Eligibility): Html {
  if (!e.rip.length) {
    return html`<p>Aucun réseau d’initiative publique n’est renseigné pour ${e.commune.nom}. Les administrateurs de la plateforme peuvent le compléter.</p>`;
  }
  return html`${e.rip.map(
    (r) => html`<div class="fr-card fr-mb-2w"><div class="fr-card__body"><div class="fr-card__content">
    <h3 class="fr-card__title">${r.nom}</h3>
    <div class="fr-card__desc"><dl class="pan-dl">
      ${r.porteur ? html`<dt>Porteur public</dt><dd>${r.porteur}</dd>` : ''}
      ${r.exploitant ? html`<dt>Exploitant (offres de gros)</dt><dd>${r.exploitant}</dd>` : ''}
      ${r.contact_gros ? html`<dt>Contact commercial de gros</dt><dd>${r.contact_gros}</dd>` : ''}
      ${r.email ? html`<dt>Courriel</dt><dd><a href="mailto:${r.email}">${r.email}</a></dd>` : ''}
      ${r.telephone ? html`<dt>Téléphone</dt><dd>${r.telephone}</dd>` : ''}
      ${r.site ? html`<dt>Site</dt><dd><a href="${r.site}" rel="noopener external">${r.site}</a></dd>` : ''}
    </dl></div></div></div></div>`,
  )}`;
}

export function eligibilityPage(e: Eligibility, absoluteUrl: string): Html {
  const commune = e.precision === 'commune';
  return html`<h1 class="fr-mt-2w">Éligibilité : ${e.adresse.label}</h1>
  <p><span class="fr-badge ${commune ? 'fr-badge--warning' : 'fr-badge--success'} fr-badge--no-icon">${commune ? 'Réponse à l’échelle de la commune' : 'Réponse à l’adresse'}</span></p>
  <div class="fr-alert ${commune ? 'fr-alert--warning' : 'fr-alert--info'} fr-mb-4w"><p>${e.message}</p></div>

  <h2>Technologies et débits</h2>
  ${commune ? html`<p>Aucune donnée à l’immeuble n’est disponible pour cette adresse : on ne peut pas dire ici quelles technologies, quels débits ni quels opérateurs y sont proposés. Consultez <a href="https://maconnexioninternet.arcep.fr" rel="noopener external">Ma connexion internet (ARCEP)</a> pour une réponse à l’adresse.</p>` : technologiesTable(e)}
  ${e.locaux !== null ? html`<p>Locaux (logements et locaux professionnels) des immeubles de l’adresse : <strong>${fmtInt(e.locaux)}</strong>.</p>` : ''}

  <h2>Fibre optique</h2>
  ${fibreBlock(e)}

  <h2>Offres de repli subventionnées</h2>
  ${fallbackBlock(e)}

  <h2>Dans la commune de ${e.commune.nom}</h2>
  ${communeBlock(e)}

  <h2>Entreprises et professionnels : réseau d’initiative publique</h2>
  ${ripBlock(e)}

  ${
    e.immeubles.length
      ? html`<h2>Immeubles rapprochés de l’adresse</h2>
  <div class="fr-table"><table><caption>Immeubles des fichiers de l’ARCEP rapprochés de cette adresse</caption>
    <thead><tr><th scope="col">Fichier</th><th scope="col">Identifiant</th><th scope="col">Type</th><th scope="col" class="pan-num">Locaux</th><th scope="col">Rapprochement</th><th scope="col" class="pan-num">Distance</th></tr></thead>
    <tbody>${e.immeubles.map((b) => html`<tr><td>${b.source === 'mci' ? 'Ma connexion internet' : 'Carte fibre'}</td><td>${b.imb_id}</td><td>${b.type ?? '—'}</td><td class="pan-num">${fmtInt(b.nb_locaux)}</td><td>${METHOD_LABEL[b.appariement as Method] ?? b.appariement}</td><td class="pan-num">${b.distance_m !== null ? `${fmtInt(b.distance_m)} m` : '—'}</td></tr>`)}</tbody>
  </table></div>`
      : ''
  }

  <h2 class="pan-no-print">Partager ou imprimer</h2>
  <div class="pan-no-print">
    <p>Adresse de cette page : <a href="${e.url}">${absoluteUrl}</a></p>
    <p>Données en JSON : <a href="/api/v1/eligibilite?adresse_id=${encodeURIComponent(e.adresse.id)}">/api/v1/eligibilite?adresse_id=${e.adresse.id}</a></p>
    <ul class="fr-btns-group fr-btns-group--inline-md">
      <li><a class="fr-btn fr-btn--secondary" href="${e.url}/impression">Version imprimable</a></li>
      <li><button class="fr-btn fr-btn--tertiary" type="button" data-pan-print hidden>Imprimer cette page</button></li>
    </ul>
  </div>
  ${sourcesBlock(answerSources(e))}`;
}

/** The sources of this answer only: the address's own origin (with its ODbL mention for BANO) and the files used. */
function answerSources(e: Eligibility): Citation[] {
  const cite = (id: Parameters<typeof dataSource>[0], note?: string): Citation => {
    const s = dataSource(id);
    return {
      producteur: s.producteur,
      jeu: s.jeu,
      licence: LICENCES[s.licence].court,
      mention: s.mention ?? null,
      note: note ?? null,
    };
  };
  const addressSource = e.adresse.source === 'bano' ? 'bano' : e.adresse.source === 'bal' ? 'bal' : 'ban';
  const out: Citation[] = [cite(addressSource, 'L’adresse et sa position.')];
  if (e.immeubles.some((b) => b.source === 'mci'))
    out.push(
      cite('arcep-mci', 'Technologies, débits et opérateurs : débits maximaux théoriques déclarés par les opérateurs.'),
    );
  if (e.fibre) out.push(cite('arcep-cartefibre', 'Statut et date prévue de la fibre.'));
  if (e.offres_repli.offres.length) out.push(cite('anct-fthd', 'Offres de repli subventionnées.'));
  return out;
}
