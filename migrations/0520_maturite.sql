-- Digital-maturity observatory (issue 13, SCORAN orientation 11): self-diagnostic questionnaire as data,
-- anonymous answers, scores per dimension, campaigns (online form, imported surveys).

-- One row per version of the questionnaire file (src/maturite/questionnaire.yaml), keyed by the SHA-256
-- of its content; the newest is the one the form shows.
CREATE TABLE maturite_questionnaire (
  id bigserial PRIMARY KEY,
  version text NOT NULL,
  titre text NOT NULL,
  empreinte text NOT NULL UNIQUE,
  profil jsonb NOT NULL,                   -- types, size bands, NAF sections (code → label)
  charge_le timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE maturite_dimension (
  questionnaire_id bigint NOT NULL REFERENCES maturite_questionnaire(id),
  slug text NOT NULL,
  libelle text NOT NULL,
  ordre int NOT NULL,
  PRIMARY KEY (questionnaire_id, slug)
);

CREATE TABLE maturite_question (
  questionnaire_id bigint NOT NULL REFERENCES maturite_questionnaire(id),
  code text NOT NULL,
  dimension text NOT NULL,
  libelle text NOT NULL,
  poids numeric NOT NULL CHECK (poids > 0),
  ordre int NOT NULL,
  PRIMARY KEY (questionnaire_id, code),
  FOREIGN KEY (questionnaire_id, dimension) REFERENCES maturite_dimension(questionnaire_id, slug)
);

CREATE TABLE maturite_choix (
  questionnaire_id bigint NOT NULL,
  question text NOT NULL,
  code text NOT NULL,
  libelle text NOT NULL,
  points numeric NOT NULL CHECK (points >= 0),
  ordre int NOT NULL,
  PRIMARY KEY (questionnaire_id, question, code),
  FOREIGN KEY (questionnaire_id, question) REFERENCES maturite_question(questionnaire_id, code)
);

-- A campaign: the online self-diagnostic, or an imported survey (e.g. a CCI survey).
CREATE TABLE maturite_campagne (
  id bigserial PRIMARY KEY,
  code text NOT NULL UNIQUE,
  libelle text NOT NULL,
  origine text NOT NULL CHECK (origine IN ('formulaire', 'import')),
  source text,                             -- producer of an imported survey
  cree_le timestamptz NOT NULL DEFAULT now()
);

-- One respondent. Anonymous: no name; the e-mail only with consent to be contacted (and its date).
-- The territory codes are those of the commune given, resolved through the territories service at
-- submission time. jeton_empreinte: SHA-256 of the result page's token (the token itself is never stored).
CREATE TABLE maturite_repondant (
  id bigserial PRIMARY KEY,
  campagne_id bigint NOT NULL REFERENCES maturite_campagne(id),
  questionnaire_id bigint NOT NULL REFERENCES maturite_questionnaire(id),
  jeton_empreinte text UNIQUE,
  type text NOT NULL,
  section_naf text NOT NULL,
  taille text NOT NULL,
  commune text NOT NULL,
  epci text,
  departement text NOT NULL,
  region text NOT NULL,
  consentement_contact boolean NOT NULL DEFAULT false,
  consentement_le timestamptz,
  email text,
  cree_le timestamptz NOT NULL DEFAULT now(),
  CHECK (email IS NULL OR (consentement_contact AND consentement_le IS NOT NULL)),
  CHECK (consentement_contact = (consentement_le IS NOT NULL))
);
CREATE INDEX maturite_repondant_groupe_idx ON maturite_repondant (taille, section_naf);
CREATE INDEX maturite_repondant_campagne_idx ON maturite_repondant (campagne_id);

CREATE TABLE maturite_reponse (
  repondant_id bigint NOT NULL REFERENCES maturite_repondant(id) ON DELETE CASCADE,
  question text NOT NULL,
  choix text NOT NULL,
  PRIMARY KEY (repondant_id, question)
);

-- Score of a respondent per dimension (0–100), computed once at submission with the weights of its version.
CREATE TABLE maturite_score (
  repondant_id bigint NOT NULL REFERENCES maturite_repondant(id) ON DELETE CASCADE,
  dimension text NOT NULL,
  score numeric NOT NULL CHECK (score >= 0 AND score <= 100),
  PRIMARY KEY (repondant_id, dimension)
);
