import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { fmtDay, type Html, html, raw } from '../http/html.ts';
import { alert } from '../http/layout.ts';
import { Id } from '../http/schemas.ts';
import { actionLevels, SlugParams, strategyOr404 } from './api.ts';
import { actionForms, linksBlock, measureForm } from './edit-routes.ts';
import { filterChoices, findNodes } from './finder.ts';
import { mayEdit, mayShape } from './policy.ts';
import { ActionFilterSchema, FINANCEUR_LABEL, STATUT_ACTION_LABEL, STATUTS_ACTION } from './schema.ts';
import { actionLinks, flatten, indicatorViews, listStrategies, strategyHistory, strategyTree } from './service.ts';
import { newNodeForm, organisationsForForms, ownerForm } from './shape-routes.ts';
import {
  budgetTable,
  eur,
  indicatorChart,
  indicatorSources,
  indicatorStatus,
  levelLabel,
  measuresTable,
  num,
  statusBadge,
  treeList,
} from './views.ts';

const SlugId = SlugParams.extend({ id: Id });
const NIVEAU_LABEL: Record<string, string> = {
  region: 'Région',
  departement: 'Département',
  epci: 'EPCI',
  commune: 'Commune',
};
const territoryLabel = (key: string) => {
  const [niveau = '', code = ''] = key.split(':');
  return `${NIVEAU_LABEL[niveau] ?? niveau} ${code}`;
};

