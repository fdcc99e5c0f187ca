import { ApiError } from '../../../shared/api/errors';
import type { LearnRefreshResult, LearnStatus } from '../../../shared/features/learn/contract';
import { call } from '../../core/dispatch';
import type { CliValues } from '../index';
import { followJob, openCliContext, print, UsageError, type GlobalOptions } from '../cli-context';
import { EXIT } from '../exit-codes';

function number(values: CliValues, name: 'every' | 'control-share' | 'penalty', what: string): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(n))
    throw new UsageError(`--${name} needs ${what}`);
  return n;
}

const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(1)}%`);

function describeStatus(project: string, s: LearnStatus): string {
  if (!s.config)
    return `${project} has no learner: flywheel learn ${project} --representation features|text|embeddings:MODEL`;
  const c = s.config;
  const lines = [
    `Learner of ${project}: ${c.representation}, refit every ${c.every} labels, ${Math.round(c.controlShare * 100)}% control, labels: ${c.labelSource}`,
  ];
  const r = s.lastRefresh;
  if (r)
    lines.push(
      `  last refresh #${r.id} ${new Date(r.at).toISOString()}: ${r.labels} labels under schema v${r.schemaVersion} → ${r.modelRun?.name ?? '?'}` +
        `${r.coldStart ? ' (cold start: typical, diverse items queued)' : ''}${r.kappaPrevious === null ? '' : `, kappa with the previous ${r.kappaPrevious.toFixed(3)}`}`,
    );
  else lines.push('  no refresh yet');
  lines.push(
    `  ${s.labelsSinceRefresh} labels since; the next refresh in ${s.nextRefreshIn ?? '–'}${s.runningJob ? ' (one is running)' : ''}`,
  );
  if (s.lastProblem) lines.push(`  the last refresh did not apply: ${s.lastProblem}`);
  const m = s.meter;
  lines.push(
    `  prequential accuracy: mined ${pct(m.mined.accuracy)} (${m.mined.n}), control ${pct(m.control.accuracy)} (${m.control.n}) — ${m.message}`,
  );
  if (m.randomLabelsNeeded)
    lines.push(
      `  random labels to reach this quality: ~${Math.round(m.randomLabelsNeeded.estimate)} (${Math.round(m.randomLabelsNeeded.low)}–${Math.round(m.randomLabelsNeeded.high)})`,
    );
  lines.push(`  stop signal: ${s.stop.message}`);
  if (s.labelIssues)
    lines.push(
      `  label issues: ${s.labelIssues.flagged} of ${s.labelIssues.checked} labels flagged, ${s.labelIssues.queued} queued`,
    );
  return lines.join('\n');
}

/** `flywheel learn PROJECT [--representation R …]`, `… refresh`, `… status`. */
export async function learnCommand(opts: GlobalOptions, args: string[], values: CliValues): Promise<number> {
  const [project, sub, ...rest] = args;
  if (!project) throw new UsageError('learn needs a PROJECT');
  if ((sub === 'embed' || sub === 'export') && rest.length === 0) {
    const encode = await import('./learn-encode');
    return sub === 'embed'
      ? encode.learnEmbedCommand(opts, project, values)
      : encode.learnExportCommand(opts, project, values);
  }
  if (rest.length > 0 || (sub !== undefined && sub !== 'status' && sub !== 'refresh'))
    throw new UsageError(
      `learn PROJECT takes 'status', 'refresh', 'embed' or 'export' after the project, not '${[sub, ...rest].join(' ')}'`,
    );
  const settings = {
    ...(values.representation !== undefined ? { representation: values.representation as string } : {}),
    ...(values.every !== undefined ? { every: number(values, 'every', 'a whole number of labels') } : {}),
    ...(values['control-share'] !== undefined
      ? { controlShare: number(values, 'control-share', 'a share between 0 and 0.9, e.g. 0.1') }
      : {}),
    ...(values['label-source'] !== undefined ? { labelSource: values['label-source'] as 'curated' } : {}),
    ...(values.penalty !== undefined ? { l2: number(values, 'penalty', 'a positive number') } : {}),
  };
  if (sub === 'status' && Object.keys(settings).length > 0)
    throw new UsageError('learn PROJECT status takes no settings: set them with learn PROJECT --representation …');
  const ctx = openCliContext(opts);
  try {
    if (sub === 'status') {
      const status = await call('learn.status', { project }, ctx);
      print(opts, status, () => describeStatus(project, status));
      return EXIT.ok;
    }
    if (Object.keys(settings).length > 0) {
      let representation = settings.representation;
      if (representation === undefined) {
        const current = await call('learn.status', { project }, ctx);
        if (!current.config)
          throw new UsageError(`${project} has no learner yet: say --representation features|text|embeddings:MODEL`);
        representation = current.config.representation;
      }
      await call('learn.configure', { project: { project }, ...settings, representation }, ctx);
    }
    const { jobId } = await call('learn.refresh', { project: { project } }, ctx);
    const status = await followJob(ctx, jobId);
    if (status.state !== 'succeeded')
      throw new ApiError(
        status.error?.code ?? 'internal',
        status.error?.message ?? 'the learner refresh failed',
        status.error?.details,
      );
    const result = status.result as LearnRefreshResult;
    print(opts, result, () => {
      const r = result.refresh;
      const t = r?.timings ?? {};
      return [
        result.applied ? `Refreshed: ${result.message}.` : `Nothing to do: ${result.message}.`,
        ...(r && result.applied
          ? [
              `  fit ${t.fitMs ?? '?'} ms, score ${t.scoreMs ?? '?'} ms, re-rank ${t.rerankMs ?? '?'} ms, total ${t.totalMs ?? '?'} ms`,
            ]
          : []),
      ].join('\n');
    });
    return EXIT.ok;
  } finally {
    await ctx.dispose();
  }
}
