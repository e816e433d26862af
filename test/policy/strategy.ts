import { setOwner } from '../../src/accounts/ownership.ts';
import { StrategyFileSchema } from '../../src/strategy/schema.ts';
import { applyStrategyFile } from '../../src/strategy/service.ts';
import { ADMIN_ONLY, type Env, type Matrix, OWNED } from './types.ts';

/** A one-action strategy whose action (and the indicator that follows it) belongs to `env.orgA`. */
async function actionOfA(env: Env): Promise<{ slug: string; action: number; indicateur: number }> {
  const slug = `matrice-${env.seq()}`;
  const file = StrategyFileSchema.parse({
    slug,
    titre: 'Stratégie de la matrice',
    region: '27',
    debut: 2024,
    fin: 2026,
    niveaux: [
      { code: 'axe', libelle: 'Axe', pluriel: 'Axes' },
      { code: 'action', libelle: 'Action', pluriel: 'Actions', actions: true },
    ],
    noeuds: [{ code: 'A', niveau: 'axe', titre: 'Axe', enfants: [{ code: 'A1', niveau: 'action', titre: 'Action' }] }],
    indicateurs: [{ code: 'I', noeud: 'A1', libelle: 'Indicateur', unite: '%', cible: 100, date_cible: '2026-12-31' }],
  });
  const { strategieId } = await env.db.transaction((tx) => applyStrategyFile(tx, file, { label: 'test', id: null }));
  const ids = await env.db.query<{ action: number; indicateur: number }>(
    `SELECT n.id::int AS action, i.id::int AS indicateur FROM strategie_noeud n JOIN strategie_indicateur i ON i.noeud_id = n.id
     WHERE n.strategie_id = $1 AND n.code = 'A1'`,
    [strategieId],
  );
  await setOwner(env.db, 'action', ids.rows[0]!.action, env.orgA);
  return { slug, ...ids.rows[0]! };
}

export const matrix: Matrix = {
  'POST /strategie/:slug/actions/:id': {
    expect: OWNED,
    request: async (env) => {
      const a = await actionOfA(env);
      return {
        url: `/strategie/${a.slug}/actions/${a.action}`,
        form: { statut: 'en_cours', avancement: '30', debut: '2024-01-01', fin: '2025-12-31' },
      };
    },
  },
  'POST /strategie/:slug/actions/:id/budget': {
    expect: OWNED,
    request: async (env) => {
      const a = await actionOfA(env);
      return {
        url: `/strategie/${a.slug}/actions/${a.action}/budget`,
        form: { annee: '2025', financeur: 'region', prevu: '1000', engage: '0', realise: '0' },
      };
    },
  },
  'POST /strategie/:slug/actions/:id/jalons': {
    expect: OWNED,
    request: async (env) => {
      const a = await actionOfA(env);
      return { url: `/strategie/${a.slug}/actions/${a.action}/jalons`, form: { date: '2025-06-30', titre: 'Jalon' } };
    },
  },
  'POST /strategie/:slug/indicateurs/:id/mesures': {
    expect: OWNED,
    request: async (env) => {
      const a = await actionOfA(env);
      return {
        url: `/strategie/${a.slug}/indicateurs/${a.indicateur}/mesures`,
        form: { date: '2025-03-31', valeur: '42', source: 'Saisie de test' },
      };
    },
  },
  'POST /strategie/:slug/actions/:id/liens': {
    expect: OWNED,
    request: async (env) => {
      const a = await actionOfA(env);
      return {
        url: `/strategie/${a.slug}/actions/${a.action}/liens`,
        form: { titre: 'Étude', url: 'https://example.org/etude.pdf' },
      };
    },
  },
  'POST /strategie/:slug/actions/:id/liens/:lien/suppression': {
    expect: OWNED,
    request: async (env) => {
      const a = await actionOfA(env);
      const l = await env.db.query<{ id: number }>(
        `INSERT INTO strategie_lien (noeud_id, genre, titre, url, auteur) VALUES ($1, 'objet', 'Dijon', '/territoires/commune/21231', 'test') RETURNING id::int AS id`,
        [a.action],
      );
      return { url: `/strategie/${a.slug}/actions/${a.action}/liens/${l.rows[0]!.id}/suppression`, form: {} };
    },
  },
  'POST /strategie/:slug/actions': {
    expect: ADMIN_ONLY,
    request: async (env) => {
      const a = await actionOfA(env);
      const axe = await env.db.query<{ id: number }>('SELECT parent_id::int AS id FROM strategie_noeud WHERE id = $1', [
        a.action,
      ]);
      return {
        url: `/strategie/${a.slug}/actions`,
        form: {
          parent: String(axe.rows[0]!.id),
          code: `N${env.seq()}`,
          titre: 'Nouvelle action',
          porteur: '',
          debut: '',
          fin: '',
        },
      };
    },
  },
  'POST /strategie/:slug/actions/:id/porteur': {
    expect: ADMIN_ONLY,
    request: async (env) => {
      const a = await actionOfA(env);
      return { url: `/strategie/${a.slug}/actions/${a.action}/porteur`, form: { porteur: String(env.orgA) } };
    },
  },
  'POST /strategie/:slug/revues': {
    expect: ADMIN_ONLY,
    request: async (env) => {
      const a = await actionOfA(env);
      return { url: `/strategie/${a.slug}/revues`, form: { date: '2025-03-15', comite: 'Comité de pilotage' } };
    },
  },
  'POST /strategie/:slug/revues/:id/compte-rendu': {
    expect: ADMIN_ONLY,
    request: async (env) => {
      const a = await actionOfA(env);
      const s = await env.db.query<{ id: number }>('SELECT id::int AS id FROM strategie WHERE slug = $1', [a.slug]);
      const r = await env.db.query<{ id: number }>(
        `INSERT INTO strategie_revue (strategie_id, tenue_le, comite) VALUES ($1, '2025-03-15', 'Comité') RETURNING id::int AS id`,
        [s.rows[0]!.id],
      );
      return {
        url: `/strategie/${a.slug}/revues/${r.rows[0]!.id}/compte-rendu`,
        form: { compte_rendu: 'Séance tenue.' },
      };
    },
  },
  'POST /strategie/:slug/revues/:id/decisions': {
    expect: ADMIN_ONLY,
    request: async (env) => {
      const a = await actionOfA(env);
      const s = await env.db.query<{ id: number }>('SELECT id::int AS id FROM strategie WHERE slug = $1', [a.slug]);
      const r = await env.db.query<{ id: number }>(
        `INSERT INTO strategie_revue (strategie_id, tenue_le, comite) VALUES ($1, '2025-03-15', 'Comité') RETURNING id::int AS id`,
        [s.rows[0]!.id],
      );
      return {
        url: `/strategie/${a.slug}/revues/${r.rows[0]!.id}/decisions`,
        form: { noeud: String(a.action), decision: 'maintenir', motif: 'Objectifs tenus' },
      };
    },
  },
};