export function registerStrategyPages(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/strategie', async (req, reply) => {
    const list = await listStrategies(ctx.db);
    return ctx.render(req, reply, {
      title: 'Stratégie régionale',
      breadcrumb: [{ label: 'Stratégie régionale' }],
      main: html`<h1 class="fr-mt-2w">Stratégie régionale</h1>
      <p>Le suivi des stratégies numériques : leur arbre (enjeux, défis, orientations, actions…), l’avancement et le statut de chaque niveau, les porteurs, budgets et jalons des actions, et les indicateurs avec leur trajectoire.</p>
      ${
        list.length
          ? html`<ul>${list.map((s) => html`<li><a href="/strategie/${s.slug}">${s.titre}</a> (${s.debut}–${s.fin}, région ${s.region})</li>`)}</ul>`
          : html`<p>Aucune stratégie n’est encore chargée. Un administrateur peut en importer une, ou partir d’un modèle : <code>npm run cli -- import strategie --option modele=scoran-bfc</code> (ou <code>modele=normandie-2017</code>).</p>`
      }`,
    });
  });

  r.get('/strategie/:slug', { schema: { params: SlugParams } }, async (req, reply) => {
    const s = await strategyOr404(ctx, req.params.slug);
    const [tree, inds] = await Promise.all([strategyTree(ctx.db, s.id), indicatorViews(ctx.db, s)]);
    const levels = actionLevels(s);
    const all = flatten(tree);
    const counts = s.niveaux.map((l) => `${all.filter((n) => n.niveau === l.code).length} ${l.pluriel.toLowerCase()}`);
    return ctx.render(req, reply, {
      title: s.titre,
      breadcrumb: [{ label: 'Stratégie régionale', href: '/strategie' }, { label: s.titre }],
      main: html`<h1 class="fr-mt-2w">${s.titre}</h1>
      <p>${s.debut}–${s.fin} · ${counts.join(', ')}.${s.resume ? html` ${s.resume}` : ''}</p>
      ${s.principes.length ? html`<p>Principes et thèmes : ${s.principes.map((p) => html`<span class="fr-tag fr-tag--sm fr-mr-1v">${p.libelle}</span>`)}</p>` : ''}
      <h2>Arbre de la stratégie</h2>
      <p class="fr-text--sm">Avancement saisi par les porteurs, sinon moyenne pondérée des éléments non abandonnés ; statut saisi, sinon déduit des éléments qui le composent.</p>
      ${treeList(s, tree, levels)}
      <h2>Indicateurs</h2>
      <div class="fr-table fr-table--sm"><table><caption>Indicateurs de suivi (${inds.length})</caption>
      <thead><tr><th scope="col">Code</th><th scope="col">Indicateur</th><th scope="col" class="pan-num">Dernière mesure</th><th scope="col" class="pan-num">Cible</th><th scope="col">Échéance</th><th scope="col">Statut</th></tr></thead>
      <tbody>${inds.map((i) => {
        const last = i.mesures.at(-1);
        return html`<tr><td>${i.code}</td><td><a href="/strategie/${s.slug}/indicateurs/${i.id}">${i.libelle}</a></td><td class="pan-num">${last ? `${num(last.valeur)} ${i.unite} (${fmtDay(last.mesure_le)})` : '—'}</td><td class="pan-num">${i.cible === null ? '—' : `${num(i.cible)} ${i.unite}`}</td><td>${i.date_cible ? fmtDay(i.date_cible) : '—'}</td><td>${indicatorStatus(i)}</td></tr>`;
      })}</tbody></table></div>
      ${
        s.financements.length
          ? html`<h2>Financement prévu par le document</h2><ul>${s.financements.map((f) => html`<li>${FINANCEUR_LABEL[f.financeur as keyof typeof FINANCEUR_LABEL] ?? f.financeur} — ${f.libelle} : ${f.montant_min !== undefined && f.montant_max !== undefined && f.montant_min !== f.montant_max ? `${eur(f.montant_min)} à ${eur(f.montant_max)}` : f.montant_min !== undefined ? eur(f.montant_min) : '—'}${f.periode ? ` (${f.periode})` : ''}</li>`)}</ul>`
          : ''
      }
      ${s.document ? html`<p class="fr-text--sm">Source : ${s.document.editeur}, « ${s.document.titre} », ${s.document.date}. Titres résumés par la plateforme.</p>` : ''}
      ${mayShape(req) ? newNodeForm(s, all, await organisationsForForms(ctx), req.csrfToken) : ''}
      <p><a href="/strategie/${s.slug}/actions">Rechercher et filtrer les actions</a> · <a href="/strategie/${s.slug}/revues">Revues du comité de pilotage et décisions</a> · <a href="/strategie/${s.slug}/changements">Ce qui a changé depuis la dernière revue</a></p>
      <p class="fr-text--sm">Données : <a href="/api/v1/strategies/${s.slug}/export.csv">feuille de route (CSV)</a>, <a href="/api/v1/strategies/${s.slug}">arbre (JSON)</a>, <a href="/api/v1/strategies/${s.slug}/actions">actions (JSON)</a>, <a href="/api/v1/strategies/${s.slug}/indicateurs">indicateurs (JSON)</a>.</p>`,
    });
  });

  r.get(
    '/strategie/:slug/actions',
    { schema: { params: SlugParams, querystring: ActionFilterSchema } },
    async (req, reply) => {
      const s = await strategyOr404(ctx, req.params.slug);
      const tree = await strategyTree(ctx.db, s.id);
      const f = req.query;
      const levels = actionLevels(s);
      const found = findNodes(tree, f);
      const { owners, territories } = filterChoices(tree);
      const option = (value: string, label: string, current: string | number | undefined) =>
        html`<option value="${value}"${String(current ?? '') === value ? raw(' selected') : ''}>${label}</option>`;
      const select = (id: string, label: string, options: Html[]) =>
        html`<div class="fr-select-group fr-col-12 fr-col-md-4"><label class="fr-label" for="f-${id}">${label}</label><select class="fr-select" id="f-${id}" name="${id}"><option value="">Tous</option>${options}</select></div>`;
      return ctx.render(req, reply, {
        title: `Rechercher dans la stratégie — ${s.titre}`,
        breadcrumb: [
          { label: 'Stratégie régionale', href: '/strategie' },
          { label: s.titre, href: `/strategie/${s.slug}` },
          { label: 'Recherche' },
        ],
        main: html`<h1 class="fr-mt-2w">Rechercher dans la stratégie</h1>
      <form method="get" action="/strategie/${s.slug}/actions" class="fr-mb-4w"><div class="fr-grid-row fr-grid-row--gutters">
      <div class="fr-input-group fr-col-12 fr-col-md-4"><label class="fr-label" for="f-q">Texte (code, titre, description, porteur)</label><input class="fr-input" id="f-q" name="q" value="${f.q ?? ''}" maxlength="200"></div>
      ${select(
        'niveau',
        'Niveau',
        s.niveaux.map((l) => option(l.code, l.libelle, f.niveau)),
      )}
      ${select(
        'statut',
        'Statut',
        STATUTS_ACTION.map((st) => option(st, STATUT_ACTION_LABEL[st], f.statut)),
      )}
      ${select(
        'porteur',
        'Porteur',
        owners.map(([id, nom]) => option(String(id), nom, f.porteur)),
      )}
      ${select(
        'principe',
        'Principe',
        s.principes.map((p) => option(p.code, p.libelle, f.principe)),
      )}
      ${select(
        'territoire',
        'Territoire',
        territories.map((t) => option(t, territoryLabel(t), f.territoire)),
      )}
      </div><button class="fr-btn" type="submit">Filtrer</button> <a class="fr-btn fr-btn--tertiary" href="/strategie/${s.slug}/actions">Effacer les filtres</a></form>
      <p class="fr-text--sm">Un principe ou un territoire porté par un élément vaut pour ce qu’il contient.</p>
      <div class="fr-table fr-table--sm"><table><caption>${found.length} élément(s) trouvé(s)</caption>
      <thead><tr><th scope="col">Niveau</th><th scope="col">Code</th><th scope="col">Titre</th><th scope="col">Dans</th><th scope="col">Statut</th><th scope="col" class="pan-num">Avancement</th><th scope="col">Porteur</th></tr></thead>
      <tbody>${found.map(
        ({ n, path }) =>
          html`<tr><td>${levelLabel(s, n.niveau)}</td><td>${n.code}</td><td>${levels.has(n.niveau) ? html`<a href="/strategie/${s.slug}/actions/${n.id}">${n.titre}</a>` : n.titre}</td><td>${path.map((x) => x.code).join(' › ')}</td><td>${statusBadge(n.statut_calcule)}</td><td class="pan-num">${num(Math.round(n.avancement_calcule))} %</td><td>${n.porteur ?? '—'}</td></tr>`,
      )}</tbody></table></div>`,
      });
    },
  );

  r.get('/strategie/:slug/actions/:id', { schema: { params: SlugId } }, async (req, reply) => {
    const s = await strategyOr404(ctx, req.params.slug);
    const node = flatten(await strategyTree(ctx.db, s.id)).find((n) => n.id === req.params.id);
    if (!node) throw new AppError('INTROUVABLE', `noeud ${req.params.id}`, 'Cette action n’existe pas (ou plus).');
    const history = await strategyHistory(ctx.db, { strategieId: s.id, noeudId: node.id }, 50);
    const liens = await actionLinks(ctx.db, node.id);
    const label = `${levelLabel(s, node.niveau)} ${node.code}`;
    return ctx.render(req, reply, {
      title: `${label} — ${node.titre}`,
      breadcrumb: [
        { label: 'Stratégie régionale', href: '/strategie' },
        { label: s.titre, href: `/strategie/${s.slug}` },
        { label },
      ],
      main: html`<h1 class="fr-mt-2w">${node.titre}</h1>
      ${(req.query as { ok?: string }).ok ? alert('success', 'Modification enregistrée.') : ''}
      <p>${label} · ${statusBadge(node.statut_calcule)} · avancement ${num(Math.round(node.avancement_calcule))} %</p>
      ${node.description ? html`<p>${node.description}</p>` : ''}
      <dl>
        <dt>Porteur</dt><dd>${node.porteur ?? 'non attribué (administrateurs seulement)'}</dd>
        ${node.contact ? html`<dt>Contact</dt><dd>${node.contact}</dd>` : ''}
        ${node.partenaires.length ? html`<dt>Partenaires</dt><dd>${node.partenaires.join(', ')}</dd>` : ''}
        <dt>Calendrier</dt><dd>${node.debut ? `du ${fmtDay(node.debut)}` : 'début non daté'} ${node.fin ? `au ${fmtDay(node.fin)}` : ''}</dd>
        ${node.territoires.length ? html`<dt>Territoires</dt><dd>${node.territoires.map((t) => `${t.niveau} ${t.code}`).join(', ')}</dd>` : ''}
      </dl>
      ${node.enfants.length ? html`<h2>Composantes</h2>${treeList(s, node.enfants, actionLevels(s))}` : ''}
      <h2>Jalons</h2>
      ${
        node.jalons.length
          ? html`<ul>${node.jalons.map((j) => html`<li>${fmtDay(j.prevu_le)} — ${j.titre} : ${j.fait ? `fait${j.fait_le ? ` le ${fmtDay(j.fait_le)}` : ''}` : j.prevu_le < new Date().toISOString().slice(0, 10) ? 'en retard' : 'à venir'}</li>`)}</ul>`
          : html`<p>Aucun jalon saisi.</p>`
      }
      <h2>Documents et liens</h2>
      ${linksBlock(s.slug, node.id, liens, mayEdit(req, node.porteur_id) ? req.csrfToken : null)}
      <h2>Budget</h2>
      <p>Total (composantes comprises) : prévu ${eur(node.budget_total.prevu)}, engagé ${eur(node.budget_total.engage)}, réalisé ${eur(node.budget_total.realise)}.</p>
      ${budgetTable(node.budgets, `Lignes de budget de ${label}`)}
      ${mayEdit(req, node.porteur_id) ? actionForms(s.slug, node, req.csrfToken) : ''}
      ${mayShape(req) ? ownerForm(s.slug, node, await organisationsForForms(ctx), req.csrfToken) : ''}
      <h2>Historique</h2>
      ${
        history.length
          ? html`<ol class="pan-historique">${history.map((h) => html`<li>${fmtDay(h.le.toISOString().slice(0, 10))} — ${h.operation} (${h.objet}) par ${h.auteur}</li>`)}</ol>`
          : html`<p>Aucune modification enregistrée.</p>`
      }`,
    });
  });

  r.get('/strategie/:slug/indicateurs/:id', { schema: { params: SlugId } }, async (req, reply) => {
    const s = await strategyOr404(ctx, req.params.slug);
    const i = (await indicatorViews(ctx.db, s)).find((x) => x.id === req.params.id);
    if (!i) throw new AppError('INTROUVABLE', `indicateur ${req.params.id}`, 'Cet indicateur n’existe pas (ou plus).');
    const e = i.evaluation;
    const owner =
      req.viewer && i.noeud_id !== null
        ? (flatten(await strategyTree(ctx.db, s.id)).find((x) => x.id === i.noeud_id)?.porteur_id ?? null)
        : null;
    const canMeasure = mayEdit(req, owner, 'saisir-mesure');
    return ctx.render(req, reply, {
      title: `${i.code} — ${i.libelle}`,
      breadcrumb: [
        { label: 'Stratégie régionale', href: '/strategie' },
        { label: s.titre, href: `/strategie/${s.slug}` },
        { label: `Indicateur ${i.code}` },
      ],
      main: html`<h1 class="fr-mt-2w">${i.libelle}</h1>
      ${(req.query as { ok?: string }).ok ? alert('success', 'Mesure enregistrée.') : ''}
      <dl>
        ${i.definition ? html`<dt>Définition</dt><dd>${i.definition}</dd>` : ''}
        <dt>Unité</dt><dd>${i.unite}</dd>
        <dt>Valeur initiale</dt><dd>${i.valeur_initiale === null ? 'non fixée (la première mesure sert de point de départ)' : `${num(i.valeur_initiale)} au ${fmtDay(i.date_initiale)}`}</dd>
        <dt>Cible</dt><dd>${i.cible === null ? 'aucune cible chiffrée' : `${num(i.cible)} ${i.unite}`}${i.date_cible ? ` au ${fmtDay(i.date_cible)}` : i.cible !== null ? ' (sans échéance)' : ''}</dd>
        <dt>Statut</dt><dd>${indicatorStatus(i)}${e.attendu !== null ? ` — valeur attendue sur la trajectoire : ${num(Math.round(e.attendu * 100) / 100)} ${i.unite}` : ''}</dd>
        <dt>Date projetée d’atteinte de la cible</dt><dd>${e.date_projetee ? `${fmtDay(e.date_projetee)} (tendance des dernières mesures, pas une mesure)` : 'non calculable'}</dd>
        ${i.source_donnees ? html`<dt>Source prévue par la stratégie</dt><dd>${i.source_donnees}</dd>` : ''}
        ${i.frequence ? html`<dt>Fréquence</dt><dd>${i.frequence}</dd>` : ''}
        ${i.fournisseur ? html`<dt>Calcul automatique</dt><dd>fournisseur <code>${i.fournisseur}</code>${i.message_fournisseur ? ` : ${i.message_fournisseur}` : ' (recalculé après chaque import qui l’alimente)'}</dd>` : ''}
      </dl>
      <h2>Mesures, trajectoire et cible</h2>
      ${indicatorChart(i)}
      ${measuresTable(i)}
      ${indicatorSources(s, i)}
      ${canMeasure ? measureForm(s.slug, i.id, i.unite, req.csrfToken) : ''}`,
    });
  });
}
