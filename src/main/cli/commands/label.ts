import { LabelActionSchema } from '../../../shared/features/labels';
import { call } from '../../core/dispatch';
import type { CliValues } from '../index';
import { openCliContext, print, UsageError, type GlobalOptions } from '../cli-context';
import { EXIT } from '../exit-codes';

/** `flywheel label PROJECT EXAMPLE_ID [LABEL…] --annotator NAME [--action A] [--comment TEXT]` */
export async function labelCommand(opts: GlobalOptions, args: string[], values: CliValues): Promise<number> {
  const [project, externalId, ...labels] = args;
  if (!project || !externalId) throw new UsageError('label needs PROJECT and EXAMPLE_ID');
  if (!values.annotator) throw new UsageError('label needs --annotator NAME');
  const action = LabelActionSchema.safeParse(values.action ?? 'label');
  if (!action.success) throw new UsageError(`--action is one of ${LabelActionSchema.options.join(', ')}`);
  const ctx = openCliContext(opts);
  try {
    const versions = await call('labels.versions', { project }, ctx);
    const schemaVersion = values['schema-version'] ? Number(values['schema-version']) : (versions.at(-1)?.version ?? 1);
    const result = await call(
      'labels.record',
      {
        project: { project },
        externalId,
        annotator: values.annotator,
        schemaVersion,
        action: action.data,
        labels: labels.length > 0 ? labels : null,
        ...(values.comment ? { comment: values.comment } : {}),
      },
      ctx,
    );
    print(opts, result, () => {
      const r = result.current.resolution;
      const state =
        r.status === 'agreed' || r.status === 'adjudicated' ? `${r.status}: ${r.labels.join(', ')}` : r.status;
      return `Saved event #${result.eventId} on ${externalId} (${result.current.events} events, ${state}).`;
    });
    return EXIT.ok;
  } finally {
    await ctx.dispose();
  }
}
