-- Source files are removed after a retention period (SOURCE_RETENTION_DAYS / _PER_JOB): the run keeps
-- what describes them, the name (source), the SHA-256 and, from now on, the size in bytes.
ALTER TABLE import_run ADD COLUMN source_taille bigint;
