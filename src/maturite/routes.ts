import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { fmtDate, fmtInt, type Html, html, raw } from '../http/html.ts';
import { pageHref, pagerOf, pagination, rangeLabel } from '../http/pagination.ts';
import { sourcesBlock } from '../http/sources.ts';
import { getTerritory } from '../territories/service.ts';
import * as Q from './queries.ts';
import { AgregatsPageQuery, type NiveauAgregat, ProfileFormSchema, TokenParams } from './schema.ts';
import {
  groupName,
  groupsOf,
  hashToken,
  type Indicator,
  PUBLICATION_THRESHOLD,
  questionnaireFile,
  similarGroup,
  submit,
} from './service.ts';

const PER_PAGE = 100;
const CRUMB = { label: 'Ressources', href: '/ressources' };
const HOME = { label: 'Maturité numérique', href: '/ressources/maturite' };
const METHOD = `Score d’une dimension, de 0 à 100 : pour chacune de ses questions, les points de la réponse choisie multipliés par le poids de la question, rapportés au total obtenu avec la meilleure réponse à chaque question (× 100, arrondi au dixième).`;
const NIVEAU_LABEL: Record<NiveauAgregat, string> = {
  region: 'Région',
  departement: 'Département',
  epci: 'EPCI',
  commune: 'Commune',
  secteur: 'Secteur (section NAF)',
  taille: 'Taille',
};

/** Aids beneficiary filter (resources vocabulary) of each respondent type. */
const BENEFICIAIRE: Record<string, string> = {
  entreprise: 'entreprise',
  association: 'association',
  collectivite: 'commune',
};

type Loaded = { q: Q.QuestionnaireRow; dims: Q.DimensionRow[]; questions: Q.QuestionRow[] };

async function current(ctx: AppContext): Promise<Loaded> {
  const q = await Q.currentQuestionnaire(ctx.db);
  if (!q) throw new AppError('INTROUVABLE', 'no questionnaire', 'Le questionnaire n’est pas encore chargé.');
  return { q, dims: await Q.dimensionsOf(ctx.db, q.id), questions: await Q.questionsOf(ctx.db, q.id) };
}

/** Citation of the observatory's own figures: what they count and how. */
const observatorySource = (note: string) =>
  sourcesBlock([
    {
      producteur: 'Observatoire de la maturité numérique (autodiagnostic de cette plateforme et enquêtes importées)',
      jeu: 'réponses anonymes au questionnaire',
      donneesAu: new Date().toISOString().slice(0, 10),
      licence: 'Licence Ouverte 2.0',
      note,
    },
  ]);

type FormState = { values: Record<string, string>; errors: Record<string, string> };

function selectField(name: string, label: string, options: Record<string, string>, s: FormState, hint = ''): Html {
  const err = s.errors[name];
  return html`<div class="fr-select-group${err ? ' fr-select-group--error' : ''}"><label class="fr-label" for="m-${name}">${label}${hint ? html`<span class="fr-hint-text">${hint}</span>` : ''}</label>
  <select class="fr-select" id="m-${name}" name="${name}" required${err ? raw(` aria-describedby="m-${name}-err"`) : ''}><option value="">— choisir —</option>${Object.entries(options).map(([v, l]) => html`<option value="${v}"${s.values[name] === v ? raw(' selected') : ''}>${l}</option>`)}</select>
  ${err ? html`<p class="fr-error-text" id="m-${name}-err">${err}</p>` : ''}</div>`;
}

