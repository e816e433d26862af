import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { setOwner } from '../../src/accounts/ownership.ts';
import { insertAlert } from '../../src/resources/alerts-queries.ts';
import { insertClaim } from '../../src/resources/claims-queries.ts';
import { addMember, insertGroup, insertMeeting, insertMessage } from '../../src/resources/groups-queries.ts';
import { insertLibrary, insertVersion } from '../../src/resources/library-queries.ts';
import { setVisibility, upsertSubmission } from '../../src/resources/moderation-queries.ts';
import { insertProjet } from '../../src/resources/projects-queries.ts';
import { insertActeur, insertActualite, insertEvenement } from '../../src/resources/queries.ts';
import { shared } from '../helpers.ts';
import { ADMIN_ONLY, CREATE, type Env, type Matrix, OWNED } from './types.ts';

/** Role matrix of the resources space (issue 13): the directory of actors. */
const acteurForm = (env: Env) => ({
  nom: `Acteur ${env.seq()}`,
  categorie: 'association',
  niveau: 'departement',
  code_territoire: '21',
  themes: 'inclusion-numerique',
  siren: '200053726',
});

async function acteurOfA(env: Env): Promise<number> {
  const id = await insertActeur(env.db, {
    nom: `Acteur de A ${env.seq()}`,
    categorie: 'association',
    niveau: null,
    code_territoire: null,
    themes: [],
    competences: null,
    description: null,
    siret: null,
    siren: null,
    rna: null,
    site: null,
    contact_public: null,
  });
  await setOwner(env.db, 'acteur', id, env.orgA);
  return id;
}

/** A real PDF (ARCEP's documentation of Ma connexion internet), unpacked once for the library routes. */
let pdfPath = '';
function realPdf(): string {
  if (pdfPath) return pdfPath;
  pdfPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pan-matrice-')), 'doc-mci.pdf');
  const gz = shared('arcep-fixe', 'ma-connexion-internet-doc', 'doc-maconnexioninternet-v2022t4.pdf.gz');
  fs.writeFileSync(pdfPath, zlib.gunzipSync(fs.readFileSync(gz)));
  return pdfPath;
}

async function ressourceOfA(env: Env): Promise<number> {
  const id = await insertLibrary(env.db, {
    titre: `Guide ${env.seq()}`,
    genre: 'guide',
    licence: 'lo-2.0',
    auteurs: '',
    description: '',
    themes: [],
  });
  await insertVersion(env.db, {
    ressource_id: id,
    nom_fichier: 'guide.pdf',
    type_contenu: 'application/pdf',
    taille: 10,
    sha256: '0'.repeat(64),
    note: '',
    auteur: 'test',
  });
  await setOwner(env.db, 'ressource', id, env.orgA);
  return id;
}

const year = new Date().getFullYear() + 1;
const eventForm = (env: Env) => ({
  titre: `Atelier ${env.seq()}`,
  debut: `${year}-05-04T09:00`,
  fin: `${year}-05-04T12:00`,
  lieu: 'Dijon',
  themes: 'mobilite',
});
const newsForm = (env: Env) => ({
  titre: `Actualité ${env.seq()}`,
  source_nom: 'Arcep',
  publie_le: '2026-11-02',
  resume: 'Publication des déploiements.',
});

async function eventOfA(env: Env): Promise<number> {
  const id = await insertEvenement(env.db, {
    titre: `Événement de A ${env.seq()}`,
    debut: new Date(`${year}-05-04T07:00:00Z`),
    fin: new Date(`${year}-05-04T10:00:00Z`),
    lieu: 'Dijon',
    lien_en_ligne: null,
    organisateur: null,
    themes: [],
    inscription: null,
    description: null,
  });
  await setOwner(env.db, 'evenement', id, env.orgA);
  return id;
}

async function newsOfA(env: Env): Promise<number> {
  const id = await insertActualite(env.db, {
    titre: `Actualité de A ${env.seq()}`,
    source_nom: 'Arcep',
    lien: null,
    publie_le: '2026-11-02',
    etiquettes: [],
    resume: 'Résumé.',
  });
  await setOwner(env.db, 'actualite', id, env.orgA);
  return id;
}

/** An aid alert of the owning organisation's editor (alerts belong to accounts). */
async function alertOfA(env: Env): Promise<number> {
  const u = await env.db.query<{ id: number }>(
    "SELECT id::int AS id FROM utilisateur WHERE organisation_id = $1 AND role = 'editeur' ORDER BY id LIMIT 1",
    [env.orgA],
  );
  return insertAlert(env.db, u.rows[0]!.id, `Veille ${env.seq()}`, { type: 'pret' });
}

