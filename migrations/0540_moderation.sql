-- Moderation before publication, per content type of the resources space. `ressource_moderation_reglage` says
-- whether an editor's contribution of a type waits for review; each moderated table carries its visibility
-- (`moderation`), the search entries theirs (`publie`); `ressource_moderation` is the current submission of a
-- record (author, state, refusal reason, decision), one row per record; the history is in journal_audit.
CREATE TABLE ressource_moderation_reglage (
  objet_type text PRIMARY KEY CHECK (objet_type IN ('acteur', 'projet', 'ressource', 'evenement', 'actualite')),
  revue boolean NOT NULL DEFAULT false,
  modifie_le timestamptz NOT NULL DEFAULT now()
);
INSERT INTO ressource_moderation_reglage (objet_type)
VALUES ('acteur'), ('projet'), ('ressource'), ('evenement'), ('actualite');

ALTER TABLE acteur ADD COLUMN moderation text NOT NULL DEFAULT 'publie'
  CHECK (moderation IN ('publie', 'en_attente', 'refuse'));
ALTER TABLE projet ADD COLUMN moderation text NOT NULL DEFAULT 'publie'
  CHECK (moderation IN ('publie', 'en_attente', 'refuse'));
ALTER TABLE bibliotheque_ressource ADD COLUMN moderation text NOT NULL DEFAULT 'publie'
  CHECK (moderation IN ('publie', 'en_attente', 'refuse'));
ALTER TABLE evenement ADD COLUMN moderation text NOT NULL DEFAULT 'publie'
  CHECK (moderation IN ('publie', 'en_attente', 'refuse'));
ALTER TABLE actualite ADD COLUMN moderation text NOT NULL DEFAULT 'publie'
  CHECK (moderation IN ('publie', 'en_attente', 'refuse'));
ALTER TABLE ressource_recherche ADD COLUMN publie boolean NOT NULL DEFAULT true;

CREATE TABLE ressource_moderation (
  objet_type text NOT NULL REFERENCES ressource_moderation_reglage (objet_type),
  objet_id bigint NOT NULL,
  titre text NOT NULL,
  auteur_id bigint REFERENCES utilisateur (id) ON DELETE SET NULL,
  statut text NOT NULL CHECK (statut IN ('en_attente', 'publie', 'refuse')),
  motif text,
  soumis_le timestamptz NOT NULL DEFAULT now(),
  decide_par bigint REFERENCES utilisateur (id) ON DELETE SET NULL,
  decide_le timestamptz,
  PRIMARY KEY (objet_type, objet_id),
  CHECK (statut <> 'refuse' OR motif IS NOT NULL)
);
CREATE INDEX ressource_moderation_attente_idx ON ressource_moderation (soumis_le) WHERE statut = 'en_attente';
CREATE INDEX ressource_moderation_auteur_idx ON ressource_moderation (auteur_id);
