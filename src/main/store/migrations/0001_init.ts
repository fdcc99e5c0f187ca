// Schema version 1. Forward-only: later changes go in new numbered files.
export const sql = /* sql */ `


CREATE TABLE projects (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  task_type     TEXT NOT NULL CHECK (task_type IN ('binary', 'multiclass', 'multilabel')),
  input_kind    TEXT NOT NULL CHECK (input_kind IN ('text', 'tabular', 'image')),
  classes       TEXT NOT NULL,            -- JSON array, the order every score vector uses
  feature_names TEXT,                     -- JSON array for tabular projects
  created_at    INTEGER NOT NULL
);

CREATE TABLE label_schema_versions (
  id             INTEGER PRIMARY KEY,
  project_id     INTEGER NOT NULL REFERENCES projects(id),
  version        INTEGER NOT NULL,
  labels         TEXT NOT NULL,           -- JSON [{id, name, description, hotkey, color}]
  guidelines     TEXT NOT NULL DEFAULT '',
  change_note    TEXT NOT NULL DEFAULT '',
  mapping_from_previous TEXT,             -- JSON: renames, merges and splits
  created_at     INTEGER NOT NULL,
  UNIQUE (project_id, version)
);

CREATE TABLE import_runs (
  id              INTEGER PRIMARY KEY,
  project_id      INTEGER NOT NULL REFERENCES projects(id),
  source_path     TEXT NOT NULL,
  source_size     INTEGER NOT NULL,
  fingerprint     TEXT NOT NULL,          -- sha256 of size + first and last MiB
  sha256          TEXT,                   -- whole-file hash, set when the run is done
  format          TEXT NOT NULL,
  compression     TEXT NOT NULL,
  mapping         TEXT NOT NULL,          -- JSON ImportMapping
  strict          INTEGER NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'cancelled')),
  owner_pid       INTEGER,
  owner_host      TEXT,
  records_read    INTEGER NOT NULL DEFAULT 0,  -- source records consumed by committed batches
  rows_imported   INTEGER NOT NULL DEFAULT 0,
  rows_rejected   INTEGER NOT NULL DEFAULT 0,
  rows_present    INTEGER NOT NULL DEFAULT 0,  -- rows whose prediction was already stored
  examples_added  INTEGER NOT NULL DEFAULT 0,
  truth_added     INTEGER NOT NULL DEFAULT 0,  -- new examples carrying ground truth
  min_ts          INTEGER,                     -- time range of the new examples
  max_ts          INTEGER,
  rejects_path    TEXT,
  rejects_bytes   INTEGER NOT NULL DEFAULT 0,
  error           TEXT,
  started_at      INTEGER NOT NULL,
  finished_at     INTEGER
);
CREATE INDEX import_runs_by_project ON import_runs (project_id, status);

-- What each import added, kept as it commits, so counts over millions of rows are sums over
-- a few runs instead of table scans. model_run_id 0 holds ground-truth label counts.
CREATE TABLE import_run_counts (
  import_run_id  INTEGER NOT NULL REFERENCES import_runs(id),
  model_run_id   INTEGER NOT NULL,
  value          TEXT NOT NULL,           -- predicted class index / bitmask, or a truth label
  n              INTEGER NOT NULL,
  PRIMARY KEY (import_run_id, model_run_id, value)
) WITHOUT ROWID;

CREATE TABLE import_mappings (
  project_id  INTEGER NOT NULL REFERENCES projects(id),
  name        TEXT NOT NULL,
  mapping     TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (project_id, name)
);

CREATE TABLE examples (
  id            INTEGER PRIMARY KEY,
  project_id    INTEGER NOT NULL REFERENCES projects(id),
  external_id   TEXT NOT NULL,
  ts            INTEGER,                  -- epoch milliseconds
  text          TEXT,
  features      BLOB,                     -- little-endian float32 vector
  image_path    TEXT,
  metadata      TEXT,                     -- JSON object
  ground_truth  TEXT,                     -- class name (multilabel: JSON array of names)
  content_hash  INTEGER NOT NULL,
  import_run_id INTEGER NOT NULL REFERENCES import_runs(id),
  UNIQUE (project_id, external_id)
);

CREATE TABLE model_runs (
  id             INTEGER PRIMARY KEY,
  project_id     INTEGER NOT NULL REFERENCES projects(id),
  source         TEXT NOT NULL CHECK (source IN ('import', 'rescore')),
  model_name     TEXT NOT NULL,
  model_version  TEXT NOT NULL,
  import_run_id  INTEGER REFERENCES import_runs(id),
  created_at     INTEGER NOT NULL,
  UNIQUE (project_id, source, model_name, model_version)
);

-- One row per (model run, example); scores in the project's class order as float32
-- (binary: one value, P(classes[1])).
CREATE TABLE predictions (
  model_run_id   INTEGER NOT NULL REFERENCES model_runs(id),
  example_id     INTEGER NOT NULL REFERENCES examples(id),
  predicted      INTEGER NOT NULL,        -- class index, or a bitmask of classes (multilabel)
  scores         BLOB NOT NULL,
  import_run_id  INTEGER,
  PRIMARY KEY (model_run_id, example_id)
) WITHOUT ROWID;

CREATE TABLE mining_runs (
  id           INTEGER PRIMARY KEY,
  project_id   INTEGER NOT NULL REFERENCES projects(id),
  strategy     TEXT NOT NULL,
  params       TEXT NOT NULL,             -- JSON
  model_runs   TEXT NOT NULL,             -- JSON array of model run ids
  filters      TEXT NOT NULL,             -- JSON
  items_added  INTEGER NOT NULL DEFAULT 0,
  created_at   INTEGER NOT NULL
);

CREATE TABLE annotators (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  created_at  INTEGER NOT NULL
);

CREATE TABLE queue_items (
  id                INTEGER PRIMARY KEY,
  project_id        INTEGER NOT NULL REFERENCES projects(id),
  example_id        INTEGER NOT NULL REFERENCES examples(id),
  mining_run_id     INTEGER NOT NULL REFERENCES mining_runs(id),
  priority          REAL NOT NULL,
  reason            TEXT NOT NULL,
  status            TEXT NOT NULL CHECK (status IN ('pending', 'leased', 'done', 'skipped')),
  lease_annotator   INTEGER REFERENCES annotators(id),
  lease_expires_at  INTEGER,
  UNIQUE (project_id, example_id)
);
CREATE INDEX queue_items_next ON queue_items (project_id, status, priority DESC);

-- Append-only: the current label of an example is derived from its events.
CREATE TABLE label_events (
  id                 INTEGER PRIMARY KEY,
  project_id         INTEGER NOT NULL REFERENCES projects(id),
  example_id         INTEGER NOT NULL REFERENCES examples(id),
  annotator_id       INTEGER NOT NULL REFERENCES annotators(id),
  schema_version_id  INTEGER NOT NULL REFERENCES label_schema_versions(id),
  action             TEXT NOT NULL CHECK (action IN ('label', 'accept', 'reject', 'skip', 'flag', 'undo', 'adjudicate')),
  labels             TEXT,                -- JSON array of label ids
  comment            TEXT,
  time_spent_ms      INTEGER,
  client_event_id    TEXT UNIQUE,         -- makes a retried save idempotent
  created_at         INTEGER NOT NULL
);
CREATE INDEX label_events_by_example ON label_events (project_id, example_id, id);

CREATE TABLE exports (
  id                 INTEGER PRIMARY KEY,
  project_id         INTEGER NOT NULL REFERENCES projects(id),
  schema_version_id  INTEGER REFERENCES label_schema_versions(id),
  options            TEXT NOT NULL,       -- JSON
  format             TEXT NOT NULL,
  path               TEXT NOT NULL,
  manifest           TEXT NOT NULL,       -- JSON
  content_hash       TEXT NOT NULL,
  created_at         INTEGER NOT NULL
);

-- Prevent edits in place of the append-only history.
CREATE TRIGGER label_events_no_update BEFORE UPDATE ON label_events
BEGIN SELECT RAISE(ABORT, 'label events are append-only'); END;
CREATE TRIGGER label_events_no_delete BEFORE DELETE ON label_events
BEGIN SELECT RAISE(ABORT, 'label events are append-only'); END;
CREATE TRIGGER label_schema_versions_no_update BEFORE UPDATE ON label_schema_versions
BEGIN SELECT RAISE(ABORT, 'label schema versions are immutable'); END;
`;