const projetForm = (env: Env) => ({
  titre: `Projet ${env.seq()}`,
  statut: 'en_cours',
  themes: 'inclusion-numerique',
  territoires: 'departement:21',
  date_debut: '2026-01-15',
  date_fin: '2027-06-30',
  financements: 'Région Bourgogne-Franche-Comté ; 50 000',
});

async function projetOfA(env: Env): Promise<number> {
  const id = await insertProjet(env.db, {
    titre: `Projet de A ${env.seq()}`,
    resume: '',
    description: '',
    themes: [],
    territoires: [],
    territoires_etendus: [],
    statut: 'idee',
    date_debut: null,
    date_fin: null,
    partenaires: [],
    budget_total: null,
    financements: [],
    resultats: '',
    contact_public: '',
    action_strategie: null,
    porteur_acteur_id: null,
  });
  await setOwner(env.db, 'projet', id, env.orgA);
  return id;
}

export const matrix: Matrix = {
  'POST /ressources/aides/alertes': {
    expect: CREATE,
    request: async (env) => ({ url: '/ressources/aides/alertes', form: { nom: `Veille ${env.seq()}`, type: 'pret' } }),
  },
  'POST /compte/alertes/:id/suppression': {
    expect: OWNED,
    request: async (env) => ({ url: `/compte/alertes/${await alertOfA(env)}/suppression`, form: {} }),
  },
  'POST /ressources/bibliotheque': {
    expect: CREATE,
    request: async (env) => ({
      url: '/ressources/bibliotheque',
      multipart: {
        fields: {
          titre: `Guide ${env.seq()}`,
          genre: 'guide',
          licence: 'lo-2.0',
          auteurs: '',
          description: '',
          note: '',
        },
        file: { name: 'guide.pdf', path: realPdf() },
      },
    }),
  },
  'POST /ressources/bibliotheque/:id/versions': {
    expect: OWNED,
    request: async (env) => ({
      url: `/ressources/bibliotheque/${await ressourceOfA(env)}/versions`,
      multipart: { fields: { note: 'mise à jour' }, file: { name: 'guide-v2.pdf', path: realPdf() } },
    }),
  },
  'POST /ressources/agenda': {
    expect: CREATE,
    request: async (env) => ({ url: '/ressources/agenda', form: eventForm(env) }),
  },
  'POST /ressources/agenda/:id': {
    expect: OWNED,
    request: async (env) => ({ url: `/ressources/agenda/${await eventOfA(env)}`, form: eventForm(env) }),
  },
  'POST /ressources/actualites': {
    expect: CREATE,
    request: async (env) => ({ url: '/ressources/actualites', form: newsForm(env) }),
  },
  'POST /ressources/actualites/:id': {
    expect: OWNED,
    request: async (env) => ({ url: `/ressources/actualites/${await newsOfA(env)}`, form: newsForm(env) }),
  },
  'POST /ressources/acteurs': {
    expect: CREATE,
    request: async (env) => ({ url: '/ressources/acteurs', form: acteurForm(env) }),
  },
  'POST /ressources/acteurs/:id': {
    expect: OWNED,
    request: async (env) => ({ url: `/ressources/acteurs/${await acteurOfA(env)}`, form: acteurForm(env) }),
  },
  'POST /ressources/projets': {
    expect: CREATE,
    request: async (env) => ({ url: '/ressources/projets', form: projetForm(env) }),
  },
  'POST /ressources/projets/:id': {
    expect: OWNED,
    request: async (env) => ({ url: `/ressources/projets/${await projetOfA(env)}`, form: projetForm(env) }),
  },
  'POST /ressources/moderation/reglages': {
    expect: ADMIN_ONLY,
    request: async () => ({ url: '/ressources/moderation/reglages', form: { revue: 'evenement' } }),
  },
  'POST /ressources/moderation/:type/:id/publier': {
    expect: ADMIN_ONLY,
    request: async (env) => ({ url: `/ressources/moderation/evenement/${await pendingEventOfA(env)}/publier` }),
  },
  'POST /ressources/moderation/:type/:id/refuser': {
    expect: ADMIN_ONLY,
    request: async (env) => ({
      url: `/ressources/moderation/evenement/${await pendingEventOfA(env)}/refuser`,
      form: { motif: 'Hors du champ de l’agenda' },
    }),
  },
  'POST /ressources/acteurs/:id/revendication': {
    // A member of another organisation claims; the owner's editors already manage it; administrators belong to none.
    expect: { anonyme: 401, editeurAutre: 'ok', editeurProprietaire: 403, admin: 403 },
    request: async (env) => ({
      url: `/ressources/acteurs/${await acteurOfA(env)}/revendication`,
      form: { motif: 'Notre association tient ce lieu depuis 2019.' },
    }),
  },
  'POST /ressources/revendications/:id/valider': {
    expect: ADMIN_ONLY,
    request: async (env) => ({ url: `/ressources/revendications/${await claimByB(env)}/valider` }),
  },
  'POST /ressources/revendications/:id/refuser': {
    expect: ADMIN_ONLY,
    request: async (env) => ({
      url: `/ressources/revendications/${await claimByB(env)}/refuser`,
      form: { motif_refus: 'Aucun lien établi avec cette fiche' },
    }),
  },
  'POST /ressources/groupes': {
    expect: ADMIN_ONLY,
    request: async (env) => ({ url: '/ressources/groupes', form: { nom: `Groupe ${env.seq()}` } }),
  },
  'POST /ressources/groupes/:id/membres': {
    expect: ADMIN_ONLY,
    request: async (env) => ({
      url: `/ressources/groupes/${await groupOfA(env)}/membres`,
      form: { organisationId: String(env.orgB) },
    }),
  },
  // The owning organisation is the member organisation; the other editor's is not a member.
  'POST /ressources/groupes/:id/reunions': {
    expect: OWNED,
    request: async (env) => ({
      url: `/ressources/groupes/${await groupOfA(env)}/reunions`,
      form: { evenementId: String(await eventOfA(env)) },
    }),
  },
  'POST /ressources/groupes/:id/reunions/:rid': {
    expect: OWNED,
    request: async (env) => {
      const { g, r } = await meetingOfA(env);
      return { url: `/ressources/groupes/${g}/reunions/${r}`, form: { compte_rendu: 'Relevé de décisions.' } };
    },
  },
  'POST /ressources/groupes/:id/reunions/:rid/messages': {
    expect: OWNED,
    request: async (env) => {
      const { g, r } = await meetingOfA(env);
      return { url: `/ressources/groupes/${g}/reunions/${r}/messages`, form: { texte: 'Bonjour à tous.' } };
    },
  },
  'POST /ressources/groupes/:id/reunions/:rid/messages/:mid/suppression': {
    // The message is the owning organisation's editor's: they remove it, an administrator too.
    expect: OWNED,
    request: async (env) => {
      const { g, r } = await meetingOfA(env);
      const m = await insertMessage(env.db, r, await editorOf(env, env.orgA), 'Message à retirer');
      return { url: `/ressources/groupes/${g}/reunions/${r}/messages/${m}/suppression` };
    },
  },
};

