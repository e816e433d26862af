import { fmtDate, fmtInt, type Html, html } from '../http/html.ts';
import type { AnyImportJob } from '../imports/job.ts';
import { RUN_STATUS } from '../imports/labels.ts';
import type { ImportRun, RunSuiteFailure } from '../imports/service.ts';

function statusBadge(s: ImportRun['status']): Html {
  const { label, badge: kind } = RUN_STATUS[s];
  return html`<p class="fr-badge fr-badge--${kind} fr-badge--sm">${label}</p>`;
}

export function runsTable(runs: ImportRun[]): Html {
  if (!runs.length) return html`<p>Aucun import n’a encore été lancé.</p>`;
  return html`<div class="fr-table"><table><caption>Derniers imports</caption>
  <thead><tr><th scope="col">N°</th><th scope="col">Import</th><th scope="col">Source</th><th scope="col">Début</th><th scope="col">Statut</th><th scope="col" class="pan-num">Lues</th><th scope="col" class="pan-num">Retenues</th><th scope="col" class="pan-num">Rejetées</th><th scope="col">Lancé par</th></tr></thead>
  <tbody>${runs.map((r) => html`<tr><td><a href="/admin/imports/${r.id}">${r.id}</a></td><td>${r.job}</td><td class="pan-source">${r.source}</td><td>${fmtDate(r.started_at)}</td><td>${statusBadge(r.status)}</td><td class="pan-num">${fmtInt(r.rows_read)}</td><td class="pan-num">${fmtInt(r.rows_accepted)}</td><td class="pan-num">${fmtInt(r.rows_rejected)}</td><td>${r.started_by ?? '—'}</td></tr>`)}</tbody></table></div>`;
}

const PHASE_LABEL: Record<NonNullable<ImportRun['phase']>, string> = {
  telechargement: 'téléchargement de la source',
  attente: 'en attente de la fin d’un autre import',
  lecture: 'lecture et chargement des données',
  remplacement: 'remplacement des données, lot par lot',
};

const fmtBytes = (n: number) =>
  n >= 1024 * 1024
    ? `${(n / 1024 / 1024).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} Mo`
    : `${fmtInt(Math.round(n / 1024))} ko`;

/** Where a running import stands, from the progress it writes every second or so. */
function progressOf(r: ImportRun): Html {
  if (r.status !== 'running') return html``;
  const bytes = r.bytes_total ? `${fmtBytes(r.bytes_read)} sur ${fmtBytes(r.bytes_total)}` : fmtBytes(r.bytes_read);
  return html`<div class="fr-callout fr-mb-3w"><h2 class="fr-callout__title">Import en cours</h2>
  <p class="fr-callout__text">Étape : ${r.phase ? PHASE_LABEL[r.phase] : '—'}. Source : ${bytes} reçus. Lignes lues : ${fmtInt(r.rows_read)}.
  Dernière nouvelle : ${fmtDate(r.progress_at)}${r.instance ? ` (instance ${r.instance})` : ''}. Actualisez la page pour suivre l’avancement.</p>
  ${r.cancel_requested_by ? html`<p>Annulation demandée par ${r.cancel_requested_by}.</p>` : ''}</div>`;
}

/** Follow-ups (index rebuilds…) that failed after committed imports: the data is there, an index may be stale. */
export function suiteFailures(failures: RunSuiteFailure[], csrf: string): Html {
  if (!failures.length) return html``;
  return html`<div class="fr-alert fr-alert--warning fr-mb-3w" role="alert"><h2 class="fr-alert__title">Index ou suites d’import à refaire</h2>
  <p>Les imports ci-dessous ont bien été enregistrés, mais une suite a échoué : l’instance nommée peut répondre avec des données périmées jusqu’à ce qu’elle réussisse (nouvel essai automatique, ou bouton « Relancer »).</p>
  <ul>${failures.map(
    (
      f,
    ) => html`<li>Import <a href="/admin/imports/${f.run_id}">n° ${f.run_id}</a> (${f.job}), instance ${f.instance}, ${fmtDate(f.failed_at)} : ${f.message}
    <form method="post" action="/admin/imports/${f.run_id}/suites" class="fr-mt-1w"><input type="hidden" name="_csrf" value="${csrf}"><button class="fr-btn fr-btn--sm fr-btn--secondary" type="submit">Relancer les suites de l’import n° ${f.run_id}</button></form></li>`,
  )}</ul></div>`;
}