function questionnaireForm(req: FastifyRequest, l: Loaded, s: FormState): Html {
  const p = l.q.profil;
  const errs = Object.values(s.errors);
  return html`${
    errs.length
      ? html`<div class="fr-alert fr-alert--error fr-mb-3w" role="alert"><h2 class="fr-alert__title">Le questionnaire n’a pas été enregistré</h2><ul>${errs.map((e) => html`<li>${e}</li>`)}</ul></div>`
      : ''
  }
  <form method="post" action="/ressources/maturite"><input type="hidden" name="_csrf" value="${req.csrfToken}">
  <fieldset class="fr-fieldset"><legend class="fr-fieldset__legend"><h2 class="fr-h4 fr-mb-0">Votre structure</h2></legend>
  <div class="fr-fieldset__element">${selectField('type', 'Type de structure', p.types, s)}</div>
  <div class="fr-fieldset__element">${selectField('section_naf', 'Secteur d’activité (section NAF)', p.sections_naf, s, 'la lettre du code APE ; une association choisit souvent S, une collectivité O')}</div>
  <div class="fr-fieldset__element">${selectField('taille', 'Effectif salarié', p.tailles, s)}</div>
  <div class="fr-fieldset__element"><div class="fr-input-group${s.errors.commune ? ' fr-input-group--error' : ''}"><label class="fr-label" for="m-commune">Commune du siège : code INSEE<span class="fr-hint-text">5 caractères, ex. 21231 pour Dijon (ce n’est pas le code postal)</span></label>
  <input class="fr-input" id="m-commune" name="commune" value="${s.values.commune ?? ''}" maxlength="5" required autocomplete="off">
  ${s.errors.commune ? html`<p class="fr-error-text">${s.errors.commune}</p>` : ''}</div></div>
  </fieldset>
  ${l.dims.map(
    (d) => html`<h2 class="fr-h4 fr-mt-4w">${d.libelle}</h2>
    ${l.questions
      .filter((qu) => qu.dimension === d.slug)
      .map(
        (
          qu,
        ) => html`<fieldset class="fr-fieldset${s.errors[`q_${qu.code}`] ? ' fr-fieldset--error' : ''}" id="q-${qu.code}"><legend class="fr-fieldset__legend fr-text--regular">${qu.libelle}</legend>
      ${qu.choix.map(
        (
          c,
        ) => html`<div class="fr-fieldset__element"><div class="fr-radio-group"><input type="radio" id="q-${qu.code}-${c.code}" name="q_${qu.code}" value="${c.code}"${s.values[`q_${qu.code}`] === c.code ? raw(' checked') : ''} required>
        <label class="fr-label" for="q-${qu.code}-${c.code}">${c.libelle}</label></div></div>`,
      )}
      ${s.errors[`q_${qu.code}`] ? html`<div class="fr-messages-group"><p class="fr-message fr-message--error">${s.errors[`q_${qu.code}`]}</p></div>` : ''}</fieldset>`,
      )}`,
  )}
  <fieldset class="fr-fieldset fr-mt-4w"><legend class="fr-fieldset__legend"><h2 class="fr-h4 fr-mb-0">Être recontacté (facultatif)</h2></legend>
  <div class="fr-fieldset__element"><p class="fr-text--sm">Vos réponses restent anonymes. Si vous souhaitez qu’un conseiller vous recontacte, cochez la case et indiquez une adresse : elle n’est conservée qu’à cette condition, avec la date de votre accord.</p>
  <div class="fr-checkbox-group"><input type="checkbox" id="m-contact" name="contact" value="oui"${s.values.contact === 'oui' ? raw(' checked') : ''}><label class="fr-label" for="m-contact">J’accepte d’être recontacté au sujet de ce diagnostic</label></div></div>
  <div class="fr-fieldset__element"><div class="fr-input-group${s.errors.email ? ' fr-input-group--error' : ''}"><label class="fr-label" for="m-email">Adresse e-mail</label>
  <input class="fr-input" type="email" id="m-email" name="email" value="${s.values.email ?? ''}" maxlength="254" autocomplete="email">
  ${s.errors.email ? html`<p class="fr-error-text">${s.errors.email}</p>` : ''}</div></div></fieldset>
  <button class="fr-btn fr-mt-2w" type="submit">Voir mon résultat</button></form>`;
}

