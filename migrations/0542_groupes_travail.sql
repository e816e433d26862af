-- Quarterly thematic working groups (SCORAN BFC §9.6): member organisations (their people are members),
-- meetings each linked to an agenda event, minutes and documents (library resources) for members only, and a
-- discussion thread per meeting.
CREATE TABLE groupe_travail (
  id bigserial PRIMARY KEY,
  nom text NOT NULL UNIQUE,
  description text NOT NULL DEFAULT '',
  themes text[] NOT NULL DEFAULT '{}',
  cree_le timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE groupe_membre (
  groupe_id bigint NOT NULL REFERENCES groupe_travail (id) ON DELETE CASCADE,
  organisation_id bigint NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
  ajoute_le timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (groupe_id, organisation_id)
);

CREATE TABLE groupe_reunion (
  id bigserial PRIMARY KEY,
  groupe_id bigint NOT NULL REFERENCES groupe_travail (id) ON DELETE CASCADE,
  evenement_id bigint NOT NULL UNIQUE REFERENCES evenement (id) ON DELETE RESTRICT,
  compte_rendu text NOT NULL DEFAULT '',
  modifie_le timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX groupe_reunion_groupe_idx ON groupe_reunion (groupe_id);

-- A library resource attached to a meeting is reserved to the group's members.
CREATE TABLE groupe_reunion_document (
  reunion_id bigint NOT NULL REFERENCES groupe_reunion (id) ON DELETE CASCADE,
  ressource_id bigint NOT NULL REFERENCES bibliotheque_ressource (id) ON DELETE CASCADE,
  PRIMARY KEY (reunion_id, ressource_id)
);
CREATE INDEX groupe_reunion_document_ressource_idx ON groupe_reunion_document (ressource_id);

CREATE TABLE groupe_message (
  id bigserial PRIMARY KEY,
  reunion_id bigint NOT NULL REFERENCES groupe_reunion (id) ON DELETE CASCADE,
  auteur_id bigint REFERENCES utilisateur (id) ON DELETE SET NULL,
  texte text NOT NULL,
  cree_le timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX groupe_message_reunion_idx ON groupe_message (reunion_id, cree_le);
