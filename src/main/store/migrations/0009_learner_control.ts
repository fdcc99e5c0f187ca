// Schema version 9: the learner fitted on the control labels alone (what random labeling would have
// reached) is kept beside each refresh's learner, and the prequential record says whether it was
// right on each new control label: the efficiency meter's random curve.
export const sql = /* sql */ `

-- learner_weights gains a role and the labels each model was fitted on: SQLite changes a primary
-- key only by rebuilding the table.
CREATE TABLE learner_weights_v2 (
  refresh_id  INTEGER NOT NULL REFERENCES learner_refreshes(id),
  role        TEXT NOT NULL CHECK (role IN ('learner', 'control')),
  labels      INTEGER NOT NULL,            -- labels this model was fitted on
  dim         INTEGER NOT NULL,
  outputs     INTEGER NOT NULL,
  weights     BLOB NOT NULL,               -- float64: outputs×dim, then the biases
  meta        TEXT NOT NULL,               -- JSON
  PRIMARY KEY (refresh_id, role)
);
INSERT INTO learner_weights_v2 SELECT w.refresh_id, 'learner', r.labels, w.dim, w.outputs, w.weights, w.meta
  FROM learner_weights w JOIN learner_refreshes r ON r.id = w.refresh_id;
DROP TABLE learner_weights;
ALTER TABLE learner_weights_v2 RENAME TO learner_weights;

-- control items: whether the learner fitted on control labels alone was right, and on how many
ALTER TABLE learner_prequential ADD COLUMN random_correct INTEGER;
ALTER TABLE learner_prequential ADD COLUMN random_labels_at INTEGER;
`;
