// Leases queue items until none is left and prints each, for the concurrent next-item test.
// Usage: node --import tsx test/helpers/queue-taker.ts DB PROJECT ANNOTATOR SESSION
import { createContext } from '../../src/main/core/create-context';
import { call } from '../../src/main/core/dispatch';

const [db, project, annotator, session] = process.argv.slice(2) as [string, string, string, string];
const ctx = createContext({ dbPath: db, runtime: 'cli' });
for (;;) {
  const next = await call(
    'queue.next',
    { project: { project }, annotator, session: `${session}-${Math.random()}` },
    ctx,
  );
  if (!next.item) break;
  process.stdout.write(`${next.item.externalId}\n`);
}
await ctx.dispose();