/** An event of the owning organisation waiting for review, submitted by its editor. */
async function pendingEventOfA(env: Env): Promise<number> {
  const id = await eventOfA(env);
  const u = await env.db.query<{ id: number }>(
    "SELECT id::int AS id FROM utilisateur WHERE organisation_id = $1 AND role = 'editeur' ORDER BY id LIMIT 1",
    [env.orgA],
  );
  await setVisibility(env.db, 'evenement', id, 'en_attente');
  await upsertSubmission(env.db, { type: 'evenement', id, titre: 'Événement en attente', auteurId: u.rows[0]!.id });
  return id;
}

/** An open claim by the other organisation on a card of the owning one. */
async function claimByB(env: Env): Promise<number> {
  const u = await env.db.query<{ id: number }>(
    "SELECT id::int AS id FROM utilisateur WHERE organisation_id = $1 AND role = 'editeur' ORDER BY id LIMIT 1",
    [env.orgB],
  );
  return insertClaim(env.db, {
    acteurId: await acteurOfA(env),
    organisationId: env.orgB,
    demandeurId: u.rows[0]!.id,
    motif: 'Nous gérons ce tiers-lieu.',
  });
}

const editorOf = async (env: Env, organisationId: number) =>
  (
    await env.db.query<{ id: number }>(
      "SELECT id::int AS id FROM utilisateur WHERE organisation_id = $1 AND role = 'editeur' ORDER BY id LIMIT 1",
      [organisationId],
    )
  ).rows[0]!.id;

/** A working group whose member is the owning organisation. */
async function groupOfA(env: Env): Promise<number> {
  const id = await insertGroup(env.db, { nom: `Groupe de A ${env.seq()}`, description: '', themes: [] });
  await addMember(env.db, id, env.orgA);
  return id;
}

async function meetingOfA(env: Env): Promise<{ g: number; r: number }> {
  const g = await groupOfA(env);
  return { g, r: await insertMeeting(env.db, g, await eventOfA(env)) };
}
