// Runs one export plan (JSON file) in this process, for the disk-full test (run under `ulimit -f`).
// Usage: node --import tsx test/helpers/export-in-child.ts PLAN.json
import fs from 'node:fs';
import { buildExport } from '../../src/main/features/export/build-export';
import { describeWriteError } from '../../src/main/features/export/export-process-errors';

const plan = JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8'));
buildExport(plan, () => {}).then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${describeWriteError(e)}\n`);
    process.exit(1);
  },
);
