-- Saved searches of funding aids: a digest of new aids and of deadlines coming is prepared for each after
-- every import of aids, shown in the platform and sent by e-mail when SMTP is configured.
ALTER TABLE aide ADD COLUMN cree_le timestamptz NOT NULL DEFAULT now();

CREATE TABLE alerte_aides (
  id bigserial PRIMARY KEY,
  utilisateur_id bigint NOT NULL REFERENCES utilisateur(id) ON DELETE CASCADE,
  nom text NOT NULL,
  filtres jsonb NOT NULL,              -- { beneficiaire, niveau, code, theme, type }
  cree_le timestamptz NOT NULL DEFAULT now(),
  nouvelles_depuis timestamptz NOT NULL DEFAULT now(),   -- aids created after this are new
  echeances_jusqu_au date              -- deadlines up to this day were already announced
);
CREATE INDEX alerte_aides_utilisateur_idx ON alerte_aides (utilisateur_id);

CREATE TABLE alerte_envoi (
  id bigserial PRIMARY KEY,
  alerte_id bigint NOT NULL REFERENCES alerte_aides(id) ON DELETE CASCADE,
  cree_le timestamptz NOT NULL DEFAULT now(),
  sujet text NOT NULL,
  texte text NOT NULL,
  nouvelles int NOT NULL,
  echeances int NOT NULL,
  courriel text NOT NULL CHECK (courriel IN ('envoye', 'non_configure', 'echec')),
  erreur text
);
CREATE INDEX alerte_envoi_alerte_idx ON alerte_envoi (alerte_id, id);
