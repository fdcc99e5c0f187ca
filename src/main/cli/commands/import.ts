import readline from 'node:readline/promises';
import { ApiError } from '../../../shared/api/errors';
import type { ImportRun } from '../../../shared/features/import/contract';
import { ImportMappingSchema, type ImportMapping } from '../../../shared/features/import/mapping';
import { call } from '../../core/dispatch';
import { pathKind, readRegularText } from '../../io/safe-open';
import type { CliValues } from '../index';
import { followJob, openCliContext, print, UsageError, type GlobalOptions } from '../cli-context';
import { EXIT } from '../exit-codes';

const n = (v: number) => v.toLocaleString('en-US');

function describeMapping(m: ImportMapping): string {
  const scores =
    m.scores.kind === 'columns'
      ? `columns ${m.scores.columns.join(', ')}`
      : `${m.scores.kind} field '${m.scores.field}'`;
  const features = m.features
    ? m.features.kind === 'vector'
      ? `'${m.features.field}' (${m.features.dim} values)`
      : `${m.features.fields.length} columns`
    : '—';
  return [
    `  id            ${m.id}`,
    `  input         ${m.inputKind}${m.text ? ` from '${m.text}'` : ''}${m.imagePath ? ` from '${m.imagePath}'` : ''}`,
    `  features      ${features}`,
    `  timestamp     ${m.timestamp ? `'${m.timestamp.field}' (${m.timestamp.unit})` : '—'}`,
    `  task          ${m.taskType}; classes ${m.classes.join(', ')}`,
    `  scores        ${scores}${m.scoreTransform !== 'none' ? ` + ${m.scoreTransform}` : ''}`,
    `  predicted     ${m.predictedLabel ?? '(argmax of scores)'}`,
    `  ground truth  ${m.groundTruth ?? '—'}`,
    `  model         ${m.model.nameField ? `field '${m.model.nameField}'` : `'${m.model.name}'`}, version ${m.model.versionField ? `field '${m.model.versionField}'` : `'${m.model.version}'`}`,
    `  metadata      ${m.metadata.join(', ') || '—'}`,
  ].join('\n');
}

function summary(run: ImportRun): string {
  if (run.alreadyImported) return `Already imported as import #${run.id} (${n(run.rowsImported)} rows): nothing added.`;
  const refused = run.strict && run.status === 'failed' && run.rowsRejected > 0;
  const lines = refused
    ? [
        `Import #${run.id} refused (--strict): ${n(run.rowsRejected)} row${run.rowsRejected === 1 ? '' : 's'} rejected, nothing imported.`,
      ]
    : [
        `Import #${run.id} ${run.status}: ${n(run.rowsImported)} rows imported, ${n(run.examplesAdded)} new examples, ` +
          `${n(run.rowsPresent)} already present, ${n(run.rowsRejected)} rejected.`,
      ];
  if (run.resumedFromRecord > 0) lines.push(`Resumed after record ${n(run.resumedFromRecord)}.`);
  for (const r of run.firstRejects.slice(0, 10))
    lines.push(`  row ${r.row}${r.line ? ` (line ${r.line})` : ''}, ${r.field}: ${r.reason}`);
  if (run.rejectsPath) lines.push(`Every rejected row: ${run.rejectsPath}`);
  return lines.join('\n');
}

