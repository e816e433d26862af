-- Documents and links of an action: an external document (a deliberation, a study: an http(s) URL) or
-- another object of the platform (a territory, a place, a dataset, an aid: a path of this site).
CREATE TABLE strategie_lien (
  id bigserial PRIMARY KEY,
  noeud_id bigint NOT NULL REFERENCES strategie_noeud(id) ON DELETE CASCADE,
  genre text NOT NULL CHECK (genre IN ('document', 'objet')),
  titre text NOT NULL,
  url text NOT NULL,
  auteur text NOT NULL,
  ajoute_le timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX strategie_lien_noeud_idx ON strategie_lien (noeud_id, id);
