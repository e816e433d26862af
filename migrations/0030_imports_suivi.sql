-- Import runs followed while they run, cancelled on request; follow-ups (listeners) recorded apart
-- from the run, so that a failed index refresh never rewrites a committed import as failed.
ALTER TABLE import_run DROP CONSTRAINT import_run_status_check;
ALTER TABLE import_run ADD CONSTRAINT import_run_status_check
  CHECK (status IN ('running', 'succeeded', 'failed', 'unchanged', 'cancelled'));
ALTER TABLE import_run ADD COLUMN bytes_read bigint NOT NULL DEFAULT 0;       -- downloaded so far
ALTER TABLE import_run ADD COLUMN bytes_total bigint;                        -- announced size, when known
ALTER TABLE import_run ADD COLUMN phase text;                                -- 'telechargement' | 'attente' | 'lecture'
ALTER TABLE import_run ADD COLUMN instance text;                             -- process that runs it
ALTER TABLE import_run ADD COLUMN cancel_requested_by text;                  -- set by an administrator
ALTER TABLE import_run ADD COLUMN progress_at timestamptz;

-- A follow-up of a committed run that failed (e.g. the address index of one instance not rebuilt).
-- resolved_at is set when a retry succeeds.
CREATE TABLE import_run_suite (
  id bigserial PRIMARY KEY,
  run_id bigint NOT NULL REFERENCES import_run(id) ON DELETE CASCADE,
  listener text NOT NULL,
  instance text NOT NULL,
  message text NOT NULL,
  failed_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz
);
CREATE INDEX import_run_suite_open_idx ON import_run_suite (run_id) WHERE resolved_at IS NULL;

-- Request counters shared by every instance on one PostgreSQL (login and search limits).
CREATE TABLE limite_requetes (
  cle text PRIMARY KEY,
  compte integer NOT NULL,
  fin timestamptz NOT NULL
);
