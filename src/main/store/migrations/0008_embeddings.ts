// Schema version 8: sentence embeddings, one L2-normalised float32 vector per example and encoder
// (a registered model whose output mapping is 'embedding'), written window by window with the run's
// position so that a stopped run continues after the last example it read; and the examples a
// model was trained on, recorded as a list where no export or cut-off describes them (the learner).
export const sql = /* sql */ `
CREATE TABLE embeddings (
  model_id    INTEGER NOT NULL REFERENCES models(id),
  example_id  INTEGER NOT NULL REFERENCES examples(id),
  vector      BLOB NOT NULL,              -- little-endian float32 [dim]
  PRIMARY KEY (model_id, example_id)
) WITHOUT ROWID;

CREATE TABLE embedding_runs (
  model_id         INTEGER PRIMARY KEY REFERENCES models(id),
  project_id       INTEGER NOT NULL REFERENCES projects(id),
  dim              INTEGER NOT NULL,
  last_example_id  INTEGER NOT NULL DEFAULT 0,   -- every example up to this id has been read
  rows             INTEGER NOT NULL DEFAULT 0,   -- vectors written
  status           TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'cancelled')),
  error            TEXT,
  updated_at       INTEGER NOT NULL
);

CREATE TABLE model_training_examples (
  project_id     INTEGER NOT NULL REFERENCES projects(id),
  model_name     TEXT NOT NULL,
  model_version  TEXT NOT NULL,
  example_id     INTEGER NOT NULL REFERENCES examples(id),
  PRIMARY KEY (project_id, model_name, model_version, example_id)
) WITHOUT ROWID;
`;
