-- Which organisation owns a record of another module (public network, observatory target, and later
-- actions, places, resources): its editors may change it. A table of its own, in the foundation range,
-- because the owned tables are created by later migrations; the owning module removes the row when it
-- deletes the record. No row: only administrators may change the record.
CREATE TABLE organisation_propriete (
  objet_type text NOT NULL CHECK (objet_type ~ '^[a-z_]+$'),
  objet_id bigint NOT NULL,
  organisation_id bigint NOT NULL REFERENCES organisation(id) ON DELETE CASCADE,
  PRIMARY KEY (objet_type, objet_id)
);
CREATE INDEX organisation_propriete_org_idx ON organisation_propriete (organisation_id);
