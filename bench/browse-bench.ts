import { createContext } from '../src/main/core/create-context';
import { call } from '../src/main/core/dispatch';
import type { Input } from '../src/shared/api/contract';
import { percentile, removeDb, round, twoRunDatabase } from './bench-data';

type Query = Omit<Input<'examples.browse'>, 'project'>;

/**
 * The data browser over a 1M-example project with two model runs: the first call (which builds the
 * in-memory columns), then pages at random offsets, filters and sorts, each timed through the API's
 * dispatch (input and output validated as every transport does).
 */
export async function browseBench(o: { rows: number; workDir: string }) {
  const { db } = await twoRunDatabase(o.workDir, o.rows);
  const ctx = createContext({ dbPath: db, runtime: 'cli', dataDir: o.workDir });
  try {
    const project = { project: 'sentiment' };
    const browse = async (q: Query) => {
      const t0 = performance.now();
      const page = await call('examples.browse', { project, limit: 100, ...q }, ctx);
      return { ms: performance.now() - t0, page };
    };
    // Some labels, so label filters have something to find.
    const labeled = await browse({ filters: { run: 'v2', disagreesWith: 'v1' }, limit: 500 });
    for (const row of labeled.page.rows.slice(0, 300)) {
      await call(
        'labels.record',
        {
          project,
          externalId: row.externalId,
          annotator: 'ana',
          schemaVersion: 1,
          action: 'label',
          labels: ['neutral'],
        },
        ctx,
      );
    }
    const first = await browse({});
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const total = first.page.total;
    const pages: number[] = [];
    for (let i = 0; i < 30; i++) pages.push((await browse({ offset: Math.floor(random() * (total - 100)) })).ms);
    const filters: Query['filters'][] = [
      { run: 'v1', predictedClasses: ['neutral'] },
      { run: 'v2', scoreClass: 'positive', scoreMin: 0.45, scoreMax: 0.55 },
      { run: 'v2', disagreesWith: 'v1' },
      { labelStates: ['labeled'] },
      { labelStates: ['unlabeled'], run: 'v1', predictedClasses: ['negative'], scoreMax: 0.6 },
      { from: Date.parse('2026-09-10T00:00:00Z'), to: Date.parse('2026-09-20T00:00:00Z') },
      { queueStates: ['not-queued'], run: 'v2', predictedClasses: ['positive'] },
    ];
    const filterMs: number[] = [];
    for (let rep = 0; rep < 3; rep++) for (const f of filters) filterMs.push((await browse({ filters: f })).ms);
    const sorts: Query[] = [
      { filters: { run: 'v2', scoreClass: 'positive' }, sort: { by: 'score', direction: 'desc' } },
      { filters: { run: 'v1' }, sort: { by: 'confidence', direction: 'asc' } },
      { sort: { by: 'time', direction: 'desc' } },
      { filters: { run: 'v1', predictedClasses: ['neutral'] }, sort: { by: 'confidence', direction: 'asc' } },
    ];
    // The first sort by a key builds that key's order over every example (once per data version).
    const sortFirstMs: number[] = [];
    for (const s of sorts) sortFirstMs.push((await browse(s)).ms);
    const sortMs: number[] = [];
    for (let rep = 0; rep < 3; rep++)
      for (const s of sorts) {
        sortMs.push((await browse(s)).ms);
        sortMs.push((await browse({ ...s, offset: 5000 })).ms);
      }
    const deepSortMs: number[] = [];
    for (const s of sorts) {
      deepSortMs.push((await browse({ ...s, offset: Math.floor(total / 2) })).ms);
    }
    const metadataMs: number[] = [];
    for (const channel of ['web', 'mobile', 'email'])
      metadataMs.push((await browse({ filters: { metadata: { channel } } })).ms);
    const searchMs: number[] = [];
    for (const word of ['air fryer', 'refund', 'zzzz-none'])
      searchMs.push((await browse({ filters: { search: word } })).ms);
    return {
      bench: 'browse',
      rows: total,
      first_page_ms: round(first.ms),
      page_p95_ms: round(percentile(pages, 95)),
      filter_p95_ms: round(percentile(filterMs, 95)),
      sort_p95_ms: round(percentile(sortMs, 95)),
      sort_first_ms: sortFirstMs.map((x) => round(x)),
      deep_sort_ms: deepSortMs.map((x) => round(x)),
      metadata_filter_ms: metadataMs.map((x) => round(x)),
      search_ms: searchMs.map((x) => round(x)),
      peak_rss_mb: round(process.resourceUsage().maxRSS / 1024),
    };
  } finally {
    await ctx.dispose();
    removeDb(db);
  }
}
