-- Steering-committee review sessions and their decisions per action. `dossier` is the snapshot of
-- every action's progress and status when the session was created, so the next session shows the
-- progress made since.
CREATE TABLE strategie_revue (
  id bigserial PRIMARY KEY,
  strategie_id bigint NOT NULL REFERENCES strategie(id) ON DELETE CASCADE,
  tenue_le date NOT NULL,
  comite text NOT NULL,
  participants text,
  ordre_du_jour text,
  compte_rendu text,
  dossier jsonb NOT NULL DEFAULT '{}',        -- { "<node id>": { avancement, statut } }
  creee_le timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX strategie_revue_strategie_idx ON strategie_revue (strategie_id, tenue_le);

CREATE TABLE strategie_decision (
  id bigserial PRIMARY KEY,
  revue_id bigint NOT NULL REFERENCES strategie_revue(id) ON DELETE CASCADE,
  noeud_id bigint NOT NULL REFERENCES strategie_noeud(id) ON DELETE CASCADE,
  decision text NOT NULL CHECK (decision IN ('maintenir', 'etendre', 'reorienter', 'abandonner')),
  motif text NOT NULL,
  auteur text NOT NULL,
  decidee_le timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX strategie_decision_revue_idx ON strategie_decision (revue_id);
