import { QueueStatusSchema } from '../../../shared/features/review/contract';
import { call } from '../../core/dispatch';
import type { CliValues } from '../index';
import { openCliContext, print, UsageError, type GlobalOptions } from '../cli-context';
import { EXIT } from '../exit-codes';

/** `flywheel queue PROJECT [stats|list|next|release] …` */
export async function queueCommand(opts: GlobalOptions, args: string[], values: CliValues): Promise<number> {
  const [project, sub = 'stats'] = args;
  if (!project) throw new UsageError('queue needs PROJECT');
  const ref = { project };
  const ctx = openCliContext(opts);
  try {
    switch (sub) {
      case 'stats': {
        const s = await call('queue.stats', ref, ctx);
        print(
          opts,
          s,
          () =>
            `${project}: ${s.pending} pending, ${s.leased} leased, ${s.done} done, ${s.skipped} skipped` +
            (s.expiredLeases ? `, ${s.expiredLeases} expired leases` : '') +
            `; ${s.doublyLabeled} items for two annotators`,
        );
        return EXIT.ok;
      }
      case 'list': {
        const status = values.status === undefined ? undefined : QueueStatusSchema.safeParse(values.status);
        if (status && !status.success)
          throw new UsageError(`--status is one of ${QueueStatusSchema.options.join(', ')}`);
        const limit = values.limit ? Number(values.limit) : 20;
        const items = await call(
          'queue.list',
          { project: ref, limit, ...(status ? { status: status.data } : {}) },
          ctx,
        );
        print(opts, items, () =>
          items
            .map(
              (i) =>
                `${i.priority.toFixed(3)}  ${i.status.padEnd(7)}  ${i.control ? 'control ' : ''}${i.externalId}  ${i.reason}`,
            )
            .join('\n'),
        );
        return EXIT.ok;
      }
      case 'next': {
        if (!values.annotator) throw new UsageError('queue next needs --annotator NAME');
        const count = values.count === undefined ? 1 : Number(values.count);
        if (!Number.isInteger(count) || count < 1 || count > 1000)
          throw new UsageError('--count is a whole number from 1 to 1000');
        const session = values.session ? { session: values.session } : {};
        if (count > 1) {
          const batch = await call(
            'queue.lease',
            { project: ref, annotator: values.annotator, count, ...session },
            ctx,
          );
          print(opts, batch, () =>
            [
              `Leased ${batch.items.length} items to ${values.annotator} (${batch.remaining} still pending):`,
              ...batch.items.map((b) => `  ${b.item.externalId}  ${b.item.reason}`),
            ].join('\n'),
          );
          return EXIT.ok;
        }
        const next = await call('queue.next', { project: ref, annotator: values.annotator, ...session }, ctx);
        print(opts, next, () => {
          if (!next.item) return `Nothing left to review in ${project}.`;
          const p = next.example?.predictions.map((x) => `${x.model}: ${x.predicted.join(', ')}`).join('; ') ?? '';
          return [
            `${next.item.externalId} (leased until ${new Date(next.item.lease!.expiresAt).toISOString()}, ${next.remaining} pending)`,
            `  why: ${next.item.reason}`,
            `  models: ${p}`,
            ...(next.example?.text ? [`  text: ${next.example.text}`] : []),
          ].join('\n');
        });
        return EXIT.ok;
      }
      case 'release': {
        if (!values.annotator) throw new UsageError('queue release needs --annotator NAME');
        const r = await call('queue.release', { project: ref, annotator: values.annotator }, ctx);
        print(opts, r, () => `Released ${r.released} leases.`);
        return EXIT.ok;
      }
      default:
        throw new UsageError(`queue: unknown subcommand '${sub}' (stats, list, next, release)`);
    }
  } finally {
    await ctx.dispose();
  }
}
