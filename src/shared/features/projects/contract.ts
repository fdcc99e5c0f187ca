import { z } from 'zod';
import { method } from '../../api/method';
import { ClassNameSchema, InputKindSchema, TaskTypeSchema } from '../../domain/task';

export const ProjectNameSchema = z
  .string()
  .trim()
  .min(1, 'a project needs a name')
  .max(100)
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} ._-]*$/u, 'use letters, digits, spaces, dots, dashes and underscores');

export const ProjectSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  taskType: TaskTypeSchema,
  inputKind: InputKindSchema,
  classes: z.array(z.string()),
  featureNames: z.array(z.string()).nullable(),
  createdAt: z.number(),
});
export type Project = z.infer<typeof ProjectSchema>;

export const ProjectCountsSchema = z.object({
  examples: z.number().int(),
  modelRuns: z.number().int(),
  predictions: z.number().int(),
  groundTruth: z.number().int(),
  labelEvents: z.number().int(),
  queuePending: z.number().int(),
  interruptedImports: z.number().int(),
});

export const ProjectSummarySchema = ProjectSchema.extend({ counts: ProjectCountsSchema });
export type ProjectSummary = z.infer<typeof ProjectSummarySchema>;

export const ModelRunStatsSchema = z.object({
  id: z.number().int(),
  source: z.enum(['import', 'rescore']),
  modelName: z.string(),
  modelVersion: z.string(),
  predictions: z.number().int(),
  /** Count of predictions per predicted class (multilabel: per class present). */
  predictedCounts: z.record(z.string(), z.number().int()),
  createdAt: z.number(),
});

export const ProjectStatsSchema = z.object({
  project: ProjectSchema,
  counts: ProjectCountsSchema,
  timeRange: z.object({ from: z.number(), to: z.number() }).nullable(),
  groundTruthCounts: z.record(z.string(), z.number().int()),
  modelRuns: z.array(ModelRunStatsSchema),
});
export type ProjectStats = z.infer<typeof ProjectStatsSchema>;

export const ProjectRefSchema = z.union([
  z.object({ projectId: z.number().int().positive() }).strict(),
  z.object({ project: z.string().min(1).max(100) }).strict(),
]);
export type ProjectRef = z.infer<typeof ProjectRefSchema>;

export const projectsContract = {
  'projects.list': method({
    input: z.object({}).strict(),
    output: z.array(ProjectSummarySchema),
    summary: 'Every project with its counts',
  }),
  'projects.create': method({
    input: z
      .object({
        name: ProjectNameSchema,
        taskType: TaskTypeSchema,
        inputKind: InputKindSchema,
        classes: z.array(ClassNameSchema).min(2).max(1000),
        featureNames: z.array(z.string().min(1)).max(4096).optional(),
      })
      .strict()
      .refine((p) => new Set(p.classes).size === p.classes.length, {
        message: 'class names must be unique',
        path: ['classes'],
      })
      .refine((p) => p.taskType !== 'binary' || p.classes.length === 2, {
        message: 'a binary project has exactly two classes: negative first, positive second',
        path: ['classes'],
      }),
    output: ProjectSchema,
    summary: 'Create a labeling project',
  }),
  'projects.stats': method({
    input: ProjectRefSchema,
    output: ProjectStatsSchema,
    summary: 'Counts, time range and model runs of a project',
  }),
};
