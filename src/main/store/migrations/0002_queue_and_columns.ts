// Schema version 2: prediction column chunks for mining, queue leases and double labeling,
// and the `comment` label action.
export const sql = /* sql */ `

-- A columnar copy of predictions, one row per written batch and model run, kept in the same
-- transaction as the predictions rows: mining reads a million scores as a few blobs.
CREATE TABLE prediction_columns (
  id             INTEGER PRIMARY KEY,
  model_run_id   INTEGER NOT NULL REFERENCES model_runs(id),
  import_run_id  INTEGER REFERENCES import_runs(id),
  rows           INTEGER NOT NULL,
  width          INTEGER NOT NULL,
  example_ids    BLOB NOT NULL,           -- int32 per row
  predicted      BLOB NOT NULL,           -- int32 per row
  scores         BLOB NOT NULL            -- float32, width per row
);
CREATE INDEX prediction_columns_by_run ON prediction_columns (model_run_id);

ALTER TABLE queue_items ADD COLUMN labels_wanted INTEGER NOT NULL DEFAULT 1;
ALTER TABLE queue_items ADD COLUMN lease_session TEXT;
ALTER TABLE queue_items ADD COLUMN added_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX queue_items_leased ON queue_items (project_id, status, lease_expires_at);

-- Items per status, kept by triggers: the review screen shows "N left" after every save, and
-- counting a large queue's index each time would cost more than the save.
CREATE TABLE queue_status_counts (
  project_id  INTEGER NOT NULL,
  status      TEXT NOT NULL,
  n           INTEGER NOT NULL,
  PRIMARY KEY (project_id, status)
) WITHOUT ROWID;
INSERT INTO queue_status_counts SELECT project_id, status, count(*) FROM queue_items GROUP BY project_id, status;
CREATE TRIGGER queue_items_count_insert AFTER INSERT ON queue_items
BEGIN
  INSERT INTO queue_status_counts VALUES (NEW.project_id, NEW.status, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER queue_items_count_update AFTER UPDATE OF status ON queue_items WHEN OLD.status != NEW.status
BEGIN
  UPDATE queue_status_counts SET n = n - 1 WHERE project_id = OLD.project_id AND status = OLD.status;
  INSERT INTO queue_status_counts VALUES (NEW.project_id, NEW.status, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER queue_items_count_delete AFTER DELETE ON queue_items
BEGIN
  UPDATE queue_status_counts SET n = n - 1 WHERE project_id = OLD.project_id AND status = OLD.status;
END;

ALTER TABLE mining_runs ADD COLUMN summary TEXT NOT NULL DEFAULT '{}';

-- label_events gains the 'comment' action: SQLite changes a CHECK only by rebuilding the table.
CREATE TABLE label_events_v2 (
  id                 INTEGER PRIMARY KEY,
  project_id         INTEGER NOT NULL REFERENCES projects(id),
  example_id         INTEGER NOT NULL REFERENCES examples(id),
  annotator_id       INTEGER NOT NULL REFERENCES annotators(id),
  schema_version_id  INTEGER NOT NULL REFERENCES label_schema_versions(id),
  action             TEXT NOT NULL CHECK (action IN ('label', 'accept', 'reject', 'skip', 'flag', 'comment', 'undo', 'adjudicate')),
  labels             TEXT,
  comment            TEXT,
  time_spent_ms      INTEGER,
  client_event_id    TEXT UNIQUE,
  created_at         INTEGER NOT NULL
);
INSERT INTO label_events_v2 SELECT id, project_id, example_id, annotator_id, schema_version_id, action, labels,
  comment, time_spent_ms, client_event_id, created_at FROM label_events;
DROP TABLE label_events;
ALTER TABLE label_events_v2 RENAME TO label_events;
CREATE INDEX label_events_by_example ON label_events (project_id, example_id, id);
CREATE INDEX label_events_by_annotator ON label_events (project_id, annotator_id, example_id);
CREATE TRIGGER label_events_no_update BEFORE UPDATE ON label_events
BEGIN SELECT RAISE(ABORT, 'label events are append-only'); END;
CREATE TRIGGER label_events_no_delete BEFORE DELETE ON label_events
BEGIN SELECT RAISE(ABORT, 'label events are append-only'); END;
`;
