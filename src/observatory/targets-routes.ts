import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { audit } from '../accounts/audit.ts';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { fmtPct, type Html, html } from '../http/html.ts';
import { alert } from '../http/layout.ts';
import { CsrfField, Id, IsoDate, OptionalId, text } from '../http/schemas.ts';
import { clearObservatoryCache } from './cache.ts';
import { authorizeObjectif, dropObjectifOwner, objectifEditing, saveObjectifOwner } from './policy.ts';
import * as Q from './queries.ts';
import { INDICATEUR_LABEL, INDICATEURS, type Indicateur, PERIMETRE_LABEL, type PerimetreMci } from './service.ts';
import { dateFr } from './targets.ts';

const HEAD = html`<link rel="stylesheet" href="/static/observatory.css">`;

const pct = z
  .string()
  .trim()
  .transform((s) => Number(s.replace(',', '.').replace('%', '')))
  .pipe(
    z
      .number({ error: 'nombre attendu' })
      .gt(0, 'la cible doit être supérieure à 0 %')
      .max(100, 'la cible ne peut dépasser 100 %'),
  );
const ObjectifFormSchema = z.object({
  ...CsrfField,
  libelle: text(200, 3, 'libellé trop court'),
  strategie: text(200, 2, 'stratégie à préciser'),
  territoire_niveau: z.enum(['france', 'region', 'departement', 'epci', 'commune']),
  territoire_code: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[0-9A-Z]{2,9}$/, 'code INSEE, SIREN ou FR attendu'),
  indicateur: z.enum(INDICATEURS),
  cible_pct: pct,
  echeance: IsoDate,
  source: text(500, 2, 'source à préciser'),
  note: text(1000).optional().default(''),
  actif: z.string().max(10).optional(),
  organisationId: OptionalId.optional(),
  /** Technology scope the target is measured on; FttH targets are always read on the FttH observatory. */
  perimetre: z.enum(['toutes', 'terrestre', 'filaire']).optional().default('terrestre'),
});

function objectifForm(o: Partial<Q.ObjectifRow> & { id?: number }, csrf: string, ownerField: Html = html``): Html {
  const id = o.id ?? 'nouveau';
  const f = (name: string) => `obj-${id}-${name}`;
  return html`<form method="post" action="${o.id ? `/observatoire/objectifs/${o.id}` : '/observatoire/objectifs'}" class="fr-mb-3w">
  <input type="hidden" name="_csrf" value="${csrf}">
  <div class="fr-grid-row fr-grid-row--gutters">
  <div class="fr-col-12 fr-col-md-6 fr-input-group"><label class="fr-label" for="${f('libelle')}">Libellé</label><input class="fr-input" id="${f('libelle')}" name="libelle" required value="${o.libelle ?? ''}"></div>
  <div class="fr-col-12 fr-col-md-6 fr-input-group"><label class="fr-label" for="${f('strategie')}">Stratégie</label><input class="fr-input" id="${f('strategie')}" name="strategie" required value="${o.strategie ?? ''}"></div>
  <div class="fr-col-6 fr-col-md-3 fr-select-group"><label class="fr-label" for="${f('niveau')}">Territoire (niveau)</label><select class="fr-select" id="${f('niveau')}" name="territoire_niveau">${(['france', 'region', 'departement', 'epci', 'commune'] as const).map((n) => html`<option value="${n}"${o.territoire_niveau === n ? html` selected` : ''}>${n}</option>`)}</select></div>
  <div class="fr-col-6 fr-col-md-3 fr-input-group"><label class="fr-label" for="${f('code')}">Code du territoire <span class="fr-hint-text">INSEE, SIREN ou FR</span></label><input class="fr-input" id="${f('code')}" name="territoire_code" required value="${o.territoire_code ?? ''}"></div>
  <div class="fr-col-12 fr-col-md-6 fr-select-group"><label class="fr-label" for="${f('ind')}">Indicateur</label><select class="fr-select" id="${f('ind')}" name="indicateur">${INDICATEURS.map((i) => html`<option value="${i}"${o.indicateur === i ? html` selected` : ''}>${INDICATEUR_LABEL[i]}</option>`)}</select></div>
  <div class="fr-col-12 fr-col-md-6 fr-select-group"><label class="fr-label" for="${f('per')}">Technologies mesurées <span class="fr-hint-text">sans objet pour le taux FttH</span></label><select class="fr-select" id="${f('per')}" name="perimetre">${(['terrestre', 'filaire', 'toutes'] as const).map((x) => html`<option value="${x}"${o.perimetre === x ? html` selected` : ''}>${PERIMETRE_LABEL[x]}</option>`)}</select></div>
  <div class="fr-col-6 fr-col-md-3 fr-input-group"><label class="fr-label" for="${f('cible')}">Cible (%)</label><input class="fr-input" id="${f('cible')}" name="cible_pct" inputmode="decimal" required value="${o.cible === undefined ? '' : String(Math.round(o.cible * 1000) / 10).replace('.', ',')}"></div>
  <div class="fr-col-6 fr-col-md-3 fr-input-group"><label class="fr-label" for="${f('echeance')}">Échéance</label><input class="fr-input" type="date" id="${f('echeance')}" name="echeance" required value="${o.echeance ?? ''}"></div>
  <div class="fr-col-12 fr-col-md-6 fr-input-group"><label class="fr-label" for="${f('source')}">Source</label><input class="fr-input" id="${f('source')}" name="source" required value="${o.source ?? ''}"></div>
  <div class="fr-col-12 fr-input-group"><label class="fr-label" for="${f('note')}">Note</label><input class="fr-input" id="${f('note')}" name="note" value="${o.note ?? ''}"></div>
  <div class="fr-col-12 fr-checkbox-group"><input type="checkbox" id="${f('actif')}" name="actif" value="1"${o.actif === false ? '' : html` checked`}><label class="fr-label" for="${f('actif')}">Actif (affiché et suivi)</label></div>
  ${ownerField}
  </div>
  <ul class="fr-btns-group fr-btns-group--inline-md fr-mt-2w"><li><button class="fr-btn" type="submit">${o.id ? 'Enregistrer' : 'Ajouter l’objectif'}</button></li>
  ${o.id ? html`<li><button class="fr-btn fr-btn--tertiary" type="submit" formaction="/observatoire/objectifs/${o.id}/suppression">Supprimer</button></li>` : ''}</ul>
</form>`;
}

