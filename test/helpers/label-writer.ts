// Labels as fast as it can and prints each acknowledged event, for the kill -9 test.
// Usage: node --import tsx test/helpers/label-writer.ts DB PROJECT PREFIX EXAMPLES
import { createContext } from '../../src/main/core/create-context';
import { call } from '../../src/main/core/dispatch';

const [db, project, prefix, examples] = process.argv.slice(2) as [string, string, string, string];
const ctx = createContext({ dbPath: db, runtime: 'cli' });
const labels = ['negative', 'neutral', 'positive'];
for (let i = 0; ; i++) {
  const clientEventId = `${prefix}-${i}`;
  const result = await call(
    'labels.record',
    {
      project: { project },
      externalId: `ex-${i % Number(examples)}`,
      annotator: prefix,
      schemaVersion: 1,
      action: 'label',
      labels: [labels[i % 3]!],
      clientEventId,
    },
    ctx,
  );
  // Printed only after the commit returned: everything printed must survive the kill.
  process.stdout.write(`${result.eventId} ${clientEventId}\n`);
}
