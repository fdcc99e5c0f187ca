export const HELP = `flywheel — Flywheel Workbench from the command line

Usage: flywheel <command> [options]

Commands
  init                      create (or check) the workbench database
  projects                  list projects with their counts
  stats [PROJECT]           counts, time range and model runs of a project
  import FILE               import a prediction log (JSONL, CSV, Parquet; .gz for JSONL/CSV)
  label-schema PROJECT      show the label schema versions of a project
    … set FILE.json         add a version (labels, guidelines, changeNote, mappingFromPrevious)
    … diff A B              what changed between versions A and B
  model add FILE            register an ONNX model for --project (--name, --model-version)
  models PROJECT            list registered models
  rescore PROJECT MODEL     score every example with a model into a new model run (--device auto|cpu|
                            webgpu|cuda|dml|coreml, --batch N, --memory-limit MB); resumes after an interruption
  predictions PROJECT RUN   write a model run's predictions (id, ts, input, predicted, p_<class> per class,
                            model) to a file: --format jsonl|csv|parquet, --out PATH, --force
  mine PROJECT              rank examples and merge the best into the review queue
  queue PROJECT [stats]     queue counts; … list [--status S] [--limit N]; … next --annotator NAME
                            [--session ID] [--count N] (leases the top items); … release --annotator NAME
  label PROJECT ID [LABEL…] record a label event (--annotator NAME; --action label|accept|reject|
                            skip|flag|comment|undo|adjudicate; --comment TEXT; --schema-version N)
    … --file LABELS.jsonl   one event per line: {"id", "labels", "action", "annotator", "comment"};
                            a file run twice is saved once
  agreement PROJECT         Cohen's kappa per annotator pair, Krippendorff's alpha; --conflicts lists
                            the open conflicts (settle one with label --action adjudicate)
  export PROJECT NAME       write a dataset (a folder: files per split, manifest.json) to the
                            exports folder; --again ID rebuilds a recorded one; exports PROJECT lists them
  eval PROJECT              accuracy, macro-F1, ROC-AUC, log loss, ECE per model run on the curated
                            labels (all, random sample, mined); champion vs challenger; --gate exits 6
  drift PROJECT             PSI and KS of scores and features: --reference A..B --current C..D, or
                            --runs X,Y; --gate exits 6 on an alert
  demo                      write demo logs and import them into demo projects
  serve                     browser mode: the workbench UI and API on http://127.0.0.1
  help                      this text

Global options
  --db PATH                 database file (default: $FLYWHEEL_HOME/workbench.db or the user data folder)
  --json                    machine-readable output on stdout
  --version                 print the version

import options
  --project NAME            target project (created from the mapping if it does not exist)
  --mapping NAME|FILE.json  a saved mapping of the project, or a mapping file
  --dry-run                 show the guessed mapping and a checked sample; import nothing
  --yes                     accept the guessed mapping without asking
  --save-mapping NAME       save the mapping under NAME for later imports
  --strict                  import nothing if any row is bad
  --rejects PATH            where to write rejected rows (default: in the data folder)
  --max-line-mb N           longest accepted line/record (default 16)
  --discard RUN_ID          remove the rows of an interrupted import

mine options
  --strategy S              entropy (default), least-confidence, margin, threshold, disagreement,
                            vote-entropy, confident-error, random
  --runs A,B                model runs by id or name@version (default: the newest that fit)
  --threshold T             threshold strategy: the binary decision threshold (default 0.5)
  --measure M               disagreement: label-flip (default), abs-delta, jensen-shannon
  --seed N                  random: the sample's seed; also picks the doubly labeled items
  --limit N                 items to select (default 500)
  --from DATE --to DATE     time window on the example timestamp, [from, to)
  --where KEY=VALUE         metadata filter (repeatable)
  --class NAME              keep examples predicted as this class (repeatable)
  --per-class N             at most N items per predicted class
  --second-share F          share of new items two annotators label (0–1, default 0)
  --include-labeled         also mine examples labeled under the current schema version
  --keep-duplicates         do not suppress exact and near duplicates

export options
  --format F                jsonl (default), csv, parquet, hf (Hugging Face datasets folder)
  --dir DIR                 the folder exports go to (default <data folder>/exports)
  --split time|random|none  time (default: oldest 80% train, 10% validation, newest 10% test)
  --fractions A,B,C         split shares; --cutoffs DATE1,DATE2 cuts by time instead
  --seed N                  random split seed; --group-by KEY keeps a metadata value in one split
  --agreement any|consensus|adjudicated   which labels count (default any)
  --label-source human|human+model        add the model's label where nobody labeled
  --annotator A,B           only these annotators' labels; --from/--to DATE a time window
  --force                   replace an existing export of that name

eval options
  --champion R --challenger R   model runs (default: the two newest); --metric accuracy|macroF1|
                            logLoss|rocAuc (default macroF1); --margin X (default 0.01); --gate

serve options
  --port N                  port (default 4780; 0 picks a free one)
  --host ADDR               address to bind (default 127.0.0.1)
  --allow-remote            needed to bind anything but a loopback address

demo options
  --dir DIR                 where to write the demo logs (default: <data folder>/demo)
  --rows N                  rows per log (default 20000)

Exit codes
  0 ok · 1 failure · 2 usage · 3 bad file, mapping or rows · 4 not found · 5 conflict ·
  6 quality gate failed · 130 cancelled

Examples
  flywheel import logs/2026-11-20.jsonl --project sentiment --dry-run
  flywheel import logs/2026-11-20.jsonl --project sentiment --yes --save-mapping prod-log
  flywheel import logs/2026-11-21.csv.gz --project sentiment --mapping prod-log --strict
  flywheel stats sentiment --json
  flywheel label-schema sentiment set labels-v2.json && flywheel label-schema sentiment diff 1 2
  flywheel mine sentiment --strategy disagreement --limit 200 --second-share 0.2
  flywheel queue sentiment next --annotator ana --json
  flywheel label sentiment s-0000042 positive --annotator ana
  flywheel agreement sentiment --conflicts
  flywheel serve --port 4780
`;
