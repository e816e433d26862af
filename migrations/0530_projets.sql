-- Innovative projects and use cases of the resources space. Owned through organisation_propriete
-- (objet_type 'projet'); searchable through ressource_recherche (type 'projet').
CREATE TABLE projet (
  id bigserial PRIMARY KEY,
  titre text NOT NULL,
  resume text NOT NULL DEFAULT '',
  description text NOT NULL DEFAULT '',
  themes text[] NOT NULL DEFAULT '{}',                 -- slugs of ressource_theme
  territoires text[] NOT NULL DEFAULT '{}',            -- 'niveau:code', as entered (checked against the territories)
  territoires_etendus text[] NOT NULL DEFAULT '{}',    -- the same and every territory containing them, for filters
  statut text NOT NULL CHECK (statut IN ('idee', 'en_cours', 'termine', 'abandonne')),
  date_debut date,
  date_fin date,
  partenaires text[] NOT NULL DEFAULT '{}',
  budget_total numeric(16, 2) CHECK (budget_total IS NULL OR budget_total >= 0),
  financements jsonb NOT NULL DEFAULT '[]',            -- [{ "financeur": text, "montant": number }]
  resultats text NOT NULL DEFAULT '',
  contact_public text NOT NULL DEFAULT '',
  action_strategie text CHECK (action_strategie IS NULL OR action_strategie ~ '^/strategie/[a-z0-9][a-z0-9-]{0,62}/actions/[0-9]{1,15}$'),
  porteur_acteur_id bigint REFERENCES acteur(id) ON DELETE SET NULL,
  cree_le timestamptz NOT NULL DEFAULT now(),
  modifie_le timestamptz NOT NULL DEFAULT now(),
  CHECK (date_debut IS NULL OR date_fin IS NULL OR date_fin >= date_debut)
);
CREATE INDEX projet_themes_idx ON projet USING gin (themes);
CREATE INDEX projet_territoires_etendus_idx ON projet USING gin (territoires_etendus);
