import { ApiError } from '../../../shared/api/errors';
import { call } from '../../core/dispatch';
import { readRegularText } from '../../io/safe-open';
import { openCliContext, print, UsageError, type GlobalOptions } from '../cli-context';
import { EXIT } from '../exit-codes';

/** `flywheel label-schema PROJECT [show | set FILE.json | diff A B]` */
export async function labelSchemaCommand(opts: GlobalOptions, args: string[]): Promise<number> {
  const [name, action = 'show', ...rest] = args;
  if (!name) throw new UsageError('label-schema needs a PROJECT');
  const ctx = openCliContext(opts);
  const project = { project: name };
  try {
    if (action === 'show') {
      const versions = await call('labels.versions', project, ctx);
      print(opts, versions, () =>
        versions
          .map((v) =>
            [
              `v${v.version}  ${new Date(v.createdAt).toISOString().slice(0, 16).replace('T', ' ')}  ${v.changeNote}`,
              ...v.labels.map(
                (l) =>
                  `    [${l.hotkey ?? ' '}] ${l.name} (${l.id}) ${l.color}${l.description ? ` — ${l.description}` : ''}`,
              ),
            ].join('\n'),
          )
          .join('\n'),
      );
      return EXIT.ok;
    }
    if (action === 'set') {
      const file = rest[0];
      if (!file)
        throw new UsageError(
          'label-schema PROJECT set needs a FILE.json (labels, guidelines, changeNote, mappingFromPrevious)',
        );
      const text = readRegularText(file, 'label schema file');
      let draft: unknown;
      try {
        draft = JSON.parse(text);
      } catch (e) {
        throw new ApiError('bad-file', `${file}: ${(e as Error).message}`);
      }
      const created = await call('labels.create', { project, draft: draft as never }, ctx);
      print(opts, created, () => {
        const c = created.carryForward;
        return (
          `Label schema v${created.version} of '${name}' saved (${created.labels.length} labels). ` +
          `${c.carried} labels carried forward, ${c.requeued} examples back in the queue, ${c.unresolved} unresolved conflicts left to re-mine.`
        );
      });
      return EXIT.ok;
    }
    if (action === 'diff') {
      const [from, to] = rest.map(Number);
      if (!from || !to) throw new UsageError('label-schema PROJECT diff A B takes two version numbers');
      const diff = await call('labels.diff', { project, from, to }, ctx);
      print(opts, diff, () =>
        diff.lines.length ? diff.lines.join('\n') : `v${from} and v${to} define the same labels`,
      );
      return EXIT.ok;
    }
    throw new UsageError(`label-schema: unknown action '${action}' (show, set, diff)`);
  } finally {
    await ctx.dispose();
  }
}
