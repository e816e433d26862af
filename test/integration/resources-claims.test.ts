import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ownerOf } from '../../src/accounts/ownership.ts';
import { userByEmail } from '../../src/accounts/queries.ts';
import { createUser, openSession } from '../../src/accounts/service.ts';
import { backends, setup } from '../helpers.ts';

/** An organisation claims its actor card; an administrator validates or refuses; its editors then edit it. */
for (const backend of backends()) {
  describe(`resources: claims of actor cards (${backend.name})`, () => {
    let t: Awaited<ReturnType<typeof setup>>;
    const cookies: Record<'edB' | 'edC' | 'admin', string> = { edB: '', edC: '', admin: '' };
    const orgs: Record<'B' | 'C', number> = { B: 0, C: 0 };
    const get = (url: string, who?: keyof typeof cookies) =>
      t.app.inject({ method: 'GET', url, headers: who ? { cookie: cookies[who] } : {} });
    const post = async (who: keyof typeof cookies, url: string, form: Record<string, string | string[]>) => {
      const csrf = /name="_csrf" value="([^"]+)"/.exec((await get('/ressources/acteurs/nouveau', who)).body)?.[1] ?? '';
      const body = new URLSearchParams({ _csrf: csrf });
      for (const [k, v] of Object.entries(form)) for (const x of [v].flat()) body.append(k, x);
      return t.app.inject({
        method: 'POST',
        url,
        headers: { cookie: cookies[who], 'content-type': 'application/x-www-form-urlencoded' },
        payload: body.toString(),
      });
    };
    let card = '';
    const cardId = () => card.split('/').at(-1)!;
    const cardForm = (nom: string) => ({
      nom,
      categorie: 'tiers-lieu',
      niveau: 'departement',
      code_territoire: '21',
      themes: 'inclusion-numerique',
      description: 'Tiers-lieu et fablab de la Côte-d’Or.',
    });
    before(async () => {
      t = await setup(backend);
      const org = async (nom: string) =>
        (
          await t.db.query<{ id: number }>(`INSERT INTO organisation (nom, type) VALUES ($1, 'autre') RETURNING id`, [
            nom,
          ])
        ).rows[0]!.id;
      orgs.B = await org('La Fabrique 21');
      orgs.C = await org('Doubs THD');
      const people = [
        ['edB', 'b@claims.fr', 'editeur', orgs.B],
        ['edC', 'c@claims.fr', 'editeur', orgs.C],
        ['admin', 'admin@claims.fr', 'administrateur', null],
      ] as const;
      for (const [who, email, role, organisationId] of people) {
        await createUser(
          t.db,
          { id: null, label: 'test' },
          { email, nom: `Personne ${who}`, motDePasse: 'correct horse battery', role, organisationId },
        );
        cookies[who] = `pan_session=${(await openSession(t.db, (await userByEmail(t.db, email))!)).token}`;
      }
      // A card entered by an administrator, owned by no organisation.
      const r = await post('admin', '/ressources/acteurs', { ...cardForm('La Fabrique'), organisationId: '' });
      assert.equal(r.statusCode, 303, r.body);
      card = String(r.headers.location);
    });
    after(async () => t.close());

    const actions = async () =>
      (
        await t.db.query<{ action: string }>(
          "SELECT action FROM journal_audit WHERE objet_type = 'acteur' AND objet_id = $1 ORDER BY id",
          [cardId()],
        )
      ).rows.map((x) => x.action);

    test('a member asks to manage the card, with a reason; one open claim per organisation', async () => {
      assert.match((await get(card, 'edB')).body, /Demander à gérer la fiche/);
      assert.doesNotMatch((await get(card)).body, /Demander à gérer la fiche/);
      assert.equal((await post('edB', `${card}/revendication`, { motif: 'nous' })).statusCode, 400);
      const r = await post('edB', `${card}/revendication`, { motif: 'Nous sommes l’association qui gère <ce lieu>.' });
      assert.equal(r.statusCode, 303, r.body);
      assert.match((await get(card, 'edB')).body, /en attente de décision/);
      const again = await post('edB', `${card}/revendication`, {
        motif: 'Nous sommes l’association qui gère ce lieu.',
      });
      assert.equal(again.statusCode, 400);
      assert.match(again.body, /déjà une demande en attente/);
      // Not an owner yet.
      assert.equal((await post('edB', card, cardForm('La Fabrique 21'))).statusCode, 403);
      const queue = await get('/ressources/revendications', 'admin');
      assert.match(queue.body, /Demandes en attente \(1\)/);
      assert.match(queue.body, /Nous sommes l’association qui gère &lt;ce lieu&gt;\./);
      assert.equal((await get('/ressources/revendications', 'edB')).statusCode, 403);
    });

    test('refusal: a reason is required, the member sees it, the card stays the administrators’', async () => {
      const id = (
        await t.db.query<{ id: number }>("SELECT id::int AS id FROM acteur_revendication WHERE statut = 'en_attente'")
      ).rows[0]!.id;
      assert.equal(
        (await post('edB', `/ressources/revendications/${id}/refuser`, { motif_refus: 'non' })).statusCode,
        403,
      );
      assert.equal(
        (await post('admin', `/ressources/revendications/${id}/refuser`, { motif_refus: '' })).statusCode,
        400,
      );
      const r = await post('admin', `/ressources/revendications/${id}/refuser`, {
        motif_refus: 'Précisez votre SIREN',
      });
      assert.equal(r.statusCode, 303, r.body);
      assert.equal(await ownerOf(t.db, 'acteur', Number(cardId())), null);
      assert.match((await get(card, 'edB')).body, /refusée — motif : « Précisez votre SIREN »/);
      assert.equal((await post('admin', `/ressources/revendications/${id}/valider`, {})).statusCode, 404);
    });

    test('validation: the organisation owns the card, its editors edit it, another organisation’s may not', async () => {
      await post('edB', `${card}/revendication`, { motif: 'SIREN 123456789, association gestionnaire du lieu.' });
      const id = (
        await t.db.query<{ id: number }>("SELECT id::int AS id FROM acteur_revendication WHERE statut = 'en_attente'")
      ).rows[0]!.id;
      const r = await post('admin', `/ressources/revendications/${id}/valider`, {});
      assert.equal(r.statusCode, 303, r.body);
      assert.equal((await ownerOf(t.db, 'acteur', Number(cardId())))?.organisationId, orgs.B);
      const edit = await post('edB', card, cardForm('La Fabrique 21 — tiers-lieu'));
      assert.equal(edit.statusCode, 303, edit.body);
      assert.match((await get(card)).body, /<h1 class="fr-mt-2w">La Fabrique 21 — tiers-lieu<\/h1>/);
      assert.match((await get(card)).body, /Fiche tenue par<\/th><td>La Fabrique 21</);
      assert.equal((await post('edC', card, cardForm('Pris par C'))).statusCode, 403);
      // The owner does not claim its own card; another organisation still may ask.
      assert.equal((await post('edB', `${card}/revendication`, { motif: 'Encore nous, pour voir.' })).statusCode, 403);
      assert.doesNotMatch((await get(card, 'edB')).body, /Demander à gérer la fiche/);
      assert.match((await get(card, 'edC')).body, /Demander à gérer la fiche/);
      assert.deepEqual(await actions(), [
        'creation',
        'revendication',
        'revendication-refusee',
        'revendication',
        'revendication-validee',
        'modification',
      ]);
      const j = await t.db.query<{ avant: { organisation_id: number | null }; apres: { organisation_id: number } }>(
        "SELECT avant, apres FROM journal_audit WHERE objet_type = 'acteur' AND action = 'revendication-validee'",
      );
      assert.equal(j.rows[0]!.avant.organisation_id, null);
      assert.equal(j.rows[0]!.apres.organisation_id, orgs.B);
    });
  });
}