function parseObjectif(body: unknown): Q.ObjectifInput {
  const parsed = ObjectifFormSchema.safeParse(body);
  if (!parsed.success) {
    throw new AppError(
      'REQUETE_INVALIDE',
      parsed.error.message,
      `Objectif invalide : ${parsed.error.issues.map((i) => `${i.path.join('.')} — ${i.message}`).join(' ; ')}.`,
    );
  }
  const d = parsed.data;
  return {
    libelle: d.libelle,
    strategie: d.strategie,
    territoire_niveau: d.territoire_niveau,
    territoire_code: d.territoire_niveau === 'france' ? 'FR' : d.territoire_code,
    indicateur: d.indicateur,
    cible: d.cible_pct / 100,
    echeance: d.echeance,
    source: d.source,
    note: d.note || null,
    actif: d.actif === '1' || d.actif === 'on',
    perimetre: d.indicateur === 'taux_ftth' ? 'ftth' : d.perimetre,
  };
}

export function registerTargetPages(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const IdSchema = z.object({ id: Id });

  r.get(
    '/observatoire/objectifs',
    { schema: { querystring: z.object({ ok: z.string().max(20).optional() }) } },
    async (req, reply) => {
      const list = await Q.listObjectifs(ctx.db);
      const edit = await objectifEditing(req, ctx.db);
      const editable = list.filter((o) => edit.mayEdit(o.id));
      return ctx.render(req, reply, {
        title: 'Objectifs de couverture',
        head: HEAD,
        breadcrumb: [{ label: 'Observatoire', href: '/observatoire' }, { label: 'Objectifs' }],
        main: html`<h1 class="fr-mt-2w">Objectifs de couverture</h1>
      ${req.query.ok ? alert('success', req.query.ok === 'supprime' ? 'Objectif supprimé.' : 'Objectif enregistré.') : ''}
      <p>Les objectifs des stratégies (SCORAN de Bourgogne-Franche-Comté, stratégie numérique de la Normandie, société européenne du gigabit) sont des données : chaque territoire est comparé à ceux qui s’appliquent à lui (les siens, ceux de ses territoires parents et les objectifs nationaux ou européens).${req.viewer ? '' : ' Les administrateurs et les éditeurs des organisations qui les portent peuvent les modifier.'}</p>
      <div class="fr-table"><table><caption>Objectifs (${list.length})</caption>
      <thead><tr><th scope="col">Objectif</th><th scope="col">Stratégie</th><th scope="col">Territoire</th><th scope="col">Indicateur</th><th scope="col">Technologies mesurées</th><th scope="col" class="pan-num">Cible</th><th scope="col">Échéance</th><th scope="col">Source</th><th scope="col">Actif</th></tr></thead>
      <tbody>${list.map((o) => html`<tr><td>${o.libelle}</td><td>${o.strategie}</td><td>${o.territoire_niveau === 'france' ? 'France (tous territoires)' : `${o.territoire_niveau} ${o.territoire_code}`}</td><td>${INDICATEUR_LABEL[o.indicateur as Indicateur] ?? o.indicateur}</td><td>${PERIMETRE_LABEL[o.perimetre as PerimetreMci | 'ftth'] ?? o.perimetre}</td><td class="pan-num">${fmtPct(o.cible)}</td><td>${dateFr(o.echeance)}</td><td>${o.source}${o.note ? html`<br><span class="fr-text--xs">${o.note}</span>` : ''}${edit.ownerName(o.id) ? html`<br><span class="fr-text--xs">Porté par ${edit.ownerName(o.id)}</span>` : ''}</td><td>${o.actif ? 'oui' : 'non'}</td></tr>`)}</tbody></table></div>
      ${editable.length ? html`<h2>Modifier les objectifs</h2>${editable.map((o) => html`<h3 class="fr-h6">${o.libelle}</h3>${objectifForm(o, req.csrfToken, edit.ownerField(o.id))}`)}` : ''}
      ${edit.mayCreate ? html`<h2>Ajouter un objectif</h2>${objectifForm({}, req.csrfToken, edit.ownerField())}` : ''}`,
      });
    },
  );

  r.post('/observatoire/objectifs', async (req, reply) => {
    const { actor, owner } = await authorizeObjectif(req, ctx.db, 'creer', null);
    const input = parseObjectif(req.body);
    await ctx.db.transaction(async (tx) => {
      const id = await Q.insertObjectif(tx, input);
      const organisation_id = await saveObjectifOwner(req, tx, id, owner);
      await audit(tx, actor, 'creation', { type: 'objectif', id }, null, { ...input, organisation_id });
    });
    clearObservatoryCache(ctx);
    return reply.redirect('/observatoire/objectifs?ok=1', 303);
  });

  r.post('/observatoire/objectifs/:id', { schema: { params: IdSchema } }, async (req, reply) => {
    const { actor, owner } = await authorizeObjectif(req, ctx.db, 'modifier', req.params.id);
    const input = parseObjectif(req.body);
    await ctx.db.transaction(async (tx) => {
      const before = await Q.getObjectif(tx, req.params.id);
      if (!before)
        throw new AppError('INTROUVABLE', `objectif ${req.params.id}`, 'Cet objectif n’existe pas (ou plus).');
      await Q.updateObjectif(tx, req.params.id, input);
      const organisation_id = await saveObjectifOwner(req, tx, req.params.id, owner);
      await audit(
        tx,
        actor,
        'modification',
        { type: 'objectif', id: req.params.id },
        { ...before, organisation_id: owner },
        { ...input, organisation_id },
      );
    });
    clearObservatoryCache(ctx);
    return reply.redirect('/observatoire/objectifs?ok=1', 303);
  });

  r.post('/observatoire/objectifs/:id/suppression', { schema: { params: IdSchema } }, async (req, reply) => {
    const { actor, owner } = await authorizeObjectif(req, ctx.db, 'supprimer', req.params.id);
    await ctx.db.transaction(async (tx) => {
      const before = await Q.getObjectif(tx, req.params.id);
      if (!before)
        throw new AppError('INTROUVABLE', `objectif ${req.params.id}`, 'Cet objectif n’existe pas (ou plus).');
      await Q.deleteObjectif(tx, req.params.id);
      await dropObjectifOwner(tx, req.params.id);
      await audit(
        tx,
        actor,
        'suppression',
        { type: 'objectif', id: req.params.id },
        { ...before, organisation_id: owner },
        null,
      );
    });
    clearObservatoryCache(ctx);
    return reply.redirect('/observatoire/objectifs?ok=supprime', 303);
  });
}
