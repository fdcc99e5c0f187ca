// Schema version 7: a learner in the loop. Its configuration per project, each refresh (what it was
// fitted on, the model run it scored, how much it changed), its weights for warm starts and export,
// and the prequential record: each new curated label scored by the learner before it learned from it.
export const sql = /* sql */ `

CREATE TABLE learners (
  project_id      INTEGER PRIMARY KEY REFERENCES projects(id),
  representation  TEXT NOT NULL,           -- 'features' | 'text' | 'embeddings:<model id>'
  every_labels    INTEGER NOT NULL,        -- refresh after this many new decisions
  control_share   REAL NOT NULL,           -- share of each re-ranked queue drawn at random
  label_source    TEXT NOT NULL CHECK (label_source IN ('curated', 'curated+truth')),
  l2              REAL NOT NULL,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
);

CREATE TABLE learner_refreshes (
  id                 INTEGER PRIMARY KEY,
  project_id         INTEGER NOT NULL REFERENCES projects(id),
  representation     TEXT NOT NULL,
  schema_version_id  INTEGER NOT NULL REFERENCES label_schema_versions(id),
  labels             INTEGER NOT NULL,     -- examples the learner was fitted on
  class_counts       TEXT NOT NULL,        -- JSON: labels per class, in the project's class order
  training_hash      TEXT NOT NULL,        -- identity of (examples, classes, configuration) fitted on
  last_event_id      INTEGER NOT NULL,     -- the newest label event the training set saw
  model_run_id       INTEGER REFERENCES model_runs(id),
  mining_run_id      INTEGER REFERENCES mining_runs(id),
  cold_start         INTEGER NOT NULL,     -- 1: the queue was re-ranked by k-center, not uncertainty
  kappa_previous     REAL,                 -- Cohen's kappa with the previous learner over the pool
  fit                TEXT NOT NULL,        -- JSON: iterations, loss, converged, l2
  timings            TEXT NOT NULL,        -- JSON: ms per phase
  created_at         INTEGER NOT NULL
);
CREATE INDEX learner_refreshes_by_project ON learner_refreshes (project_id, id);

-- The fitted weights (float64, classes-major) with what is needed to rebuild the design (feature
-- scaling, hashing dimension): kept apart so listing refreshes never reads the blobs.
CREATE TABLE learner_weights (
  refresh_id  INTEGER PRIMARY KEY REFERENCES learner_refreshes(id),
  dim         INTEGER NOT NULL,
  outputs     INTEGER NOT NULL,
  weights     BLOB NOT NULL,
  meta        TEXT NOT NULL                -- JSON
);

CREATE TABLE learner_prequential (
  id              INTEGER PRIMARY KEY,
  project_id      INTEGER NOT NULL REFERENCES projects(id),
  example_id      INTEGER NOT NULL REFERENCES examples(id),
  label_event_id  INTEGER NOT NULL UNIQUE REFERENCES label_events(id),
  refresh_id      INTEGER NOT NULL REFERENCES learner_refreshes(id),
  labels_at       INTEGER NOT NULL,        -- labels the scoring learner was fitted on
  origin          TEXT NOT NULL CHECK (origin IN ('mined', 'control')),
  truth           INTEGER NOT NULL,        -- class index (multilabel: bitmask) of the new label
  predicted       INTEGER NOT NULL,
  probs           BLOB NOT NULL,           -- float32, one per class
  correct         INTEGER NOT NULL,
  created_at      INTEGER NOT NULL
);
CREATE INDEX learner_prequential_by_project ON learner_prequential (project_id, id);
`;
