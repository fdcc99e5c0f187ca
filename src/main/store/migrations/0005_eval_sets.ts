// Schema version 5: frozen evaluation sets, what each model was trained on, the examples of each
// export, and the random control sample of mining runs.
export const sql = /* sql */ `

-- A named, frozen selection of examples with the reference label each had when the set was made.
CREATE TABLE eval_sets (
  id                 INTEGER PRIMARY KEY,
  project_id         INTEGER NOT NULL REFERENCES projects(id),
  name               TEXT NOT NULL,
  schema_version_id  INTEGER NOT NULL REFERENCES label_schema_versions(id),
  definition         TEXT NOT NULL,       -- JSON: the filters it was built from
  summary            TEXT NOT NULL,       -- JSON: counts by origin and what was left out
  created_at         INTEGER NOT NULL,
  UNIQUE (project_id, name)
);

CREATE TABLE eval_set_examples (
  eval_set_id  INTEGER NOT NULL REFERENCES eval_sets(id),
  example_id   INTEGER NOT NULL REFERENCES examples(id),
  class_index  INTEGER NOT NULL,          -- the reference label, in the project's class order
  origin       TEXT NOT NULL CHECK (origin IN ('truth', 'curated')),
  control      INTEGER NOT NULL,          -- 1: a curated label of a random (control) sample
  PRIMARY KEY (eval_set_id, example_id)
) WITHOUT ROWID;

CREATE TRIGGER eval_sets_no_update BEFORE UPDATE ON eval_sets
BEGIN SELECT RAISE(ABORT, 'evaluation sets are frozen'); END;
CREATE TRIGGER eval_set_examples_no_update BEFORE UPDATE ON eval_set_examples
BEGIN SELECT RAISE(ABORT, 'evaluation sets are frozen'); END;
CREATE TRIGGER eval_set_examples_no_delete BEFORE DELETE ON eval_set_examples
BEGIN SELECT RAISE(ABORT, 'evaluation sets are frozen'); END;

-- What a model (name@version, every run of it) was trained on: an export, a cut-off time, or both.
CREATE TABLE model_lineage (
  project_id     INTEGER NOT NULL REFERENCES projects(id),
  model_name     TEXT NOT NULL,
  model_version  TEXT NOT NULL,
  export_id      INTEGER REFERENCES exports(id),
  train_until    INTEGER,                 -- epoch ms: trained on examples before this time
  recorded_at    INTEGER NOT NULL,
  PRIMARY KEY (project_id, model_name, model_version),
  CHECK (export_id IS NOT NULL OR train_until IS NOT NULL)
);

-- The examples an export holds and the split of each, as two blobs (int32 ids, uint8 split index).
CREATE TABLE export_examples (
  export_id    INTEGER PRIMARY KEY REFERENCES exports(id),
  split_names  TEXT NOT NULL,             -- JSON array: the split index's names
  example_ids  BLOB NOT NULL,
  splits       BLOB NOT NULL
);

ALTER TABLE queue_items ADD COLUMN control INTEGER NOT NULL DEFAULT 0;
`;
