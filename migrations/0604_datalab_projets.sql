-- Datalab projects (issue 14): collaborative projects on the platform's data. Owned by the organisation of the
-- editor who created it (null: administrators only); `jeux` lists catalogue dataset ids (checked in code).
CREATE TABLE datalab_projet (
  id bigserial PRIMARY KEY,
  titre text NOT NULL,
  objectif text NOT NULL,
  equipe text NOT NULL DEFAULT '',
  jeux jsonb NOT NULL DEFAULT '[]',
  statut text NOT NULL CHECK (statut IN ('idee', 'en_cours', 'termine', 'abandonne')),
  resultats text NOT NULL DEFAULT '',
  licence text NOT NULL,
  organisation_id bigint REFERENCES organisation(id),
  cree_le timestamptz NOT NULL DEFAULT now(),
  modifie_le timestamptz NOT NULL DEFAULT now()
);
