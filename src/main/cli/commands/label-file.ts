import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ApiError } from '../../../shared/api/errors';
import { LabelActionSchema } from '../../../shared/features/labels';
import type { Context } from '../../core/context';
import { call } from '../../core/dispatch';
import { readRegularText } from '../../io/safe-open';

const LineSchema = z
  .object({
    id: z.string().min(1).max(512),
    labels: z.array(z.string().min(1).max(64)).nullable().optional(),
    action: LabelActionSchema.default('label'),
    annotator: z.string().trim().min(1).max(100).optional(),
    comment: z.string().max(5000).optional(),
    timeSpentMs: z.number().int().min(0).max(86_400_000).optional(),
  })
  .strict();

/**
 * Records one label event per JSON line. Each line's client event id is the file's hash plus its
 * line number, so running the same file again adds nothing twice. Stops at the first bad line,
 * naming it; the lines before it stay saved (each was acknowledged on its own).
 */
export async function recordLabelFile(
  ctx: Context,
  project: string,
  file: string,
  defaults: { annotator?: string; schemaVersion: number },
): Promise<{ saved: number; repeated: number }> {
  const text = readRegularText(file, 'label file');
  const fileHash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  const lines = text.split('\n');
  let saved = 0;
  let repeated = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    const where = `${file}, line ${i + 1}`;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (e) {
      throw new ApiError('bad-file', `${where}: not JSON (${(e as Error).message})`);
    }
    const parsed = LineSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new ApiError('bad-file', `${where}, field ${issue.path.join('.') || '(line)'}: ${issue.message}`);
    }
    const line = parsed.data;
    const annotator = line.annotator ?? defaults.annotator;
    if (!annotator) throw new ApiError('bad-file', `${where}, field annotator: missing (or pass --annotator)`);
    try {
      const r = await call(
        'labels.record',
        {
          project: { project },
          externalId: line.id,
          annotator,
          schemaVersion: defaults.schemaVersion,
          action: line.action,
          labels: line.labels ?? null,
          ...(line.comment !== undefined ? { comment: line.comment } : {}),
          ...(line.timeSpentMs !== undefined ? { timeSpentMs: line.timeSpentMs } : {}),
          clientEventId: `file:${fileHash}:${i + 1}`,
        },
        ctx,
      );
      if (r.duplicate) repeated++;
      else saved++;
    } catch (e) {
      if (e instanceof ApiError) throw new ApiError(e.code, `${where}: ${e.message}`, e.details);
      throw e;
    }
  }
  return { saved, repeated };
}
