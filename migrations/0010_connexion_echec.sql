-- Failed logins, per account and per client address. Kept in the database (not in process memory)
-- so that the limits hold across instances and restarts. Rows older than a day are pruned.
CREATE TABLE connexion_echec (
  id bigserial PRIMARY KEY,
  email text NOT NULL,                -- lower-cased as typed (the account may not exist)
  adresse text NOT NULL,              -- client address as Fastify computes it (TRUST_PROXY)
  le timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX connexion_echec_email_idx ON connexion_echec (email, le);
CREATE INDEX connexion_echec_adresse_idx ON connexion_echec (adresse, le);
