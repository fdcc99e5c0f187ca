// Runs one embedding pass in this process, to be killed mid-way by a test.
// Usage: node --import tsx test/helpers/embed-in-child.ts DIR PROJECT ENCODER
import path from 'node:path';
import { createContext } from '../../src/main/core/create-context';
import { call } from '../../src/main/core/dispatch';

const [dir, project, encoder] = process.argv.slice(2) as [string, string, string];
const ctx = createContext({ dbPath: path.join(dir, 'w.db'), runtime: 'cli', dataDir: dir });
call('learn.embed', { project: { project }, encoder, batchSize: 64 }, ctx)
  .then(({ jobId }) => ctx.jobs.wait(jobId))
  .then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`${String(e)}\n`);
      process.exit(1);
    },
  );
