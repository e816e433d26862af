import { createUser } from '../../src/accounts/service.ts';
import { insertProjet } from '../../src/opendata/queries.ts';
import { ADMIN_ONLY, CREATE, type Matrix, OWNED } from './types.ts';

/** Role matrix of the open-data module (issue 14): the register of processing activities, administrators only. */
const traitementForm = (n: number) => ({
  nom: `Comptes des contributeurs ${n}`,
  finalite: 'Permettre aux agents de se connecter.',
  base_legale: 'Mission d’intérêt public (article 6.1.e).',
  categories_donnees: 'Adresse électronique, nom, rôle.',
  categories_personnes: 'Agents des organisations membres.',
  duree_conservation: 'Durée du compte.',
  destinataires: 'Administrateurs.',
  transferts: 'Aucun.',
  mesures_securite: 'Empreintes argon2id.',
});

const projetForm = (n: number) => ({
  titre: `Cartographie des lieux d’inclusion ${n}`,
  objectif: 'Croiser les lieux d’inclusion et la population des communes.',
  equipe: 'Département test, médiathèque',
  jeux: 'communes, departements',
  statut: 'en_cours',
  resultats: '',
  licence: 'licence-ouverte-2.0',
});

export const matrix: Matrix = {
  'POST /donnees/datalab': {
    expect: CREATE,
    request: async (env) => ({ url: '/donnees/datalab', form: projetForm(env.seq()) }),
  },
  'POST /donnees/datalab/:id': {
    expect: OWNED,
    request: async (env) => {
      const id = await insertProjet(env.db, { ...projetForm(env.seq()), jeux: ['communes'], statut: 'idee' }, env.orgA);
      return { url: `/donnees/datalab/${id}`, form: projetForm(env.seq()) };
    },
  },
  'POST /donnees/registre/:code': {
    expect: ADMIN_ONLY,
    request: async (env) => ({ url: '/donnees/registre/comptes', form: traitementForm(env.seq()) }),
  },
  // Erasure of someone else's account: forbidden to everyone, administrators included (only the holder may).
  'POST /compte/:id/effacement': {
    expect: { anonyme: 401, editeurAutre: 403, editeurProprietaire: 403, admin: 403 },
    request: async (env) => {
      const id = await createUser(
        env.db,
        { id: null, label: 'test' },
        {
          email: `tiers-${env.seq()}@exemple.fr`,
          nom: 'Tiers',
          motDePasse: 'Correct-horse-battery-staple-42',
          role: 'editeur',
          organisationId: env.orgA,
        },
      );
      return { url: `/compte/${id}/effacement`, form: { mot_de_passe: 'Correct-horse-battery-staple-42' } };
    },
  },
};
