import { z } from 'zod';
import { method } from '../../api/method';
import { ProjectRefSchema } from '../projects/contract';

export const PredictionsFormatSchema = z.enum(['jsonl', 'csv', 'parquet']);
export type PredictionsFormat = z.infer<typeof PredictionsFormatSchema>;

export const PredictionsExportInputSchema = z
  .object({
    project: ProjectRefSchema,
    /** `name@version`, a version, or the model run's id. */
    run: z.union([z.string().min(1).max(401), z.number().int().positive()]),
    format: PredictionsFormatSchema.default('jsonl'),
    /** The file to write; default `<data folder>/predictions/<project>-<name>@<version>.<format>`. */
    out: z.string().min(1).max(4096).optional(),
    force: z.boolean().default(false),
  })
  .strict();
export type PredictionsExportInput = z.infer<typeof PredictionsExportInputSchema>;

/** What a finished predictions export wrote (the job's result). */
export const PredictionsExportResultSchema = z.object({
  path: z.string(),
  format: PredictionsFormatSchema,
  run: z.object({ id: z.number().int(), name: z.string(), version: z.string() }),
  rows: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string(),
  /** Score columns in order: `p_<class>` for each class of the project. */
  columns: z.array(z.string()),
});
export type PredictionsExportResult = z.infer<typeof PredictionsExportResultSchema>;

/** The score column of a class in CSV and Parquet files (an import guesses it back as one column per class). */
export function scoreColumn(className: string): string {
  return `p_${className}`;
}

export const predictionsContract = {
  'predictions.export': method({
    input: PredictionsExportInputSchema,
    output: z.object({ jobId: z.string() }),
    summary:
      "Write one model run's predictions (id, timestamp, input, predicted label, a score per class) as JSONL, CSV or Parquet (a job)",
  }),
};
