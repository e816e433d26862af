-- Strategy steering: a regional digital strategy as a tree of nodes whose level names belong to the
-- strategy (SCORAN BFC: enjeu → défi → orientation → piste → action), actions with dates, status,
-- progress, budget lines and milestones, SMART indicators with their measurements, and the history of
-- every change. The owning organisation of an action is a row of organisation_propriete
-- (objet_type 'action', objet_id = strategie_noeud.id), read through accounts/ownership.ts.

CREATE TABLE strategie (
  id bigserial PRIMARY KEY,
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  titre text NOT NULL,
  region text NOT NULL,                       -- INSEE région code
  debut integer NOT NULL CHECK (debut BETWEEN 1990 AND 2100),
  fin integer NOT NULL CHECK (fin BETWEEN 1990 AND 2100),
  adoptee_le date,
  statut text NOT NULL DEFAULT 'adoptee' CHECK (statut IN ('projet', 'adoptee', 'en_revision', 'close')),
  resume text,
  -- [{ code, libelle, pluriel, actions }]: level names of this strategy, root first; `actions` marks
  -- the levels whose nodes are followed as actions (owner, dates, budget).
  niveaux jsonb NOT NULL,
  principes jsonb NOT NULL DEFAULT '[]',      -- [{ code, libelle, description }]
  financements jsonb NOT NULL DEFAULT '[]',   -- the strategy's funding frame as the document states it
  document jsonb,                             -- { titre, editeur, date }: the document the seed comes from
  modifiee_le timestamptz NOT NULL DEFAULT now(),
  CHECK (fin >= debut)
);

CREATE TABLE strategie_noeud (
  id bigserial PRIMARY KEY,
  strategie_id bigint NOT NULL REFERENCES strategie(id) ON DELETE CASCADE,
  parent_id bigint REFERENCES strategie_noeud(id) ON DELETE CASCADE,
  niveau text NOT NULL,
  code text NOT NULL CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$'),
  titre text NOT NULL,
  description text,
  rang integer NOT NULL DEFAULT 0,            -- order among siblings
  principes jsonb NOT NULL DEFAULT '[]',      -- codes of the strategy's principles (tags)
  contact text,
  partenaires jsonb NOT NULL DEFAULT '[]',    -- names
  territoires jsonb NOT NULL DEFAULT '[]',    -- [{ niveau, code }]
  debut date,
  fin date,
  statut text CHECK (statut IN ('a_lancer', 'en_cours', 'en_retard', 'terminee', 'abandonnee')),
  avancement numeric CHECK (avancement BETWEEN 0 AND 100),  -- NULL: rolled up from the children
  poids numeric NOT NULL DEFAULT 1 CHECK (poids > 0),       -- weight in the parent's roll-up
  modifie_le timestamptz NOT NULL DEFAULT now(),
  UNIQUE (strategie_id, code),
  CHECK (fin IS NULL OR debut IS NULL OR fin >= debut)
);
CREATE INDEX strategie_noeud_parent_idx ON strategie_noeud (parent_id);

-- Budget lines of an action: one per year and funding source.
CREATE TABLE strategie_budget (
  id bigserial PRIMARY KEY,
  noeud_id bigint NOT NULL REFERENCES strategie_noeud(id) ON DELETE CASCADE,
  annee integer NOT NULL CHECK (annee BETWEEN 1990 AND 2100),
  financeur text NOT NULL CHECK (financeur IN ('region', 'etat_cper', 'europe_feder', 'departements', 'epci', 'communes', 'prive')),
  prevu numeric NOT NULL DEFAULT 0 CHECK (prevu >= 0),
  engage numeric NOT NULL DEFAULT 0 CHECK (engage >= 0),
  realise numeric NOT NULL DEFAULT 0 CHECK (realise >= 0),
  UNIQUE (noeud_id, annee, financeur)
);

CREATE TABLE strategie_jalon (
  id bigserial PRIMARY KEY,
  noeud_id bigint NOT NULL REFERENCES strategie_noeud(id) ON DELETE CASCADE,
  prevu_le date NOT NULL,
  titre text NOT NULL,
  fait boolean NOT NULL DEFAULT false,
  fait_le date
);
CREATE INDEX strategie_jalon_noeud_idx ON strategie_jalon (noeud_id);

-- SMART indicators: what (libelle, definition), unit, baseline, target and deadline, source, frequency,
-- owner; `fournisseur` names a provider that computes measurements from the platform's own data.
CREATE TABLE strategie_indicateur (
  id bigserial PRIMARY KEY,
  strategie_id bigint NOT NULL REFERENCES strategie(id) ON DELETE CASCADE,
  noeud_id bigint REFERENCES strategie_noeud(id) ON DELETE SET NULL,
  code text NOT NULL CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$'),
  libelle text NOT NULL,
  definition text,
  unite text NOT NULL,
  valeur_initiale numeric,
  date_initiale date,
  cible numeric,
  date_cible date,
  source_donnees text,
  frequence text,
  responsable text,
  fournisseur text,
  rang integer NOT NULL DEFAULT 0,
  UNIQUE (strategie_id, code)
);

-- Measurements: typed in (saisie), from a file (import) or computed by the provider (fournisseur).
CREATE TABLE strategie_mesure (
  id bigserial PRIMARY KEY,
  indicateur_id bigint NOT NULL REFERENCES strategie_indicateur(id) ON DELETE CASCADE,
  mesure_le date NOT NULL,
  valeur numeric NOT NULL,
  source_mesure text NOT NULL,
  auteur text NOT NULL,
  commentaire text,
  origine text NOT NULL CHECK (origine IN ('saisie', 'import', 'fournisseur')),
  enregistree_le timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX strategie_mesure_indicateur_idx ON strategie_mesure (indicateur_id, mesure_le);

-- Every change to a strategy's nodes, budget, milestones, indicators and measurements: who, when,
-- before and after (the import's changes too, under the run that made them).
CREATE TABLE strategie_historique (
  id bigserial PRIMARY KEY,
  strategie_id bigint NOT NULL REFERENCES strategie(id) ON DELETE CASCADE,
  noeud_id bigint REFERENCES strategie_noeud(id) ON DELETE SET NULL,
  indicateur_id bigint REFERENCES strategie_indicateur(id) ON DELETE SET NULL,
  objet text NOT NULL,                        -- e.g. « noeud A1.2 », « budget 2024 region »
  operation text NOT NULL,                    -- creation, modification, suppression, import, decision
  auteur text NOT NULL,
  utilisateur_id bigint,
  le timestamptz NOT NULL DEFAULT now(),
  avant jsonb,
  apres jsonb
);
CREATE INDEX strategie_historique_noeud_idx ON strategie_historique (noeud_id, le);
CREATE INDEX strategie_historique_strategie_idx ON strategie_historique (strategie_id, le);
