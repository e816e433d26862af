-- Addresses (BAN, BAL, BANO), one row per address point. Re-importing a département replaces
-- its rows in one transaction. The search index is built in memory from this table.
CREATE TABLE adresse (
  id text PRIMARY KEY,                -- BAN id / BAL cle_interop / BANO id, as published
  numero integer,
  suffixe text,                       -- bis, ter, a, b…
  voie text NOT NULL,                 -- street name (or lieu-dit when the address has no street)
  lieu_dit text,
  code_postal text,
  code_insee text NOT NULL,           -- current commune (older codes mapped at import)
  commune text NOT NULL,
  departement text NOT NULL,
  lon double precision NOT NULL,
  lat double precision NOT NULL,
  source text NOT NULL CHECK (source IN ('ban', 'bal', 'bano')),
  import_run bigint REFERENCES import_run(id)
);
CREATE INDEX adresse_departement_idx ON adresse (departement);
CREATE INDEX adresse_code_insee_idx ON adresse (code_insee);
