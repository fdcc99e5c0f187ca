/**
 * Every option of the CLI and, per command, the options it takes and the help that describes
 * them: one table, so help and validation cannot drift apart (a test holds them together).
 * A new option: add it to OPTION_TYPES, to its command's `options` and to its help text.
 */
export const OPTION_TYPES = {
  db: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  project: { type: 'string' },
  mapping: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  yes: { type: 'boolean', short: 'y', default: false },
  'save-mapping': { type: 'string' },
  strict: { type: 'boolean', default: false },
  rejects: { type: 'string' },
  'max-line-mb': { type: 'string' },
  'max-gzip-ratio': { type: 'string' },
  discard: { type: 'string' },
  format: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'allow-remote': { type: 'boolean', default: false },
  'public-host': { type: 'string', multiple: true },
  dir: { type: 'string' },
  rows: { type: 'string' },
  annotator: { type: 'string' },
  action: { type: 'string' },
  comment: { type: 'string' },
  'schema-version': { type: 'string' },
  strategy: { type: 'string' },
  runs: { type: 'string' },
  limit: { type: 'string' },
  threshold: { type: 'string' },
  measure: { type: 'string' },
  seed: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  where: { type: 'string', multiple: true },
  class: { type: 'string', multiple: true },
  'per-class': { type: 'string' },
  'second-share': { type: 'string' },
  'include-labeled': { type: 'boolean', default: false },
  'keep-duplicates': { type: 'boolean', default: false },
  dedupe: { type: 'boolean', default: false },
  status: { type: 'string' },
  session: { type: 'string' },
  conflicts: { type: 'boolean', default: false },
  count: { type: 'string' },
  again: { type: 'string' },
  force: { type: 'boolean', default: false },
  agreement: { type: 'string' },
  'label-source': { type: 'string' },
  'model-run': { type: 'string' },
  'with-scores': { type: 'string' },
  split: { type: 'string' },
  cutoffs: { type: 'string' },
  fractions: { type: 'string' },
  'group-by': { type: 'string' },
  metric: { type: 'string' },
  champion: { type: 'string' },
  challenger: { type: 'string' },
  margin: { type: 'string' },
  'recall-margin': { type: 'string' },
  source: { type: 'string' },
  gate: { type: 'boolean', default: false },
  reference: { type: 'string' },
  current: { type: 'string' },
  name: { type: 'string' },
  'model-version': { type: 'string' },
  classes: { type: 'string' },
  'input-template': { type: 'string' },
  'input-pair': { type: 'string' },
  card: { type: 'string' },
  /** `model add --version V`: the model's version. `flywheel --version` alone prints the app's. */
  version: { type: 'string' },
  device: { type: 'string' },
  batch: { type: 'string' },
  'memory-limit': { type: 'string' },
  threads: { type: 'string' },
  file: { type: 'string' },
  run: { type: 'string' },
  vs: { type: 'string' },
  'min-support': { type: 'string' },
  'max-depth': { type: 'string' },
  top: { type: 'string' },
  window: { type: 'string' },
  guard: { type: 'string', multiple: true },
  all: { type: 'boolean', default: false },
  out: { type: 'string' },
  'eval-set': { type: 'string' },
  'control-only': { type: 'boolean', default: false },
  'control-share': { type: 'string' },
  'gate-on-mined': { type: 'boolean', default: false },
  'trained-on': { type: 'string' },
  'train-until': { type: 'string' },
  representation: { type: 'string' },
  encoder: { type: 'string' },
  reset: { type: 'boolean', default: false },
  every: { type: 'string' },
  penalty: { type: 'string' },
} as const;

export type OptionName = keyof typeof OPTION_TYPES;

/** Taken by every command. */
export const GLOBAL_OPTIONS = ['db', 'json', 'help'] as const satisfies readonly OptionName[];

