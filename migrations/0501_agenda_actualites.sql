-- Shared agenda and news watch of the resources space. Owned through organisation_propriete
-- (objet_type 'evenement', 'actualite').
CREATE TABLE evenement (
  id bigserial PRIMARY KEY,
  titre text NOT NULL,
  debut timestamptz NOT NULL,
  fin timestamptz NOT NULL,
  lieu text,
  lien_en_ligne text,
  organisateur text,
  themes text[] NOT NULL DEFAULT '{}',
  inscription text,
  description text,
  cree_le timestamptz NOT NULL DEFAULT now(),
  modifie_le timestamptz NOT NULL DEFAULT now(),
  CHECK (fin >= debut)
);
CREATE INDEX evenement_debut_idx ON evenement (debut);

CREATE TABLE actualite (
  id bigserial PRIMARY KEY,
  titre text NOT NULL,
  source_nom text NOT NULL,
  lien text,
  publie_le date NOT NULL,
  etiquettes text[] NOT NULL DEFAULT '{}',
  resume text NOT NULL,
  cree_le timestamptz NOT NULL DEFAULT now(),
  modifie_le timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX actualite_publie_idx ON actualite (publie_le DESC);
