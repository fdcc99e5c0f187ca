// Schema version 3: the model registry. A rescore writes its predictions under an import_runs row
// with format 'rescore', so visibility, resume and all-or-nothing work as for imported logs.
export const sql = /* sql */ `
CREATE TABLE models (
  id              INTEGER PRIMARY KEY,
  project_id      INTEGER NOT NULL REFERENCES projects(id),
  name            TEXT NOT NULL,
  version         TEXT NOT NULL,
  file            TEXT NOT NULL,           -- the copy in the data folder
  sha256          TEXT NOT NULL,
  input_mapping   TEXT NOT NULL,           -- JSON
  output_mapping  TEXT NOT NULL,           -- JSON
  created_at      INTEGER NOT NULL,
  UNIQUE (project_id, name, version)
);
`;