export function runDetail(r: ImportRun, csrf: string, failures: RunSuiteFailure[] = []): Html {
  return html`<h1 class="fr-mt-2w">Import n° ${r.id} : ${r.job}</h1>
  ${statusBadge(r.status)}
  ${progressOf(r)}
  ${
    r.status === 'running' && !r.cancel_requested_by
      ? html`<form method="post" action="/admin/imports/${r.id}/annulation" class="fr-mb-3w"><input type="hidden" name="_csrf" value="${csrf}">
    <button class="fr-btn fr-btn--secondary" type="submit">Annuler cet import</button>
    <p class="fr-hint-text">Les données déjà chargées ne seront pas modifiées.</p></form>`
      : ''
  }
  ${suiteFailures(failures, csrf)}
  <div class="fr-table"><table><caption>Détail de l’import</caption><tbody>
    <tr><th scope="row">Source</th><td class="pan-source">${r.source}</td></tr>
    <tr><th scope="row">Empreinte SHA-256</th><td><code>${r.sha256 ?? '—'}</code></td></tr>
    <tr><th scope="row">Taille de la source</th><td>${r.source_taille == null ? '—' : `${fmtInt(r.source_taille)} octets`}</td></tr>
    <tr><th scope="row">Options</th><td><code>${JSON.stringify(r.options)}</code></td></tr>
    <tr><th scope="row">Début / fin</th><td>${fmtDate(r.started_at)} → ${fmtDate(r.ended_at)}</td></tr>
    <tr><th scope="row">Lignes lues / retenues / rejetées</th><td>${fmtInt(r.rows_read)} / ${fmtInt(r.rows_accepted)} / ${fmtInt(r.rows_rejected)}</td></tr>
    <tr><th scope="row">Message</th><td>${r.message ?? '—'}</td></tr>
    <tr><th scope="row">Lancé par</th><td>${r.started_by ?? '—'}</td></tr>
  </tbody></table></div>
  ${
    r.rejects.length
      ? html`<div class="fr-table"><table><caption>Échantillon des rejets (${r.rejects.length} sur ${fmtInt(r.rows_rejected)})</caption>
    <thead><tr><th scope="col">Ligne</th><th scope="col">Motif</th><th scope="col">Contenu</th></tr></thead>
    <tbody>${r.rejects.map((x) => html`<tr><td>${x.line ?? '—'}</td><td>${x.reason}</td><td><code>${x.raw ?? ''}</code></td></tr>`)}</tbody></table></div>`
      : ''
  }`;
}

export function importForm(jobs: AnyImportJob[], csrf: string): Html {
  return html`<form method="post" action="/admin/imports?_csrf=${encodeURIComponent(csrf)}" enctype="multipart/form-data" class="fr-mb-6w">
  <fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Lancer un import</legend>
    <div class="fr-fieldset__element"><div class="fr-select-group"><label class="fr-label" for="job">Type de données</label>
      <select class="fr-select" id="job" name="job" required>${jobs.map((j) => html`<option value="${j.name}">${j.title} (${j.name})</option>`)}</select></div></div>
    <div class="fr-fieldset__element"><div class="fr-input-group"><label class="fr-label" for="url">Adresse (URL) du fichier <span class="fr-hint-text">Par exemple l’adresse de téléchargement publiée par l’ARCEP, l’IGN ou la BAN. Laisser vide pour téléverser un fichier.</span></label>
      <input class="fr-input" id="url" name="url" type="url" placeholder="https://…"></div></div>
    <div class="fr-fieldset__element"><div class="fr-upload-group"><label class="fr-label" for="fichier">Ou fichier à téléverser <span class="fr-hint-text">CSV, JSON, GeoJSON ou XLSX, éventuellement compressé en .gz.</span></label>
      <input class="fr-upload" id="fichier" name="fichier" type="file"></div></div>
    <div class="fr-fieldset__element"><div class="fr-input-group"><label class="fr-label" for="options">Options (JSON, facultatif) <span class="fr-hint-text">Par exemple {"niveau": "commune"} pour des contours.</span></label>
      <input class="fr-input" id="options" name="options" type="text" maxlength="2000"></div></div>
  </fieldset>
  <button class="fr-btn" type="submit">Lancer l’import</button>
</form>
<h2>Imports disponibles</h2>
<dl>${jobs.map((j) => html`<dt><strong>${j.title}</strong> — <code>${j.name}</code></dt><dd class="fr-mb-2w">${j.accepts}</dd>`)}</dl>`;
}

/** Deactivate or reactivate an account (a deactivated account cannot sign in; its sessions end). */
export function userStatusButton(u: { id: number; nom: string; actif: boolean }, csrf: string) {
  return html`<form method="post" action="/admin/utilisateurs/${u.id}/${u.actif ? 'desactivation' : 'reactivation'}"><input type="hidden" name="_csrf" value="${csrf}"><button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit" title="${u.actif ? 'Désactiver' : 'Réactiver'} le compte de ${u.nom}">${u.actif ? 'Désactiver' : 'Réactiver'}</button></form>`;
}
