import { LabelActionSchema } from '../../../shared/features/labels';
import { call } from '../../core/dispatch';
import type { CliValues } from '../index';
import { openCliContext, print, UsageError, type GlobalOptions } from '../cli-context';
import { EXIT } from '../exit-codes';
import { recordLabelFile } from './label-file';

async function currentVersion(ctx: ReturnType<typeof openCliContext>, project: string, values: CliValues) {
  if (values['schema-version']) return Number(values['schema-version']);
  return (await call('labels.versions', { project }, ctx)).at(-1)?.version ?? 1;
}

/** `flywheel label PROJECT --file LABELS.jsonl [--annotator NAME]` */
async function labelFromFile(opts: GlobalOptions, project: string, values: CliValues): Promise<number> {
  const ctx = openCliContext(opts);
  try {
    const schemaVersion = await currentVersion(ctx, project, values);
    const r = await recordLabelFile(ctx, project, values.file!, {
      schemaVersion,
      ...(values.annotator ? { annotator: values.annotator } : {}),
    });
    print(opts, r, () => `Saved ${r.saved} label events${r.repeated ? ` (${r.repeated} were already saved)` : ''}.`);
    return EXIT.ok;
  } finally {
    await ctx.dispose();
  }
}

/** `flywheel label PROJECT EXAMPLE_ID [LABEL…] --annotator NAME [--action A] [--comment TEXT]` */
export async function labelCommand(opts: GlobalOptions, args: string[], values: CliValues): Promise<number> {
  const [project, externalId, ...labels] = args;
  if (project && values.file) return labelFromFile(opts, project, values);
  if (!project || !externalId) throw new UsageError('label needs PROJECT and EXAMPLE_ID (or --file FILE.jsonl)');
  if (!values.annotator) throw new UsageError('label needs --annotator NAME');
  const action = LabelActionSchema.safeParse(values.action ?? 'label');
  if (!action.success) throw new UsageError(`--action is one of ${LabelActionSchema.options.join(', ')}`);
  const ctx = openCliContext(opts);
  try {
    const schemaVersion = await currentVersion(ctx, project, values);
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
