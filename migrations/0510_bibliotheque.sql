-- Resource library: guides, methods, procurement and contract templates, studies. Each resource has
-- versions; a version's file is stored once under the library folder, named by its SHA-256.
CREATE TABLE bibliotheque_ressource (
  id bigserial PRIMARY KEY,
  titre text NOT NULL,
  genre text NOT NULL,
  licence text NOT NULL,
  auteurs text NOT NULL DEFAULT '',
  description text NOT NULL DEFAULT '',
  themes jsonb NOT NULL DEFAULT '[]',
  cree_le timestamptz NOT NULL DEFAULT now(),
  modifie_le timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE bibliotheque_version (
  id bigserial PRIMARY KEY,
  ressource_id bigint NOT NULL REFERENCES bibliotheque_ressource(id) ON DELETE CASCADE,
  numero int NOT NULL,
  nom_fichier text NOT NULL,
  type_contenu text NOT NULL,
  taille bigint NOT NULL,
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  note text NOT NULL DEFAULT '',
  auteur text NOT NULL,
  ajoute_le timestamptz NOT NULL DEFAULT now(),
  telechargements bigint NOT NULL DEFAULT 0,
  UNIQUE (ressource_id, numero)
);
