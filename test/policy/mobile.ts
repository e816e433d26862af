import { upsertDcc } from '../../src/mobile/dcc-queries.ts';
import { insertMeasure } from '../../src/mobile/measures-queries.ts';
import { CREATE, type Env, type Matrix, OWNED } from './types.ts';

/**
 * Role matrix of the mobile observatory (issue 12). Targeted-coverage items belong to their département:
 * the editors of the organisation whose territory is that département (orgA: Doubs, 25) maintain them.
 */
async function itemOfDoubs(env: Env): Promise<number> {
  const { id } = await upsertDcc(env.db, {
    cle: `test:25:${env.seq()}`,
    departement: '25',
    communes: [],
    nom_zone: `Zone ${env.seq()}`,
    operateurs: ['orange'],
    operateur_leader: null,
    arrete_reference: null,
    arrete_date: null,
    echeance: null,
    statut: 'identifie',
    statut_date: null,
    lon: null,
    lat: null,
  });
  return id;
}

async function measure(env: Env): Promise<number> {
  return insertMeasure(env.db, {
    horodatage: new Date().toISOString(),
    lon: 5.042,
    lat: 47.322,
    commune: null,
    operateur: 'orange',
    techno: '4G',
    debit_descendant_mbps: 40 + env.seq(),
    debit_montant_mbps: 10,
    latence_ms: 30,
    signal_dbm: null,
    appareil: null,
    interieur: null,
    origine: 'api',
    empreinte: `test-${env.seq()}`,
  });
}

export const matrix: Matrix = {
  // Any editor moderates the crowdsourced measurements (they belong to no organisation).
  'POST /observatoire/mobile/mesures/:id/moderation': {
    expect: CREATE,
    request: async (env) => ({
      url: `/observatoire/mobile/mesures/${await measure(env)}/moderation`,
      form: { action: 'masquer' },
    }),
  },
  // Every editor adds zones to their own organisation's département (the administrator names one).
  'POST /observatoire/mobile/couverture-ciblee': {
    expect: CREATE,
    request: async (env) => ({
      url: '/observatoire/mobile/couverture-ciblee',
      form: { nom_zone: `Zone saisie ${env.seq()}`, departement: '25', communes: '', arrete_reference: '' },
    }),
  },
  'POST /observatoire/mobile/couverture-ciblee/:id/statut': {
    expect: OWNED,
    request: async (env) => ({
      url: `/observatoire/mobile/couverture-ciblee/${await itemOfDoubs(env)}/statut`,
      form: { statut: 'en_construction', statut_date: '' },
    }),
  },
};

/** Write routes open to visitors on purpose. */
export const publicRoutes: Record<string, string> = {
  'POST /api/v1/mobile/mesures':
    'crowdsourced measurement API: anyone may contribute; zod-validated, rate-limited per client (platform limiter), duplicates within a minute dropped, no IP stored',
  'POST /api/v1/mobile/test-debit/envoi':
    'upload half of the form’s speed test: raw bytes counted and dropped (nothing stored), 1 MB cap, rate-limited per client (hashed address)',
  'POST /observatoire/mobile/mesures':
    'the public measurement form (no JavaScript): CSRF by double-submit cookie as the login form, same validation and rate limit as the API',
};