export interface CommandSpec {
  /** Its lines in the Commands list of the help. */
  usage: string;
  /** Options beyond the global ones. */
  options: readonly OptionName[];
  /** Its own "options" section of the help, when the usage lines do not describe them all. */
  optionsHelp?: string;
}

export const COMMANDS = {
  init: {
    usage: `  init                      create (or check) the workbench database`,
    options: [],
  },
  projects: {
    usage: `  projects                  list projects with their counts`,
    options: [],
  },
  stats: {
    usage: `  stats [PROJECT]           counts, time range and model runs of a project`,
    options: [],
  },
  import: {
    usage: `  import FILE               import a prediction log (JSONL, CSV, Parquet; .gz for JSONL/CSV)`,
    options: [
      'project',
      'mapping',
      'dry-run',
      'yes',
      'save-mapping',
      'strict',
      'rejects',
      'max-line-mb',
      'max-gzip-ratio',
      'discard',
      'format',
    ],
    optionsHelp: `  --project NAME            target project (created from the mapping if it does not exist)
  --mapping NAME|FILE.json  a saved mapping of the project, or a mapping file
  --dry-run                 show the guessed mapping and a checked sample; import nothing
  --yes                     accept the guessed mapping without asking
  --save-mapping NAME       save the mapping under NAME for later imports
  --strict                  import nothing if any row is bad (every bad row is still listed and counted)
  --rejects PATH            a new file for the rejected rows; an existing file is refused
                            (default: in the data folder)
  --max-line-mb N           longest accepted line/record (default 16)
  --max-gzip-ratio N        refuse gzip data expanding more than N:1 (default 200)
  --format F                jsonl, csv or parquet: refuse the file if its content is another format
  --discard RUN_ID          remove the rows of an interrupted import (its process is gone,
                            or it gave no heartbeat for 30 s)
  An empty CSV cell is an empty string in a text, label or metadata column (an empty label is
  no label) and missing in a number column, as "" and null are in JSONL.`,
  },
  'label-schema': {
    usage: `  label-schema PROJECT      show the label schema versions of a project
    … set FILE.json         add a version (labels, guidelines, changeNote, mappingFromPrevious)
    … diff A B              what changed between versions A and B`,
    options: [],
  },
  model: {
    usage: `  model add FILE            register an ONNX model for --project (--name N, --version V or
                            --model-version V; default: the model's own; --classes a,b: its column
                            order where the model names none; --input-template '{subject}\\n{body}':
                            the text it reads, from the example's text, text parts and metadata (\\n
                            and \\t written as such); --input-pair query,document: two fields fed
                            as a text pair through tokenizer.json; --trained-on EXPORT_ID |
                            --train-until DATE: what it was trained on, which eval leaves out;
                            --threshold T: a binary model's decision threshold (default 0.5);
                            --card model.json: any of these not given on the command line, as a
                            JSON model card, which wins over the model's own metadata)`,
    options: [
      'project',
      'name',
      'model-version',
      'version',
      'classes',
      'input-template',
      'input-pair',
      'trained-on',
      'train-until',
      'threshold',
      'card',
    ],
  },
  'model-run': {
    usage: `  model-run lineage PROJECT RUN   record what a model run's model was trained on: --trained-on
                            EXPORT_ID (all but the export's test split) and/or --train-until DATE`,
    options: ['trained-on', 'train-until'],
  },
  models: {
    usage: `  models PROJECT            list registered models`,
    options: [],
  },
  rescore: {
    usage: `  rescore PROJECT MODEL     score every example with a model into a new model run (--device auto|cpu|
                            webgpu|cuda|dml|coreml, --batch N, --memory-limit MB); resumes after an interruption`,
    options: ['device', 'batch', 'memory-limit'],
  },
  predictions: {
    usage: `  predictions PROJECT RUN   write a model run's predictions (id, ts, input, predicted, p_<class> per
                            class, model) to a file`,
    options: ['format', 'out', 'force'],
    optionsHelp: `  --format F                jsonl (default), csv or parquet
  --out PATH                the file to write (default: <data folder>/predictions/PROJECT-RUN.FORMAT)
  --force                   replace an existing file`,
  },
  mine: {
    usage: `  mine PROJECT              rank examples and merge the best into the review queue`,
    options: [
      'strategy',
      'runs',
      'threshold',
      'measure',
      'seed',
      'limit',
      'from',
      'to',
      'where',
      'class',
      'per-class',
      'second-share',
      'include-labeled',
      'keep-duplicates',
      'dedupe',
      'control-share',
      'dry-run',
    ],
    optionsHelp: `  --strategy S              entropy (default), least-confidence, margin, threshold, disagreement,
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
  --control-share S         share of --limit drawn as a uniform random control sample of the eligible
                            examples, tagged "random control sample": unbiased labels for eval
                            (0–1, default 0.1; not for --strategy random, which is all random)
  --include-labeled         also mine examples labeled under the current schema version
  --keep-duplicates         do not suppress exact and near duplicates (the default for random)
  --dedupe                  random: suppress exact and near duplicates too (off by default: a random
                            sample stays random)
  --dry-run                 show what would be queued (count, cut-off priority, distribution); queue nothing
  With --json the output lists every selected item (id, priority, reason).`,
  },
  'mine-file': {
    usage: `  mine-file PROJECT 'GLOB'  mine log files too big to import in place (DuckDB, out of core), then
                            import and queue only the selected rows`,
    options: [
      'mapping',
      'strategy',
      'threshold',
      'seed',
      'limit',
      'from',
      'to',
      'where',
      'class',
      'per-class',
      'second-share',
      'control-share',
      'include-labeled',
      'keep-duplicates',
      'dedupe',
      'dry-run',
      'threads',
      'memory-limit',
    ],
    optionsHelp: `  'GLOB'                    a file or a quoted glob (logs/*.parquet): JSONL, CSV (gzipped too) or
                            Parquet, all of one format, read in name order
  --mapping NAME|FILE.json  a saved mapping of the project, or a mapping file (default: the saved
                            mapping whose fields the files have)
  --strategy S              entropy (default), least-confidence, margin, threshold, random; the others
                            need stored labels or two model runs: import the log and use mine
  --threshold T --seed N --limit N --from DATE --to DATE --where KEY=VALUE --class NAME
  --per-class N --second-share F --control-share S --include-labeled --keep-duplicates --dedupe
                            as for mine: the same selection mine makes after importing the files
  --dry-run                 count, rank and show the selection's priorities; import and queue nothing
  --threads N               DuckDB's threads (default: the cores less one)
  --memory-limit MB         DuckDB's memory cap (default 512); past it DuckDB spills to the data folder
  Rows already in the project (same id) are queued, not imported again; refused rows are counted
  and listed in a rejects file, as an import lists them.`,
  },
  queue: {
    usage: `  queue PROJECT [stats]     queue counts; … list [--status S] [--limit N]; … next --annotator NAME
                            [--session ID] [--count N] (leases the top items); … release --annotator NAME`,
    options: ['status', 'limit', 'annotator', 'session', 'count'],
  },
  label: {
    usage: `  label PROJECT ID [LABEL…] record a label event (--annotator NAME; --action label|accept|reject|
                            skip|flag|comment|undo|adjudicate; --comment TEXT; --schema-version N)
    … --file LABELS.jsonl   one event per line: {"id", "labels", "action", "annotator", "comment"};
                            a file run twice is saved once`,
    options: ['annotator', 'action', 'comment', 'schema-version', 'file'],
  },
  agreement: {
    usage: `  agreement PROJECT         Cohen's kappa per annotator pair, Krippendorff's alpha; --conflicts lists
                            the open conflicts (at most --limit N, default 100; a label event with
                            action adjudicate settles one); --schema-version N (default: the current one)`,
    options: ['conflicts', 'limit', 'schema-version'],
  },
  export: {
    usage: `  export PROJECT NAME       write a dataset (a folder: files per split, manifest.json) to the
                            exports folder; --again ID rebuilds a recorded one`,
    options: [
      'format',
      'dir',
      'split',
      'fractions',
      'cutoffs',
      'seed',
      'group-by',
      'agreement',
      'label-source',
      'model-run',
      'with-scores',
      'annotator',
      'from',
      'to',
      'schema-version',
      'force',
      'again',
    ],
    optionsHelp: `  --format F                jsonl (default), csv, parquet, hf (Hugging Face datasets folder)
  --dir DIR                 the folder exports go to (default <data folder>/exports)
  --split time|random|none  time (default: oldest 80% train, 10% validation, newest 10% test)
  --fractions A,B,C         split shares; --cutoffs DATE1,DATE2 cuts by time instead
  --seed N                  random split seed; --group-by KEY keeps a metadata value in one split
  --agreement any|consensus|adjudicated   which labels count (default any)
  --label-source human|human+model        add the model's label where nobody labeled
  --model-run R             human+model: the run whose labels fill in (default: the newest)
  --with-scores R[,R]       add each run's predicted label and a score per class to every row
                            (run<id>_predicted, run<id>_p_<class>; empty where the run did not
                            score an example; the manifest names the runs and counts those)
  --annotator A,B           only these annotators' labels; --from/--to DATE a time window
  --schema-version N        labels under this schema version (default: the current one)
  --force                   replace an existing export of that name`,
  },
  exports: {
    usage: `  exports PROJECT           list the recorded exports of a project`,
    options: [],
  },
  eval: {
    usage: `  eval PROJECT              accuracy, macro-F1, ROC-AUC, log loss, Brier, calibration per model run
                            on ground truth or curated labels; champion vs challenger: a
                            non-inferiority gate (--gate exits 6 on a fail, 7 on too little evidence)`,
    options: [
      'champion',
      'challenger',
      'metric',
      'margin',
      'recall-margin',
      'source',
      'from',
      'to',
      'gate',
      'runs',
      'seed',
      'schema-version',
      'eval-set',
      'gate-on-mined',
      'guard',
    ],
    optionsHelp: `  --eval-set NAME           judge on a frozen evaluation set (eval-set create): exactly its examples
                            and the labels they had when it was made
  --champion R --challenger R   model runs (default: the two newest)
  --metric M                accuracy|macroF1|logLoss|brier|rocAuc (default macroF1)
  --margin X                the gate passes only if the 95% CI of challenger − champion stays above
                            −X (losses: below +X) (default 0.01)
  --recall-margin X         the same rule on each class's recall (default 0.05)
  --source S                truth (imported ground truth), curated, or both (curated wins where an
                            example has both); default truth if the project has any, else curated
  --from DATE --to DATE     only examples with a timestamp in [from, to)
  --gate                    exit 6 when the gate fails, 7 when the evidence is insufficient
                            (fewer than 30 common examples, or fewer than 5 of a class)
  --runs A,B                the model runs to measure (default: every one)
  --seed N                  bootstrap seed (default 1; 1,000 resamples stratified by label)
  --schema-version N        labels under this schema version (default: the current one)
  --gate-on-mined           let the gate judge on mined labels too (by default only ground truth,
                            control-sample and other unmined labels; mined ones feed error analysis)
  --guard KEY=VALUE[&K=V]   pin a slice: the same rule on the metric within the examples whose
                            metadata matches (repeatable; the gate's --margin)
  Each run is judged without the examples its model was trained on (model-run lineage).`,
  },
  'eval-set': {
    usage: `  eval-set create PROJECT NAME   freeze an evaluation set: the labeled examples the filters
                            select, with the label each has now (later relabels do not change it)
    … list PROJECT          the evaluation sets of a project
    … show PROJECT NAME     one set: its filters, counts and labels`,
    options: ['source', 'from', 'to', 'where', 'control-only', 'schema-version'],
    optionsHelp: `  --source S                truth, curated, or both (default; curated wins where an example has both)
  --from DATE --to DATE     only examples with a timestamp in [from, to)
  --where KEY=VALUE         metadata equality (repeatable); an unknown field is refused
  --control-only            curated labels only from a random control sample (unbiased); ground truth stays
  --schema-version N        curated labels under this schema version (default: the current one)`,
  },
  slices: {
    usage: `  slices PROJECT            where a run is wrong: error rate by metadata value and time window, and
                            the slices (metadata conjunctions) where its errors concentrate`,
    options: ['run', 'vs', 'min-support', 'max-depth', 'top', 'window', 'source', 'from', 'to', 'schema-version'],
    optionsHelp: `  --run R                   the model run judged (default: the newest)
  --vs R                    a champion: rank slices by the run's net extra errors against it
  --min-support N           examples a slice needs (default 30)
  --max-depth 1|2           single predicates, or also conjunctions of two fields (default 2)
  --top N                   slices listed (default 20)
  --window day|week         time windows of the breakdown (default week, Monday 00:00 UTC)
  --source S --from DATE --to DATE --schema-version N   the evaluation set, as for eval`,
  },
  drift: {
    usage: `  drift PROJECT             what moved between --reference A..B and --current C..D: traffic (features,
                            metadata), each run's scores, and the predicted vs labeled rate; --all
                            prints every row (scores of --model-run R, default the newest); --runs X,Y
                            compares two runs on the same examples; --gate exits 6 on an alert`,
    options: ['reference', 'current', 'model-run', 'runs', 'gate', 'all'],
  },
  demo: {
    usage: `  demo                      write demo logs and import them into demo projects`,
    options: ['dir', 'rows'],
    optionsHelp: `  --dir DIR                 where to write the demo logs (default: <data folder>/demo)
  --rows N                  rows per log (default 20000)`,
  },
  learn: {
    usage: `  learn PROJECT             set up the project's learner and refit it now (scores every example into
                            learner@<labels>, re-ranks the pending queue)
    … refresh               refit now with the current settings
    … status                settings, last refresh, efficiency meter, stop signal, label issues
    … embed --encoder M     compute a registered sentence encoder's embedding of every example (mean
                            pooling, L2 norm; --reset starts over; resumes after an interruption)
    … export --out PATH     write the latest learner as ONNX with its classes and training lineage
                            (features: a .onnx file; embeddings: a folder with the tokenizer)`,
    options: [
      'representation',
      'every',
      'control-share',
      'label-source',
      'penalty',
      'encoder',
      'reset',
      'out',
      'force',
      'device',
      'batch',
    ],
    optionsHelp: `  --representation R       features (the logged feature vector), text (hashed n-grams) or
                            embeddings:MODEL (a registered sentence encoder's stored embeddings)
  --every N                 refit after every N new labels in the app and browser mode (default 25)
  --control-share S         share of each re-ranked queue drawn at random as a control (default 0.1)
  --label-source SRC        curated (default), or curated+truth: imported ground truth too, never
                            that of an evaluation set's examples
  --penalty X               L2 penalty of the logistic regression (default 1)
  --device D, --batch N     embed: where the encoder runs (auto, cpu, cuda, …) and rows per window
  --force                   export: replace what is at --out`,
  },
  serve: {
    usage: `  serve                     browser mode: the workbench UI and API on http://127.0.0.1`,
    options: ['port', 'host', 'allow-remote', 'public-host'],
    optionsHelp: `  --port N                  port (default 4780; 0 picks a free one)
  --host ADDR               address to bind (default 127.0.0.1)
  --allow-remote            needed to bind anything but a loopback address
  --public-host NAME[:PORT] a name browsers reach this machine by (repeatable); needed with
                            --host 0.0.0.0 or ::, as requests naming other hosts are refused`,
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

export function isCommand(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}