async function confirm(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export async function importCommand(opts: GlobalOptions, args: string[], values: CliValues): Promise<number> {
  const ctx = openCliContext(opts);
  try {
    if (values.discard) {
      const result = await call('import.discard', { importRunId: Number(values.discard) }, ctx);
      print(
        opts,
        result,
        () =>
          `Discarded import #${values.discard}: removed ${n(result.examplesRemoved)} examples, ${n(result.predictionsRemoved)} predictions.`,
      );
      return EXIT.ok;
    }
    const file = args[0];
    if (!file) throw new UsageError('import needs a FILE');
    if (!values.project) throw new UsageError('import needs --project NAME');
    const project = values.project;
    const format = values.format as 'jsonl' | 'csv' | 'parquet' | undefined;
    if (format && !['jsonl', 'csv', 'parquet'].includes(format))
      throw new UsageError('--format is jsonl, csv or parquet');

    let mapping: ImportMapping | null = null;
    let confirmed = values.yes;
    if (values.mapping && pathKind(values.mapping) !== 'missing' && values.mapping.endsWith('.json')) {
      const parsed = ImportMappingSchema.safeParse(JSON.parse(readRegularText(values.mapping, 'mapping file')));
      if (!parsed.success)
        throw new ApiError(
          'bad-mapping',
          `${values.mapping}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        );
      mapping = parsed.data;
      confirmed = true;
    }
    if (values.mapping && !mapping) {
      const existing = ctx.store.projects.byName(project);
      const saved = existing
        ? ctx.store.projects.savedMappings(existing.id).find((s) => s.name === values.mapping)
        : undefined;
      if (!saved)
        throw new ApiError(
          'not-found',
          `no mapping file or saved mapping named '${values.mapping}' in project '${project}'`,
        );
      mapping = saved.mapping;
      confirmed = true;
    }
    // A mapping given is checked against the sample, not guessed: a guess may not fit a log that
    // one given fits (more fields than a mapping can name).
    const preview = await call(
      'import.preview',
      { path: file, project, ...(format ? { format } : {}), ...(mapping ? { mapping } : {}) },
      ctx,
    );
    if (!mapping && preview.savedMapping) confirmed = true;
    if (!mapping && preview.fieldsDropped > 0 && confirmed && !values['dry-run']) {
      process.stderr.write(
        `warning: ${preview.notes.find((x) => /fields are dropped/.test(x)) ?? `${n(preview.fieldsDropped)} fields are dropped`}\n`,
      );
    }
    mapping ??= preview.mapping;
    if (values['dry-run']) {
      print(opts, { ...preview, mapping }, () =>
        [
          `${preview.path}: ${preview.format}${preview.compression === 'gzip' ? ' (gzip)' : ''}, ${n(preview.sizeBytes)} bytes, fields: ${preview.fields.join(', ')}`,
          mapping
            ? `Mapping${preview.savedMapping ? ` (saved as '${preview.savedMapping}')` : ' (guessed)'}:\n${describeMapping(mapping)}`
            : 'No mapping could be guessed.',
          ...preview.notes.map((x) => `  note: ${x}`),
          preview.sampleRejects.length
            ? `Sample check: ${preview.sampleRejects.length} of ${preview.sample.length} sample rows would be rejected:\n` +
              preview.sampleRejects
                .slice(0, 5)
                .map((r) => `  row ${r.row}, ${r.field}: ${r.reason}`)
                .join('\n')
            : 'Sample check: every sample row is valid.',
        ].join('\n'),
      );
      return EXIT.ok;
    }
    if (!mapping)
      throw new ApiError(
        'bad-mapping',
        `cannot guess a mapping for ${file}: ${preview.notes.join('; ')}. Pass --mapping FILE.json`,
      );
    if (!confirmed) {
      process.stderr.write(
        `Guessed mapping for ${preview.path}:\n${describeMapping(mapping)}\n${preview.notes.map((x) => `  note: ${x}\n`).join('')}`,
      );
      if (!process.stdin.isTTY) {
        throw new UsageError(
          'the mapping above was guessed: confirm it with --yes, or write it with --dry-run --json and pass --mapping FILE.json',
        );
      }
      if (!(await confirm('Import with this mapping? [y/N] '))) return EXIT.cancelled;
    }
    const maxLineMb = values['max-line-mb'] ? Number(values['max-line-mb']) : undefined;
    const maxGzipRatio = values['max-gzip-ratio'] ? Number(values['max-gzip-ratio']) : undefined;
    const { jobId } = await call(
      'import.start',
      {
        path: file,
        project,
        mapping,
        strict: values.strict,
        ...(values['save-mapping'] ? { saveMappingAs: values['save-mapping'] } : {}),
        ...(values.rejects ? { rejectsPath: values.rejects } : {}),
        ...(maxLineMb ? { maxLineBytes: Math.round(maxLineMb * 2 ** 20) } : {}),
        ...(maxGzipRatio ? { maxGzipRatio } : {}),
      },
      ctx,
    );
    const status = await followJob(ctx, jobId);
    if (status.state !== 'succeeded') {
      const run = status.result as ImportRun | undefined;
      const error = status.error ?? { code: 'internal' as const, message: 'import failed' };
      if (run && !opts.json) process.stderr.write(`${summary(run)}\n`);
      throw new ApiError(error.code, error.message, run);
    }
    const run = status.result as ImportRun;
    print(opts, run, () => summary(run));
    return EXIT.ok;
  } finally {
    await ctx.dispose();
  }
}
