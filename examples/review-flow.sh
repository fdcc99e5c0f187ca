#!/usr/bin/env bash
# The flywheel's review loop from the CLI alone, on the demo data:
# import → mine → two annotators label 200 items (a quarter of them both) → agreement → adjudicate.
# Usage: examples/review-flow.sh [WORKDIR]   (the database goes to WORKDIR/workbench.db)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d)}
mkdir -p "$work"
fw() { node "$root/bin/flywheel.js" --db "$work/workbench.db" "$@"; }

fw demo --rows 5000 --dir "$work/demo"
fw mine sentiment --strategy disagreement --limit 200 --second-share 0.25 --seed 7

# Simulated annotators turn leased items into a labels file: ana follows model v2, ben the mean of
# v1 and v2, so they agree where the models roughly do and conflict where they do not.
to_labels() {
  node -e '
    const who = process.argv[1];
    let s = "";
    process.stdin.on("data", (d) => (s += d)).on("end", () => {
      for (const { item, example } of JSON.parse(s).items) {
        const [v1, v2] = example.predictions;
        const scores = who === "ana" ? v2.scores : v1.scores.map((p, i) => (p + v2.scores[i]) / 2);
        const best = scores.indexOf(Math.max(...scores));
        const label = ["negative", "neutral", "positive"][best];
        console.log(JSON.stringify({ id: item.externalId, labels: [label], timeSpentMs: 4000 }));
      }
    });' "$1"
}
review() { # annotator, how many items to lease
  fw queue sentiment next --annotator "$1" --count "$2" --json | to_labels "$1" > "$work/$1-$3.jsonl"
  fw label sentiment --file "$work/$1-$3.jsonl" --annotator "$1"
}
review ana 120 a
review ben 1000 b   # the 80 items left, plus ana's items that want a second label
review ana 1000 c   # ben's items that want a second label
fw agreement sentiment

# The lead settles every conflict, siding with the first candidate.
fw agreement sentiment --conflicts --json | node -e '
  let s = "";
  process.stdin.on("data", (d) => (s += d)).on("end", () => {
    for (const c of JSON.parse(s))
      console.log(JSON.stringify({ id: c.externalId, action: "adjudicate", labels: c.candidates[0].labels }));
  });' > "$work/lead.jsonl"
fw label sentiment --file "$work/lead.jsonl" --annotator lead
fw agreement sentiment
fw queue sentiment stats