function formPage(ctx: AppContext, req: FastifyRequest, reply: FastifyReply, l: Loaded, s: FormState, status = 200) {
  return ctx.render(req, reply, {
    title: 'Autodiagnostic de maturité numérique',
    status,
    breadcrumb: [CRUMB, { label: 'Maturité numérique' }],
    main: html`<h1 class="fr-mt-2w">Autodiagnostic de maturité numérique</h1>
    <p class="fr-text--lead">Entreprises, associations et collectivités : ${fmtInt(l.questions.length)} questions en ${fmtInt(l.dims.length)} dimensions pour situer votre structure, sans créer de compte.</p>
    <p>Vous obtenez un score par dimension, comparé aux structures de même taille et de même secteur dès qu’elles sont au moins ${PUBLICATION_THRESHOLD}, et des pistes (aides, ressources) pour vos points faibles. Les résultats agrégés sont publiés sur la page <a href="/ressources/maturite/indicateurs">indicateurs de maturité numérique</a>, jamais pour moins de ${PUBLICATION_THRESHOLD} répondants.</p>
    ${questionnaireForm(req, l, s)}`,
  });
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** Checks a form against the questionnaire; every problem gets a French message on its field. */
async function readForm(ctx: AppContext, l: Loaded, body: Record<string, unknown>) {
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string' && k !== '_csrf') values[k] = v.slice(0, 300);
  const errors: Record<string, string> = {};
  const p = ProfileFormSchema.safeParse(body);
  if (!p.success)
    for (const i of p.error.issues) {
      const k = String(i.path[0] ?? 'formulaire');
      errors[k] ??= `${k === 'email' ? 'Adresse e-mail' : k === 'commune' ? 'Commune' : 'Formulaire'} : ${i.message}`;
    }
  const prof = l.q.profil;
  if (!str(body.type) || !(str(body.type)! in prof.types))
    errors.type = 'Type de structure : choisissez entreprise, association ou collectivité.';
  if (!str(body.section_naf) || !(str(body.section_naf)! in prof.sections_naf))
    errors.section_naf = 'Secteur d’activité : choisissez une section NAF de la liste.';
  if (!str(body.taille) || !(str(body.taille)! in prof.tailles))
    errors.taille = 'Effectif salarié : choisissez une tranche de la liste.';
  const answers: Record<string, string> = {};
  for (const qu of l.questions) {
    const v = str(body[`q_${qu.code}`]);
    if (!v) errors[`q_${qu.code}`] = `Question « ${qu.libelle} » : choisissez une réponse.`;
    else if (!qu.choix.some((c) => c.code === v))
      errors[`q_${qu.code}`] = `Question « ${qu.libelle} » : cette réponse ne fait pas partie des choix proposés.`;
    else answers[qu.code] = v;
  }
  if (p.success && !errors.commune) {
    const t = await getTerritory(ctx.db, 'commune', p.data.commune).catch(() => null);
    if (!t) errors.commune = `Commune : aucune commune ne porte le code INSEE ${p.data.commune}.`;
  }
  return { values, errors, profile: p.success ? p.data : null, answers };
}

function scoreTable(l: Loaded, mine: Record<string, number>, group: Indicator): Html {
  const published = 'dimensions' in group ? group.dimensions : null;
  return html`<div class="fr-table" id="scores"><table><caption>Votre score par dimension (0 à 100)${published ? html` et la moyenne des ${fmtInt(group.repondants)} structures de même taille et de même secteur` : ''}</caption>
  <thead><tr><th scope="col">Dimension</th><th scope="col">Votre score</th>${published ? html`<th scope="col">Moyenne des structures comparables</th>` : ''}</tr></thead>
  <tbody>${l.dims.map((d) => html`<tr><th scope="row">${d.libelle}</th><td>${(mine[d.slug] ?? 0).toLocaleString('fr-FR')}</td>${published ? html`<td>${(published[d.slug]?.score_moyen ?? 0).toLocaleString('fr-FR')}</td>` : ''}</tr>`)}</tbody></table></div>`;
}

export function registerMaturitePages(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const campagneCode = questionnaireFile().campagne.code;

  r.get('/ressources/maturite', async (req, reply) =>
    formPage(ctx, req, reply, await current(ctx), { values: {}, errors: {} }),
  );

  r.post(
    '/ressources/maturite',
    // Anonymous form: limited per client address (shared across instances on PostgreSQL, see app.ts).
    { config: { rateLimit: { max: 20, timeWindow: '1 hour' } } },
    async (req, reply) => {
      const l = await current(ctx);
      const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
      const f = await readForm(ctx, l, body);
      if (Object.keys(f.errors).length || !f.profile) return formPage(ctx, req, reply, l, f, 400);
      const campagneId = await Q.campagneIdByCode(ctx.db, campagneCode);
      if (campagneId === null) throw new AppError('INTROUVABLE', 'campaign', 'La campagne en ligne n’est pas chargée.');
      const { token } = await submit(
        ctx.db,
        { questionnaireId: l.q.id, campagneId },
        {
          type: str(body.type)!,
          sectionNaf: str(body.section_naf)!,
          taille: str(body.taille)!,
          commune: f.profile.commune,
          answers: f.answers,
          email: f.profile.email ?? null,
          consentement: f.profile.contact === 'oui',
        },
      );
      return reply.redirect(`/ressources/maturite/resultat/${token}`, 303);
    },
  );

  r.get(
    '/ressources/maturite/resultat/:jeton',
    {
      schema: { params: TokenParams },
      // A personal page behind an unguessable link: never cached, never indexed (set after render's no-cache).
      onSend: async (_req, reply, payload) => {
        reply.header('cache-control', 'no-store').header('x-robots-tag', 'noindex');
        return payload;
      },
    },
    async (req, reply) => {
      const rep = await Q.repondantByToken(ctx.db, hashToken(req.params.jeton));
      if (!rep) throw new AppError('INTROUVABLE', 'result token', 'Ce lien de résultat n’existe pas.');
      const q = (await Q.questionnaireById(ctx.db, rep.questionnaire_id))!;
      const l: Loaded = { q, dims: await Q.dimensionsOf(ctx.db, q.id), questions: await Q.questionsOf(ctx.db, q.id) };
      const mine = await Q.scoresOf(ctx.db, rep.id);
      const group = await similarGroup(ctx.db, rep.taille, rep.section_naf);
      const aides = `/ressources/aides?beneficiaire=${BENEFICIAIRE[rep.type] ?? ''}&niveau=commune&code=${rep.commune}`;
      const weakest = [...l.dims].sort((a, b) => (mine[a.slug] ?? 0) - (mine[b.slug] ?? 0)).slice(0, 2);
      return ctx.render(req, reply, {
        title: 'Votre résultat d’autodiagnostic',
        breadcrumb: [CRUMB, HOME, { label: 'Votre résultat' }],
        main: html`<h1 class="fr-mt-2w">Votre résultat d’autodiagnostic</h1>
      <div class="fr-callout fr-mb-3w"><p class="fr-callout__text">Conservez l’adresse de cette page : c’est le seul moyen de revenir à votre résultat (aucun compte, aucun nom enregistré).</p></div>
      <p>${q.profil.types[rep.type] ?? rep.type}, ${q.profil.tailles[rep.taille] ?? rep.taille}, secteur ${rep.section_naf} (${q.profil.sections_naf[rep.section_naf] ?? ''}) — réponse du ${fmtDate(rep.cree_le)}, ${rep.campagne}, questionnaire version ${q.version}.${rep.consentement_contact && rep.consentement_le ? ` Vous avez accepté d’être recontacté le ${fmtDate(rep.consentement_le)}.` : ''}</p>
      ${scoreTable(l, mine, group)}
      <p id="comparaison">${
        'dimensions' in group
          ? `Comparaison : moyenne des ${fmtInt(group.repondants)} répondants de même tranche d’effectif et de même section NAF (vous compris), toutes campagnes.`
          : `Pas encore de comparaison : ${fmtInt(group.repondants)} répondant${group.repondants > 1 ? 's' : ''} de même tranche d’effectif et de même secteur (vous compris) ; elle s’affiche à partir de ${PUBLICATION_THRESHOLD}, pour qu’aucune réponse ne soit reconnaissable.`
      }</p>
      ${observatorySource(`Méthode : ${METHOD}`)}
      <h2>Pour progresser</h2>
      <p>Vos dimensions les plus faibles : ${weakest.map((d) => d.libelle).join(' et ')}.</p>
      <ul>${weakest.map(
        (d) =>
          html`<li>${d.libelle} : <a href="/ressources/recherche?q=${encodeURIComponent(d.libelle)}">ressources et acteurs</a>, <a href="${aides}">aides ouvertes à votre structure et à votre commune</a></li>`,
      )}</ul>
      <p>Voir aussi le <a href="/ressources/aides">guichet des aides</a>, l’<a href="/ressources/acteurs">annuaire des acteurs</a> et les <a href="/ressources/maturite/indicateurs">indicateurs du territoire</a>.</p>`,
      });
    },
  );

  r.get('/ressources/maturite/indicateurs', { schema: { querystring: AgregatsPageQuery } }, async (req, reply) => {
    const { niveau, campagne, page } = req.query;
    const q = await Q.currentQuestionnaire(ctx.db);
    const dims = q ? await Q.dimensionsOf(ctx.db, q.id) : [];
    const campagnes = await Q.listCampagnes(ctx.db);
    const all = await groupsOf(ctx.db, niveau, campagne);
    const total = all.reduce((s, g) => s + g.indicator.repondants, 0);
    const pager = pagerOf(all.length, page, PER_PAGE);
    const groups = all.slice(pager.offset, pager.offset + PER_PAGE);
    const names = await Promise.all(groups.map((g) => groupName(ctx.db, niveau, g.code, q!.profil)));
    return ctx.render(req, reply, {
      title: 'Indicateurs de maturité numérique',
      breadcrumb: [CRUMB, HOME, { label: 'Indicateurs' }],
      main: html`<h1 class="fr-mt-2w">Indicateurs de maturité numérique</h1>
      <p>Scores moyens (0 à 100) des répondants à l’autodiagnostic et aux enquêtes importées, par territoire, secteur et taille. Un groupe de moins de ${PUBLICATION_THRESHOLD} répondants n’est pas publié (seul son effectif l’est). API : <code>GET /api/v1/maturite/indicateurs/{niveau}/{code}</code>.</p>
      <form method="get" action="/ressources/maturite/indicateurs" class="fr-mb-3w"><div class="fr-grid-row fr-grid-row--gutters">
        <div class="fr-col-12 fr-col-md-5"><div class="fr-select-group"><label class="fr-label" for="i-niveau">Regrouper par</label><select class="fr-select" id="i-niveau" name="niveau">${Object.entries(NIVEAU_LABEL).map(([v, lab]) => html`<option value="${v}"${niveau === v ? raw(' selected') : ''}>${lab}</option>`)}</select></div></div>
        <div class="fr-col-12 fr-col-md-5"><div class="fr-select-group"><label class="fr-label" for="i-campagne">Campagne</label><select class="fr-select" id="i-campagne" name="campagne"><option value="">— toutes —</option>${campagnes.map((c) => html`<option value="${c.code}"${campagne === c.code ? raw(' selected') : ''}>${c.libelle}</option>`)}</select></div></div>
        <div class="fr-col-12 fr-col-md-2"><button class="fr-btn fr-mt-4w" type="submit">Afficher</button></div></div></form>
      ${
        groups.length
          ? html`<div class="fr-table" id="indicateurs"><table><caption>Score moyen par dimension — ${NIVEAU_LABEL[niveau]}, ${campagne ? (campagnes.find((c) => c.code === campagne)?.libelle ?? campagne) : 'toutes campagnes'} (${fmtInt(total)} répondants) — ${rangeLabel(pager, 'groupes')}</caption>
      <thead><tr><th scope="col">${NIVEAU_LABEL[niveau]}</th><th scope="col">Répondants</th>${dims.map((d) => html`<th scope="col">${d.libelle}</th>`)}</tr></thead>
      <tbody>${groups.map((g, i) => html`<tr><th scope="row">${names[i]}</th><td>${fmtInt(g.indicator.repondants)}</td>${'dimensions' in g.indicator ? dims.map((d) => html`<td>${(g.indicator as { dimensions: Record<string, { score_moyen: number }> }).dimensions[d.slug]?.score_moyen.toLocaleString('fr-FR') ?? '—'}</td>`) : html`<td colspan="${dims.length}">masqué (moins de ${PUBLICATION_THRESHOLD} répondants)</td>`}</tr>`)}</tbody></table></div>
      ${pagination(pager, (n) => pageHref(req.url, 'page', n, 'indicateurs'), 'groupes de répondants')}`
          : html`<p>Aucun répondant pour ce regroupement.</p>`
      }
      ${observatorySource(`Périmètre : ${campagne ? `campagne ${campagne}` : 'toutes les campagnes'}. Méthode : moyenne des scores des répondants du groupe ; ${METHOD} Le territoire est celui de la commune du siège déclarée, rattachée à son EPCI, son département et sa région au moment de la réponse.`)}`,
    });
  });
}
